#pragma once
/// Where a rule puts its value in the measurement block, resolved from how the rule spells it:
///   VESPA's VES 5 Go paths   CPUUsageArray.PercentUsage, MemoryUsageArray.MemoryFree, VNICPerformanceArray.
///                            ReceivedOctetsDelta, FilesystemUsageArray.BlockUsed, ConcurrentSessions, AdditionalObjects
///   VES 7 JSON names         cpuUsageArray.percentUsage, nicPerformanceArray.receivedOctetsDelta, loadArray.shortTerm,
///                            requestRate, additionalObjects
///   name/value collections   additionalMeasurements.<name>.<key>, additionalFields.<key> (values sent as strings)
/// Names are matched case-insensitively and mapped onto the configured VES version; a field the version does not
/// have is an error, so a configuration cannot produce events the collector rejects.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/ves/measurement_fields.hpp"
#include "vesagent/ves/version.hpp"

namespace vesagent::sources::prometheus {

struct Target {
  enum class Kind {
    record,                  ///< a number field of an element of a record array (cpuUsageArray, ...)
    scalar,                  ///< a number at the measurement block level (concurrentSessions, ...)
    additional_object,       ///< additionalObjects: object_name / object_instance / object_keys of the rule
    additional_measurement,  ///< additionalMeasurements[name].<key>
    additional_field,        ///< additionalFields.<key>
  };
  Kind kind = Kind::record;
  const ves::ArrayInfo* array = nullptr;  ///< record
  const ves::FieldInfo* field = nullptr;  ///< record field or scalar
  std::string name;                       ///< additionalMeasurements entry name
  std::string key;                        ///< additionalMeasurements / additionalFields key

  /// "cpuUsageArray.percentUsage", "additionalObjects", ... (core names, for messages).
  std::string describe() const;
};

/// Resolves `spelled` for `version`. On failure returns nullopt and `error` says why, e.g.
/// `unknown target "CPUUsageArray.Foo": cpuUsageArray has no number field "Foo" in VES 7.2.1`.
std::optional<Target> resolve_target(std::string_view spelled, ves::Version version, std::string& error);

/// The identifier and state fields (string or enumeration) of `array` that a rule label named `label_name`
/// sets, or nullptr: rule labels name the element's key fields (CPUIdentifier, VMIdentifier, vNicIdentifier...).
const ves::FieldInfo* label_field(const ves::ArrayInfo& array, std::string_view label_name);

}  // namespace vesagent::sources::prometheus
