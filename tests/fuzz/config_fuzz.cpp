// libFuzzer target: arbitrary bytes as the YAML configuration file. load() must never crash, throw or hang,
// whatever the input (deep nesting, aliases, odd scalars, invalid UTF-8).
//   clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -Iinclude tests/fuzz/config_fuzz.cpp <config sources>
//   ./config_fuzz tests/data/config/vespa
#include <cstddef>
#include <cstdint>
#include <string>

#include "vesagent/config/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vesagent::config::Inputs inputs;
  inputs.file_name = "fuzz.yml";
  inputs.yaml_text.assign(reinterpret_cast<const char*>(data), size);
  inputs.host_name = "fuzz";  // keep the run independent of the machine
  auto result = vesagent::config::load(inputs);
  // Exercise the printers too: every Diagnostic formats, and a valid config prints.
  for (const auto& d : result.errors) (void)d.to_string();
  for (const auto& d : result.warnings) (void)d.to_string();
  if (result.ok()) (void)vesagent::config::to_redacted_yaml(result.config);
  return 0;
}
