#pragma once
/// VES encoders: pure functions from the version-neutral core::Event to the JSON a collector expects.
/// v7 = VES 7.2.1 (schema CommonEventFormat_30.2.1_ONAP.json); v5 = VES 5.4.1 (CommonEventFormat_28.4.1.json).
/// No I/O, no shared state: safe to call from any thread.
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "vesagent/core/error.hpp"
#include "vesagent/core/event.hpp"
#include "vesagent/ves/measurement_fields.hpp"
#include "vesagent/ves/version.hpp"

namespace vesagent::ves {

/// How fault events are expressed on the wire.
enum class FaultFormat {
  ves,          ///< domain fault, faultFields
  /// VES 7.2.1 domain stndDefined, namespace 3GPP-FaultSupervision, stndDefinedFields.data = the 3GPP TS 28.532
  /// notification: notifyNewAlarm for a raise (sequence <= 1), notifyClearedAlarm for a clear (severity NORMAL),
  /// notifyChangedAlarm otherwise. alarmId = eventId, so the three of one fault share it. v7 only.
  stnd_defined,
};

/// The faultMnS.yaml URL the ONAP collector (1.7.7 and later) maps in its schema-map.json.
inline constexpr std::string_view kDefaultFaultMnsSchemaUrl =
    "https://forge.3gpp.org/rep/sa5/MnS/blob/SA88-Rel16/OpenAPI/faultMnS.yaml";

/// Per-collector encoding settings.
struct EncodeContext {
  Version version = Version::v7;
  std::string time_zone_offset;  ///< v7 header timeZoneOffset, e.g. "UTC+00:00"; empty = omitted
  FaultFormat fault_format = FaultFormat::ves;
  /// stndDefined: schemaReference without its '#' part; "#/components/schemas/<Notify...>" is appended.
  std::string stnd_schema_url = std::string(kDefaultFaultMnsSchemaUrl);
};

/// The bare event object `{"commonEventHeader":{...}, "<domain>Fields":{...}}` (no "event" wrapper), or
/// errc::invalid_event when the event cannot be expressed in the version (a missing required field, a NaN, a
/// field the version does not have, a body that does not match the domain). The encoder emits only keys the
/// schema knows (v7 schemas reject unknown keys), so its output is what the collector accepts.
///
/// When `why` is given it receives one sentence naming the culprit on failure, e.g.
/// "measurementFields.cpuUsageArray[1]: missing required field percentUsage" (unchanged on success).
///
/// Value rules: hashMap values are strings; FieldValue int64 -> JSON integer, double -> JSON number (NaN and
/// infinities are errors), string -> string (numbers in identifier fields are rendered as strings).
/// Duplicate names in a hashMap or name/value list keep the last value at the first position (Java's org.json
/// in the collector rejects duplicate keys); duplicate fields inside one record are an error.
/// Invalid UTF-8 in any string is replaced by U+FFFD so the body always parses.
Result<std::string> encode_event(const core::Event& event, const EncodeContext& ctx, std::string* why = nullptr);

/// Request bodies from already-encoded bare events.
std::string wrap_single(std::string_view encoded_event);              ///< {"event":...}
/// {"eventList":[...]}. The caller keeps batches non-empty and single-domain: the collector answers 400 for
/// an empty or mixed batch.
std::string wrap_batch(std::span<const std::string> encoded_events);
/// The same for `count` events where the i-th is `event_at(i)`: built straight from where the events are kept
/// (the outbox's queue), without collecting copies first.
std::string wrap_batch(std::size_t count, const std::function<std::string_view(std::size_t)>& event_at);

/// The wire name of a domain for a version ("measurementsForVfScaling" on v5).
std::string_view wire_domain(core::Domain domain, Version version) noexcept;

}  // namespace vesagent::ves
