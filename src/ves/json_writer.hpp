#pragma once
// Internal to vesagent_ves: a minimal append-only JSON writer. The encoders run for every event (tens of
// thousands per second), so they write straight into one string instead of building a DOM first.
#include <cstdint>
#include <string>
#include <string_view>

namespace vesagent::ves::detail {

/// Appends `s` as a JSON string literal (with quotes). Control characters are escaped; invalid UTF-8 is
/// replaced by U+FFFD so the output is always valid JSON whatever the input bytes were.
void append_json_string(std::string& out, std::string_view s);

/// Appends a finite double in the shortest form that reads back to the same value ("12.5", "1e+21").
void append_json_double(std::string& out, double v);

void append_json_int(std::string& out, std::int64_t v);

/// True when `s` is a JSON number literal (RFC 8259 grammar) of a finite value.
bool is_json_number(std::string_view s) noexcept;

/// Writes nested objects and arrays, inserting commas. The caller keeps begin/end balanced and writes a key
/// before each value inside an object; the writer does not check (it is internal and tested through the
/// encoders' schema validation).
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { separate(); out_ += '{'; comma_ = false; }
  void end_object() { out_ += '}'; comma_ = true; }
  void begin_array() { separate(); out_ += '['; comma_ = false; }
  void end_array() { out_ += ']'; comma_ = true; }
  void key(std::string_view k) {
    separate();
    append_json_string(out_, k);
    out_ += ':';
    comma_ = false;
  }
  void string(std::string_view v) { separate(); append_json_string(out_, v); }
  void integer(std::int64_t v) { separate(); append_json_int(out_, v); }
  void number(double v) { separate(); append_json_double(out_, v); }
  /// A literal the caller knows to be valid JSON (a fixed number like 3.0, a checked number string).
  void raw(std::string_view literal) { separate(); out_.append(literal); }

  // Shorthands for the common "key": value members.
  void member(std::string_view k, std::string_view v) { key(k); string(v); }
  void member_int(std::string_view k, std::int64_t v) { key(k); integer(v); }
  void member_raw(std::string_view k, std::string_view literal) { key(k); raw(literal); }
  /// Omits the member when the value is empty (optional VES strings).
  void optional_member(std::string_view k, std::string_view v) {
    if (!v.empty()) member(k, v);
  }

 private:
  void separate() {
    if (comma_) out_ += ',';
    comma_ = true;
  }

  std::string& out_;
  bool comma_ = false;
};

}  // namespace vesagent::ves::detail
