#pragma once
// Helpers of the dead-letter record format shared by the store (dead_letter_format.cpp).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "vesagent/core/event.hpp"

namespace vesagent::outbox::detail {

/// "fault", "heartbeat", "measurement" (or VES 5's "measurementsForVfScaling"), "stateChange".
std::optional<core::Domain> parse_domain(std::string_view s);
/// The event's bytes as they are in `line`, or `parsed_event` dumped when they cannot be found.
std::string raw_event(std::string_view line, const nlohmann::json& parsed_event);

}  // namespace vesagent::outbox::detail
