// libFuzzer target for the collector-reply parser: a collector (or anything posing as one) controls these bytes.
// Build with clang: -fsanitize=fuzzer,address,undefined, linking vesagent::ves.
// Properties checked besides "no crash": the parser never throws, and every accepted interval is in range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vesagent/ves/command_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const vesagent::ves::CommandListParse result = vesagent::ves::parse_command_list(body);
  for (const auto& command : result.commands) {
    if (command.interval_seconds < 0 || command.interval_seconds > INT32_MAX) std::abort();
  }
  return 0;
}
