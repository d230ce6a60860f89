// libFuzzer target for clouds.yaml / secure.yaml: operators' files, read at start and on reload. Properties besides
// "no crash": the parser never throws (yaml-cpp exceptions are caught) and a refusal has a reason.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/sources/openstack/credentials.hpp"

namespace os = vesagent::sources::openstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;  // yaml-cpp recursion on deep nesting is yaml-cpp's, not ours to fuzz
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto clouds = os::parse_clouds_yaml(text, &why);
  if (!clouds && why.empty()) std::abort();
  return 0;
}
