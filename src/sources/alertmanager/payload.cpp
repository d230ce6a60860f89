// parse_payload(): a Boost.JSON basic_parser (SAX) handler that builds Payload directly, without a JSON DOM in
// between. A webhook body is parsed once per request on the event loop. nlohmann's SAX tokenizer used to be 78 %
// of this parse (and the parse 42 % of the agent's instructions per alert); basic_parser tokenizes the same body
// about 15 times faster, validates UTF-8 as strictly, and hands over unescaped strings as views into the body, so a
// value is copied once, straight into Payload. Boost.JSON's few non-template parts are compiled once, in
// boost_json_impl.cpp.
#include "vesagent/sources/alertmanager/payload.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <unordered_map>
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

// ---- messages ------------------------------------------------------------------------------------------------------

/// Nesting limit. basic_parser recurses once per level (about 80 B of stack per level in a release build, 550 B in
/// a debug ASan build), so an unbounded depth would let a 10 MiB body of '[' overflow the event loop's stack.
/// Alertmanager sends 4 levels; Go's own decoder stops at 10,000. 1,000 keeps the worst case near 0.5 MiB.
constexpr std::size_t kMaxDepth = 1000;

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

/// Makes a (decoded, valid UTF-8) value safe for a one-line message: control characters become '?', long values
/// are cut, at a character boundary so that the message stays valid UTF-8.
std::string printable(std::string_view text, std::size_t max = 60) {
  std::size_t n = std::min(text.size(), max);
  if (n < text.size()) {
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 sequence
  }
  std::string out;
  out.reserve(n + 3);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += c < 0x20 || c == 0x7f ? '?' : text[i];
  }
  if (n < text.size()) out += "...";
  return out;
}

std::string in_quotes(std::string_view text) { return "\"" + printable(text) + "\""; }

/// Raw body bytes (possibly not UTF-8) for a syntax error message: printable ASCII as is, anything else as \xHH.
std::string excerpt(std::string_view body, std::size_t pos) {
  static constexpr char kHex[] = "0123456789abcdef";
  constexpr std::size_t kMax = 16;
  std::string out = "\"";
  for (std::size_t i = pos; i < body.size() && i < pos + kMax; ++i) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  if (body.size() > pos + kMax) out += "...";
  return out + "\"";
}

/// `\uD800` to `\uDBFF`: the first half of a surrogate pair.
bool is_high_surrogate_escape(std::string_view s) {
  return s.size() == 6 && s[0] == '\\' && s[1] == 'u' && (s[2] == 'd' || s[2] == 'D') &&
         ((s[3] >= '8' && s[3] <= '9') || (s[3] >= 'a' && s[3] <= 'b') || (s[3] >= 'A' && s[3] <= 'B'));
}

/// One line for a syntax error basic_parser found at body[pos].
std::string syntax_message(const boost::system::error_code& ec, std::string_view body, std::size_t pos) {
  namespace bj = boost::json;
  std::string what;
  if (ec == bj::error::incomplete) {
    what = "incomplete JSON: the body ends before the value does";
  } else if (ec == bj::error::too_deep) {
    what = "nested deeper than " + std::to_string(kMaxDepth) + " levels";
  } else if (ec == bj::error::exponent_overflow) {
    what = "number out of range";
  } else if (ec == bj::error::illegal_leading_surrogate || ec == bj::error::illegal_trailing_surrogate ||
             ec == bj::error::expected_utf16_escape) {
    what = "\\u escape with an unpaired UTF-16 surrogate";
  } else if (ec == bj::error::expected_hex_digit) {
    what = "\\u escape without 4 hex digits";
  } else if (ec == bj::error::extra_data) {
    what = "more data after the JSON value";
  } else if (pos >= 6 && is_high_surrogate_escape(body.substr(pos - 6, 6))) {
    what = "\\u escape with an unpaired UTF-16 surrogate";  // basic_parser says "syntax error" for this one
  } else {
    what = ec.message();  // "syntax error": an unexpected character, a bad literal or escape, invalid UTF-8
  }
  std::string message = "invalid JSON at byte " + std::to_string(pos + 1) + ": " + what;
  if (pos < body.size()) message += " near " + excerpt(body, pos);
  return message;
}

// ---- duplicate names -----------------------------------------------------------------------------------------------

/// Finds an earlier pair of the same name in the label (or annotation) object being read, so that a repeated name
/// keeps the last value (as Go's decoder does) without a quadratic scan: Alertmanager sends names sorted, which
/// makes the check one comparison; other orders use a binary search while sorted, then a scan, or a hash index
/// once the object is large (a 10 MiB body could otherwise hold ~10^6 names: ~10^12 comparisons).
class NameIndex {
 public:
  static constexpr std::size_t npos = std::size_t(-1);

  /// Starts an object whose pairs go to `values`: empty, unless the alert repeats "labels" (the pairs then merge).
  void reset(const core::NameValues& values) {
    sorted_ = std::adjacent_find(values.begin(), values.end(), [](const auto& a, const auto& b) {
                return !(a.first < b.first);
              }) == values.end();
    indexed_ = 0;
    index_.clear();
  }

  /// Index of `name` in `values`, or npos.
  std::size_t find(const core::NameValues& values, std::string_view name) {
    if (values.empty()) return npos;
    if (sorted_) {
      if (values.back().first < name) return npos;
      const auto it = std::lower_bound(values.begin(), values.end(), name,
                                       [](const auto& pair, std::string_view n) { return pair.first < n; });
      return it != values.end() && it->first == name ? static_cast<std::size_t>(it - values.begin()) : npos;
    }
    if (values.size() <= kScanLimit) {
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i].first == name) return i;
      }
      return npos;
    }
    for (; indexed_ < values.size(); ++indexed_) index_.emplace(values[indexed_].first, indexed_);
    const auto it = index_.find(name);
    return it == index_.end() ? npos : it->second;
  }

  /// `name` was appended to `values` (it was not there).
  void appended(const core::NameValues& values) {
    if (sorted_ && values.size() > 1 && !(values[values.size() - 2].first < values.back().first)) sorted_ = false;
  }

 private:
  static constexpr std::size_t kScanLimit = 32;

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  bool sorted_ = true;
  std::size_t indexed_ = 0;  ///< values[0, indexed_) are in index_
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
};

// ---- the SAX handler ---------------------------------------------------------------------------------------------

using boost::system::error_code;

/// Where the parser is. Containers we do not need are skipped with a depth counter instead.
enum class Ctx { root, top, alerts, alert, labels, annotations, done };

/// The keys that mean something where they appear (top level or inside an alert), classified once per key.
enum class Key {
  other,
  // top level
  alerts, version, receiver, group_status, group_key, external_url, truncated_alerts,
  // inside an alert
  status, labels, annotations, starts_at, ends_at, fingerprint, generator_url,
};

Key top_key(std::string_view k) noexcept {
  if (k == "alerts") return Key::alerts;
  if (k == "version") return Key::version;
  if (k == "receiver") return Key::receiver;
  if (k == "status") return Key::group_status;
  if (k == "groupKey") return Key::group_key;
  if (k == "externalURL") return Key::external_url;
  if (k == "truncatedAlerts") return Key::truncated_alerts;
  return Key::other;
}

Key alert_key(std::string_view k) noexcept {
  if (k == "status") return Key::status;
  if (k == "labels") return Key::labels;
  if (k == "annotations") return Key::annotations;
  if (k == "startsAt") return Key::starts_at;
  if (k == "endsAt") return Key::ends_at;
  if (k == "fingerprint") return Key::fingerprint;
  if (k == "generatorURL") return Key::generator_url;
  return Key::other;
}

/// The alert fields whose value must be a string.
bool is_alert_string_field(Key k) noexcept {
  return k == Key::status || k == Key::starts_at || k == Key::ends_at || k == Key::fingerprint ||
         k == Key::generator_url;
}

class Handler {
 public:
  // No size limits of its own: alertManager.maxBodySize bounds the body, hence every string, object and array.
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

  Handler(Payload& out, std::string_view body) : out_(out), body_(body) {}

  const std::string& error() const { return error_; }
  bool finished() const { return ctx_ == Ctx::done; }

  // -- document --
  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_comment_part(std::string_view, error_code&) { return true; }  // comments are not allowed (parse_options)
  bool on_comment(std::string_view, error_code&) { return true; }

  // -- scalars --
  bool on_null(error_code& ec) { return scalar(Kind::null, {}, ec); }
  bool on_bool(bool, error_code& ec) { return scalar(Kind::boolean, {}, ec); }
  bool on_number_part(std::string_view, error_code&) { return true; }  // the whole number follows
  bool on_int64(std::int64_t v, std::string_view, error_code& ec) {
    return number(v >= 0, static_cast<std::uint64_t>(v), ec);
  }
  bool on_uint64(std::uint64_t v, std::string_view, error_code& ec) { return number(true, v, ec); }
  bool on_double(double v, std::string_view text, error_code& ec) {
    // A number beyond double's range (1e400) is refused wherever it is, skipped parts included, as before.
    if (!std::isfinite(v) && !finite_by_strtod(text)) {
      return fail("invalid JSON at byte " + std::to_string(offset_of(text) + 1) + ": number out of range: " +
                      printable(text, 40),
                  ec);
    }
    return number(false, 0, ec);
  }
  bool on_string_part(std::string_view part, std::size_t, error_code&) {
    // Only a string with escapes (decoded in 4 KiB pieces) comes in parts: the body is written in one go.
    if (skip_ == 0) parts_.append(part);
    return true;
  }
  bool on_string(std::string_view last, std::size_t, error_code& ec) {
    if (skip_ > 0) return true;
    if (parts_.empty()) return scalar(Kind::string, last, ec);
    parts_.append(last);
    const bool ok = scalar(Kind::string, parts_, ec);
    parts_.clear();
    return ok;
  }

  // -- keys --
  bool on_key_part(std::string_view part, std::size_t, error_code&) {
    if (skip_ > 0) return true;
    if (!key_in_parts_) key_.clear();
    key_in_parts_ = true;
    key_.append(part);
    return true;
  }
  bool on_key(std::string_view last, std::size_t, error_code&) {
    if (skip_ > 0) return true;
    // Assigning keeps key_'s capacity: no allocation per key once the longest key has been seen.
    if (key_in_parts_) {
      key_.append(last);
      key_in_parts_ = false;
    } else {
      key_.assign(last);
    }
    key_id_ = ctx_ == Ctx::top ? top_key(key_) : ctx_ == Ctx::alert ? alert_key(key_) : Key::other;
    return true;
  }

  // -- containers --
  bool on_object_begin(error_code& ec) {
    if (skip_ > 0) return ++skip_, true;
    switch (ctx_) {
      case Ctx::root: ctx_ = Ctx::top; return true;
      case Ctx::top: return top_container(Kind::object, ec);
      case Ctx::alerts:
        out_.alerts.emplace_back();
        seen_status_ = seen_labels_ = seen_starts_ = false;
        ctx_ = Ctx::alert;
        return true;
      case Ctx::alert:
        if (key_id_ == Key::labels) {
          seen_labels_ = true;
          ctx_ = Ctx::labels;
          names_.reset(out_.alerts.back().labels);
          // Typical alerts carry 4-10 labels: skips the vector's 1-2-4 regrowths (the Payload is short-lived).
          if (out_.alerts.back().labels.empty()) out_.alerts.back().labels.reserve(8);
          return true;
        }
        if (key_id_ == Key::annotations) {
          ctx_ = Ctx::annotations;
          names_.reset(out_.alerts.back().annotations);
          if (out_.alerts.back().annotations.empty()) out_.alerts.back().annotations.reserve(4);
          return true;
        }
        if (is_alert_string_field(key_id_)) {
          return fail(alert_path() + "." + key_ + ": expected a string, got an object", ec);
        }
        return skip_ = 1, true;
      case Ctx::labels:
      case Ctx::annotations: return fail(pair_path() + ": expected a string, got an object", ec);
      case Ctx::done: break;
    }
    return fail("unexpected object", ec);
  }

  bool on_object_end(std::size_t, error_code& ec) {
    if (skip_ > 0) return --skip_, true;
    switch (ctx_) {
      case Ctx::top:
        if (!seen_alerts_) return fail("missing \"alerts\": expected an array of alerts", ec);
        ctx_ = Ctx::done;
        return true;
      case Ctx::alert:
        if (!seen_status_) return fail(alert_path() + ": missing \"status\"", ec);
        if (!seen_labels_) return fail(alert_path() + ": missing \"labels\"", ec);
        if (!seen_starts_) return fail(alert_path() + ": missing \"startsAt\"", ec);
        ctx_ = Ctx::alerts;
        return true;
      case Ctx::labels:
      case Ctx::annotations: ctx_ = Ctx::alert; return true;
      default: break;
    }
    return fail("unexpected end of object", ec);
  }

  bool on_array_begin(error_code& ec) {
    if (skip_ > 0) return ++skip_, true;
    switch (ctx_) {
      case Ctx::root: return fail("expected a JSON object, got an array", ec);
      case Ctx::top: return top_container(Kind::array, ec);
      case Ctx::alerts: return fail(alert_path_next() + ": expected an object, got an array", ec);
      case Ctx::alert:
        if (key_id_ == Key::labels || key_id_ == Key::annotations) {
          return fail(alert_path() + "." + key_ + ": expected an object, got an array", ec);
        }
        if (is_alert_string_field(key_id_)) {
          return fail(alert_path() + "." + key_ + ": expected a string, got an array", ec);
        }
        return skip_ = 1, true;
      case Ctx::labels:
      case Ctx::annotations: return fail(pair_path() + ": expected a string, got an array", ec);
      case Ctx::done: break;
    }
    return fail("unexpected array", ec);
  }

  bool on_array_end(std::size_t, error_code& ec) {
    if (skip_ > 0) return --skip_, true;
    if (ctx_ == Ctx::alerts) {
      ctx_ = Ctx::top;
      return true;
    }
    return fail("unexpected end of array", ec);
  }

 private:
  bool fail(std::string message, error_code& ec) {
    error_ = std::move(message);
    ec = boost::json::error::exception;  // any error: parse_payload reports error_
    return false;
  }

  /// basic_parser's fast double conversion (Boost 1.81 has no precise mode) makes inf or NaN of a few finite
  /// numbers: 0e400, 1.7976931348623158e308. strtod (what nlohmann used; the agent keeps the "C" locale) decides.
  static bool finite_by_strtod(std::string_view text) {
    const std::string copy(text);
    return std::isfinite(std::strtod(copy.c_str(), nullptr));
  }

  /// Where `text` (a view the parser gave, normally into the body) starts in the body.
  std::size_t offset_of(std::string_view text) const {
    const std::less<const char*> before;
    if (before(text.data(), body_.data()) || before(body_.data() + body_.size(), text.data())) return 0;
    return static_cast<std::size_t>(text.data() - body_.data());
  }

  std::string alert_path() const { return "alerts[" + std::to_string(out_.alerts.size() - 1) + "]"; }
  std::string alert_path_next() const { return "alerts[" + std::to_string(out_.alerts.size()) + "]"; }
  std::string pair_path() const {
    return alert_path() + (ctx_ == Ctx::labels ? ".labels." : ".annotations.") + printable(key_);
  }

  /// An object or array as the value of a top-level key.
  bool top_container(Kind kind, error_code& ec) {
    if (key_id_ == Key::alerts) {
      if (kind != Kind::array) return fail("\"alerts\": expected an array, got " + std::string(describe(kind)), ec);
      // A repeated "alerts" key replaces the earlier one, as Go's decoder does.
      out_.alerts.clear();
      seen_alerts_ = true;
      ctx_ = Ctx::alerts;
      return true;
    }
    if (top_string_field() != nullptr || key_id_ == Key::truncated_alerts) {
      return fail("\"" + key_ + "\": expected " + (key_id_ == Key::truncated_alerts ? "a number" : "a string") +
                      ", got " + std::string(describe(kind)),
                  ec);
    }
    skip_ = 1;  // groupLabels, commonLabels, commonAnnotations and anything newer
    return true;
  }

  std::string* top_string_field() {
    switch (key_id_) {
      case Key::version: return &out_.version;
      case Key::receiver: return &out_.receiver;
      case Key::group_status: return &out_.status;
      case Key::group_key: return &out_.group_key;
      case Key::external_url: return &out_.external_url;
      default: return nullptr;
    }
  }

  bool number(bool non_negative_integer, std::uint64_t value, error_code& ec) {
    if (skip_ == 0 && ctx_ == Ctx::top && key_id_ == Key::truncated_alerts) {
      if (!non_negative_integer || value > static_cast<std::uint64_t>(INT64_MAX)) {
        return fail("\"truncatedAlerts\": expected a non-negative integer", ec);
      }
      out_.truncated_alerts = static_cast<std::int64_t>(value);
      return true;
    }
    return scalar(Kind::number, {}, ec);
  }

  /// A scalar value; `text` is the decoded string for Kind::string.
  bool scalar(Kind kind, std::string_view text, error_code& ec) {
    if (skip_ > 0) return true;
    switch (ctx_) {
      case Ctx::root: return fail("expected a JSON object, got " + std::string(describe(kind)), ec);
      case Ctx::top: {
        if (key_id_ == Key::alerts) {
          return fail("\"alerts\": expected an array, got " + std::string(describe(kind)), ec);
        }
        if (key_id_ == Key::truncated_alerts) {
          if (kind == Kind::null) return true;
          return fail("\"truncatedAlerts\": expected a non-negative integer, got " + std::string(describe(kind)), ec);
        }
        if (std::string* field = top_string_field()) {
          if (kind == Kind::string) {
            field->assign(text);
          } else if (kind != Kind::null) {
            return fail("\"" + key_ + "\": expected a string, got " + std::string(describe(kind)), ec);
          }
        }
        return true;
      }
      case Ctx::alerts:
        return fail(alert_path_next() + ": expected an object, got " + std::string(describe(kind)), ec);
      case Ctx::alert: return alert_field(kind, text, ec);
      case Ctx::labels:
      case Ctx::annotations: {
        if (kind != Kind::string) {
          return fail(pair_path() + ": expected a string, got " + std::string(describe(kind)), ec);
        }
        auto& values = ctx_ == Ctx::labels ? out_.alerts.back().labels : out_.alerts.back().annotations;
        if (const std::size_t i = names_.find(values, key_); i != NameIndex::npos) {
          values[i].second.assign(text);
          return true;
        }
        values.emplace_back(key_, text);
        names_.appended(values);
        return true;
      }
      case Ctx::done: break;
    }
    return fail("unexpected value", ec);
  }

  bool alert_field(Kind kind, std::string_view text, error_code& ec) {
    Alert& alert = out_.alerts.back();
    if (key_id_ == Key::labels || key_id_ == Key::annotations) {
      // Go marshals a nil map as null: treat it as empty.
      if (kind == Kind::null) {
        seen_labels_ = seen_labels_ || key_id_ == Key::labels;
        return true;
      }
      return fail(alert_path() + "." + key_ + ": expected an object, got " + std::string(describe(kind)), ec);
    }
    if (!is_alert_string_field(key_id_)) return true;
    if (kind == Kind::null && key_id_ != Key::status && key_id_ != Key::starts_at) return true;
    if (kind != Kind::string) {
      return fail(alert_path() + "." + key_ + ": expected a string, got " + std::string(describe(kind)), ec);
    }
    switch (key_id_) {
      case Key::status:
        if (text == "firing") {
          alert.status = AlertStatus::firing;
        } else if (text == "resolved") {
          alert.status = AlertStatus::resolved;
        } else {
          return fail(alert_path() + ".status: expected \"firing\" or \"resolved\", got " + in_quotes(text), ec);
        }
        seen_status_ = true;
        return true;
      case Key::starts_at:
      case Key::ends_at: {
        auto us = parse_rfc3339_us(text);
        if (!us) return fail(alert_path() + "." + key_ + ": expected an RFC 3339 time, got " + in_quotes(text), ec);
        if (key_id_ == Key::starts_at) {
          alert.starts_at_us = *us;
          seen_starts_ = true;
        } else {
          alert.ends_at_us = *us;
        }
        return true;
      }
      case Key::fingerprint: alert.fingerprint.assign(text); return true;
      default: alert.generator_url.assign(text); return true;  // Key::generator_url
    }
  }

  Payload& out_;
  std::string_view body_;
  Ctx ctx_ = Ctx::root;
  int skip_ = 0;  ///< depth inside a container being skipped; 0 = not skipping
  std::string key_;
  Key key_id_ = Key::other;  ///< key_ classified for ctx_ when it was read
  bool key_in_parts_ = false;
  std::string parts_;  ///< a string value arriving in parts
  NameIndex names_;    ///< of the labels / annotations object being read
  std::string error_;
  bool seen_alerts_ = false;
  bool seen_status_ = false;
  bool seen_labels_ = false;
  bool seen_starts_ = false;
};

boost::json::parse_options parse_options() {
  boost::json::parse_options options;  // strict JSON: no comments, trailing commas or invalid UTF-8
  options.max_depth = kMaxDepth;
  return options;
}

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
  // A UTF-8 byte order mark is skipped, as nlohmann's parser (which this one replaced) did.
  std::size_t start = 0;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") start = 3;
  Payload payload;
  boost::json::basic_parser<Handler> parser(parse_options(), payload, body);
  error_code ec;
  const std::size_t used = start + parser.write_some(false, body.data() + start, body.size() - start, ec);
  const Handler& handler = parser.handler();
  // A NUL byte after the value ends the body, as it did for nlohmann's parser (C-string habit): accepted, as before.
  const bool rest_ignored = used < body.size() && body[used] == '\0';
  if (ec || (used != body.size() && !rest_ignored) || !handler.finished()) {
    if (!handler.error().empty()) {
      why = handler.error();
    } else {
      why = syntax_message(ec ? ec : error_code(boost::json::error::extra_data), body, std::min(used, body.size()));
    }
    return make_error_code(errc::invalid_json);
  }
  return payload;
}

}  // namespace vesagent::sources::alertmanager
