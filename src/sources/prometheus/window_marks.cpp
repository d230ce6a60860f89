#include "vesagent/sources/prometheus/window_marks.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "vesagent/state/id_allocator.hpp"

namespace vesagent::sources::prometheus {

namespace {
constexpr std::string_view kKey = "\"lastWindowEndMs\":";
}

Result<std::optional<std::int64_t>> FileWindowMarks::load(std::string& error) {
  std::error_code ec;
  if (!std::filesystem::exists(file_, ec)) return std::optional<std::int64_t>{};
  std::ifstream in(file_, std::ios::binary);
  if (!in) {
    error = "cannot read " + file_.string();
    return make_error_code(errc::io_error);
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const auto pos = text.find(kKey);
  std::int64_t value = 0;
  if (pos != std::string::npos) {
    const char* begin = text.data() + pos + kKey.size();
    const char* end = text.data() + text.size();
    auto [ptr, rc] = std::from_chars(begin, end, value);
    if (rc == std::errc{} && ptr != begin && value > 0) return std::optional<std::int64_t>{value};
  }
  error = file_.string() + " is corrupt (expected {\"lastWindowEndMs\":<ms>})";
  return make_error_code(errc::io_error);
}

Result<void> FileWindowMarks::store(std::int64_t window_end_ms, std::string& error) {
  return state::write_file_atomically(file_, "{\"lastWindowEndMs\":" + std::to_string(window_end_ms) + "}\n", error);
}

}  // namespace vesagent::sources::prometheus
