// libFuzzer target for the duration parser: no crash or overflow (UBSan) on any input, and every accepted
// duration survives format_duration() -> parse_duration() unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vesagent/config/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = vesagent::config::parse_duration(text);
  if (d) {
    if (d->count() < 0) std::abort();
    auto back = vesagent::config::parse_duration(vesagent::config::format_duration(*d));
    if (!back || *back != *d) std::abort();
  }
  return 0;
}
