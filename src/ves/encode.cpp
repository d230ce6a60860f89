#include "vesagent/ves/encode.hpp"

#include <array>
#include <bitset>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <variant>
#include <vector>

#include "json_writer.hpp"
#include "state_change_fields.hpp"  // stateChange domain (sources/openstack)
#include "stnd_defined_fields.hpp"  // 3GPP fault notifications in stndDefined events

namespace vesagent::ves {
namespace {

using detail::JsonWriter;

constexpr std::array<std::string_view, 5> kVfStatuses{"Active", "Idle", "Preparing to terminate",
                                                      "Ready to terminate", "Requesting termination"};

// Record fields are tracked in a bitset; the largest table (v7 diskUsage) has 57 fields.
constexpr std::size_t kMaxRecordFields = 128;

std::string join(std::span<const std::string_view> items) {
  std::string out;
  for (auto item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::string_view body_name(const core::Body& body) noexcept {
  if (std::holds_alternative<core::FaultBody>(body)) return "fault";
  if (std::holds_alternative<core::HeartbeatBody>(body)) return "heartbeat";
  if (std::holds_alternative<core::StateChangeBody>(body)) return "stateChange";  // sources/openstack
  return "measurement";
}

std::string_view other_version_name(Version v) noexcept {
  return to_string(v == Version::v5 ? Version::v7 : Version::v5);
}

/// Calls emit(name, value) once per distinct name, in order of first appearance, with the last value given for
/// that name. Duplicate JSON keys would make the collector's org.json parser throw.
template <class Emit>
void for_each_unique(const core::NameValues& pairs, Emit&& emit) {
  // Quadratic scan for the usual handful of labels; a hash map beyond that.
  constexpr std::size_t kSmall = 16;
  if (pairs.size() <= kSmall) {
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      bool seen = false;
      for (std::size_t k = 0; k < i && !seen; ++k) seen = pairs[k].first == pairs[i].first;
      if (seen) continue;
      const std::string* value = &pairs[i].second;
      for (std::size_t j = i + 1; j < pairs.size(); ++j) {
        if (pairs[j].first == pairs[i].first) value = &pairs[j].second;
      }
      emit(pairs[i].first, *value);
    }
    return;
  }
  constexpr std::size_t kDone = std::numeric_limits<std::size_t>::max();
  std::unordered_map<std::string_view, std::size_t> last;
  last.reserve(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) last[pairs[i].first] = i;
  for (const auto& [name, value] : pairs) {
    auto it = last.find(name);
    if (it->second == kDone) continue;
    emit(name, pairs[it->second].second);
    it->second = kDone;
  }
}

/// Writes one event. Every write_* returns false after storing the reason in error_.
class Encoder {
 public:
  Encoder(const core::Event& event, const EncodeContext& ctx, std::string& out)
      : event_(event),
        ctx_(ctx),
        v7_(ctx.version == Version::v7),
        stnd_fault_(event.domain == core::Domain::fault && ctx.fault_format == FaultFormat::stnd_defined),
        w_(out) {}

  bool run() {
    if (!check_domain()) return false;
    if (stnd_fault_ && !v7_) return fail("stndDefined faults need VES 7.2.1; VES 5.4.1 has no stndDefined domain");
    w_.begin_object();
    if (!write_header()) return false;
    bool ok = std::visit([this](const auto& body) { return write_body(body); }, event_.body);
    if (!ok) return false;
    w_.end_object();
    return true;
  }

  std::string& error() { return error_; }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool check_domain() {
    const bool match = (event_.domain == core::Domain::fault && std::holds_alternative<core::FaultBody>(event_.body)) ||
                       (event_.domain == core::Domain::heartbeat &&
                        std::holds_alternative<core::HeartbeatBody>(event_.body)) ||
                       (event_.domain == core::Domain::measurement &&
                        std::holds_alternative<core::MeasurementBody>(event_.body)) ||
                       (event_.domain == core::Domain::state_change &&  // sources/openstack
                        std::holds_alternative<core::StateChangeBody>(event_.body));
    if (match) return true;
    return fail("commonEventHeader.domain is " + std::string(core::to_string(event_.domain)) + " but the body is a " +
                std::string(body_name(event_.body)) + " body");
  }

  bool require(std::string_view block, std::string_view field, const std::string& value) {
    if (!value.empty()) return true;
    return fail(std::string(block) + "." + std::string(field) + " is empty but required");
  }

  // ---- commonEventHeader -----------------------------------------------------------------------------------
  bool write_header() {
    constexpr std::string_view kHeader = "commonEventHeader";
    if (!require(kHeader, "eventId", event_.event_id) || !require(kHeader, "eventName", event_.event_name) ||
        !require(kHeader, "sourceName", event_.source_name) ||
        !require(kHeader, "reportingEntityName", event_.reporting_entity_name)) {
      return false;
    }
    w_.key(kHeader);
    w_.begin_object();
    if (stnd_fault_) {
      w_.member("domain", "stndDefined");
      w_.member("stndDefinedNamespace", detail::kFaultSupervisionNamespace);
    } else {
      w_.member("domain", wire_domain(event_.domain, ctx_.version));
    }
    w_.member("eventId", event_.event_id);
    w_.member("eventName", event_.event_name);
    w_.optional_member("eventType", event_.event_type);
    w_.member("sourceName", event_.source_name);
    w_.optional_member("sourceId", event_.source_id);
    w_.member("reportingEntityName", event_.reporting_entity_name);
    w_.optional_member("reportingEntityId", event_.reporting_entity_id);
    w_.member("priority", core::to_string(event_.priority));
    w_.member_int("sequence", event_.sequence);
    w_.member_int("startEpochMicrosec", event_.start_epoch_us);
    w_.member_int("lastEpochMicrosec", event_.last_epoch_us);
    w_.optional_member("nfNamingCode", event_.nf_naming_code);
    w_.optional_member("nfcNamingCode", event_.nfc_naming_code);
    if (v7_) {
      // Both fields are new in VES 7; v5 has no place for them.
      w_.optional_member("nfVendorName", event_.nf_vendor_name);
      w_.optional_member("timeZoneOffset", ctx_.time_zone_offset);
      w_.member("version", "4.1");
      w_.member("vesEventListenerVersion", "7.2.1");
    } else {
      w_.member_raw("version", "3.0");  // a number in 28.4.1
    }
    w_.end_object();
    return true;
  }

  // ---- name/value collections --------------------------------------------------------------------------------
  /// v7 hashMap {"k":"v"} or v5 [{"name":"k","value":"v"}]; omitted when empty.
  void write_name_values(std::string_view key, const core::NameValues& pairs) {
    if (pairs.empty()) return;
    w_.key(key);
    write_name_values_value(pairs);
  }

  void write_name_values_value(const core::NameValues& pairs) {
    if (v7_) {
      w_.begin_object();
      for_each_unique(pairs, [this](std::string_view name, std::string_view value) { w_.member(name, value); });
      w_.end_object();
    } else {
      w_.begin_array();
      for_each_unique(pairs, [this](std::string_view name, std::string_view value) {
        w_.begin_object();
        w_.member("name", name);
        w_.member("value", value);
        w_.end_object();
      });
      w_.end_array();
    }
  }

  // ---- faultFields ---------------------------------------------------------------------------------------------
  bool write_body(const core::FaultBody& f) {
    if (stnd_fault_) return detail::write_stnd_defined_fault(w_, event_, f, ctx_.stnd_schema_url, error_);
    constexpr std::string_view kBlock = "faultFields";
    if (!require(kBlock, "alarmCondition", f.alarm_condition) ||
        !require(kBlock, "specificProblem", f.specific_problem) ||
        !require(kBlock, "eventSourceType", f.event_source_type)) {
      return false;
    }
    bool status_ok = false;
    for (auto s : kVfStatuses) status_ok = status_ok || s == f.vf_status;
    if (!status_ok) {
      return fail("faultFields.vfStatus \"" + f.vf_status + "\" is not one of: " + join(kVfStatuses));
    }
    w_.key(kBlock);
    w_.begin_object();
    if (v7_) {
      w_.member("faultFieldsVersion", "4.0");
    } else {
      w_.member_raw("faultFieldsVersion", "2.0");
    }
    w_.member("alarmCondition", f.alarm_condition);
    w_.member("specificProblem", f.specific_problem);
    w_.member("eventSeverity", core::to_string(f.severity));
    w_.member("eventSourceType", f.event_source_type);
    w_.member("vfStatus", f.vf_status);
    w_.optional_member("alarmInterfaceA", f.alarm_interface_a);
    w_.optional_member("eventCategory", f.event_category);
    write_name_values("alarmAdditionalInformation", f.additional_information);
    w_.end_object();
    return true;
  }

  // ---- stateChangeFields (sources/openstack): see state_change_fields.cpp ----
  bool write_body(const core::StateChangeBody& s) { return detail::write_state_change_fields(w_, s, v7_, error_); }

  // ---- heartbeatFields -----------------------------------------------------------------------------------------
  bool write_body(const core::HeartbeatBody& h) {
    if (h.interval_seconds < 0) {
      return fail("heartbeatFields.heartbeatInterval is negative (" + std::to_string(h.interval_seconds) + ")");
    }
    w_.key("heartbeatFields");
    w_.begin_object();
    if (v7_) {
      w_.member("heartbeatFieldsVersion", "3.0");
    } else {
      w_.member_raw("heartbeatFieldsVersion", "1.0");
    }
    w_.member_int("heartbeatInterval", h.interval_seconds);
    write_name_values("additionalFields", h.additional_fields);
    w_.end_object();
    return true;
  }

  // ---- measurementFields / measurementsForVfScalingFields ------------------------------------------------------
  std::string_view measurement_block() const {
    return v7_ ? "measurementFields" : "measurementsForVfScalingFields";
  }

  std::string where(std::string_view what) const { return std::string(measurement_block()) + "." + std::string(what); }

  /// Writes `value` as the schema type of `field`. On failure returns false with `problem` describing it; the
  /// caller adds the field's path (built only then: this runs for every field of every measurement).
  bool write_value(const FieldInfo& field, const core::FieldValue& value, std::string& problem) {
    constexpr std::string_view kNotFinite = " is NaN or infinite, which JSON cannot carry";
    switch (field.type) {
      case FieldType::number:
        if (const auto* i = std::get_if<std::int64_t>(&value)) {
          w_.integer(*i);
          return true;
        }
        if (const auto* d = std::get_if<double>(&value)) {
          if (!std::isfinite(*d)) {
            problem = kNotFinite;
            return false;
          }
          w_.number(*d);
          return true;
        }
        problem = " must be a number, got the string \"" + std::get<std::string>(value) + "\"";
        return false;
      case FieldType::integer:
        if (const auto* i = std::get_if<std::int64_t>(&value)) {
          w_.integer(*i);
          return true;
        }
        if (const auto* d = std::get_if<double>(&value)) {
          // 2^63 is exactly representable, so the range test is exact.
          constexpr double kLimit = 9223372036854775808.0;
          if (!std::isfinite(*d) || std::trunc(*d) != *d || *d >= kLimit || *d < -kLimit) {
            problem = " must be an integer, got " + std::to_string(*d);
            return false;
          }
          w_.integer(static_cast<std::int64_t>(*d));
          return true;
        }
        problem = " must be an integer, got the string \"" + std::get<std::string>(value) + "\"";
        return false;
      case FieldType::string:
        if (const auto* s = std::get_if<std::string>(&value)) {
          w_.string(*s);
          return true;
        }
        if (const auto* i = std::get_if<std::int64_t>(&value)) {
          w_.string(std::to_string(*i));
          return true;
        }
        if (const auto* d = std::get_if<double>(&value); d != nullptr && std::isfinite(*d)) {
          std::string text;
          detail::append_json_double(text, *d);
          w_.string(text);
          return true;
        }
        problem = kNotFinite;
        return false;
      case FieldType::enumeration:
        if (const auto* s = std::get_if<std::string>(&value)) {
          for (auto allowed : field.allowed) {
            if (allowed == *s) {
              w_.string(*s);
              return true;
            }
          }
        }
        problem = " must be one of: " + join(field.allowed);
        return false;
    }
    problem = " has an unsupported type";
    return false;
  }

  bool write_body(const core::MeasurementBody& m) {
    if (m.interval_seconds < 0) {
      return fail(where("measurementInterval") + " is negative (" + std::to_string(m.interval_seconds) + ")");
    }
    w_.key(measurement_block());
    w_.begin_object();
    if (v7_) {
      w_.member("measurementFieldsVersion", "4.0");
    } else {
      w_.member_raw("measurementsForVfScalingVersion", "2.0");
    }
    w_.member_int("measurementInterval", m.interval_seconds);
    if (!write_scalars(m.scalars) || !write_records(m.records) ||
        !write_additional_measurements(m.additional_measurements) || !write_additional_objects(m.additional_objects)) {
      return false;
    }
    write_name_values("additionalFields", m.additional_fields);
    w_.end_object();
    return true;
  }

  bool write_scalars(const core::Fields& scalars) {
    for (std::size_t i = 0; i < scalars.size(); ++i) {
      const auto& [name, value] = scalars[i];
      const FieldInfo* field = find_measurement_scalar(ctx_.version, name);
      if (field == nullptr) {
        return fail(where(name) + " is not a measurement field of " + std::string(to_string(ctx_.version)));
      }
      for (std::size_t k = 0; k < i; ++k) {
        if (scalars[k].first == name) return fail(where(name) + " is given twice");
      }
      w_.key(field->wire());
      std::string problem;
      if (!write_value(*field, value, problem)) return fail(where(name) + problem);
    }
    return true;
  }

  bool unknown_array(std::string_view array) {
    if (find_measurement_array(v7_ ? Version::v5 : Version::v7, array) != nullptr) {
      return fail(where(array) + ": the array is not in " + std::string(to_string(ctx_.version)) + " (only in " +
                  std::string(other_version_name(ctx_.version)) + ")");
    }
    return fail(where(array) + ": unknown measurement array");
  }

  bool write_records(const std::vector<core::MeasurementRecord>& records) {
    if (records.empty()) return true;
    // Group records by array in order of first appearance: the schema wants one JSON array per kind.
    std::vector<const ArrayInfo*> info(records.size());
    std::vector<const ArrayInfo*> order;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (i > 0 && records[i].array == records[i - 1].array) {
        info[i] = info[i - 1];  // the usual case: a source emits one array's records together
        continue;
      }
      info[i] = find_measurement_array(ctx_.version, records[i].array);
      if (info[i] == nullptr) return unknown_array(records[i].array);
      bool seen = false;
      for (const ArrayInfo* a : order) seen = seen || a == info[i];
      if (!seen) order.push_back(info[i]);
    }
    for (const ArrayInfo* array : order) {
      w_.key(array->wire_name);
      w_.begin_array();
      std::size_t index = 0;
      for (std::size_t i = 0; i < records.size(); ++i) {
        if (info[i] != array) continue;
        if (!write_record(*array, records[i], index++)) return false;
      }
      w_.end_array();
    }
    return true;
  }

  bool write_record(const ArrayInfo& array, const core::MeasurementRecord& record, std::size_t index) {
    auto path = [&](std::string_view field) {
      return where(array.wire_name) + "[" + std::to_string(index) + "]" + (field.empty() ? "" : ".") +
             std::string(field);
    };
    std::bitset<kMaxRecordFields> seen;
    w_.begin_object();
    for (const auto& [name, value] : record.fields) {
      std::size_t slot = 0;
      while (slot < array.fields.size() && array.fields[slot].name != name) ++slot;
      if (slot == array.fields.size()) {
        if (is_known_measurement_field(v7_ ? Version::v5 : Version::v7, array.name, name)) {
          return fail(path(name) + " is not in " + std::string(to_string(ctx_.version)) + " (only in " +
                      std::string(other_version_name(ctx_.version)) + ")");
        }
        return fail(path(name) + " is not a field of " + std::string(array.name) + " in " +
                    std::string(to_string(ctx_.version)));
      }
      const FieldInfo& field = array.fields[slot];
      if (slot < seen.size()) {
        if (seen[slot]) return fail(path(name) + " is given twice");
        seen[slot] = true;
      }
      w_.key(field.wire());
      std::string problem;
      if (!write_value(field, value, problem)) return fail(path(name) + problem);
    }
    for (std::size_t slot = 0; slot < array.fields.size() && slot < seen.size(); ++slot) {
      const FieldInfo& field = array.fields[slot];
      if (!field.required || seen[slot]) continue;
      if (field.default_value.empty()) {
        return fail(path({}) + ": missing required field " + std::string(field.name) + " (" +
                    std::string(array.name) + " requires " +
                    join(required_measurement_fields(ctx_.version, array.name)) + ")");
      }
      w_.member(field.wire(), field.default_value);
    }
    w_.end_object();
    return true;
  }

  bool write_additional_measurements(const std::vector<core::NamedHashMap>& maps) {
    if (maps.empty()) return true;
    w_.key("additionalMeasurements");
    w_.begin_array();
    for (const auto& map : maps) {
      w_.begin_object();
      w_.member("name", map.name);
      w_.key(v7_ ? "hashMap" : "arrayOfFields");  // arrayOfNamedHashMap (v7) / namedArrayOfFields (v5)
      write_name_values_value(map.values);
      w_.end_object();
    }
    w_.end_array();
    return true;
  }

  bool write_additional_objects(const std::vector<core::JsonObject>& objects) {
    if (objects.empty()) return true;
    w_.key("additionalObjects");
    w_.begin_array();
    for (const auto& object : objects) {
      w_.begin_object();
      w_.member("objectName", object.object_name);
      w_.key("objectInstances");
      w_.begin_array();
      for (const auto& instance : object.instances) {
        w_.begin_object();
        // Always present: 28.4.1 requires it, and an empty instance still tells which keys were measured.
        w_.key("objectInstance");
        w_.begin_object();
        for_each_unique(instance.object_instance, [this](std::string_view name, std::string_view value) {
          // objectInstance is free-form JSON: a measured value that reads as a number is sent as one.
          w_.key(name);
          if (detail::is_json_number(value)) {
            w_.raw(value);
          } else {
            w_.string(value);
          }
        });
        w_.end_object();
        if (instance.epoch_microsec) w_.member_int("objectInstanceEpochMicrosec", *instance.epoch_microsec);
        if (!instance.object_keys.empty()) {
          w_.key("objectKeys");
          w_.begin_array();
          for (const auto& key : instance.object_keys) {
            w_.begin_object();
            w_.member("keyName", key.key_name);
            w_.member("keyValue", key.key_value);
            w_.end_object();
          }
          w_.end_array();
        }
        w_.end_object();
      }
      w_.end_array();
      w_.end_object();
    }
    w_.end_array();
    return true;
  }

  const core::Event& event_;
  const EncodeContext& ctx_;
  bool v7_;
  bool stnd_fault_;  ///< a fault sent as a 3GPP notification in a stndDefined event
  JsonWriter w_;
  std::string error_;
};

}  // namespace

Result<std::string> encode_event(const core::Event& event, const EncodeContext& ctx, std::string* why) {
  std::string out;
  out.reserve(1024);
  Encoder encoder(event, ctx, out);
  if (!encoder.run()) {
    if (why != nullptr) *why = std::move(encoder.error());
    return make_error_code(errc::invalid_event);
  }
  return out;
}

std::string wrap_single(std::string_view encoded_event) {
  std::string body;
  body.reserve(encoded_event.size() + 10);
  body.append("{\"event\":").append(encoded_event).append("}");
  return body;
}

std::string wrap_batch(std::span<const std::string> encoded_events) {
  return wrap_batch(encoded_events.size(), [&](std::size_t i) -> std::string_view { return encoded_events[i]; });
}

std::string wrap_batch(std::size_t count, const std::function<std::string_view(std::size_t)>& event_at) {
  std::size_t size = 16;
  for (std::size_t i = 0; i < count; ++i) size += event_at(i).size() + 1;
  std::string body;
  body.reserve(size);
  body.append("{\"eventList\":[");
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) body += ',';
    body.append(event_at(i));
  }
  body.append("]}");
  return body;
}

std::string_view wire_domain(core::Domain domain, Version version) noexcept {
  if (domain == core::Domain::measurement && version == Version::v5) return "measurementsForVfScaling";
  return core::to_string(domain);
}

}  // namespace vesagent::ves
