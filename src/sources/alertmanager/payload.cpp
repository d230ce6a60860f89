// parse_payload(): a SAX handler that builds Payload directly, without a JSON DOM in between. A webhook body is
// parsed once per request on the event loop, so skipping the DOM (one allocation per value, then a second copy
// into Payload) is most of the parsing cost saved.
#include "vesagent/sources/alertmanager/payload.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

namespace vesagent::sources::alertmanager {

std::string_view to_string(AlertStatus status) noexcept {
  return status == AlertStatus::firing ? "firing" : "resolved";
}

namespace {

const std::string* find(const core::NameValues& values, std::string_view name) noexcept {
  for (const auto& [n, v] : values) {
    if (n == name) return &v;
  }
  return nullptr;
}

// ---- RFC 3339 --------------------------------------------------------------------------------------------------

bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) noexcept {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr std::int64_t kUsPerSecond = 1'000'000;

/// Go's time.Time{} as Alertmanager marshals it.
const std::int64_t kGoZeroTimeUs = days_from_civil(1, 1, 1) * 86400 * kUsPerSecond;

// ---- the SAX handler ---------------------------------------------------------------------------------------------

using json = nlohmann::json;

/// Where the parser is. Containers we do not need are skipped with a depth counter instead.
enum class Ctx { root, top, alerts, alert, labels, annotations, done };

/// Value kinds, for "expected X, got Y" messages.
enum class Kind { null, boolean, number, string, object, array };

std::string_view describe(Kind k) {
  switch (k) {
    case Kind::null: return "null";
    case Kind::boolean: return "a boolean";
    case Kind::number: return "a number";
    case Kind::string: return "a string";
    case Kind::object: return "an object";
    case Kind::array: return "an array";
  }
  return "a value";
}

/// Makes a value safe for a one-line message: control characters become '?', long values are cut.
std::string printable(std::string_view text, std::size_t max = 60) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += c < 0x20 || c == 0x7f ? '?' : text[i];
  }
  if (text.size() > max) out += "...";
  return out;
}

std::string in_quotes(std::string_view text) { return "\"" + printable(text) + "\""; }

class Handler {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit Handler(Payload& out) : out_(out) {}

  const std::string& error() const { return error_; }
  bool finished() const { return ctx_ == Ctx::done; }

  // -- scalars --
  bool null() { return scalar(Kind::null, nullptr); }
  bool boolean(bool) { return scalar(Kind::boolean, nullptr); }
  bool number_integer(number_integer_t v) { return number(v >= 0, static_cast<std::uint64_t>(v)); }
  bool number_unsigned(number_unsigned_t v) { return number(true, v); }
  bool number_float(number_float_t, const string_t&) { return number(false, 0); }
  bool string(string_t& v) { return scalar(Kind::string, &v); }
  bool binary(binary_t&) { return scalar(Kind::string, nullptr); }  // never produced by the JSON lexer

  // -- containers --
  bool start_object(std::size_t) {
    if (skip_ > 0) return ++skip_, true;
    switch (ctx_) {
      case Ctx::root: ctx_ = Ctx::top; return true;
      case Ctx::top: return top_container(Kind::object);
      case Ctx::alerts:
        out_.alerts.emplace_back();
        seen_status_ = seen_labels_ = seen_starts_ = false;
        ctx_ = Ctx::alert;
        return true;
      case Ctx::alert:
        if (key_ == "labels") {
          seen_labels_ = true;
          ctx_ = Ctx::labels;
          return true;
        }
        if (key_ == "annotations") {
          ctx_ = Ctx::annotations;
          return true;
        }
        if (is_alert_string_field()) return fail(alert_path() + "." + key_ + ": expected a string, got an object");
        return skip_ = 1, true;
      case Ctx::labels:
      case Ctx::annotations: return fail(pair_path() + ": expected a string, got an object");
      case Ctx::done: break;
    }
    return fail("unexpected object");
  }

  bool end_object() {
    if (skip_ > 0) return --skip_, true;
    switch (ctx_) {
      case Ctx::top:
        if (!seen_alerts_) return fail("missing \"alerts\": expected an array of alerts");
        ctx_ = Ctx::done;
        return true;
      case Ctx::alert:
        if (!seen_status_) return fail(alert_path() + ": missing \"status\"");
        if (!seen_labels_) return fail(alert_path() + ": missing \"labels\"");
        if (!seen_starts_) return fail(alert_path() + ": missing \"startsAt\"");
        ctx_ = Ctx::alerts;
        return true;
      case Ctx::labels:
      case Ctx::annotations: ctx_ = Ctx::alert; return true;
      default: break;
    }
    return fail("unexpected end of object");
  }

  bool start_array(std::size_t) {
    if (skip_ > 0) return ++skip_, true;
    switch (ctx_) {
      case Ctx::root: return fail("expected a JSON object, got an array");
      case Ctx::top: return top_container(Kind::array);
      case Ctx::alerts: return fail(alert_path_next() + ": expected an object, got an array");
      case Ctx::alert:
        if (key_ == "labels" || key_ == "annotations") {
          return fail(alert_path() + "." + key_ + ": expected an object, got an array");
        }
        if (is_alert_string_field()) return fail(alert_path() + "." + key_ + ": expected a string, got an array");
        return skip_ = 1, true;
      case Ctx::labels:
      case Ctx::annotations: return fail(pair_path() + ": expected a string, got an array");
      case Ctx::done: break;
    }
    return fail("unexpected array");
  }

  bool end_array() {
    if (skip_ > 0) return --skip_, true;
    if (ctx_ == Ctx::alerts) {
      ctx_ = Ctx::top;
      return true;
    }
    return fail("unexpected end of array");
  }

  bool key(string_t& k) {
    if (skip_ > 0) return true;
    // Assigning keeps key_'s capacity: no allocation per key once the longest key has been seen.
    key_.assign(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*last_token*/, const nlohmann::detail::exception& e) {
    if (!error_.empty()) return false;  // a handler callback already said why it stopped
    // e.what(): "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error while ...".
    std::string_view what = e.what();
    if (auto col = what.find("column "); col != std::string_view::npos) {
      if (auto colon = what.find(": ", col); colon != std::string_view::npos) what.remove_prefix(colon + 2);
    }
    error_ = "invalid JSON at byte " + std::to_string(position) + ": " + printable(what, 160);
    return false;
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  std::string alert_path() const { return "alerts[" + std::to_string(out_.alerts.size() - 1) + "]"; }
  std::string alert_path_next() const { return "alerts[" + std::to_string(out_.alerts.size()) + "]"; }
  std::string pair_path() const {
    return alert_path() + (ctx_ == Ctx::labels ? ".labels." : ".annotations.") + printable(key_);
  }

  bool is_alert_string_field() const {
    return key_ == "status" || key_ == "startsAt" || key_ == "endsAt" || key_ == "fingerprint" ||
           key_ == "generatorURL";
  }

  /// An object or array as the value of a top-level key.
  bool top_container(Kind kind) {
    if (key_ == "alerts") {
      if (kind != Kind::array) return fail("\"alerts\": expected an array, got " + std::string(describe(kind)));
      // A repeated "alerts" key replaces the earlier one, as Go's decoder does.
      out_.alerts.clear();
      seen_alerts_ = true;
      ctx_ = Ctx::alerts;
      return true;
    }
    if (top_string_field() != nullptr || key_ == "truncatedAlerts") {
      return fail("\"" + key_ + "\": expected " + (key_ == "truncatedAlerts" ? "a number" : "a string") + ", got " +
                  std::string(describe(kind)));
    }
    skip_ = 1;  // groupLabels, commonLabels, commonAnnotations and anything newer
    return true;
  }

  std::string* top_string_field() {
    if (key_ == "version") return &out_.version;
    if (key_ == "receiver") return &out_.receiver;
    if (key_ == "status") return &out_.status;
    if (key_ == "groupKey") return &out_.group_key;
    if (key_ == "externalURL") return &out_.external_url;
    return nullptr;
  }

  bool number(bool non_negative_integer, std::uint64_t value) {
    if (skip_ == 0 && ctx_ == Ctx::top && key_ == "truncatedAlerts") {
      if (!non_negative_integer || value > static_cast<std::uint64_t>(INT64_MAX)) {
        return fail("\"truncatedAlerts\": expected a non-negative integer");
      }
      out_.truncated_alerts = static_cast<std::int64_t>(value);
      return true;
    }
    return scalar(Kind::number, nullptr);
  }

  /// A scalar value; `text` is set for strings.
  bool scalar(Kind kind, string_t* text) {
    if (skip_ > 0) return true;
    switch (ctx_) {
      case Ctx::root: return fail("expected a JSON object, got " + std::string(describe(kind)));
      case Ctx::top: {
        if (key_ == "alerts") return fail("\"alerts\": expected an array, got " + std::string(describe(kind)));
        if (key_ == "truncatedAlerts") {
          if (kind == Kind::null) return true;
          return fail("\"truncatedAlerts\": expected a non-negative integer, got " + std::string(describe(kind)));
        }
        if (std::string* field = top_string_field()) {
          if (kind == Kind::string) {
            *field = *text;
          } else if (kind != Kind::null) {
            return fail("\"" + key_ + "\": expected a string, got " + std::string(describe(kind)));
          }
        }
        return true;
      }
      case Ctx::alerts:
        return fail(alert_path_next() + ": expected an object, got " + std::string(describe(kind)));
      case Ctx::alert: return alert_field(kind, text);
      case Ctx::labels:
      case Ctx::annotations: {
        if (kind != Kind::string) return fail(pair_path() + ": expected a string, got " + std::string(describe(kind)));
        auto& values = ctx_ == Ctx::labels ? out_.alerts.back().labels : out_.alerts.back().annotations;
        for (auto& [name, value] : values) {
          if (name == key_) {
            value = *text;
            return true;
          }
        }
        values.emplace_back(key_, *text);
        return true;
      }
      case Ctx::done: break;
    }
    return fail("unexpected value");
  }

  bool alert_field(Kind kind, string_t* text) {
    Alert& alert = out_.alerts.back();
    if (key_ == "labels" || key_ == "annotations") {
      // Go marshals a nil map as null: treat it as empty.
      if (kind == Kind::null) {
        seen_labels_ = seen_labels_ || key_ == "labels";
        return true;
      }
      return fail(alert_path() + "." + key_ + ": expected an object, got " + std::string(describe(kind)));
    }
    if (!is_alert_string_field()) return true;
    if (kind == Kind::null && (key_ == "fingerprint" || key_ == "generatorURL" || key_ == "endsAt")) return true;
    if (kind != Kind::string) {
      return fail(alert_path() + "." + key_ + ": expected a string, got " + std::string(describe(kind)));
    }
    if (key_ == "status") {
      if (*text == "firing") {
        alert.status = AlertStatus::firing;
      } else if (*text == "resolved") {
        alert.status = AlertStatus::resolved;
      } else {
        return fail(alert_path() + ".status: expected \"firing\" or \"resolved\", got " + in_quotes(*text));
      }
      seen_status_ = true;
      return true;
    }
    if (key_ == "startsAt" || key_ == "endsAt") {
      auto us = parse_rfc3339_us(*text);
      if (!us) return fail(alert_path() + "." + key_ + ": expected an RFC 3339 time, got " + in_quotes(*text));
      if (key_ == "startsAt") {
        alert.starts_at_us = *us;
        seen_starts_ = true;
      } else {
        alert.ends_at_us = *us;
      }
      return true;
    }
    (key_ == "fingerprint" ? alert.fingerprint : alert.generator_url) = *text;
    return true;
  }

  Payload& out_;
  Ctx ctx_ = Ctx::root;
  int skip_ = 0;  ///< depth inside a container being skipped; 0 = not skipping
  std::string key_;
  std::string error_;
  bool seen_alerts_ = false;
  bool seen_status_ = false;
  bool seen_labels_ = false;
  bool seen_starts_ = false;
};

}  // namespace

const std::string* Alert::label(std::string_view name) const noexcept { return find(labels, name); }

const std::string* Alert::annotation(std::string_view name) const noexcept { return find(annotations, name); }

std::optional<std::int64_t> parse_rfc3339_us(std::string_view s) noexcept {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !read_digits(s, 5, 2, month) || s[7] != '-' ||
      !read_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') || !read_digits(s, 11, 2, hour) ||
      s[13] != ':' || !read_digits(s, 14, 2, minute) || s[16] != ':' || !read_digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t fraction_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t first = pos;
    std::int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      // Digits past the sixth (Go writes up to nine) are below a microsecond: truncated.
      if (scale > 0) {
        fraction_us += (s[pos] - '0') * scale;
        scale /= 10;
      }
      ++pos;
    }
    if (pos == first) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  std::int64_t offset_s = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (!read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !read_digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const std::int64_t seconds = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                               hour * 3600 + minute * 60 + second - offset_s;
  const std::int64_t us = seconds * kUsPerSecond + fraction_us;
  return us == kGoZeroTimeUs ? 0 : us;
}

Result<Payload> parse_payload(std::string_view body, std::string& why) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    why = "empty body: expected a JSON object";
    return make_error_code(errc::invalid_json);
  }
  Payload payload;
  Handler handler(payload);
  const char* first = body.data();
  const char* last = body.data() + body.size();
  const bool ok = json::sax_parse(first, last, &handler, json::input_format_t::json, true);
  if (!ok || !handler.finished()) {
    why = handler.error().empty() ? std::string("invalid JSON") : handler.error();
    return make_error_code(errc::invalid_json);
  }
  return payload;
}

}  // namespace vesagent::sources::alertmanager
