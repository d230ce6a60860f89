#pragma once
/// Version-neutral event model. Sources build these; only ves/ turns them into VES JSON.
/// Field names follow VES 7 (the v5 encoder maps them), so a source never cares about the wire version.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace vesagent::core {

/// The event domains the agent emits. `measurement` is `measurementsForVfScaling` on the v5 wire.
/// state_change (stateChange) is emitted by sources/openstack for VM status transitions (optional there).
enum class Domain { fault, heartbeat, measurement, state_change };

/// VES eventSeverity. `normal` is the clear of a fault.
enum class Severity { critical, major, minor, warning, normal };

/// VES header priority.
enum class Priority { high, medium, normal, low };

std::string_view to_string(Domain d) noexcept;     ///< VES 7 spelling ("measurement")
std::string_view to_string(Severity s) noexcept;   ///< "CRITICAL" ... "NORMAL"
std::string_view to_string(Priority p) noexcept;   ///< "High" ... "Low"
std::optional<Severity> parse_severity(std::string_view upper_case) noexcept;
/// VESPA's mapping: CRITICAL->High, MAJOR->Medium, MINOR/WARNING->Low, NORMAL->Normal.
Priority priority_for(Severity s) noexcept;

/// Ordered name/value pairs: a v7 hashMap or a v5 [{name,value}] array. Order is kept for readable output.
using NameValues = std::vector<std::pair<std::string, std::string>>;

/// A measurement value: integers stay integers and keep their precision; strings for identifiers.
using FieldValue = std::variant<std::int64_t, double, std::string>;
using Fields = std::vector<std::pair<std::string, FieldValue>>;

struct FaultBody {
  std::string alarm_condition;
  std::string specific_problem;
  Severity severity = Severity::major;
  std::string event_source_type = "virtualMachine";
  std::string vf_status = "Active";
  std::string alarm_interface_a;  ///< optional, empty = absent
  std::string event_category;     ///< optional, empty = absent
  NameValues additional_information;
};

struct HeartbeatBody {
  std::int64_t interval_seconds = 60;
  NameValues additional_fields;
};

/// One element of a measurement array, e.g. array "cpuUsageArray" with fields
/// {cpuIdentifier:"cpu0", percentUsage:12.5}. Names are the VES 7 JSON names.
struct MeasurementRecord {
  std::string array;
  Fields fields;
};

/// VES 7 additionalMeasurements entry (arrayOfNamedHashMap); v5 namedArrayOfFields.
struct NamedHashMap {
  std::string name;
  NameValues values;
};

struct ObjectKey {
  std::string key_name;
  std::string key_value;
};
struct ObjectInstance {
  NameValues object_instance;  ///< rendered as {"name": value} (values as JSON strings or numbers, see encoder)
  std::vector<ObjectKey> object_keys;
  std::optional<std::int64_t> epoch_microsec;
};
/// VES jsonObject (additionalObjects).
struct JsonObject {
  std::string object_name;
  std::vector<ObjectInstance> instances;
};

struct MeasurementBody {
  std::int64_t interval_seconds = 300;
  std::vector<MeasurementRecord> records;
  std::vector<NamedHashMap> additional_measurements;
  std::vector<JsonObject> additional_objects;
  NameValues additional_fields;
  Fields scalars;  ///< top-level numbers such as concurrentSessions, requestRate
};

// ---- stateChange (added for sources/openstack) ----
/// VES stateChangeFields oldState/newState values.
enum class EntityState { in_service, maintenance, out_of_service };
/// "inService", "maintenance", "outOfService".
inline std::string_view to_string(EntityState s) noexcept {
  return s == EntityState::in_service ? "inService" : s == EntityState::maintenance ? "maintenance" : "outOfService";
}

/// VES stateChangeFields: an entity (stateInterface) went from old_state to new_state.
struct StateChangeBody {
  EntityState old_state = EntityState::in_service;
  EntityState new_state = EntityState::in_service;
  std::string state_interface;  ///< required: the entity that changed (e.g. the VM's id)
  NameValues additional_fields;
};

using Body = std::variant<FaultBody, HeartbeatBody, MeasurementBody, StateChangeBody>;

/// One VES event, independent of the wire version.
struct Event {
  Domain domain = Domain::heartbeat;
  /// Correlation key: alert fingerprint, `vm/<uuid>/<condition>`, `heartbeat`, ... Never sent.
  std::string key;
  std::string event_id;
  std::string event_name;
  std::string event_type;  ///< optional
  std::string source_name;
  std::string source_id;  ///< optional
  std::string reporting_entity_name;
  std::string reporting_entity_id;  ///< optional
  std::string nf_naming_code;       ///< optional
  std::string nfc_naming_code;      ///< optional
  std::string nf_vendor_name;       ///< optional, v7 only
  Priority priority = Priority::normal;
  std::int64_t sequence = 0;
  std::int64_t start_epoch_us = 0;
  std::int64_t last_epoch_us = 0;
  Body body = HeartbeatBody{};
};

}  // namespace vesagent::core
