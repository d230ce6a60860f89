#pragma once
/// Compute API microversion negotiation: Nova's version document (GET on the compute endpoint's root or on its
/// /v2.1/) says which microversions a cloud serves; the agent asks for the highest it supports up to a per-cloud
/// override, and features that need a newer one are degraded with a warning. Pure functions, no I/O, fuzzed
/// (tests/fuzz/openstack_services_fuzz.cpp covers parse_compute_versions too).
#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"

namespace vesagent::sources::openstack {

struct Microversion {
  int major = 2;
  int minor = 1;
  auto operator<=>(const Microversion&) const = default;
  std::string text() const { return std::to_string(major) + "." + std::to_string(minor); }
};

/// "2.79" -> {2, 79}; nullopt for anything else ("latest" included: the agent never sends it).
std::optional<Microversion> parse_microversion(std::string_view text);

/// What a cloud serves: `min_version`..`version` of its CURRENT v2.1 API.
struct ComputeVersionRange {
  Microversion min;
  Microversion max;
};

/// Parses the version document: the root list ({"versions": [...]}, GET /) or one version ({"version": {...}},
/// GET /v2.1/). Takes the v2.1 entry (else the one with status CURRENT). An entry with empty `version` (a Nova
/// without microversions) gives 2.1..2.1. Fails (with `why`) when there is no such entry or its numbers do not parse.
Result<ComputeVersionRange> parse_compute_versions(std::string_view body, std::string* why = nullptr);

/// The highest microversion the agent's Nova parsers know (servers/detail at 2.79: flavor names, tags).
inline constexpr Microversion kAgentMaxMicroversion{2, 79};
/// Tag filters (servers' `tags`) need this microversion.
inline constexpr Microversion kTagsMicroversion{2, 26};
/// Services' forced_down in GET /os-services needs this microversion.
inline constexpr Microversion kForcedDownMicroversion{2, 11};

struct NegotiatedMicroversion {
  Microversion version;        ///< send as `OpenStack-API-Version: compute <version.text()>`
  /// Servers carry tags: tag filters work. When false, the caller drops the `tags` criteria of the cloud's
  /// filters (they would otherwise match no server and stop watching VMs silently); the warning says so.
  bool tags = false;
  bool flavor_names = false;   ///< servers carry flavor.original_name (2.47+); else the flavor id
  bool forced_down = false;    ///< os-services answers carry forced_down
  /// One sentence per degraded feature or overridden choice, naming the cloud; log each once per negotiation
  /// (at warn). Empty when everything configured works.
  std::vector<std::string> warnings;
};

/// Chooses the microversion for `cloud`: the highest of the cloud's range up to `wanted` (the per-cloud override
/// `computeMicroversion`, else the section's `openstack.microversion`, capped at kAgentMaxMicroversion).
/// `uses_tag_filters`: some filter of the cloud has `tags`. Fails (with `why`) only when the cloud's minimum is
/// above everything the agent supports.
Result<NegotiatedMicroversion> negotiate_microversion(std::string_view cloud, const ComputeVersionRange& range,
                                                      Microversion wanted, bool uses_tag_filters,
                                                      std::string* why = nullptr);

}  // namespace vesagent::sources::openstack
