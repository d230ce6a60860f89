// libFuzzer target for Nova's GET /os-services answers and its compute version document (both from the compute
// endpoint). Properties besides "no crash": no exception, a refusal has a reason, every kept service has a host
// and a binary, a parsed version range is ordered and negotiation never picks a version outside it or above the
// agent's.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/sources/openstack/compute_services.hpp"
#include "vesagent/sources/openstack/compute_version.hpp"

namespace os = vesagent::sources::openstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto services = os::parse_os_services(body, &why);
  if (!services) {
    if (why.empty()) std::abort();
  } else {
    for (const auto& s : services->services) {
      if (s.host.empty() || s.binary.empty()) std::abort();
    }
  }
  why.clear();
  auto range = os::parse_compute_versions(body, &why);
  if (!range) {
    if (why.empty()) std::abort();
    return 0;
  }
  if (range->min > range->max) std::abort();
  auto n = os::negotiate_microversion("fuzz", *range, os::kAgentMaxMicroversion, true, &why);
  if (n && (n->version > range->max || n->version < range->min || n->version > os::kAgentMaxMicroversion)) {
    std::abort();
  }
  return 0;
}
