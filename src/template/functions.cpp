#include "functions.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cwctype>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

#include <locale.h>

#include "format.hpp"
#include "vesagent/template/template.hpp"

namespace vesagent::text_template {
namespace {

using Result = std::optional<std::string>;
using Args = std::span<const Value>;

// A function's output beyond this is refused: templates render short fields, and a runaway `repeat` must not
// exhaust memory.
constexpr std::size_t kMaxResult = 1 << 20;

std::size_t decode(std::string_view s, std::size_t i, char32_t& r) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    r = c;
    return 1;
  }
  const std::size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    r = 0xFFFD;
    return 1;
  }
  char32_t v = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      r = 0xFFFD;
      return 1;
    }
    v = (v << 6) | (cc & 0x3F);
  }
  r = v;
  return n;
}

void encode(std::string& out, char32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

// The C.UTF-8 locale gives towupper/towlower Unicode's simple case mapping (Go's unicode.ToUpper/ToLower);
// without it only ASCII letters change case.
locale_t utf8_locale() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

char32_t map_case(char32_t r, bool upper) {
  if (r < 0x80) {
    if (upper && r >= 'a' && r <= 'z') return r - 32;
    if (!upper && r >= 'A' && r <= 'Z') return r + 32;
    return r;
  }
  const locale_t loc = utf8_locale();
  if (loc == static_cast<locale_t>(nullptr)) return r;
  return static_cast<char32_t>(upper ? towupper_l(static_cast<wint_t>(r), loc) : towlower_l(static_cast<wint_t>(r), loc));
}

std::string map_runes(std::string_view s, bool upper) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t r;
    const std::size_t n = decode(s, i, r);
    if (r == 0xFFFD && n == 1 && static_cast<unsigned char>(s[i]) >= 0x80) {
      out += s[i];  // an invalid byte is kept as it is
    } else {
      encode(out, map_case(r, upper));
    }
    i += n;
  }
  return out;
}

bool is_space_rune(char32_t r) {
  switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

// strings.Title: the first letter of each word upper-cased; words are separated by spaces and ASCII punctuation.
std::string title(std::string_view s) {
  std::string out;
  bool prev_sep = true;
  for (std::size_t i = 0; i < s.size();) {
    char32_t r;
    const std::size_t n = decode(s, i, r);
    encode(out, prev_sep ? map_case(r, true) : r);
    if (r < 0x80) {
      const bool alnum = (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_';
      prev_sep = !alnum;
    } else {
      prev_sep = is_space_rune(r);
    }
    i += n;
  }
  return out;
}

std::string_view trim_space(std::string_view s) {
  std::size_t b = 0;
  while (b < s.size()) {
    char32_t r;
    const std::size_t n = decode(s, b, r);
    if (!is_space_rune(r)) break;
    b += n;
  }
  std::size_t e = s.size();
  while (e > b) {
    std::size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    char32_t r;
    decode(s, start, r);
    if (!is_space_rune(r)) break;
    e = start;
  }
  return s.substr(b, e - b);
}

std::string_view trim_cutset(std::string_view s, std::string_view cutset) {
  std::vector<char32_t> cut;
  for (std::size_t i = 0; i < cutset.size();) {
    char32_t r;
    i += decode(cutset, i, r);
    cut.push_back(r);
  }
  auto in = [&](char32_t r) { return std::find(cut.begin(), cut.end(), r) != cut.end(); };
  std::size_t b = 0;
  while (b < s.size()) {
    char32_t r;
    const std::size_t n = decode(s, b, r);
    if (!in(r)) break;
    b += n;
  }
  std::size_t e = s.size();
  while (e > b) {
    std::size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    char32_t r;
    decode(s, start, r);
    if (!in(r)) break;
    e = start;
  }
  return s.substr(b, e - b);
}

std::vector<std::string> split(std::string_view s, std::string_view sep) {
  std::vector<std::string> parts;
  if (sep.empty()) {
    for (std::size_t i = 0; i < s.size();) {
      char32_t r;
      const std::size_t n = decode(s, i, r);
      parts.emplace_back(s.substr(i, n));
      i += n;
    }
    return parts;
  }
  std::size_t pos = 0;
  while (true) {
    const std::size_t at = s.find(sep, pos);
    if (at == std::string_view::npos) break;
    parts.emplace_back(s.substr(pos, at - pos));
    pos = at + sep.size();
  }
  parts.emplace_back(s.substr(pos));
  return parts;
}

std::string replace_all(std::string_view s, std::string_view old, std::string_view repl) {
  std::string out;
  if (old.empty()) {
    // Go inserts the replacement before every rune and at the end.
    out += repl;
    for (std::size_t i = 0; i < s.size();) {
      char32_t r;
      const std::size_t n = decode(s, i, r);
      out += s.substr(i, n);
      out += repl;
      i += n;
      if (out.size() > kMaxResult) break;
    }
    return out;
  }
  std::size_t pos = 0;
  while (true) {
    const std::size_t at = s.find(old, pos);
    if (at == std::string_view::npos) break;
    out += s.substr(pos, at - pos);
    out += repl;
    pos = at + old.size();
    if (out.size() > kMaxResult) break;
  }
  out += s.substr(pos);
  return out;
}

// strval: a string as it is, anything else as fmt's %v.
std::string strval(const Value& v) {
  if (v.is(Value::Kind::string)) return std::string(v.as_string());
  std::string out;
  append_value(out, v);
  return out;
}

bool empty(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::missing:
    case Value::Kind::nil: return true;
    case Value::Kind::boolean: return !v.as_bool();
    case Value::Kind::integer:
    case Value::Kind::int64: return v.as_int() == 0;
    case Value::Kind::floating: return v.as_float() == 0;
    case Value::Kind::string: return v.as_string().empty();
    case Value::Kind::list:
    case Value::Kind::map: return v.node().empty();
  }
  return true;
}

// strconv.ParseInt(s, base, 64); nullopt on a syntax error, clamped on overflow when `clamp`.
std::optional<std::int64_t> parse_int(std::string_view s, bool base_prefix, bool clamp) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (base_prefix && s.size() > 1 && s[0] == '0') {
    const char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x') {
      base = 16, s.remove_prefix(2);
    } else if (p == 'b') {
      base = 2, s.remove_prefix(2);
    } else if (p == 'o') {
      base = 8, s.remove_prefix(2);
    } else {
      base = 8, s.remove_prefix(1);
    }
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t u = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), u, base);
  if (end != s.data() + s.size()) {
    if (ec != std::errc::result_out_of_range) return std::nullopt;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (ec == std::errc::result_out_of_range || u > kMax + (neg ? 1 : 0)) {
    if (!clamp) return std::nullopt;
    return neg ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
  }
  if (neg) return u == kMax + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(u);
  return static_cast<std::int64_t>(u);
}

// strconv.ParseFloat(s, 64) for decimal spellings and Inf/NaN.
std::optional<double> parse_float(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  std::string lower;
  for (char c : body) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (lower == "inf" || lower == "infinity") return neg ? -HUGE_VAL : HUGE_VAL;
  if (lower == "nan") return std::nan("");
  if (body.empty() || !((body[0] >= '0' && body[0] <= '9') || body[0] == '.')) return std::nullopt;
  double d = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
  if (end != body.data() + body.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return std::nullopt;
  return neg ? -d : d;
}

// cast.ToInt64 (Sprig's int, int64, and the arithmetic's operands).
std::int64_t to_int64(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::integer:
    case Value::Kind::int64: return v.as_int();
    case Value::Kind::floating: {
      const double f = v.as_float();
      if (!(f > -9.3e18 && f < 9.3e18)) return std::numeric_limits<std::int64_t>::min();
      return static_cast<std::int64_t>(f);
    }
    case Value::Kind::boolean: return v.as_bool() ? 1 : 0;
    case Value::Kind::string: {
      std::string_view s = v.as_string();
      // cast drops a zero fraction ("10.0" is 10) before strconv.ParseInt(s, 0, 0).
      bool zero = false;
      for (std::size_t i = s.size(); i > 0; --i) {
        const char c = s[i - 1];
        if (c == '.') {
          if (zero) s = s.substr(0, i - 1);
          break;
        }
        if (c != '0') break;
        zero = true;
      }
      return parse_int(s, true, false).value_or(0);
    }
    default: return 0;
  }
}

double to_float64(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::integer:
    case Value::Kind::int64: return static_cast<double>(v.as_int());
    case Value::Kind::floating: return v.as_float();
    case Value::Kind::boolean: return v.as_bool() ? 1 : 0;
    case Value::Kind::string: return parse_float(v.as_string()).value_or(0);
    default: return 0;
  }
}

std::vector<std::string> strslice(const Value& v) {
  std::vector<std::string> out;
  if (v.is(Value::Kind::list)) {
    for (const auto& e : v.node()) {
      if (!e.is_null()) out.push_back(strval(v.element(e)));
    }
  } else if (!v.is(Value::Kind::nil) && !v.is_missing()) {
    out.push_back(strval(v));
  }
  return out;
}

// Compiled regular expressions by pattern (RE2 is Go's regexp syntax). Patterns are few (they come from the
// configuration), so the cache is only emptied when it grows past a bound.
std::shared_ptr<const re2::RE2> regex(std::string_view pattern, std::string& error) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const re2::RE2>, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(pattern); it != cache.end()) return it->second;
  re2::RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    error = "regexp: Compile(" + quote(pattern) + "): " + re->error();
    return nullptr;
  }
  if (cache.size() >= 256) cache.clear();
  cache.emplace(std::string(pattern), re);
  return re;
}

// Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a dollar; a name is the longest run of letters, digits
// and underscores, and an unknown name or group is empty.
void expand(std::string& out, std::string_view repl, const re2::RE2& re, const std::vector<re2::StringPiece>& groups) {
  const auto& names = re.NamedCapturingGroups();
  for (std::size_t i = 0; i < repl.size();) {
    if (repl[i] != '$') {
      const std::size_t next = repl.find('$', i);
      const std::size_t end = next == std::string_view::npos ? repl.size() : next;
      out += repl.substr(i, end - i);
      i = end;
      continue;
    }
    if (i + 1 < repl.size() && repl[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    std::size_t j = i + 1;
    bool brace = false;
    if (j < repl.size() && repl[j] == '{') {
      brace = true;
      ++j;
    }
    const std::size_t name_begin = j;
    auto is_name = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    };
    while (j < repl.size() && is_name(repl[j])) ++j;
    std::string_view name = repl.substr(name_begin, j - name_begin);
    if (name.empty() || (brace && (j >= repl.size() || repl[j] != '}'))) {
      out += '$';
      ++i;
      continue;
    }
    if (brace) ++j;
    i = j;
    int group = -1;
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (name.size() <= 9) group = std::stoi(std::string(name));
    } else if (auto it = names.find(std::string(name)); it != names.end()) {
      group = it->second;
    }
    if (group >= 0 && static_cast<std::size_t>(group) < groups.size() && groups[group].data() != nullptr) {
      out.append(groups[group].data(), groups[group].size());
    }
  }
}

// Regexp.ReplaceAllString (expand) or ReplaceAllLiteralString, with Go's handling of empty matches.
Result regex_replace(std::string_view pattern, std::string_view src, std::string_view repl, bool literal, Value& r) {
  std::string error;
  auto re = regex(pattern, error);
  if (!re) return error;
  const int ngroups = 1 + re->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(static_cast<std::size_t>(ngroups));
  const re2::StringPiece text(src.data(), src.size());
  std::string out;
  std::size_t last_end = 0;
  std::size_t search = 0;
  while (search <= src.size()) {
    if (!re->Match(text, search, src.size(), re2::RE2::UNANCHORED, groups.data(), ngroups)) break;
    const auto a0 = static_cast<std::size_t>(groups[0].data() - src.data());
    const std::size_t a1 = a0 + groups[0].size();
    out += src.substr(last_end, a0 - last_end);
    if (a1 > last_end || a0 == 0) {
      if (literal) {
        out += repl;
      } else {
        expand(out, repl, *re, groups);
      }
    }
    if (out.size() > kMaxResult) return "result longer than 1 MiB";
    last_end = a1;
    std::size_t width = 1;
    if (search < src.size()) {
      char32_t rune;
      width = decode(src, search, rune);
    }
    if (search + width > a1) {
      search += width;
    } else {
      search = a1;
    }
  }
  if (last_end < src.size()) out += src.substr(last_end);
  r = Value::string(std::move(out));
  return std::nullopt;
}

Value str(std::string s) { return Value::string(std::move(s)); }

// Go's comparison classes: the kinds eq, lt and friends compare; everything else is "invalid".
enum class Basic { invalid, boolean, integer, floating, string };

Basic basic(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::boolean: return Basic::boolean;
    case Value::Kind::integer:
    case Value::Kind::int64: return Basic::integer;
    case Value::Kind::floating: return Basic::floating;
    case Value::Kind::string: return Basic::string;
    default: return Basic::invalid;
  }
}

bool is_zero(const Value& v) { return v.is_missing() || v.is(Value::Kind::nil); }

// Go 1.19's eq: true when arg1 equals any of the others; values of different kinds are an error unless one is nil.
Result eq(const Value& a1, std::span<const Value> rest, bool& out) {
  if (a1.is(Value::Kind::list) || a1.is(Value::Kind::map)) return "uncomparable type " + type_name(a1);
  if (rest.empty()) return std::string("missing argument for comparison");
  const Basic k1 = basic(a1);
  for (const auto& a2 : rest) {
    const Basic k2 = basic(a2);
    bool t = false;
    if (k1 != k2) {
      if (!is_zero(a1) && !is_zero(a2)) return std::string("incompatible types for comparison");
    } else {
      switch (k1) {
        case Basic::boolean: t = a1.as_bool() == a2.as_bool(); break;
        case Basic::integer: t = a1.as_int() == a2.as_int(); break;
        case Basic::floating: t = a1.as_float() == a2.as_float(); break;
        case Basic::string: t = a1.as_string() == a2.as_string(); break;
        case Basic::invalid:
          if (!is_zero(a2) && (a2.is(Value::Kind::list) || a2.is(Value::Kind::map)) && !is_zero(a1)) {
            return "non-comparable type " + type_name(a2);
          }
          t = is_zero(a1) == is_zero(a2);
          break;
      }
    }
    if (t) {
      out = true;
      return std::nullopt;
    }
  }
  out = false;
  return std::nullopt;
}

Result lt(const Value& a1, const Value& a2, bool& out) {
  const Basic k1 = basic(a1);
  const Basic k2 = basic(a2);
  if (k1 == Basic::invalid || k1 == Basic::boolean) return std::string("invalid type for comparison");
  if (k1 != k2) return k2 == Basic::invalid ? std::string("invalid type for comparison") : std::string("incompatible types for comparison");
  switch (k1) {
    case Basic::integer: out = a1.as_int() < a2.as_int(); break;
    case Basic::floating: out = a1.as_float() < a2.as_float(); break;
    case Basic::string: out = a1.as_string() < a2.as_string(); break;
    default: return std::string("invalid type for comparison");
  }
  return std::nullopt;
}

Result le(const Value& a1, const Value& a2, bool& out) {
  if (auto e = lt(a1, a2, out)) return e;
  if (out) return std::nullopt;
  const Value rest[] = {a2};
  return eq(a1, rest, out);
}

const std::vector<Function>& table() {
  static const std::vector<Function> functions = [] {
    using P = Param;
    std::vector<Function> f;
    // Go's builtins.
    f.push_back({"and", {P::raw}, true, Builtin::and_, nullptr});
    f.push_back({"or", {P::raw}, true, Builtin::or_, nullptr});
    f.push_back({"not", {P::raw}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::boolean(!truth(a[0]));
                   return std::nullopt;
                 }});
    f.push_back({"len", {P::raw}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   const Value& v = a[0];
                   if (v.is(Value::Kind::string)) {
                     r = Value::integer(static_cast<std::int64_t>(v.as_string().size()));
                   } else if (v.is(Value::Kind::list) || v.is(Value::Kind::map)) {
                     r = Value::integer(static_cast<std::int64_t>(v.node().size()));
                   } else if (v.is_missing() || v.is(Value::Kind::nil)) {
                     return std::string("len of nil pointer");
                   } else {
                     return "len of type " + type_name(v);
                   }
                   return std::nullopt;
                 }});
    f.push_back({"index", {P::raw, P::raw}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   Value item = a[0];
                   for (std::size_t k = 1; k < a.size(); ++k) {
                     const Value& key = a[k];
                     if (item.is_missing() || item.is(Value::Kind::nil)) return std::string("index of untyped nil");
                     if (item.is(Value::Kind::list) || item.is(Value::Kind::string)) {
                       if (!key.is_int()) {
                         return key.is_missing() || key.is(Value::Kind::nil) ? std::string("cannot index slice/array with nil")
                                                                              : "cannot index slice/array with type " + type_name(key);
                       }
                       const std::int64_t i = key.as_int();
                       const std::size_t size = item.is(Value::Kind::list) ? item.node().size() : item.as_string().size();
                       if (i < 0 || static_cast<std::uint64_t>(i) >= size) return "index out of range: " + std::to_string(i);
                       if (item.is(Value::Kind::string)) {
                         item = Value::integer(static_cast<unsigned char>(item.as_string()[static_cast<std::size_t>(i)]));
                       } else {
                         item = item.element(item.node()[static_cast<std::size_t>(i)]);
                       }
                     } else if (item.is(Value::Kind::map)) {
                       if (!key.is(Value::Kind::string)) {
                         return key.is_missing() || key.is(Value::Kind::nil) ? std::string("value is nil; should be of type string")
                                                                              : "value has type " + type_name(key) + "; should be string";
                       }
                       const json& m = item.node();
                       auto it = m.find(key.as_string());
                       if (it == m.end()) {
                         item = is_string_map(m) ? Value::string("") : Value::nil();
                       } else {
                         item = item.element(*it);
                       }
                     } else {
                       return "can't index item of type " + type_name(item);
                     }
                   }
                   r = item;
                   return std::nullopt;
                 }});
    f.push_back({"print", {P::any}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   r = str(sprint(a));
                   return std::nullopt;
                 }});
    f.push_back({"println", {P::any}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   r = str(sprintln(a));
                   return std::nullopt;
                 }});
    f.push_back({"printf", {P::string, P::any}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   r = str(sprintf(a[0].as_string(), a.subspan(1)));
                   return std::nullopt;
                 }});
    // eq, ne, lt, le, gt, ge are added by comparison_functions() below.

    f.push_back({"eq", {P::raw, P::raw}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   bool b = false;
                   if (auto e = eq(a[0], a.subspan(1), b)) return e;
                   r = Value::boolean(b);
                   return std::nullopt;
                 }});
    f.push_back({"ne", {P::raw, P::raw}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   bool b = false;
                   if (auto e = eq(a[0], a.subspan(1), b)) return e;
                   r = Value::boolean(!b);
                   return std::nullopt;
                 }});
    f.push_back({"lt", {P::raw, P::raw}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   bool b = false;
                   if (auto e = lt(a[0], a[1], b)) return e;
                   r = Value::boolean(b);
                   return std::nullopt;
                 }});
    f.push_back({"le", {P::raw, P::raw}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   bool b = false;
                   if (auto e = le(a[0], a[1], b)) return e;
                   r = Value::boolean(b);
                   return std::nullopt;
                 }});
    f.push_back({"gt", {P::raw, P::raw}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   bool b = false;
                   if (auto e = le(a[0], a[1], b)) return e;
                   r = Value::boolean(!b);
                   return std::nullopt;
                 }});
    f.push_back({"ge", {P::raw, P::raw}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   bool b = false;
                   if (auto e = lt(a[0], a[1], b)) return e;
                   r = Value::boolean(!b);
                   return std::nullopt;
                 }});
    // Sprig: strings.
    f.push_back({"lower", {P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = str(map_runes(a[0].as_string(), false));
                   return std::nullopt;
                 }});
    f.push_back({"upper", {P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = str(map_runes(a[0].as_string(), true));
                   return std::nullopt;
                 }});
    f.push_back({"title", {P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = str(title(a[0].as_string()));
                   return std::nullopt;
                 }});
    f.push_back({"trim", {P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = str(std::string(trim_space(a[0].as_string())));
                   return std::nullopt;
                 }});
    f.push_back({"nospace", {P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   // Sprig's nospace reads the string byte by byte as Latin-1 runes: it drops ASCII white space,
                   // 0x85 and 0xA0, and re-encodes every other byte >= 0x80 as a two-byte rune (so it mangles
                   // non-ASCII text exactly as VESPA did).
                   std::string out;
                   for (char c : a[0].as_string()) {
                     const auto b = static_cast<unsigned char>(c);
                     if (is_space_rune(b)) continue;
                     encode(out, b);
                   }
                   r = str(std::move(out));
                   return std::nullopt;
                 }});
    f.push_back({"trimPrefix", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   std::string_view s = a[1].as_string();
                   if (s.starts_with(a[0].as_string())) s.remove_prefix(a[0].as_string().size());
                   r = str(std::string(s));
                   return std::nullopt;
                 }});
    f.push_back({"trimSuffix", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   std::string_view s = a[1].as_string();
                   if (s.ends_with(a[0].as_string())) s.remove_suffix(a[0].as_string().size());
                   r = str(std::string(s));
                   return std::nullopt;
                 }});
    f.push_back({"trimAll", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = str(std::string(trim_cutset(a[1].as_string(), a[0].as_string())));
                   return std::nullopt;
                 }});
    f.push_back({"contains", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::boolean(a[1].as_string().find(a[0].as_string()) != std::string_view::npos);
                   return std::nullopt;
                 }});
    f.push_back({"hasPrefix", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::boolean(a[1].as_string().starts_with(a[0].as_string()));
                   return std::nullopt;
                 }});
    f.push_back({"hasSuffix", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::boolean(a[1].as_string().ends_with(a[0].as_string()));
                   return std::nullopt;
                 }});
    f.push_back({"replace", {P::string, P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   std::string out = replace_all(a[2].as_string(), a[0].as_string(), a[1].as_string());
                   if (out.size() > kMaxResult) return std::string("result longer than 1 MiB");
                   r = str(std::move(out));
                   return std::nullopt;
                 }});
    f.push_back({"repeat", {P::integer, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   const std::int64_t n = a[0].as_int();
                   const std::string_view s = a[1].as_string();
                   if (n < 0) return std::string("strings: negative Repeat count");
                   if (!s.empty() && static_cast<std::uint64_t>(n) > kMaxResult / s.size()) {
                     return std::string("result longer than 1 MiB");
                   }
                   std::string out;
                   for (std::int64_t i = 0; i < n && !s.empty(); ++i) out += s;
                   r = str(std::move(out));
                   return std::nullopt;
                 }});
    f.push_back({"substr", {P::integer, P::integer, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   const std::int64_t start = a[0].as_int();
                   const std::int64_t end = a[1].as_int();
                   const std::string_view s = a[2].as_string();
                   const auto len = static_cast<std::int64_t>(s.size());
                   auto range = [&](std::int64_t b, std::int64_t e) -> Result {
                     if (b < 0 || e > len || b > e) {
                       return "runtime error: slice bounds out of range [" + std::to_string(b) + ":" + std::to_string(e) + "]";
                     }
                     r = str(std::string(s.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b))));
                     return std::nullopt;
                   };
                   if (start < 0) return range(0, end);
                   if (end < 0 || end > len) return range(start, len);
                   return range(start, end);
                 }});
    f.push_back({"trunc", {P::integer, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   const std::int64_t c = a[0].as_int();
                   const std::string_view s = a[1].as_string();
                   const auto len = static_cast<std::int64_t>(s.size());
                   if (c < 0 && len + c > 0) {
                     r = str(std::string(s.substr(static_cast<std::size_t>(len + c))));
                   } else if (c >= 0 && len > c) {
                     r = str(std::string(s.substr(0, static_cast<std::size_t>(c))));
                   } else {
                     r = str(std::string(s));
                   }
                   return std::nullopt;
                 }});
    f.push_back({"quote", {P::any}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   std::string out;
                   for (const auto& v : a) {
                     if (v.is(Value::Kind::nil) || v.is_missing()) continue;
                     if (!out.empty()) out += ' ';
                     out += quote(strval(v));
                   }
                   r = str(std::move(out));
                   return std::nullopt;
                 }});
    f.push_back({"squote", {P::any}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   std::string out;
                   for (const auto& v : a) {
                     if (v.is(Value::Kind::nil) || v.is_missing()) continue;
                     if (!out.empty()) out += ' ';
                     out += '\'';
                     append_value(out, v);
                     out += '\'';
                   }
                   r = str(std::move(out));
                   return std::nullopt;
                 }});
    f.push_back({"toString", {P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = str(strval(a[0]));
                   return std::nullopt;
                 }});
    f.push_back({"split", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   json m = json::object();
                   const auto parts = split(a[1].as_string(), a[0].as_string());
                   for (std::size_t i = 0; i < parts.size(); ++i) m["_" + std::to_string(i)] = parts[i];
                   r = Value::owned(std::move(m));
                   return std::nullopt;
                 }});
    f.push_back({"splitList", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::owned(json(split(a[1].as_string(), a[0].as_string())));
                   return std::nullopt;
                 }});
    f.push_back({"join", {P::string, P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   std::string out;
                   const auto parts = strslice(a[1]);
                   for (std::size_t i = 0; i < parts.size(); ++i) {
                     if (i > 0) out += a[0].as_string();
                     out += parts[i];
                   }
                   r = str(std::move(out));
                   return std::nullopt;
                 }});
    // Sprig: regular expressions (RE2 syntax, as Go's regexp).
    f.push_back({"regexFind", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   std::string error;
                   auto re = regex(a[0].as_string(), error);
                   if (!re) return error;
                   const std::string_view s = a[1].as_string();
                   re2::StringPiece m;
                   if (re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), re2::RE2::UNANCHORED, &m, 1)) {
                     r = str(std::string(m.data(), m.size()));
                   } else {
                     r = str("");
                   }
                   return std::nullopt;
                 }});
    f.push_back({"regexMatch", {P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   std::string error;
                   auto re = regex(a[0].as_string(), error);
                   if (!re) return error;
                   const std::string_view s = a[1].as_string();
                   r = Value::boolean(re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), re2::RE2::UNANCHORED, nullptr, 0));
                   return std::nullopt;
                 }});
    f.push_back({"regexReplaceAll", {P::string, P::string, P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   return regex_replace(a[0].as_string(), a[1].as_string(), a[2].as_string(), false, r);
                 }});
    f.push_back({"regexReplaceAllLiteral", {P::string, P::string, P::string}, false, Builtin::none,
                 [](Args a, Value& r) -> Result { return regex_replace(a[0].as_string(), a[1].as_string(), a[2].as_string(), true, r); }});
    // Sprig: defaults and conversions.
    f.push_back({"default", {P::any, P::any}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   r = a.size() < 2 || empty(a[1]) ? a[0] : a[1];
                   return std::nullopt;
                 }});
    f.push_back({"empty", {P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::boolean(empty(a[0]));
                   return std::nullopt;
                 }});
    f.push_back({"coalesce", {P::any}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::nil();
                   for (const auto& v : a) {
                     if (!empty(v)) {
                       r = v;
                       break;
                     }
                   }
                   return std::nullopt;
                 }});
    f.push_back({"atoi", {P::string}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::integer(parse_int(a[0].as_string(), false, true).value_or(0));
                   return std::nullopt;
                 }});
    f.push_back({"int", {P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::integer(to_int64(a[0]));
                   return std::nullopt;
                 }});
    f.push_back({"int64", {P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::integer(to_int64(a[0]), true);
                   return std::nullopt;
                 }});
    f.push_back({"float64", {P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::floating(to_float64(a[0]));
                   return std::nullopt;
                 }});
    // Sprig: integer arithmetic (int64 results, operands converted as int64 does).
    f.push_back({"add", {P::any}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   std::uint64_t sum = 0;
                   for (const auto& v : a) sum += static_cast<std::uint64_t>(to_int64(v));
                   r = Value::integer(static_cast<std::int64_t>(sum), true);
                   return std::nullopt;
                 }});
    f.push_back({"add1", {P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::integer(static_cast<std::int64_t>(static_cast<std::uint64_t>(to_int64(a[0])) + 1), true);
                   return std::nullopt;
                 }});
    f.push_back({"sub", {P::any, P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   r = Value::integer(static_cast<std::int64_t>(static_cast<std::uint64_t>(to_int64(a[0])) -
                                                                static_cast<std::uint64_t>(to_int64(a[1]))),
                                      true);
                   return std::nullopt;
                 }});
    f.push_back({"mul", {P::any, P::any}, true, Builtin::none, [](Args a, Value& r) -> Result {
                   std::uint64_t p = static_cast<std::uint64_t>(to_int64(a[0]));
                   for (std::size_t i = 1; i < a.size(); ++i) p *= static_cast<std::uint64_t>(to_int64(a[i]));
                   r = Value::integer(static_cast<std::int64_t>(p), true);
                   return std::nullopt;
                 }});
    f.push_back({"div", {P::any, P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   const std::int64_t x = to_int64(a[0]);
                   const std::int64_t y = to_int64(a[1]);
                   if (y == 0) return std::string("runtime error: integer divide by zero");
                   r = Value::integer(y == -1 ? static_cast<std::int64_t>(0 - static_cast<std::uint64_t>(x)) : x / y, true);
                   return std::nullopt;
                 }});
    f.push_back({"mod", {P::any, P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   const std::int64_t x = to_int64(a[0]);
                   const std::int64_t y = to_int64(a[1]);
                   if (y == 0) return std::string("runtime error: integer divide by zero");
                   r = Value::integer(y == -1 ? 0 : x % y, true);
                   return std::nullopt;
                 }});
    // Sprig: lists.
    f.push_back({"first", {P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   if (!a[0].is(Value::Kind::list)) return "Cannot find first on type " + type_name(a[0]);
                   r = a[0].node().empty() ? Value::nil() : a[0].element(a[0].node().front());
                   return std::nullopt;
                 }});
    f.push_back({"last", {P::any}, false, Builtin::none, [](Args a, Value& r) -> Result {
                   if (!a[0].is(Value::Kind::list)) return "Cannot find last on type " + type_name(a[0]);
                   r = a[0].node().empty() ? Value::nil() : a[0].element(a[0].node().back());
                   return std::nullopt;
                 }});
    return f;
  }();
  return functions;
}

}  // namespace

std::string to_upper(std::string_view s) { return map_runes(s, true); }
std::string to_lower(std::string_view s) { return map_runes(s, false); }

const Function* find_function(std::string_view name) {
  for (const auto& f : table()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const std::vector<std::string_view>& function_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> n;
    for (const auto& f : table()) n.push_back(f.name);
    std::sort(n.begin(), n.end());
    return n;
  }();
  return names;
}

}  // namespace vesagent::text_template
