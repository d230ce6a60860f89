#pragma once
// Internal to vesagent_ves: a fault as a 3GPP Fault Supervision notification (TS 28.532, faultMnS.yaml as the
// ONAP collector ships it) inside VES 7.2.1 stndDefinedFields.
#include <cstdint>
#include <string>
#include <string_view>

#include "json_writer.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::ves::detail {

inline constexpr std::string_view kFaultSupervisionNamespace = "3GPP-FaultSupervision";

/// Which notification a fault event becomes. Raise = the first event of the fault (sequence 0 or 1, the fault
/// store starts at 1); clear = eventSeverity NORMAL; any other event of the fault is a severity change.
enum class AlarmNotification { new_alarm, changed_alarm, cleared_alarm };
AlarmNotification notification_for(const core::Event& event, const core::FaultBody& fault) noexcept;

/// notificationId: unique per notification of one agent, the same for a resent event. Derived from the eventId
/// (a hash) and the sequence, below 2^53 so that every JSON consumer reads it exactly.
std::int64_t notification_id(std::string_view event_id, std::int64_t sequence) noexcept;

/// RFC 3339 UTC time with microseconds, e.g. "2023-11-14T22:13:20.000000Z".
std::string rfc3339_utc(std::int64_t epoch_us);

/// Writes `"stndDefinedFields":{"schemaReference":..., "data":{...}, "stndDefinedFieldsVersion":"1.0"}`.
/// `schema_url` is the faultMnS.yaml URL without '#'. Returns false with the reason in `error` when a field the
/// notification requires is empty.
bool write_stnd_defined_fault(JsonWriter& w, const core::Event& event, const core::FaultBody& fault,
                              std::string_view schema_url, std::string& error);

}  // namespace vesagent::ves::detail
