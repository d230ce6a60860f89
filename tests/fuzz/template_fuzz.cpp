// libFuzzer target for the template engine (vesagent::text_template): templates come from configuration files
// that operators write by hand, in Go's template language. Properties: compiling never throws or crashes and a
// refusal says why; a compiled template executes on VESPA-like data in both missing-key modes without crashing,
// an execution failure says why, and a constant template renders its constant text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/template/template.hpp"

namespace tt = vesagent::text_template;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const nlohmann::json kData = {
      {"labels", {{"VNFC", "lr-ope-0"}, {"instance", "node-1:9100"}, {"cpu", "3"}, {"empty", ""}}},
      {"interval", 300},
      {"vmId", "lr-ope-0"},
      {"list", {1, 2.5, "x", nullptr, true}},
      {"map", {{"b", 1}, {"a", {{"c", "d"}}}}},
  };
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto t = tt::Template::compile(text, "fuzz", error);
  if (!t) {
    if (error.empty()) std::abort();
    return 0;
  }
  for (auto mode : {tt::MissingKey::no_value, tt::MissingKey::error}) {
    std::string out;
    std::string missing;
    tt::ExecOptions options;
    options.missing_key = mode;
    options.missing_printed = &missing;
    auto failure = t->execute(kData, out, options);
    if (failure && failure->message.empty()) std::abort();
    if (t->is_constant() && (failure || out != t->constant_text())) std::abort();
    if (out.size() > (std::size_t{1} << 21)) std::abort();
  }
  return 0;
}
