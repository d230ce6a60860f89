// libFuzzer target for Nova servers/detail pages: the compute endpoint from the catalog controls these bytes.
// Properties besides "no crash": the parser never throws, a refusal has a reason, and every server it keeps has
// the id and status the fault logic keys on (the others are counted as skipped).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/sources/openstack/nova_servers.hpp"

namespace os = vesagent::sources::openstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto page = os::parse_servers_page(body, &why);
  if (!page) {
    if (why.empty()) std::abort();
  } else {
    for (const auto& s : page->servers) {
      if (s.id.empty() || s.status.empty() || s.power_state < -1) std::abort();
    }
  }
  (void)os::error_message(body);
  return 0;
}
