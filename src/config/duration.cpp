// Durations in Go's time.ParseDuration and Prometheus' model.ParseDuration forms, at millisecond resolution.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "vesagent/config/loader.hpp"

namespace vesagent::config {

namespace {

constexpr std::uint64_t kMaxMs = static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max());

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool checked_mul(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (a != 0 && b > kMaxMs / a) return false;
  out = a * b;
  return true;
}

bool checked_add(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (b > kMaxMs - a) return false;
  out = a + b;
  return true;
}

/// Milliseconds per unit; "ms" must be tried before "m".
std::optional<std::uint64_t> take_unit(std::string_view text, std::size_t& pos) {
  struct Unit {
    std::string_view name;
    std::uint64_t ms;
  };
  static constexpr Unit kUnits[] = {{"ms", 1},          {"s", 1000},          {"m", 60'000},
                                    {"h", 3'600'000},   {"d", 86'400'000},    {"w", 604'800'000}};
  for (const auto& u : kUnits) {
    if (text.substr(pos, u.name.size()) == u.name) {
      pos += u.name.size();
      return u.ms;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  // Go accepts a bare "0"; every other number needs a unit, so "60" is rejected (it is ambiguous).
  if (text == "0") return Duration{0};
  if (text.empty()) return std::nullopt;

  std::uint64_t total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::uint64_t whole = 0;
    std::size_t whole_digits = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      if (!checked_mul(whole, 10, whole) || !checked_add(whole, static_cast<std::uint64_t>(text[pos] - '0'), whole)) {
        return std::nullopt;
      }
      ++pos;
      ++whole_digits;
    }
    std::string_view fraction;
    if (pos < text.size() && text[pos] == '.') {
      std::size_t start = ++pos;
      while (pos < text.size() && is_digit(text[pos])) ++pos;
      fraction = text.substr(start, pos - start);
    }
    if (whole_digits == 0 && fraction.empty()) return std::nullopt;  // "s", ".s", "-5s", " 5s"

    auto unit = take_unit(text, pos);
    if (!unit) return std::nullopt;

    std::uint64_t part = 0;
    if (!checked_mul(whole, *unit, part)) return std::nullopt;

    // The fraction must come out as whole milliseconds ("1.5s" yes, "1.0005s" no).
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    if (!fraction.empty()) {
      if (fraction.size() > 9) return std::nullopt;
      std::uint64_t numerator = 0;
      std::uint64_t denominator = 1;
      for (char c : fraction) {
        numerator = numerator * 10 + static_cast<std::uint64_t>(c - '0');
        denominator *= 10;
      }
      std::uint64_t scaled = numerator * *unit;  // < 1e9 * 6.048e8, fits in 64 bits
      if (scaled % denominator != 0) return std::nullopt;
      if (!checked_add(part, scaled / denominator, part)) return std::nullopt;
    }
    if (!checked_add(total, part, total)) return std::nullopt;
  }
  return Duration{static_cast<Duration::rep>(total)};
}

std::string format_duration(Duration d) {
  if (d.count() == 0) return "0s";
  std::string out;
  auto ms = static_cast<std::uint64_t>(d.count());
  if (d.count() < 0) {
    // Negation in unsigned arithmetic, so even the most negative value has a magnitude.
    ms = std::uint64_t{0} - ms;
    out = "-";
  }
  auto emit = [&](std::uint64_t unit_ms, const char* name) {
    if (ms >= unit_ms) {
      out += std::to_string(ms / unit_ms);
      out += name;
      ms %= unit_ms;
    }
  };
  emit(3'600'000, "h");
  emit(60'000, "m");
  emit(1000, "s");
  emit(1, "ms");
  return out;
}

}  // namespace vesagent::config
