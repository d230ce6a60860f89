#include "vesagent/sources/prometheus/query_response.hpp"

#include <charconv>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace vesagent::sources::prometheus {
namespace {

// Deeper nesting than this is not a Prometheus answer; the limit keeps hostile input from exhausting the stack.
constexpr int kMaxDepth = 64;

/// A cursor over the body. Every parse_* returns false after setting error_ (first error wins).
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  std::size_t pos() const { return p_; }
  void seek(std::size_t p) { p_ = p; }
  const std::string& error() const { return error_; }

  bool fail(std::string what) {
    if (error_.empty()) error_ = std::move(what) + " at byte " + std::to_string(p_);
    return false;
  }

  void ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }

  bool at_end() {
    ws();
    return p_ >= s_.size();
  }

  /// Consumes `c` after optional whitespace.
  bool eat(char c) {
    ws();
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }

  bool expect(char c) {
    if (eat(c)) return true;
    return fail(std::string("expected '") + c + "'");
  }

  char peek() {
    ws();
    return p_ < s_.size() ? s_[p_] : '\0';
  }

  /// A string. Without escapes `out` views the body; otherwise it views a decoded copy appended to `storage`
  /// (a deque: earlier views stay valid). Without storage, escapes are checked but `out` is left empty.
  bool string(std::string_view& out, std::deque<std::string>* storage) {
    ws();
    if (p_ >= s_.size() || s_[p_] != '"') return fail("expected a string");
    const std::size_t begin = ++p_;
    bool escaped = false;
    while (true) {
      if (p_ >= s_.size()) return fail("unterminated string");
      const auto c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') break;
      if (c < 0x20) return fail("control character in string");
      if (c == '\\') {
        escaped = true;
        if (p_ + 1 >= s_.size()) return fail("unterminated string");
        const char e = s_[p_ + 1];
        if (e == 'u') {
          if (p_ + 6 > s_.size()) return fail("bad \\u escape");
          for (std::size_t i = p_ + 2; i < p_ + 6; ++i) {
            if (hex(s_[i]) < 0) return fail("bad \\u escape");
          }
          p_ += 6;
          continue;
        }
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
          return fail("bad escape");
        }
        p_ += 2;
        continue;
      }
      ++p_;
    }
    const std::string_view raw = s_.substr(begin, p_ - begin);
    ++p_;  // closing quote
    if (!escaped) {
      out = raw;
      return true;
    }
    if (storage == nullptr) {
      out = {};
      return true;
    }
    storage->push_back(unescape(raw));
    out = storage->back();
    return true;
  }

  /// A JSON number (RFC 8259 grammar); `out` is its value.
  bool number(double& out) {
    ws();
    const std::size_t begin = p_;
    if (p_ < s_.size() && s_[p_] == '-') ++p_;
    if (p_ >= s_.size() || !digit(s_[p_])) return fail("expected a number");
    if (s_[p_] == '0') {
      ++p_;
    } else {
      while (p_ < s_.size() && digit(s_[p_])) ++p_;
    }
    if (p_ < s_.size() && s_[p_] == '.') {
      ++p_;
      if (p_ >= s_.size() || !digit(s_[p_])) return fail("bad number");
      while (p_ < s_.size() && digit(s_[p_])) ++p_;
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      ++p_;
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
      if (p_ >= s_.size() || !digit(s_[p_])) return fail("bad number");
      while (p_ < s_.size() && digit(s_[p_])) ++p_;
    }
    auto [ptr, ec] = std::from_chars(s_.data() + begin, s_.data() + p_, out);
    if (ec == std::errc::result_out_of_range) {
      out = 0;  // a timestamp beyond double range is nonsense but still well-formed JSON
      return true;
    }
    if (ec != std::errc{} || ptr != s_.data() + p_) return fail("bad number");
    return true;
  }

  bool literal(std::string_view word) {
    if (s_.substr(p_, word.size()) != word) return fail("unexpected token");
    p_ += word.size();
    return true;
  }

  /// Checks and skips any value.
  bool skip(int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    std::string_view ignored;
    switch (peek()) {
      case '"':
        return string(ignored, nullptr);
      case '{': {
        ++p_;
        if (eat('}')) return true;
        do {
          if (!string(ignored, nullptr) || !expect(':') || !skip(depth + 1)) return false;
        } while (eat(','));
        return expect('}');
      }
      case '[': {
        ++p_;
        if (eat(']')) return true;
        do {
          if (!skip(depth + 1)) return false;
        } while (eat(','));
        return expect(']');
      }
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default: {
        double d = 0;
        return number(d);
      }
    }
  }

 private:
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  static std::uint32_t hex4(std::string_view s) {
    std::uint32_t v = 0;
    for (char c : s.substr(0, 4)) v = v * 16 + static_cast<std::uint32_t>(hex(c));
    return v;
  }
  /// Decodes an escaped string already checked by string(). Lone surrogates become U+FFFD.
  static std::string unescape(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\') {
        out += raw[i];
        continue;
      }
      const char e = raw[++i];
      switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = hex4(raw.substr(i + 1));
          i += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u') {
            const std::uint32_t low = hex4(raw.substr(i + 3));
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              i += 6;
            } else {
              cp = 0xFFFD;
            }
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
          put_utf8(out, cp);
          break;
        }
        default: out += e; break;  // " \ /
      }
    }
    return out;
  }

  std::string_view s_;
  std::size_t p_ = 0;
  std::string error_;
};

/// Walks data.result. With a callback it reports samples; without, it only checks the shape.
class ResultWalker {
 public:
  ResultWalker(Reader& r, const SampleCallback* on_sample) : r_(r), on_sample_(on_sample) {}

  std::size_t samples() const { return samples_; }

  /// A [<timestamp>, "<value>"] pair.
  bool point(double& ts, std::string_view& value) {
    return r_.expect('[') && r_.number(ts) && r_.expect(',') && r_.string(value, &storage_) && r_.expect(']');
  }

  bool scalar() {
    Sample s;
    if (!point(s.timestamp, s.value)) return false;
    emit(s);
    return true;
  }

  bool vector() {
    if (!r_.expect('[')) return false;
    if (r_.eat(']')) return true;
    do {
      if (!item()) return false;
    } while (r_.eat(','));
    return r_.expect(']');
  }

 private:
  bool item() {
    labels_.clear();
    storage_.clear();
    bool have_metric = false;
    bool have_value = false;
    Sample s;
    if (!r_.expect('{')) return false;
    if (!r_.eat('}')) {
      do {
        std::string_view key;
        if (!r_.string(key, &storage_) || !r_.expect(':')) return false;
        if (key == "metric") {
          if (!metric()) return false;
          have_metric = true;
        } else if (key == "value") {
          if (!point(s.timestamp, s.value)) return false;
          have_value = true;
        } else if (key == "histogram" || key == "values") {
          return r_.fail("a series carries \"" + std::string(key) + "\" instead of one float value");
        } else if (!r_.skip(1)) {
          return false;
        }
      } while (r_.eat(','));
      if (!r_.expect('}')) return false;
    }
    if (!have_value) return r_.fail("a series has no \"value\"");
    (void)have_metric;  // {"value":[...]} alone is a series without labels, e.g. vector(1)
    s.labels = labels_;
    emit(s);
    return true;
  }

  bool metric() {
    if (!r_.expect('{')) return false;
    if (r_.eat('}')) return true;
    do {
      std::string_view name;
      std::string_view value;
      if (!r_.string(name, &storage_) || !r_.expect(':') || !r_.string(value, &storage_)) return false;
      labels_.emplace_back(name, value);
    } while (r_.eat(','));
    return r_.expect('}');
  }

  void emit(const Sample& s) {
    ++samples_;
    if (on_sample_ != nullptr && *on_sample_) (*on_sample_)(s);
  }

  Reader& r_;
  const SampleCallback* on_sample_;
  std::vector<LabelView> labels_;
  std::deque<std::string> storage_;  ///< decoded escaped strings of the current item
  std::size_t samples_ = 0;
};

}  // namespace

QueryResponse parse_query_response(std::string_view body, const SampleCallback& on_sample) {
  QueryResponse out;
  Reader r(body);
  auto malformed = [&](std::string what) {
    out = QueryResponse{};
    out.error = ResponseError::malformed;
    out.message = what.empty() ? r.error() : std::move(what);
    return out;
  };

  // Pass 1: the whole body, checking the shape of data.result without reporting anything.
  std::string status;
  std::optional<std::size_t> result_pos;
  std::deque<std::string> storage;
  if (!r.expect('{')) return malformed("");
  if (!r.eat('}')) {
    do {
      std::string_view key;
      if (!r.string(key, &storage) || !r.expect(':')) return malformed("");
      if (key == "status" || key == "errorType" || key == "error") {
        std::string_view v;
        if (!r.string(v, &storage)) return malformed("");
        (key == "status" ? status : key == "errorType" ? out.error_type : out.message) = std::string(v);
      } else if (key == "data") {
        if (r.peek() == 'n') {
          if (!r.literal("null")) return malformed("");
          continue;
        }
        if (!r.expect('{')) return malformed("");
        if (r.eat('}')) continue;
        do {
          std::string_view dkey;
          if (!r.string(dkey, &storage) || !r.expect(':')) return malformed("");
          if (dkey == "resultType") {
            std::string_view v;
            if (!r.string(v, &storage)) return malformed("");
            out.result_type = std::string(v);
          } else if (dkey == "result") {
            result_pos = r.pos();
            if (!r.skip(1)) return malformed("");
          } else if (!r.skip(1)) {
            return malformed("");
          }
        } while (r.eat(','));
        if (!r.expect('}')) return malformed("");
      } else if (!r.skip(0)) {
        return malformed("");
      }
    } while (r.eat(','));
    if (!r.expect('}')) return malformed("");
  }
  if (!r.at_end()) return malformed("unexpected data after the answer at byte " + std::to_string(r.pos()));

  if (status == "error") {
    out.error = ResponseError::prometheus_error;
    if (out.message.empty()) out.message = "Prometheus answered status \"error\" without a message";
    return out;
  }
  if (status != "success") return malformed(status.empty() ? "no \"status\"" : "unknown status \"" + status + "\"");
  if (!result_pos) return malformed("no \"data.result\"");
  out.message.clear();
  const bool is_vector = out.result_type == "vector";
  const bool is_scalar = out.result_type == "scalar";
  if (!is_vector && !is_scalar) {
    out.error = ResponseError::wrong_result_type;
    out.message = out.result_type.empty()
                      ? std::string("no \"data.resultType\"")
                      : "the query gives a " + out.result_type +
                            ", but a rule needs an instant vector or a scalar (no range selector like [5m] at the "
                            "top level, no string)";
    return out;
  }

  // Pass 2 checks data.result's shape; pass 3 reports the samples. Two walks keep a half-valid answer from
  // reaching the callback.
  for (const SampleCallback* cb : {static_cast<const SampleCallback*>(nullptr), &on_sample}) {
    r.seek(*result_pos);
    ResultWalker walker(r, cb);
    const bool ok = is_vector ? walker.vector() : walker.scalar();
    if (!ok) {
      std::string why = "data.result: " + r.error();
      return malformed(why);
    }
    out.samples = walker.samples();
  }
  return out;
}

}  // namespace vesagent::sources::prometheus
