#include "vesagent/sources/prometheus/target.hpp"

namespace vesagent::sources::prometheus {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_number_type(ves::FieldType t) { return t == ves::FieldType::number || t == ves::FieldType::integer; }

ves::Version other(ves::Version v) { return v == ves::Version::v5 ? ves::Version::v7 : ves::Version::v5; }

std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::string Target::describe() const {
  switch (kind) {
    case Kind::record: return std::string(array->name) + "." + std::string(field->name);
    case Kind::scalar: return std::string(field->name);
    case Kind::additional_object: return "additionalObjects";
    case Kind::additional_measurement: return "additionalMeasurements." + name + "." + key;
    case Kind::additional_field: return "additionalFields." + key;
  }
  return {};
}

const ves::FieldInfo* label_field(const ves::ArrayInfo& array, std::string_view label_name) {
  auto canonical = ves::canonical_measurement_field(array.name, label_name);
  if (!canonical) return nullptr;
  for (const auto& f : array.fields) {
    if (f.name == *canonical) {
      return f.type == ves::FieldType::string || f.type == ves::FieldType::enumeration ? &f : nullptr;
    }
  }
  return nullptr;
}

std::optional<Target> resolve_target(std::string_view spelled_in, ves::Version version, std::string& error) {
  const std::string_view spelled = trim(spelled_in);
  const std::string unknown = "unknown target " + q(spelled) + ": ";
  const std::string in_version = " in " + std::string(ves::to_string(version));
  if (spelled.empty()) {
    error = "the target is empty";
    return std::nullopt;
  }
  Target t;
  if (iequals(spelled, "AdditionalObjects")) {
    t.kind = Target::Kind::additional_object;
    return t;
  }
  const std::size_t dot = spelled.find('.');
  if (dot == std::string_view::npos) {
    if (auto name = ves::canonical_measurement_scalar(spelled)) {
      if (const auto* f = ves::find_measurement_scalar(version, *name)) {
        t.kind = Target::Kind::scalar;
        t.field = f;
        return t;
      }
      error = unknown + std::string(*name) + " is not a measurement field" + in_version;
      return std::nullopt;
    }
    if (ves::canonical_measurement_array(spelled)) {
      error = unknown + "it names an array; name one of its fields, e.g. " + std::string(spelled) + ".<field>";
      return std::nullopt;
    }
    error = unknown + "expected <array>.<field> (e.g. CPUUsageArray.PercentUsage), a measurement field such as "
                      "requestRate, additionalMeasurements.<name>.<key>, additionalFields.<key> or AdditionalObjects";
    return std::nullopt;
  }
  const std::string_view head = spelled.substr(0, dot);
  const std::string_view rest = spelled.substr(dot + 1);
  if (iequals(head, "additionalMeasurements")) {
    const std::size_t dot2 = rest.find('.');
    if (dot2 == std::string_view::npos || dot2 == 0 || dot2 + 1 >= rest.size()) {
      error = unknown + "expected additionalMeasurements.<name>.<key>";
      return std::nullopt;
    }
    t.kind = Target::Kind::additional_measurement;
    t.name = std::string(rest.substr(0, dot2));
    t.key = std::string(rest.substr(dot2 + 1));
    return t;
  }
  if (iequals(head, "additionalFields")) {
    if (rest.empty()) {
      error = unknown + "expected additionalFields.<key>";
      return std::nullopt;
    }
    t.kind = Target::Kind::additional_field;
    t.key = std::string(rest);
    return t;
  }
  auto array_name = ves::canonical_measurement_array(head);
  if (!array_name) {
    error = unknown + q(head) + " is not a measurement array";
    return std::nullopt;
  }
  const ves::ArrayInfo* array = ves::find_measurement_array(version, *array_name);
  if (array == nullptr) {
    error = unknown + std::string(*array_name) + " is not" + in_version;
    if (ves::find_measurement_array(other(version), *array_name) != nullptr) {
      error += " (only in " + std::string(ves::to_string(other(version))) + ")";
    }
    return std::nullopt;
  }
  auto field_name = ves::canonical_measurement_field(*array_name, rest);
  const ves::FieldInfo* field =
      field_name ? ves::find_measurement_field(version, *array_name, *field_name) : nullptr;
  if (field == nullptr) {
    error = unknown + std::string(*array_name) + " has no field " + q(rest) + in_version;
    if (field_name && ves::find_measurement_field(other(version), *array_name, *field_name) != nullptr) {
      error += " (only in " + std::string(ves::to_string(other(version))) + ")";
    }
    return std::nullopt;
  }
  if (!is_number_type(field->type)) {
    error = unknown + std::string(array->name) + "." + std::string(field->name) +
            " is an identifier or state, not a number; set it with a rule label named " + std::string(field->name);
    return std::nullopt;
  }
  t.kind = Target::Kind::record;
  t.array = array;
  t.field = field;
  return t;
}

}  // namespace vesagent::sources::prometheus
