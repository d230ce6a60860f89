#pragma once
/// What a measurement event can carry, per VES version: the record arrays (cpuUsageArray, memoryUsageArray, ...)
/// with their fields, JSON types and required keys, and the scalars at the measurement block level
/// (concurrentSessions, requestRate, ...). The encoder validates against these tables, and config validation
/// uses them to reject a measurement rule whose target cannot be sent.
///
/// Names are the version-neutral core names (= VES 7 JSON names). The v5 encoder renames where VES 5.4.1
/// differs: nicPerformanceArray -> vNicPerformanceArray, nicIdentifier -> vNicIdentifier,
/// nfcScalingMetric -> vnfcScalingMetric. The tables were generated from the official schemas and a unit test
/// checks them against the schema files, so they cannot drift silently.
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "vesagent/ves/version.hpp"

namespace vesagent::ves {

/// JSON type of a field as the schema declares it.
enum class FieldType {
  number,       ///< any JSON number; core::FieldValue int64 or (finite) double
  integer,      ///< JSON integer; a double is accepted only when it is integral
  string,       ///< identifiers; numbers are rendered as strings
  enumeration,  ///< a string from FieldInfo::allowed (valuesAreSuspect, administrativeState, ...)
};

/// One field of a record array (or one measurement-level scalar).
struct FieldInfo {
  std::string_view name;               ///< core (VES 7) name
  FieldType type = FieldType::number;
  bool required = false;               ///< listed in the schema's "required"
  std::string_view wire_name = {};     ///< JSON name when it differs from `name` (v5 "vNicIdentifier")
  std::string_view default_value = {}; ///< the encoder fills this when the field is absent (valuesAreSuspect)
  std::span<const std::string_view> allowed = {};  ///< values of an enumeration

  constexpr std::string_view wire() const noexcept { return wire_name.empty() ? name : wire_name; }
  /// The event must supply it: required by the schema and not defaulted by the encoder.
  constexpr bool must_supply() const noexcept { return required && default_value.empty(); }
};

/// One record array of the measurement block.
struct ArrayInfo {
  std::string_view name;            ///< core (VES 7) name, e.g. "nicPerformanceArray"
  std::string_view wire_name;       ///< JSON name in this version, e.g. "vNicPerformanceArray" on v5
  std::span<const FieldInfo> fields;
};

/// Every record array the version supports, in schema order.
std::span<const ArrayInfo> measurement_arrays(Version version) noexcept;
/// The array with this core name, or nullptr when the version has no such array.
const ArrayInfo* find_measurement_array(Version version, std::string_view array) noexcept;
/// The field (core names), or nullptr.
const FieldInfo* find_measurement_field(Version version, std::string_view array, std::string_view field) noexcept;
/// True when `array` (core name) exists in `version` and has a field `field` (core name).
bool is_known_measurement_field(Version version, std::string_view array, std::string_view field) noexcept;
/// Fields every record of `array` must supply (FieldInfo::must_supply), in schema order; empty if unknown.
std::vector<std::string_view> required_measurement_fields(Version version, std::string_view array);

/// Scalars allowed directly in the measurement block (concurrentSessions, meanRequestLatency, ...).
std::span<const FieldInfo> measurement_scalars(Version version) noexcept;
const FieldInfo* find_measurement_scalar(Version version, std::string_view name) noexcept;

/// Resolves how a user may spell an array in configuration (case-insensitive; VESPA's Go names such as
/// "CPUUsageArray" or the v5 wire name "VNicPerformanceArray") to its core name; nullopt if no version knows it.
std::optional<std::string_view> canonical_measurement_array(std::string_view spelled) noexcept;
/// Same for a field of a (core-named) array: "VMIdentifier" -> "vmIdentifier", "vNicIdentifier" ->
/// "nicIdentifier".
std::optional<std::string_view> canonical_measurement_field(std::string_view array,
                                                            std::string_view spelled) noexcept;
/// Same for a measurement-level scalar: "VnfcScalingMetric" -> "nfcScalingMetric".
std::optional<std::string_view> canonical_measurement_scalar(std::string_view spelled) noexcept;

}  // namespace vesagent::ves
