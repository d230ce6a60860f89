#include "vesagent/sources/prometheus/rule_set.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "vesagent/config/loader.hpp"

namespace vesagent::sources::prometheus {
namespace {

constexpr const char* kRules = "measurement.prometheus.rules";

struct Compiler {
  ves::Version version;
  std::vector<RuleProblem>& errors;
  std::vector<RuleProblem>& warnings;

  std::optional<Template> compile(const std::string& text, unsigned vars, const std::string& path, int line,
                                  MissingLabels missing = MissingLabels::error) {
    std::string why;
    auto t = Template::parse(text, vars, why, missing);
    if (!t) errors.push_back({path, line, why});
    return t;
  }

  /// Labels of the rule first, then those of the defaults whose name the rule does not use.
  std::vector<CompiledLabel> labels(const std::vector<config::RuleLabel>& own, const std::string& own_path, int line,
                                    const std::vector<config::RuleLabel>& defaults, bool& ok) {
    std::vector<CompiledLabel> out;
    std::set<std::string> names;
    for (std::size_t i = 0; i < own.size(); ++i) {
      auto t = compile(own[i].expr, kVarAll, own_path + "[" + std::to_string(i) + "].expr", line,
                       MissingLabels::no_value);
      if (!t) {
        ok = false;
        continue;
      }
      if (!names.insert(own[i].name).second) {
        errors.push_back({own_path + "[" + std::to_string(i) + "].name", line,
                          "label \"" + own[i].name + "\" is given twice"});
        ok = false;
      }
      out.push_back(CompiledLabel{own[i].name, std::move(*t), false});
    }
    for (std::size_t i = 0; i < defaults.size(); ++i) {
      if (names.count(defaults[i].name) > 0) continue;
      // Defaults were compiled (and reported) once already; a broken one just leaves this rule out.
      std::string ignored;
      auto t = Template::parse(defaults[i].expr, kVarAll, ignored, MissingLabels::no_value);
      if (!t) {
        ok = false;
        continue;
      }
      names.insert(defaults[i].name);
      out.push_back(CompiledLabel{defaults[i].name, std::move(*t), true});
    }
    return out;
  }
};

std::string rule_path(std::size_t i) { return std::string(kRules) + ".metrics[" + std::to_string(i) + "]"; }

ves::Version version_of(const config::Config& c) { return c.ves.version == 5 ? ves::Version::v5 : ves::Version::v7; }

}  // namespace

std::vector<KeyLabel> key_labels_for(const Target& target, const std::vector<CompiledLabel>& labels) {
  std::vector<KeyLabel> keys;
  if (target.kind != Target::Kind::record) return keys;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const ves::FieldInfo* field = label_field(*target.array, labels[i].name);
    if (field == nullptr) continue;
    bool seen = false;
    for (const auto& k : keys) seen = seen || k.field == field;
    if (!seen) keys.push_back(KeyLabel{field, i});  // two spellings of one field: the first (the rule's) wins
  }
  // Schema order, whatever the order of the labels: rules listing the same keys differently fill one element.
  std::sort(keys.begin(), keys.end(), [](const KeyLabel& a, const KeyLabel& b) { return a.field < b.field; });
  return keys;
}

std::optional<RuleSet> compile_rules(const config::Config& config, std::vector<RuleProblem>& errors,
                                     std::vector<RuleProblem>& warnings) {
  const auto& prom = config.measurement.prometheus;
  const std::size_t errors_before = errors.size();
  Compiler c{version_of(config), errors, warnings};
  RuleSet set;
  set.version = c.version;

  // The defaults' own templates, reported once at their own path.
  const auto& d = prom.defaults;
  const std::string dpath = std::string(kRules) + ".defaults";
  if (!d.target.empty()) c.compile(d.target, kVarAll, dpath + ".target", d.line);
  if (!d.vm_id.empty()) c.compile(d.vm_id, kVarInterval | kVarLabels, dpath + ".vmId", d.line);
  if (!d.object_name.empty()) c.compile(d.object_name, kVarAll, dpath + ".object_name", d.line, MissingLabels::no_value);
  if (!d.object_instance.empty()) {
    c.compile(d.object_instance, kVarAll, dpath + ".object_instance", d.line, MissingLabels::no_value);
  }
  for (std::size_t i = 0; i < d.labels.size(); ++i) {
    c.compile(d.labels[i].expr, kVarAll, dpath + ".labels[" + std::to_string(i) + "].expr", d.line,
              MissingLabels::no_value);
  }
  for (std::size_t i = 0; i < d.object_keys.size(); ++i) {
    c.compile(d.object_keys[i].expr, kVarAll, dpath + ".object_keys[" + std::to_string(i) + "].expr", d.line,
              MissingLabels::no_value);
  }

  // Per array: which fields some rule fills, and which rules target it (for the "never invent a value" warning).
  struct ArrayUse {
    std::set<std::string_view> filled;
    std::vector<std::string> rules;
    int line = 0;
  };
  std::map<std::string_view, ArrayUse> arrays;

  for (std::size_t i = 0; i < prom.rules.size(); ++i) {
    const auto& r = prom.rules[i];
    const std::string path = rule_path(i);
    const int line = r.line;
    bool ok = true;
    CompiledRule rule;
    rule.index = i;
    rule.path = path;
    rule.expr_text = r.expr;

    // Where an inherited field is wrong, the message names the defaults' key.
    auto pick = [&](const std::string& own, const std::string& def, const char* key) {
      return !own.empty() ? std::pair{own, path + "." + key} : std::pair{def, dpath + "." + key};
    };

    if (auto t = c.compile(r.expr, kVarInterval, path + ".expr", line)) {
      // expr reads only .interval: rendering it once here turns a type error ({{.interval | lower}}) into a load
      // error rather than a query that fails at every window.
      std::string trial;
      std::string why;
      const std::int64_t interval_s = config.measurement.default_interval.count() / 1000;
      if (!t->render(TemplateData{{}, {}, interval_s}, trial, nullptr, &why)) {
        errors.push_back({path + ".expr", line, why});
        ok = false;
      }
      rule.expr = std::move(*t);
    } else {
      ok = false;
    }
    auto [vm_text, vm_path] = pick(r.vm_id, d.vm_id, "vmId");
    if (!vm_text.empty()) {
      std::string why;
      auto t = Template::parse(vm_text, kVarInterval | kVarLabels, why);
      if (!t) {
        if (!r.vm_id.empty()) errors.push_back({vm_path, line, why});
        ok = false;
      } else {
        rule.vm_id = std::move(*t);
      }
    }
    rule.labels = c.labels(r.labels, path + ".labels", line, d.labels, ok);
    rule.object_keys = c.labels(r.object_keys, path + ".object_keys", line, d.object_keys, ok);
    auto [on_text, on_path] = pick(r.object_name, d.object_name, "object_name");
    auto [oi_text, oi_path] = pick(r.object_instance, d.object_instance, "object_instance");
    for (auto [text, p, slot] : {std::tuple{&on_text, &on_path, &rule.object_name},
                                 std::tuple{&oi_text, &oi_path, &rule.object_instance}}) {
      if (text->empty()) continue;
      std::string why;
      auto t = Template::parse(*text, kVarAll, why, MissingLabels::no_value);
      if (!t) {
        if (p->rfind(path, 0) == 0) errors.push_back({*p, line, why});
        ok = false;
      } else {
        *slot = std::move(*t);
      }
    }

    auto [target_text, target_path] = pick(r.target, d.target, "target");
    if (target_text.empty()) {
      // config::load already reported "target required"; nothing more to add.
      ok = false;
    } else {
      std::string why;
      auto t = Template::parse(target_text, kVarAll, why);
      if (!t) {
        if (!r.target.empty()) errors.push_back({target_path, line, why});
        ok = false;
      } else {
        rule.target = std::move(*t);
        if (rule.target.is_constant()) {
          auto target = resolve_target(rule.target.constant_text(), c.version, why);
          if (!target) {
            errors.push_back({r.target.empty() ? target_path : path + ".target", line, why});
            ok = false;
          } else {
            rule.static_target = ResolvedTarget{*target, key_labels_for(*target, rule.labels)};
          }
        }
      }
    }

    if (rule.static_target) {
      const Target& t = rule.static_target->target;
      if (t.kind == Target::Kind::additional_object) {
        if (!rule.object_name) {
          errors.push_back({path + ".object_name", line, "required when the target is AdditionalObjects"});
          ok = false;
        }
        if (!rule.object_instance) {
          errors.push_back({path + ".object_instance", line, "required when the target is AdditionalObjects"});
          ok = false;
        }
        for (std::size_t l = 0; l < r.labels.size(); ++l) {
          warnings.push_back({path + ".labels[" + std::to_string(l) + "]", line,
                              "ignored: an AdditionalObjects rule is keyed by object_keys"});
        }
      } else if (t.kind == Target::Kind::record) {
        auto& use = arrays[t.array->name];
        if (use.rules.empty()) use.line = line;
        use.rules.push_back("metrics[" + std::to_string(i) + "]");
        use.filled.insert(t.field->name);
        for (const auto& k : rule.static_target->keys) use.filled.insert(k.field->name);
        for (std::size_t l = 0; l < r.labels.size(); ++l) {
          if (label_field(*t.array, r.labels[l].name) == nullptr) {
            warnings.push_back({path + ".labels[" + std::to_string(l) + "].name", line,
                                "\"" + r.labels[l].name + "\" is not an identifier field of " +
                                    std::string(t.array->name) + "; the label is ignored"});
          }
        }
      }
    }
    if (ok) set.rules.push_back(std::move(rule));
  }

  for (const auto& [array_name, use] : arrays) {
    std::vector<std::string_view> missing;
    for (auto field : ves::required_measurement_fields(c.version, array_name)) {
      if (use.filled.count(field) == 0) missing.push_back(field);
    }
    if (missing.empty()) continue;
    std::string fields;
    for (auto f : missing) fields += (fields.empty() ? "" : ", ") + std::string(f);
    std::string rules;
    for (const auto& r : use.rules) rules += (rules.empty() ? "" : ", ") + r;
    warnings.push_back({std::string(kRules) + ".metrics", use.line,
                        std::string(array_name) + " requires " + fields + " but no rule fills " +
                            (missing.size() == 1 ? "it" : "them") + " (rules targeting it: " + rules +
                            "); those elements will not be sent, since the agent never invents a value"});
  }
  if (errors.size() != errors_before) return std::nullopt;
  return set;
}

void check_config(config::LoadResult& result) {
  const auto& prom = result.config.measurement.prometheus;
  if (prom.rules.empty() && prom.address.empty()) return;
  std::vector<RuleProblem> errors;
  std::vector<RuleProblem> warnings;
  compile_rules(result.config, errors, warnings);
  auto to_diag = [](const RuleProblem& p) {
    config::Diagnostic d;
    d.path = p.path;
    d.origin = p.line > 0 ? config::Origin::file : config::Origin::defaults;
    d.line = p.line;
    d.message = p.message;
    return d;
  };
  for (const auto& e : errors) result.errors.push_back(to_diag(e));
  for (const auto& w : warnings) result.warnings.push_back(to_diag(w));
  if (!prom.address.empty() && result.config.measurement.default_interval.count() % 1000 != 0) {
    config::Diagnostic d;
    d.path = "measurement.defaultInterval";
    d.origin = config::Origin::defaults;
    d.message = "must be a whole number of seconds: windows are aligned to it and measurementInterval is sent in "
                "seconds";
    result.errors.push_back(d);
  }
  if (!prom.address.empty() && prom.rules.empty()) {
    config::Diagnostic d;
    d.path = std::string(kRules) + ".metrics";
    d.origin = config::Origin::defaults;
    d.message = "measurement.prometheus.address is set but there are no rules: no measurement will be sent";
    result.warnings.push_back(d);
  }
}

}  // namespace vesagent::sources::prometheus
