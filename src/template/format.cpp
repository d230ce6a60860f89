#include "format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace vesagent::text_template {
namespace {

// Decodes one UTF-8 rune at s[i]; returns its length (1 for an invalid byte, with `rune` = -1).
std::size_t decode_rune(std::string_view s, std::size_t i, char32_t& rune, bool& valid) {
  const auto c = static_cast<unsigned char>(s[i]);
  valid = true;
  if (c < 0x80) {
    rune = c;
    return 1;
  }
  std::size_t n = 0;
  char32_t r = 0;
  char32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, r = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, r = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, r = c & 0x07, min = 0x10000;
  } else {
    valid = false;
    rune = 0xFFFD;
    return 1;
  }
  if (i + n > s.size()) {
    valid = false;
    rune = 0xFFFD;
    return 1;
  }
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      valid = false;
      rune = 0xFFFD;
      return 1;
    }
    r = (r << 6) | (cc & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
    valid = false;
    rune = 0xFFFD;
    return 1;
  }
  rune = r;
  return n;
}

void append_rune(std::string& out, char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
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

std::size_t rune_count(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    char32_t r;
    bool ok;
    i += decode_rune(s, i, r, ok);
    ++n;
  }
  return n;
}

struct Spec {
  bool minus = false, plus = false, zero = false, space = false, sharp = false;
  int width = -1, prec = -1;
  char verb = 'v';
};

void pad(std::string& out, std::string_view body, const Spec& s, bool zero_ok) {
  const std::size_t len = rune_count(body);
  const std::size_t w = s.width > 0 ? static_cast<std::size_t>(s.width) : 0;
  if (len >= w) {
    out += body;
    return;
  }
  const std::size_t n = w - len;
  if (s.minus) {
    out += body;
    out.append(n, ' ');
  } else if (s.zero && zero_ok) {
    // Zeros go after a sign.
    if (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) {
      out += body[0];
      out.append(n, '0');
      out += body.substr(1);
    } else {
      out.append(n, '0');
      out += body;
    }
  } else {
    out.append(n, ' ');
    out += body;
  }
}

std::string int_body(std::int64_t v, const Spec& s, int base, bool upper) {
  const bool neg = v < 0;
  std::uint64_t u = neg ? (~static_cast<std::uint64_t>(v) + 1) : static_cast<std::uint64_t>(v);
  char buf[72];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, u, base);
  (void)ec;
  std::string digits(buf, end);
  if (upper) std::transform(digits.begin(), digits.end(), digits.begin(), [](char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; });
  if (s.prec >= 0) {
    if (s.prec == 0 && u == 0) digits.clear();
    if (digits.size() < static_cast<std::size_t>(s.prec)) digits.insert(0, static_cast<std::size_t>(s.prec) - digits.size(), '0');
  } else if (s.zero && !s.minus && s.width > 0) {
    const std::size_t sign = (neg || s.plus || s.space) ? 1 : 0;
    const std::size_t prefix = s.sharp && base != 10 ? (base == 8 ? 1 : 2) : 0;
    const std::size_t want = static_cast<std::size_t>(s.width) > sign + prefix ? static_cast<std::size_t>(s.width) - sign - prefix : 0;
    if (digits.size() < want) digits.insert(0, want - digits.size(), '0');
  }
  if (s.sharp) {
    if (base == 16) digits.insert(0, upper ? "0X" : "0x");
    if (base == 8 && (digits.empty() || digits[0] != '0')) digits.insert(0, "0");
    if (base == 2) digits.insert(0, "0b");
  }
  if (neg) {
    digits.insert(0, "-");
  } else if (s.plus) {
    digits.insert(0, "+");
  } else if (s.space) {
    digits.insert(0, " ");
  }
  return digits;
}

std::string float_body(double f, const Spec& s, char verb) {
  if (std::isinf(f) || std::isnan(f)) {
    // Go: NaN, +Inf, -Inf; a space flag gives " Inf", a plus flag "+NaN".
    if (std::isnan(f)) return s.plus ? "+NaN" : (s.space ? " NaN" : "NaN");
    if (f < 0) return "-Inf";
    return s.space && !s.plus ? " Inf" : "+Inf";
  }
  std::string body;
  if ((verb == 'v' || verb == 'g' || verb == 'G') && s.prec < 0) {
    body = format_float(f);
    if (verb == 'G') std::transform(body.begin(), body.end(), body.begin(), [](char c) { return c == 'e' ? 'E' : c; });
  } else {
    std::string fmt = "%";
    if (s.sharp) fmt += '#';
    fmt += '.';
    fmt += std::to_string(s.prec < 0 ? 6 : s.prec);
    fmt += verb == 'v' ? 'g' : (verb == 'F' ? 'f' : verb);
    char buf[400];
    const int n = std::snprintf(buf, sizeof buf, fmt.c_str(), f);
    body.assign(buf, n > 0 ? std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1) : 0);
  }
  if (!body.empty() && body[0] != '-') {
    if (s.plus) {
      body.insert(0, "+");
    } else if (s.space) {
      body.insert(0, " ");
    }
  }
  return body;
}

void format_one(std::string& out, const Value& v, const Spec& s);

void bad_verb(std::string& out, const Value& v, char verb) {
  out += "%!";
  out += verb;
  out += '(';
  if (v.is(Value::Kind::missing) || v.is(Value::Kind::nil)) {
    out += "<nil>";
  } else {
    out += type_name(v);
    out += '=';
    append_value(out, v);
  }
  out += ')';
}

void format_list(std::string& out, const Value& v, const Spec& s) {
  out += '[';
  bool first = true;
  for (const auto& e : v.node()) {
    if (!first) out += ' ';
    first = false;
    format_one(out, v.element(e), s);
  }
  out += ']';
}

void format_map(std::string& out, const Value& v, const Spec& s) {
  out += "map[";
  bool first = true;
  for (const auto& [k, e] : v.node().items()) {  // nlohmann's object keeps its keys sorted, as fmt prints them
    if (!first) out += ' ';
    first = false;
    Spec key = s;
    key.width = -1;
    format_one(out, Value::string(k), key);
    out += ':';
    format_one(out, v.element(e), s);
  }
  out += ']';
}

void format_one(std::string& out, const Value& v, const Spec& s) {
  const char verb = s.verb;
  switch (v.kind()) {
    case Value::Kind::missing:
    case Value::Kind::nil:
      if (verb == 'v' || verb == 'T') {
        pad(out, "<nil>", s, false);
      } else {
        bad_verb(out, v, verb);
      }
      return;
    case Value::Kind::list:
      if (verb == 'T') break;
      if (verb == 'x' || verb == 'X' || verb == 'q' || verb == 's' || verb == 'v' || verb == 'd' || verb == 'f' ||
          verb == 'e' || verb == 'g' || verb == 't' || verb == 'c' || verb == 'o' || verb == 'b' || verb == 'E' ||
          verb == 'G' || verb == 'F') {
        format_list(out, v, s);
      } else {
        bad_verb(out, v, verb);
      }
      return;
    case Value::Kind::map:
      if (verb == 'T') break;
      format_map(out, v, s);
      return;
    default:
      break;
  }
  if (verb == 'T') {
    pad(out, type_name(v), s, false);
    return;
  }
  switch (v.kind()) {
    case Value::Kind::boolean:
      if (verb == 'v' || verb == 't') {
        pad(out, v.as_bool() ? "true" : "false", s, false);
      } else {
        bad_verb(out, v, verb);
      }
      return;
    case Value::Kind::integer:
    case Value::Kind::int64: {
      const std::int64_t i = v.as_int();
      switch (verb) {
        case 'v':
        case 'd': pad(out, int_body(i, s, 10, false), s, s.prec < 0); return;
        case 'x': pad(out, int_body(i, s, 16, false), s, s.prec < 0); return;
        case 'X': pad(out, int_body(i, s, 16, true), s, s.prec < 0); return;
        case 'o': pad(out, int_body(i, s, 8, false), s, s.prec < 0); return;
        case 'b': pad(out, int_body(i, s, 2, false), s, s.prec < 0); return;
        case 'c': {
          std::string r;
          append_rune(r, static_cast<char32_t>(i < 0 || i > 0x10FFFF ? 0xFFFD : i));
          pad(out, r, s, false);
          return;
        }
        case 'q': {
          std::string r;
          append_rune(r, static_cast<char32_t>(i < 0 || i > 0x10FFFF ? 0xFFFD : i));
          std::string q = quote(r);
          q.front() = '\'';
          q.back() = '\'';
          if (r == "'") q = "'\\''";
          if (r == "\"") q = "'\"'";
          pad(out, q, s, false);
          return;
        }
        default: bad_verb(out, v, verb); return;
      }
    }
    case Value::Kind::floating:
      switch (verb) {
        case 'v':
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G': pad(out, float_body(v.as_float(), s, verb), s, std::isfinite(v.as_float())); return;
        default: bad_verb(out, v, verb); return;
      }
    case Value::Kind::string: {
      std::string_view str = v.as_string();
      switch (verb) {
        case 'v':
        case 's': {
          if (s.prec >= 0) {
            std::size_t i = 0;
            for (int n = 0; n < s.prec && i < str.size(); ++n) {
              char32_t r;
              bool ok;
              i += decode_rune(str, i, r, ok);
            }
            str = str.substr(0, i);
          }
          pad(out, str, s, true);
          return;
        }
        case 'q': pad(out, quote(str), s, true); return;
        case 'x':
        case 'X': {
          static constexpr char kLower[] = "0123456789abcdef";
          static constexpr char kUpper[] = "0123456789ABCDEF";
          const char* digits = verb == 'x' ? kLower : kUpper;
          std::string hex;
          for (char c : str) {
            const auto u = static_cast<unsigned char>(c);
            hex += digits[u >> 4];
            hex += digits[u & 0xF];
          }
          pad(out, hex, s, true);
          return;
        }
        default: bad_verb(out, v, verb); return;
      }
    }
    default: bad_verb(out, v, verb); return;
  }
}

bool is_string(const Value& v) { return v.is(Value::Kind::string); }

}  // namespace

std::string format_float(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  (void)ec;
  const std::string_view sci(buf, static_cast<std::size_t>(end - buf));
  const std::size_t e = sci.find('e');
  int exp = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
  // strconv's shortest 'g': %e below 1e-4 and from 1e+06 up, with two exponent digits at least.
  if (exp < -4 || exp >= 6) return std::string(sci);
  char fixed[400];
  auto [fend, fec] = std::to_chars(fixed, fixed + sizeof fixed, f, std::chars_format::fixed);
  (void)fec;
  return std::string(fixed, fend);
}

void append_value(std::string& out, const Value& v) {
  Spec s;
  format_one(out, v, s);
}

std::string sprint(std::span<const Value> args) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0 && !is_string(args[i]) && !is_string(args[i - 1])) out += ' ';
    append_value(out, args[i]);
  }
  return out;
}

std::string sprintln(std::span<const Value> args) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    append_value(out, args[i]);
  }
  out += '\n';
  return out;
}

std::string sprintf(std::string_view format, std::span<const Value> args) {
  std::string out;
  std::size_t arg = 0;
  for (std::size_t i = 0; i < format.size();) {
    const std::size_t pct = format.find('%', i);
    if (pct == std::string_view::npos) {
      out += format.substr(i);
      break;
    }
    out += format.substr(i, pct - i);
    i = pct + 1;
    Spec s;
    for (; i < format.size(); ++i) {
      const char c = format[i];
      if (c == '-') {
        s.minus = true, s.zero = false;
      } else if (c == '+') {
        s.plus = true;
      } else if (c == '0') {
        s.zero = !s.minus;
      } else if (c == ' ') {
        s.space = true;
      } else if (c == '#') {
        s.sharp = true;
      } else {
        break;
      }
    }
    auto number = [&](int& into) {
      bool bad = false;
      if (i < format.size() && format[i] >= '0' && format[i] <= '9') {
        long n = 0;
        while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
          n = n * 10 + (format[i] - '0');
          if (n > 1000000) bad = true;
          ++i;
        }
        into = bad ? -1 : static_cast<int>(n);
      }
      return !bad;
    };
    if (!number(s.width)) {
      out += "%!(NOVERB)";
      break;
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      s.prec = 0;
      if (!number(s.prec)) {
        out += "%!(NOVERB)";
        break;
      }
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char32_t verb;
    bool ok;
    const std::size_t vlen = decode_rune(format, i, verb, ok);
    i += vlen;
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (arg >= args.size()) {
      out += "%!";
      append_rune(out, verb);
      out += "(MISSING)";
      continue;
    }
    if (verb > 0x7F) {
      out += "%!";
      append_rune(out, verb);
      out += '(';
      out += args[arg].is(Value::Kind::nil) || args[arg].is_missing() ? "<nil>" : type_name(args[arg]) + "=";
      if (!args[arg].is(Value::Kind::nil) && !args[arg].is_missing()) append_value(out, args[arg]);
      out += ')';
      ++arg;
      continue;
    }
    s.verb = static_cast<char>(verb);
    if (s.verb == 'v') {
      // %+v and %#v select Go-syntax output of structs; for these values they print as %v.
      s.plus = false;
      s.sharp = false;
    }
    format_one(out, args[arg++], s);
  }
  if (arg < args.size()) {
    out += "%!(EXTRA ";
    for (std::size_t k = arg; k < args.size(); ++k) {
      if (k > arg) out += ", ";
      if (args[k].is(Value::Kind::nil) || args[k].is_missing()) {
        out += "<nil>";
      } else {
        out += type_name(args[k]);
        out += '=';
        append_value(out, args[k]);
      }
    }
    out += ')';
  }
  return out;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    char32_t r;
    bool valid;
    const std::size_t n = decode_rune(s, i, r, valid);
    if (!valid) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i]));
      out += buf;
      i += 1;
      continue;
    }
    switch (r) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (r < 0x20 || r == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(r));
          out += buf;
        } else if ((r >= 0x80 && r < 0xA0) || r == 0xAD || r == 0xFEFF || (r >= 0x2028 && r <= 0x2029)) {
          // Non-printing runes (C1 controls, soft hyphen, separators, BOM) are escaped like strconv does.
          char buf[16];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r));
          out += buf;
        } else {
          out.append(s.substr(i, n));
        }
    }
    i += n;
  }
  out += '"';
  return out;
}

}  // namespace vesagent::text_template
