#include "lists.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <functional>
#include <map>
#include <vector>

#include "values.hpp"

namespace vesagent::config::detail {

Where line_of(const YAML::Node& node, const Where& fallback, const Report& report) {
  int line = node.Mark().line;
  return line >= 0 ? report.at_line(line) : fallback;
}

bool walk_object(const YAML::Node& node, const std::string& path, const Where& where,
                 const std::vector<std::string>& fields, Report& report, const FieldFn& on_field) {
  if (!node.IsMap()) {
    report.error(where, path, "expected a map, got " + describe(node));
    return false;
  }
  std::map<std::string, int> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: yaml-cpp's iterator hands out a proxy, so references into it->first would dangle.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    Where w = line_of(key, where, report);
    if (!key.IsScalar()) {
      report.error(w, path, "keys must be plain names, got " + describe(key));
      continue;
    }
    const std::string name = key.Scalar();
    std::string canonical;
    for (const auto& f : fields) {
      if (f == name) canonical = f;
    }
    if (canonical.empty()) {
      for (const auto& f : fields) {
        if (iequals(f, name)) canonical = f;
      }
      if (!canonical.empty()) {
        report.warning(w, path + "." + canonical, "key written as " + quote(name) + "; the documented spelling is " +
                                                      quote(canonical));
      }
    }
    if (canonical.empty()) {
      report.error(w, path + "." + name, "unknown key" + did_you_mean(name, fields));
      continue;
    }
    auto [prev, inserted] = seen.emplace(canonical, w.line);
    if (!inserted) {
      report.error(w, path + "." + canonical,
                   "duplicate key; first given on line " + std::to_string(prev->second));
      continue;
    }
    on_field(canonical, value, path + "." + canonical, w);
  }
  return true;
}

void scalar_string(const YAML::Node& value, const std::string& path, const Where& where, Report& report,
                   std::string& out) {
  if (value.IsNull()) return;
  if (!value.IsScalar()) {
    report.error(where, path, "expected a string, got " + describe(value));
    return;
  }
  out = value.Scalar();
}

namespace {

constexpr const char* kRulesPath = "measurement.prometheus.rules";

std::vector<RuleLabel> parse_labels(const YAML::Node& value, const std::string& path, const Where& where,
                                    Report& report) {
  std::vector<RuleLabel> labels;
  if (value.IsNull()) return labels;
  if (!value.IsSequence()) {
    report.error(where, path, "expected a list of {name, expr}, got " + describe(value));
    return labels;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    std::string ipath = path + "[" + std::to_string(i) + "]";
    Where iw = line_of(item, where, report);
    RuleLabel label;
    bool ok = walk_object(item, ipath, iw, {"name", "expr"}, report,
                          [&](const std::string& field, const YAML::Node& v, const std::string& fpath, const Where& w) {
                            scalar_string(v, fpath, w, report, field == "name" ? label.name : label.expr);
                          });
    if (!ok) continue;
    if (label.name.empty()) report.error(iw, ipath + ".name", "required");
    labels.push_back(std::move(label));
  }
  return labels;
}

MeasurementRule parse_rule(const YAML::Node& node, const std::string& path, const Where& where, Report& report,
                           bool is_defaults) {
  MeasurementRule rule;
  rule.line = where.line;
  static const std::vector<std::string> kFields = {"target",      "expr",           "vmId",       "labels",
                                                   "object_name", "object_instance", "object_keys"};
  walk_object(node, path, where, kFields, report,
              [&](const std::string& field, const YAML::Node& v, const std::string& fpath, const Where& w) {
                if (field == "labels") {
                  rule.labels = parse_labels(v, fpath, w, report);
                } else if (field == "object_keys") {
                  rule.object_keys = parse_labels(v, fpath, w, report);
                } else if (field == "expr" && is_defaults) {
                  // VESPA merges every field but expr from the defaults; a default expr would be silently unused.
                  report.error(w, fpath, "expr cannot have a default; give it in each metric");
                } else {
                  std::string* target = field == "target"        ? &rule.target
                                        : field == "expr"        ? &rule.expr
                                        : field == "vmId"        ? &rule.vm_id
                                        : field == "object_name" ? &rule.object_name
                                                                 : &rule.object_instance;
                  scalar_string(v, fpath, w, report, *target);
                }
              });
  return rule;
}

void emit_labels(YAML::Emitter& out, const char* name, const std::vector<RuleLabel>& labels) {
  if (labels.empty()) return;
  out << YAML::Key << name << YAML::Value << YAML::BeginSeq;
  for (const auto& l : labels) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << l.name;
    out << YAML::Key << "expr" << YAML::Value << YAML::DoubleQuoted << l.expr;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_rule(YAML::Emitter& out, const MeasurementRule& rule) {
  out << YAML::BeginMap;
  auto field = [&](const char* name, const std::string& value) {
    if (!value.empty()) out << YAML::Key << name << YAML::Value << YAML::DoubleQuoted << value;
  };
  field("target", rule.target);
  field("expr", rule.expr);
  field("vmId", rule.vm_id);
  emit_labels(out, "labels", rule.labels);
  field("object_name", rule.object_name);
  field("object_instance", rule.object_instance);
  emit_labels(out, "object_keys", rule.object_keys);
  out << YAML::EndMap;
}

}  // namespace

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a single value";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

void parse_nfc_naming_codes(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                            Report& report) {
  if (!value.IsSequence()) {
    report.error(where, path, "expected a list of {type, vnfcs}, got " + describe(value));
    return;
  }
  std::vector<NfcNamingCode> codes;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    std::string ipath = path + "[" + std::to_string(i) + "]";
    Where iw = line_of(item, where, report);
    NfcNamingCode code;
    bool ok = walk_object(
        item, ipath, iw, {"type", "vnfcs"}, report,
        [&](const std::string& field, const YAML::Node& v, const std::string& fpath, const Where& w) {
          if (field == "type") {
            scalar_string(v, fpath, w, report, code.type);
            return;
          }
          if (v.IsNull()) return;
          if (!v.IsSequence()) {
            report.error(w, fpath, "expected a list of VM names, got " + describe(v));
            return;
          }
          for (std::size_t j = 0; j < v.size(); ++j) {
            const YAML::Node vnfc = v[j];
            if (!vnfc.IsScalar()) {
              report.error(line_of(vnfc, w, report), fpath + "[" + std::to_string(j) + "]",
                           "expected a VM name, got " + describe(vnfc));
              continue;
            }
            code.vnfcs.push_back(vnfc.Scalar());
          }
        });
    if (!ok) continue;
    if (code.type.empty()) report.error(iw, ipath + ".type", "required");
    codes.push_back(std::move(code));
  }
  config.event.nfc_naming_codes = std::move(codes);
}

void emit_nfc_naming_codes(YAML::Emitter& out, const Config& config) {
  out << YAML::BeginSeq;
  for (const auto& code : config.event.nfc_naming_codes) {
    out << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << YAML::DoubleQuoted << code.type;
    out << YAML::Key << "vnfcs" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& v : code.vnfcs) out << YAML::DoubleQuoted << v;
    out << YAML::EndSeq;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void parse_rule_defaults(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                         Report& report) {
  config.measurement.prometheus.defaults = parse_rule(value, path, where, report, true);
}

void emit_rule_defaults(YAML::Emitter& out, const Config& config) {
  emit_rule(out, config.measurement.prometheus.defaults);
}

void parse_rule_metrics(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                        Report& report) {
  if (!value.IsSequence()) {
    report.error(where, path, "expected a list of rules, got " + describe(value));
    return;
  }
  std::vector<MeasurementRule> rules;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    std::string ipath = path + "[" + std::to_string(i) + "]";
    Where iw = line_of(item, where, report);
    if (item.IsMap() && item.size() == 0) report.error(iw, ipath, "empty rule");
    // Even a broken item keeps its slot, so later messages still name the right index.
    rules.push_back(parse_rule(item, ipath, iw, report, false));
  }
  config.measurement.prometheus.rules = std::move(rules);
}

void emit_rule_metrics(YAML::Emitter& out, const Config& config) {
  out << YAML::BeginSeq;
  for (const auto& rule : config.measurement.prometheus.rules) emit_rule(out, rule);
  out << YAML::EndSeq;
}

void parse_cluster(Config& /*config*/, const YAML::Node& value, const std::string& path, const Where& where,
                   Report& report) {
  if (value.IsMap()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      const YAML::Node key = it->first;
      if (key.IsScalar() && iequals(key.Scalar(), "endpoints")) {
        report.warning(line_of(key, where, report), path + ".endpoints",
                       "etcd-based high availability is not implemented yet; this section is ignored and the "
                       "agent runs standalone");
        return;
      }
    }
  }
  report.warning(where, path,
                 "VESPA's Raft clustering is not supported and this section is ignored; ves-agent's high "
                 "availability uses etcd instead (a cluster section with etcd endpoints), so this agent runs "
                 "standalone");
}

void parse_name_list(std::vector<std::string>& out, const YAML::Node& value, const std::string& path,
                     const Where& where, Report& report, bool allow_empty) {
  if (!value.IsSequence()) {
    report.error(where, path, "expected a list of names, got " + describe(value));
    return;
  }
  std::vector<std::string> names;
  bool ok = true;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    std::string ipath = path + "[" + std::to_string(i) + "]";
    if (!item.IsScalar() || item.Scalar().empty()) {
      report.error(line_of(item, where, report), ipath, "expected a name, got " + describe(item));
      ok = false;
      continue;
    }
    names.push_back(item.Scalar());
  }
  if (!ok) return;
  if (names.empty() && !allow_empty) {
    report.error(where, path, "must name at least one label");
    return;
  }
  out = std::move(names);
}

void emit_name_list(YAML::Emitter& out, const std::vector<std::string>& names) {
  out << YAML::Flow << YAML::BeginSeq;
  for (const auto& n : names) out << YAML::DoubleQuoted << n;
  out << YAML::EndSeq;
}

void parse_severity_map(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                        Report& report) {
  static const std::vector<std::string> kSeverities = {"CRITICAL", "MAJOR", "MINOR", "WARNING", "NORMAL"};
  if (!value.IsMap()) {
    report.error(where, path, "expected a map of {label value: severity}, got " + describe(value));
    return;
  }
  auto merged = config.alert_manager.faults.severity_map;
  std::map<std::string, int> seen;  // lower-case key -> line, to reject keys given twice
  for (auto it = value.begin(); it != value.end(); ++it) {
    // Copies: yaml-cpp's iterator hands out a proxy, so references into it->first would dangle.
    const YAML::Node key = it->first;
    const YAML::Node val = it->second;
    Where w = line_of(key, where, report);
    if (!key.IsScalar() || key.Scalar().empty()) {
      report.error(w, path, "keys must be label values, got " + describe(key));
      continue;
    }
    std::string name = key.Scalar();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string kpath = path + "." + key.Scalar();
    auto [prev, inserted] = seen.emplace(name, w.line);
    if (!inserted) {
      report.error(w, kpath, "duplicate key (keys are case-insensitive); first given on line " +
                                 std::to_string(prev->second));
      continue;
    }
    std::string severity;
    if (val.IsScalar()) {
      for (const auto& s : kSeverities) {
        if (iequals(s, val.Scalar())) severity = s;
      }
    }
    if (severity.empty()) {
      report.error(w, kpath,
                   "expected one of CRITICAL, MAJOR, MINOR, WARNING, NORMAL, got " +
                       (val.IsScalar() ? quote(val.Scalar()) : describe(val)));
      continue;
    }
    bool replaced = false;
    for (auto& [k, v] : merged) {
      if (k == name) {
        v = severity;
        replaced = true;
      }
    }
    if (!replaced) merged.emplace_back(std::move(name), std::move(severity));
  }
  config.alert_manager.faults.severity_map = std::move(merged);
}

void emit_severity_map(YAML::Emitter& out, const Config& config) {
  out << YAML::BeginMap;
  for (const auto& [k, v] : config.alert_manager.faults.severity_map) {
    out << YAML::Key << YAML::DoubleQuoted << k << YAML::Value << v;
  }
  out << YAML::EndMap;
}

void check_rules(const Config& config, Report& report, Origin origin) {
  const auto& prom = config.measurement.prometheus;
  for (std::size_t i = 0; i < prom.rules.size(); ++i) {
    const auto& rule = prom.rules[i];
    // An empty rule is a rule that did not parse (or `{}`), which was reported already.
    if (rule.target.empty() && rule.expr.empty() && rule.vm_id.empty() && rule.labels.empty() &&
        rule.object_name.empty() && rule.object_instance.empty() && rule.object_keys.empty()) {
      continue;
    }
    std::string path = std::string(kRulesPath) + ".metrics[" + std::to_string(i) + "]";
    Where w{rule.line > 0 ? Origin::file : origin, rule.line, {}};
    if (rule.expr.empty()) report.error(w, path + ".expr", "required: the Prometheus query of this rule");
    if (rule.target.empty() && prom.defaults.target.empty()) {
      report.error(w, path + ".target", "required, here or in " + std::string(kRulesPath) + ".defaults.target");
    }
  }
}

}  // namespace vesagent::config::detail
