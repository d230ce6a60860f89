// libFuzzer target for AMQP message bodies from the cloud's message bus: the oslo.messaging envelope and Nova's
// versioned notifications. Properties besides "no crash": the parser never throws, a refusal has a reason, an
// accepted message has an event_type, at most one of instance/service is set and each carries the identity the
// fault logic keys on (instance uuid; service host and binary).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/sources/openstack/notification.hpp"

namespace os = vesagent::sources::openstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto env = os::parse_oslo_envelope(body, &why);
  if (!env && why.empty()) std::abort();
  why.clear();
  auto n = os::parse_notification(body, &why);
  if (!n) {
    if (why.empty()) std::abort();
    return 0;
  }
  if (!env || n->envelope.event_type.empty()) std::abort();
  if (n->instance && n->service) std::abort();
  if (n->instance) {
    if (n->instance->uuid.empty()) std::abort();
    if (n->instance->status().empty() || n->instance->power_state_code() < -1) std::abort();
  }
  if (n->service && (n->service->host.empty() || n->service->binary.empty())) std::abort();
  return 0;
}
