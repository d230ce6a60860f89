#pragma once
/// Nova compute services: the answer of GET /os-services and the `service.update` notification describe the same
/// thing, so both give a ComputeService. Pure functions, no I/O, fuzzed (tests/fuzz/openstack_services_fuzz.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"

namespace vesagent::sources::openstack {

/// One Nova service (nova-compute on one host, nova-conductor, ...).
struct ComputeService {
  std::string id;        ///< the service uuid (os-services 2.53+, notifications), else Nova's integer id as text
  std::string binary;    ///< nova-compute, nova-conductor, nova-scheduler, ...
  std::string host;      ///< the host it runs on: the sourceName of a host fault
  std::string zone;      ///< availability zone; empty when Nova gives none
  bool disabled = false;         ///< status "disabled" (os-services) / `disabled` (notification)
  std::string disabled_reason;   ///< operator's reason, e.g. "maintenance"; empty when none
  bool forced_down = false;      ///< an operator (or fencing) declared it down (os-services 2.11+)
  /// os-services `state`: true = up, false = down. Notifications carry no state: nullopt there; then
  /// `forced_down` and the age of `last_seen_up_us` are what is known.
  std::optional<bool> up;
  std::int64_t updated_us = 0;       ///< os-services `updated_at` (last report); 0 when absent
  std::int64_t last_seen_up_us = 0;  ///< notification `last_seen_up`; 0 when absent

  /// True when the service is known to be down: state "down" or forced_down.
  bool down() const { return forced_down || (up.has_value() && !*up); }
};

struct ComputeServicesAnswer {
  std::vector<ComputeService> services;
  std::size_t skipped = 0;  ///< entries without binary or host, or not objects
};

/// Parses GET /os-services ({"services": [...]}), at any microversion (integer ids before 2.53, forced_down from
/// 2.11). Fails (with `why`) only when the body is not JSON or has no "services" list.
Result<ComputeServicesAnswer> parse_os_services(std::string_view body, std::string* why = nullptr);

}  // namespace vesagent::sources::openstack
