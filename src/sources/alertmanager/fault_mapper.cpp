#include "vesagent/sources/alertmanager/fault_mapper.hpp"

#include <spdlog/logger.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>

#include "vesagent/telemetry/logging.hpp"

namespace vesagent::sources::alertmanager {

namespace {

constexpr std::string_view kUnknown = "unknown";
// VESPA's annotation names: fixed, not configurable, as in VESPA.
constexpr std::string_view kClearAlertName = "clearAlertName";
constexpr std::string_view kClearDescription = "clearDescription";
constexpr std::string_view kService = "service";
constexpr std::string_view kAaiMapping = "aaiMapping";

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Go's strings.Split: every separator splits, empty fields are kept ("" gives one empty field).
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

/// VESPA's buildAdditionalInfos: `service` "<name>_<v1>=<v2>..." with aaiMapping "<n1>_<n2>..." gives n1=v1,
/// n2=v2. Only the first '_' and the first '=' of service separate values; every '*' does too.
core::NameValues vespa_aai_pairs(std::string_view service, std::string_view aai_mapping) {
  std::string s(service);
  if (auto p = s.find('_'); p != std::string::npos) s[p] = '*';
  if (auto p = s.find('='); p != std::string::npos) s[p] = '*';
  const auto values = split(s, '*');
  const auto names = split(aai_mapping, '_');
  core::NameValues out;
  if (values.size() != names.size() + 1) {
    telemetry::logger("alertmanager")
        ->debug("msg=\"Annotations service and aaiMapping do not match; no additional information from them.\" "
                "service={} aaiMapping={}",
                telemetry::logfmt_value(service), telemetry::logfmt_value(aai_mapping));
    return out;
  }
  for (std::size_t i = 1; i < values.size(); ++i) out.emplace_back(std::string(names[i - 1]), std::string(values[i]));
  return out;
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

std::string label_fingerprint(const core::NameValues& labels) {
  constexpr std::uint64_t kOffset = 14695981039346656037ULL;
  constexpr std::uint64_t kPrime = 1099511628211ULL;
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(labels.size());
  for (const auto& l : labels) sorted.push_back(&l);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  std::uint64_t h = kOffset;
  auto add = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= kPrime;
    }
    h ^= 0xffU;  // model.SeparatorByte
    h *= kPrime;
  };
  for (const auto* l : sorted) {
    add(l->first);
    add(l->second);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

FaultMapper::FaultMapper(const config::Config& config)
    : faults_(config.alert_manager.faults),
      nf_naming_code_(config.event.nf_naming_code),
      reporting_entity_name_(config.event.reporting_entity_name),
      reporting_entity_id_(config.event.reporting_entity_id) {
  // The loader validated every name; an unknown one here (a hand-built Config) falls back like a missing label.
  for (const auto& [from, to] : faults_.severity_map) {
    if (auto s = core::parse_severity(to)) severity_map_.emplace_back(to_lower(from), *s);
  }
  if (auto s = core::parse_severity(faults_.default_severity)) default_severity_ = *s;
  for (const auto& code : config.event.nfc_naming_codes) {
    for (const auto& vnfc : code.vnfcs) nfc_naming_codes_.emplace(vnfc, code.type);  // first one wins
  }
  // config::load() fills it with the host name; a Config built in code may not have.
  if (reporting_entity_name_.empty()) reporting_entity_name_ = host_name();
}

std::string FaultMapper::key(const Alert& alert) const {
  return "am/" + (alert.fingerprint.empty() ? label_fingerprint(alert.labels) : alert.fingerprint);
}

core::Severity FaultMapper::severity(const Alert& alert) const {
  const std::string* label = alert.label(faults_.severity_label);
  if (label != nullptr) {
    const std::string lower = to_lower(*label);
    for (const auto& [from, to] : severity_map_) {
      if (from == lower) return to;
    }
  }
  telemetry::logger("alertmanager")
      ->debug("msg=\"Alert severity missing or unknown; using the default.\" fingerprint={} label={} value={} "
              "default={}",
              telemetry::logfmt_value(alert.fingerprint), telemetry::logfmt_value(faults_.severity_label),
              label != nullptr ? telemetry::logfmt_value(*label) : std::string("<missing>"),
              core::to_string(default_severity_));
  return default_severity_;
}

core::Event FaultMapper::fault_event(const Alert& alert, const core::FaultIdentity& record,
                                     std::int64_t now_us) const {
  core::Event e = make_event(alert, record, false);
  e.priority = core::priority_for(record.severity);
  e.last_epoch_us = std::max(now_us, e.start_epoch_us);
  return e;
}

core::Event FaultMapper::clear_event(const Alert& alert, const core::FaultIdentity& record, std::int64_t end_us) const {
  core::Event e = make_event(alert, record, true);
  e.priority = core::Priority::normal;
  e.last_epoch_us = std::max(end_us, e.start_epoch_us);
  return e;
}

core::Event FaultMapper::make_event(const Alert& alert, const core::FaultIdentity& record, bool clear) const {
  core::Event e;
  e.domain = core::Domain::fault;
  e.key = record.key;
  e.event_id = record.event_id;
  e.sequence = record.sequence;
  e.start_epoch_us = record.start_epoch_us;

  core::FaultBody f;
  const std::string* name = alert.label(faults_.alert_name_label);
  f.alarm_condition = name != nullptr && !name->empty() ? *name : std::string(kUnknown);
  for (const auto& annotation : faults_.specific_problem_annotations) {
    const std::string* text = alert.annotation(annotation);
    if (text != nullptr && !text->empty()) {
      f.specific_problem = *text;
      break;
    }
  }
  if (f.specific_problem.empty()) f.specific_problem = f.alarm_condition;
  if (clear) {
    if (const std::string* v = alert.annotation(kClearAlertName); v != nullptr && !v->empty()) f.alarm_condition = *v;
    if (const std::string* v = alert.annotation(kClearDescription); v != nullptr && !v->empty()) {
      f.specific_problem = *v;
    }
  }
  f.severity = clear ? core::Severity::normal : record.severity;
  f.event_source_type = faults_.event_source_type;
  f.vf_status = faults_.vf_status;
  f.additional_information = additional_information(alert);

  // VESPA: Fault_<nfNamingCode>_<alarmCondition>. Without an nfNamingCode the empty part is left out rather
  // than giving "Fault__<name>".
  e.event_name.reserve(7 + nf_naming_code_.size() + f.alarm_condition.size());
  e.event_name = "Fault_";
  if (!nf_naming_code_.empty()) e.event_name.append(nf_naming_code_).append("_");
  e.event_name.append(f.alarm_condition);

  for (const auto& label : faults_.source_name_labels) {
    const std::string* v = alert.label(label);
    if (v != nullptr && !v->empty()) {
      e.source_name = *v;
      break;
    }
  }
  if (e.source_name.empty()) e.source_name = kUnknown;
  if (!faults_.source_id_label.empty()) {
    if (const std::string* v = alert.label(faults_.source_id_label)) e.source_id = *v;
  }
  e.reporting_entity_name = reporting_entity_name_;
  e.reporting_entity_id = reporting_entity_id_;
  e.nf_naming_code = nf_naming_code_;
  if (auto it = nfc_naming_codes_.find(e.source_name); it != nfc_naming_codes_.end()) e.nfc_naming_code = it->second;
  e.body = std::move(f);
  return e;
}

core::NameValues FaultMapper::additional_information(const Alert& alert) const {
  // Precedence on a name clash: VESPA's service/aaiMapping pairs, then annotations, then labels, then
  // generatorURL. A clash keeps the first position (the v7 hashMap cannot hold a name twice).
  core::NameValues info;
  info.reserve(alert.labels.size() + alert.annotations.size() + 3);
  const std::string* aai = alert.annotation(kAaiMapping);
  if (aai != nullptr) {
    const std::string* service = alert.annotation(kService);
    info = vespa_aai_pairs(service != nullptr ? std::string_view(*service) : std::string_view{}, *aai);
  }
  const std::size_t aai_count = info.size();
  auto position = [&info](std::string_view n) -> std::size_t {
    for (std::size_t i = 0; i < info.size(); ++i) {
      if (info[i].first == n) return i;
    }
    return info.size();
  };
  for (const auto& [n, v] : alert.labels) {
    if (position(n) == info.size()) info.emplace_back(n, v);
  }
  for (const auto& [n, v] : alert.annotations) {
    const std::size_t i = position(n);
    if (i == info.size()) {
      info.emplace_back(n, v);
    } else if (i >= aai_count) {
      info[i].second = v;  // an annotation wins over a label
    }
  }
  if (!alert.generator_url.empty() && position("generatorURL") == info.size()) {
    info.emplace_back("generatorURL", alert.generator_url);
  }
  return info;
}

}  // namespace vesagent::sources::alertmanager
