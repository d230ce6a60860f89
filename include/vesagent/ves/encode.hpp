#pragma once
/// VES encoders: pure functions from the version-neutral core::Event to the JSON a collector expects.
/// v7 = VES 7.2.1 (schema CommonEventFormat_30.2.1_ONAP.json); v5 = VES 5.4.1 (CommonEventFormat_28.4.1.json).
#include <span>
#include <string>
#include <string_view>

#include "vesagent/core/error.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::ves {

enum class Version { v5 = 5, v7 = 7 };

struct EncodeContext {
  Version version = Version::v7;
  std::string time_zone_offset;  ///< v7 header timeZoneOffset, e.g. "UTC+00:00"; empty = omitted
};

/// The bare event object `{"commonEventHeader":{...}, "<domain>Fields":{...}}` (no "event" wrapper), or
/// errc::invalid_event naming the missing field.
Result<std::string> encode_event(const core::Event& event, const EncodeContext& ctx);

/// Request bodies from already-encoded bare events.
std::string wrap_single(std::string_view encoded_event);                ///< {"event":...}
std::string wrap_batch(std::span<const std::string> encoded_events);    ///< {"eventList":[...]}

/// The wire name of a domain for a version ("measurementsForVfScaling" on v5).
std::string_view wire_domain(core::Domain domain, Version version) noexcept;

}  // namespace vesagent::ves
