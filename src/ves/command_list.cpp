#include "vesagent/ves/command_list.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace vesagent::ves {
namespace {

using nlohmann::json;

// Intervals end up in std::chrono durations; capping at INT32_MAX seconds (68 years) keeps a hostile value
// from overflowing a nanosecond count downstream.
constexpr std::int64_t kMaxIntervalSeconds = std::numeric_limits<std::int32_t>::max();

std::string_view trim(std::string_view s) noexcept {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

Command::Type type_of(std::string_view name) noexcept {
  if (name == "heartbeatIntervalChange") return Command::Type::heartbeat_interval_change;
  if (name == "measurementIntervalChange") return Command::Type::measurement_interval_change;
  // The VES 5 spec table (and VESPA's simulator) spell it with a double "ll"; the schema and EVEL do not.
  if (name == "throttlingSpecification" || name == "throttllingSpecification") {
    return Command::Type::throttling_specification;
  }
  if (name == "provideThrottlingState") return Command::Type::provide_throttling_state;
  return Command::Type::unknown;
}

/// The interval in seconds, or an error text. VESPA's simulator omits a zero interval (Go "omitempty"), so a
/// missing value means 0 = back to the configured default.
std::optional<std::int64_t> read_interval(const json& command, const char* key, std::string& error) {
  auto it = command.find(key);
  if (it == command.end() || it->is_null()) return 0;
  const json& v = *it;
  std::int64_t seconds = 0;
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    seconds = v.get<std::int64_t>();
  } else if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(kMaxIntervalSeconds)) {
      error = std::string(key) + " is out of range";
      return std::nullopt;
    }
    seconds = static_cast<std::int64_t>(u);
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > static_cast<double>(kMaxIntervalSeconds)) {
      error = std::string(key) + " is not a whole number of seconds";
      return std::nullopt;
    }
    seconds = static_cast<std::int64_t>(d);
  } else if (v.is_string()) {
    const std::string_view text = trim(v.get_ref<const std::string&>());
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
    if (text.empty() || ec != std::errc{} || ptr != end) {
      error = std::string(key) + " \"" + v.get<std::string>() + "\" is not an integer";
      return std::nullopt;
    }
  } else {
    error = std::string(key) + " is not a number";
    return std::nullopt;
  }
  if (seconds < 0) {
    error = std::string(key) + " is negative (" + std::to_string(seconds) + ")";
    return std::nullopt;
  }
  if (seconds > kMaxIntervalSeconds) {
    error = std::string(key) + " is out of range";
    return std::nullopt;
  }
  return seconds;
}

void add_error(std::string& errors, std::size_t index, const std::string& what) {
  if (!errors.empty()) errors += "; ";
  errors += "commandList[" + std::to_string(index) + "]: " + what;
}

CommandListParse parse(std::string_view body) {
  CommandListParse result;
  // A UTF-8 byte order mark is harmless; skip it like the collector-side parsers do.
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  body = trim(body);
  // The ONAP collector answers with plain text ("Accepted", "Successfully send event"): no commands.
  if (body.empty() || (body.front() != '{' && body.front() != '[')) return result;

  const json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    result.error = "response body is not valid JSON";
    return result;
  }
  if (!doc.is_object()) return result;  // JSON, but not a command response
  auto list = doc.find("commandList");
  if (list == doc.end() || list->is_null()) return result;
  if (!list->is_array()) {
    result.error = "commandList is not an array";
    return result;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json* entry = &(*list)[i];
    // Older VES 5 drafts wrapped each entry: [{"command":{...}}].
    if (entry->is_object() && !entry->contains("commandType")) {
      auto inner = entry->find("command");
      if (inner != entry->end()) entry = &*inner;
    }
    if (!entry->is_object()) {
      add_error(result.error, i, "not an object");
      continue;
    }
    auto type = entry->find("commandType");
    if (type == entry->end() || !type->is_string()) {
      add_error(result.error, i, "commandType is missing or not a string");
      continue;
    }
    Command command;
    command.raw_type = type->get<std::string>();
    command.type = type_of(command.raw_type);
    const char* interval_key = nullptr;
    if (command.type == Command::Type::heartbeat_interval_change) interval_key = "heartbeatInterval";
    if (command.type == Command::Type::measurement_interval_change) interval_key = "measurementInterval";
    if (interval_key != nullptr) {
      std::string why;
      auto seconds = read_interval(*entry, interval_key, why);
      if (!seconds) {
        add_error(result.error, i, why);
        continue;
      }
      command.interval_seconds = *seconds;
    }
    if (command.type == Command::Type::throttling_specification) {
      auto spec = entry->find("eventDomainThrottleSpecification");
      std::string why;
      if (spec == entry->end() || !parse_domain_throttle(spec->dump(), command.throttle, why)) {
        add_error(result.error, i, spec == entry->end() ? "eventDomainThrottleSpecification is missing" : why);
        continue;
      }
      if (!why.empty()) add_error(result.error, i, why);
    }
    result.commands.push_back(std::move(command));
  }
  return result;
}

}  // namespace

CommandListParse parse_command_list(std::string_view body) {
  try {
    return parse(body);
  } catch (const std::exception& e) {
    // Only allocation failures can get here (the JSON parser runs without exceptions); never let them escape
    // into the publisher.
    CommandListParse result;
    result.error = std::string("cannot parse commandList: ") + e.what();
    return result;
  }
}

}  // namespace vesagent::ves
