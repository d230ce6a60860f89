#include "vesagent/sources/prometheus/measurement_builder.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace vesagent::sources::prometheus {
namespace {

constexpr char kSep = '\x1f';  // cannot appear in a rendered identifier we compare (it would only merge keys)

std::string number_text(const core::FieldValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    if (ec == std::errc{}) return std::string(buf, end);
  }
  return "0";  // unreachable: values are parsed numbers
}

/// Integer fields (numberInUse, concurrentSessions, ...) take a double only when it is whole.
bool to_integer(core::FieldValue& v) {
  if (std::holds_alternative<std::int64_t>(v)) return true;
  const double d = std::get<double>(v);
  constexpr double kLimit = 9223372036854775808.0;  // 2^63, exact
  if (std::trunc(d) != d || d >= kLimit || d < -kLimit) return false;
  v = static_cast<std::int64_t>(d);
  return true;
}

bool allowed(const ves::FieldInfo& f, std::string_view value) {
  if (f.type != ves::FieldType::enumeration) return true;
  return std::find(f.allowed.begin(), f.allowed.end(), value) != f.allowed.end();
}

std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::string_view to_string(SkipReason r) noexcept {
  switch (r) {
    case SkipReason::not_finite: return "not_finite";
    case SkipReason::missing_vm_id: return "missing_vm_id";
    case SkipReason::missing_label: return "missing_label";
    case SkipReason::bad_target: return "bad_target";
    case SkipReason::bad_value: return "bad_value";
    case SkipReason::duplicate: return "duplicate";
  }
  return "unknown";
}

std::optional<core::FieldValue> parse_sample_value(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t digits_from = text[0] == '-' ? 1 : 0;
  bool all_digits = text.size() > digits_from;
  for (std::size_t i = digits_from; i < text.size() && all_digits; ++i) all_digits = text[i] >= '0' && text[i] <= '9';
  if (all_digits) {
    std::int64_t i = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
    if (ec == std::errc{} && ptr == text.data() + text.size()) return core::FieldValue{i};
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(d)) return std::nullopt;
  return core::FieldValue{d};
}

HeaderSettings header_settings(const config::Config& config) {
  HeaderSettings h;
  std::string nf = config.event.nf_naming_code;
  if (nf.empty()) nf = config.event.vnf_name;
  if (nf.empty()) nf = "ves-agent";
  h.event_name = config.measurement.domain_abbreviation + "_" + nf + "_Measurements";
  h.reporting_entity_name = config.event.reporting_entity_name;
  h.reporting_entity_id = config.event.reporting_entity_id;
  h.nf_naming_code = config.event.nf_naming_code;
  h.default_vm_id = config.event.vnf_name;
  h.nfc_naming_codes = config.event.nfc_naming_codes;
  return h;
}

MeasurementBuilder::MeasurementBuilder(const RuleSet& rules, std::int64_t window_start_us, std::int64_t window_end_us,
                                       std::int64_t interval_seconds, std::string default_vm_id)
    : rules_(rules),
      window_start_us_(window_start_us),
      window_end_us_(window_end_us),
      interval_seconds_(interval_seconds),
      default_vm_id_(std::move(default_vm_id)) {
  std::size_t max_index = 0;
  for (const auto& r : rules_.rules) max_index = std::max(max_index, r.index + 1);
  dynamic_.resize(max_index);
}

MeasurementBuilder::Vm& MeasurementBuilder::vm(const std::string& vm_id) {
  auto it = vm_index_.find(vm_id);
  if (it != vm_index_.end()) return *vms_[it->second];
  auto v = std::make_unique<Vm>();
  v->vm_id = vm_id;
  v->body.interval_seconds = interval_seconds_;
  vm_index_.emplace(vm_id, vms_.size());
  vms_.push_back(std::move(v));
  return *vms_.back();
}

const ResolvedTarget* MeasurementBuilder::resolve(const CompiledRule& rule, const std::string& rendered,
                                                  std::string& detail) {
  if (rule.index >= dynamic_.size()) dynamic_.resize(rule.index + 1);
  auto& cache = dynamic_[rule.index];
  auto it = cache.find(rendered);
  if (it == cache.end()) {
    std::string why;
    auto target = resolve_target(rendered, rules_.version, why);
    std::optional<ResolvedTarget> resolved;
    if (target) {
      if (target->kind == Target::Kind::additional_object && (!rule.object_name || !rule.object_instance)) {
        why = "target AdditionalObjects needs object_name and object_instance";
      } else {
        resolved = ResolvedTarget{*target, key_labels_for(*target, rule.labels)};
      }
    }
    it = cache.emplace(rendered, std::pair{std::move(resolved), std::move(why)}).first;
  }
  if (!it->second.first) {
    detail = "target " + q(rendered) + ": " + it->second.second;
    return nullptr;
  }
  return &*it->second.first;
}

std::optional<SkipReason> MeasurementBuilder::add(const CompiledRule& rule, const Sample& sample, std::string& detail) {
  auto value = parse_sample_value(sample.value);
  if (!value) {
    detail = "value " + q(sample.value) + " is not a finite number";
    return SkipReason::not_finite;
  }
  TemplateData data{sample.labels, {}, interval_seconds_};
  std::string_view missing;
  // A template fails on a label the series lacks, or on what its functions refuse (a wrong type, an index out of
  // range): the detail names the field and the cause.
  auto failed = [&](const std::string& field, std::string_view missing_label) {
    return missing_label.empty() ? field + ": " + error_ : field + ": the series has no label " + q(missing_label);
  };
  vm_id_.clear();
  if (rule.vm_id) {
    if (!rule.vm_id->render(data, vm_id_, &missing, &error_)) {
      detail = failed("vmId", missing);
      return SkipReason::missing_vm_id;
    }
    if (vm_id_.empty()) {
      detail = "vmId " + q(rule.vm_id->source()) + " renders empty";
      return SkipReason::missing_vm_id;
    }
  } else {
    vm_id_ = default_vm_id_;
    if (vm_id_.empty()) {
      detail = "no vmId template and event.vnfName is empty";
      return SkipReason::missing_vm_id;
    }
  }
  data.vm_id = vm_id_;

  const ResolvedTarget* rt = nullptr;
  if (rule.static_target) {
    rt = &*rule.static_target;
  } else {
    target_.clear();
    if (!rule.target.render(data, target_, &missing, &error_)) {
      detail = failed("target", missing);
      return SkipReason::bad_target;
    }
    rt = resolve(rule, target_, detail);
    if (rt == nullptr) return SkipReason::bad_target;
  }
  const Target& t = rt->target;

  if (t.kind == Target::Kind::record || t.kind == Target::Kind::scalar) {
    if (t.field->type == ves::FieldType::integer && !to_integer(*value)) {
      detail = t.describe() + " is an integer field; got " + q(sample.value);
      return SkipReason::bad_value;
    }
  }

  switch (t.kind) {
    case Target::Kind::record: {
      // The element key: array and key-field slots as single bytes plus the values, so that it usually fits the
      // string's inline buffer (100,000 elements per window must not cost 100,000 heap keys).
      key_.assign(1, static_cast<char>(t.array - ves::measurement_arrays(rules_.version).data()));
      key_values_.resize(rt->keys.size());
      for (std::size_t i = 0; i < rt->keys.size(); ++i) {
        const KeyLabel& k = rt->keys[i];
        const CompiledLabel& label = rule.labels[k.label];
        key_values_[i].clear();
        if (!label.expr.render(data, key_values_[i], &missing, &error_)) {
          detail = failed("label " + q(label.name), missing);
          return SkipReason::missing_label;
        }
        if (!allowed(*k.field, key_values_[i])) {
          detail = "label " + q(label.name) + " gives " + q(key_values_[i]) + ", not an allowed value of " +
                   std::string(k.field->name);
          return SkipReason::bad_value;
        }
        key_ += static_cast<char>(k.field - t.array->fields.data());
        key_ += key_values_[i];
        key_ += kSep;
      }
      Vm& v = vm(vm_id_);
      auto [it, inserted] = v.records.try_emplace(key_, v.body.records.size());
      if (inserted) {
        core::MeasurementRecord record;
        record.array = std::string(t.array->name);
        record.fields.reserve(rt->keys.size() + 1);
        for (std::size_t i = 0; i < rt->keys.size(); ++i) {
          record.fields.emplace_back(std::string(rt->keys[i].field->name), core::FieldValue{key_values_[i]});
        }
        v.body.records.push_back(std::move(record));
      }
      auto& fields = v.body.records[it->second].fields;
      for (const auto& f : fields) {
        if (f.first == t.field->name) {
          detail = t.describe() + " of vmId " + q(vm_id_) + " is set twice; add a label that tells the series apart";
          return SkipReason::duplicate;
        }
      }
      fields.emplace_back(std::string(t.field->name), std::move(*value));
      return std::nullopt;
    }
    case Target::Kind::scalar: {
      Vm& v = vm(vm_id_);
      for (const auto& f : v.body.scalars) {
        if (f.first == t.field->name) {
          detail = t.describe() + " of vmId " + q(vm_id_) + " is set twice";
          return SkipReason::duplicate;
        }
      }
      v.body.scalars.emplace_back(std::string(t.field->name), std::move(*value));
      return std::nullopt;
    }
    case Target::Kind::additional_object: {
      text_.clear();
      if (!rule.object_name->render(data, text_, &missing, &error_)) {
        detail = failed("object_name", missing);
        return SkipReason::missing_label;
      }
      std::string instance_name;
      if (!rule.object_instance->render(data, instance_name, &missing, &error_)) {
        detail = failed("object_instance", missing);
        return SkipReason::missing_label;
      }
      key_values_.resize(rule.object_keys.size());
      key_ = text_;
      for (std::size_t i = 0; i < rule.object_keys.size(); ++i) {
        key_values_[i].clear();
        if (!rule.object_keys[i].expr.render(data, key_values_[i], &missing, &error_)) {
          detail = failed("object_keys " + q(rule.object_keys[i].name), missing);
          return SkipReason::missing_label;
        }
        key_ += kSep;
        key_ += rule.object_keys[i].name;
        key_ += '=';
        key_ += key_values_[i];
      }
      Vm& v = vm(vm_id_);
      auto [obj, new_obj] = v.objects.try_emplace(text_, v.body.additional_objects.size());
      if (new_obj) v.body.additional_objects.push_back(core::JsonObject{text_, {}});
      auto& object = v.body.additional_objects[obj->second];
      auto [inst, new_inst] = v.instances.try_emplace(key_, obj->second, object.instances.size());
      if (new_inst) {
        core::ObjectInstance instance;
        for (std::size_t i = 0; i < rule.object_keys.size(); ++i) {
          instance.object_keys.push_back(core::ObjectKey{rule.object_keys[i].name, key_values_[i]});
        }
        object.instances.push_back(std::move(instance));
      }
      auto& values = object.instances[inst->second.second].object_instance;
      for (const auto& nv : values) {
        if (nv.first == instance_name) {
          detail = "additionalObjects " + q(text_) + "." + instance_name + " of vmId " + q(vm_id_) +
                   " is set twice; add object_keys that tell the series apart";
          return SkipReason::duplicate;
        }
      }
      values.emplace_back(std::move(instance_name), number_text(*value));
      return std::nullopt;
    }
    case Target::Kind::additional_measurement: {
      Vm& v = vm(vm_id_);
      auto& maps = v.body.additional_measurements;
      auto it = std::find_if(maps.begin(), maps.end(), [&](const core::NamedHashMap& m) { return m.name == t.name; });
      if (it == maps.end()) {
        maps.push_back(core::NamedHashMap{t.name, {}});
        it = maps.end() - 1;
      }
      for (const auto& nv : it->values) {
        if (nv.first == t.key) {
          detail = t.describe() + " of vmId " + q(vm_id_) + " is set twice";
          return SkipReason::duplicate;
        }
      }
      it->values.emplace_back(t.key, number_text(*value));
      return std::nullopt;
    }
    case Target::Kind::additional_field: {
      Vm& v = vm(vm_id_);
      for (const auto& nv : v.body.additional_fields) {
        if (nv.first == t.key) {
          detail = t.describe() + " of vmId " + q(vm_id_) + " is set twice";
          return SkipReason::duplicate;
        }
      }
      v.body.additional_fields.emplace_back(t.key, number_text(*value));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::vector<core::Event> MeasurementBuilder::finish(const HeaderSettings& header, std::vector<DroppedElement>& dropped) {
  std::sort(vms_.begin(), vms_.end(), [](const auto& a, const auto& b) { return a->vm_id < b->vm_id; });
  std::vector<core::Event> events;
  events.reserve(vms_.size());
  for (auto& vp : vms_) {
    Vm& v = *vp;
    auto& records = v.body.records;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const ves::ArrayInfo* array = ves::find_measurement_array(rules_.version, records[i].array);
      std::string_view missing;
      if (array != nullptr) {
        for (const auto& f : array->fields) {
          if (!f.must_supply()) continue;
          bool present = false;
          for (const auto& field : records[i].fields) present = present || field.first == f.name;
          if (!present) {
            missing = f.name;
            break;
          }
        }
      }
      if (!missing.empty()) {
        auto it = std::find_if(dropped.begin(), dropped.end(), [&](const DroppedElement& d) {
          return d.array == records[i].array && d.missing_field == missing;
        });
        if (it == dropped.end()) {
          dropped.push_back(DroppedElement{records[i].array, std::string(missing), 0});
          it = dropped.end() - 1;
        }
        ++it->count;
        continue;
      }
      if (kept != i) records[kept] = std::move(records[i]);
      ++kept;
    }
    records.resize(kept);
    const auto& b = v.body;
    if (b.records.empty() && b.scalars.empty() && b.additional_objects.empty() && b.additional_measurements.empty() &&
        b.additional_fields.empty()) {
      continue;
    }
    core::Event e;
    e.domain = core::Domain::measurement;
    e.key = "measurement/" + v.vm_id + "/" + std::to_string(window_end_us_);
    e.event_name = header.event_name;
    e.source_name = v.vm_id;
    e.reporting_entity_name = header.reporting_entity_name;
    e.reporting_entity_id = header.reporting_entity_id;
    e.nf_naming_code = header.nf_naming_code;
    for (const auto& code : header.nfc_naming_codes) {
      if (std::find(code.vnfcs.begin(), code.vnfcs.end(), v.vm_id) != code.vnfcs.end()) {
        e.nfc_naming_code = code.type;
        break;
      }
    }
    e.priority = core::Priority::normal;
    e.sequence = 0;
    e.start_epoch_us = window_start_us_;
    e.last_epoch_us = window_end_us_;
    e.body = std::move(v.body);
    events.push_back(std::move(e));
  }
  vms_.clear();
  vm_index_.clear();
  return events;
}

}  // namespace vesagent::sources::prometheus
