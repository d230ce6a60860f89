#pragma once
// Helpers shared by the config tests.
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/config/loader.hpp"

namespace vesagent::config::test {

/// A YAML document as if read from "test.yml", with a fixed host name so derived defaults are predictable.
inline Inputs yaml_inputs(std::string text) {
  Inputs in;
  in.file_name = "test.yml";
  in.yaml_text = std::move(text);
  in.host_name = "testhost";
  return in;
}

inline constexpr const char* kMinimal = "primaryCollector:\n  fqdn: collector.example\n";

/// Diagnostics whose path is `path` exactly.
inline std::vector<Diagnostic> with_path(const std::vector<Diagnostic>& ds, std::string_view path) {
  std::vector<Diagnostic> out;
  for (const auto& d : ds) {
    if (d.path == path) out.push_back(d);
  }
  return out;
}

/// Every diagnostic as text, one per line: for assertion messages and "never contains" checks.
inline std::string all_text(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.errors) out += "error: " + d.to_string() + "\n";
  for (const auto& d : r.warnings) out += "warning: " + d.to_string() + "\n";
  return out;
}

}  // namespace vesagent::config::test
