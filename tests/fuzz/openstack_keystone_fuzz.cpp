// libFuzzer target for Keystone token answers (POST /v3/auth/tokens): whoever answers at the configured auth URL
// (or a proxy in between) controls these bytes. Properties besides "no crash": the parser never throws, a refusal
// has a reason, an accepted token has an expiry, and every catalog lookup and time conversion is safe.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/sources/openstack/keystone_token.hpp"

namespace os = vesagent::sources::openstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto token = os::parse_token(body, &why);
  if (!token) {
    if (why.empty()) std::abort();
  } else {
    for (const char* iface : {"public", "internal", "admin"}) {
      auto url = os::find_endpoint(*token, "compute", iface, "");
      if (url && !url->empty() && url->back() == '/') std::abort();
    }
    (void)os::format_iso8601(token->expires_at_us);
  }
  (void)os::parse_iso8601_us(body.substr(0, 64));
  (void)os::parse_http_date_us(body.substr(0, 29));
  return 0;
}
