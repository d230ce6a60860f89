#pragma once
/// The measurement rules of measurement.prometheus.rules, merged with rules.defaults the way VESPA does
/// (target, vmId, object_name, object_instance from the defaults when the rule leaves them empty; labels and
/// object_keys merged by name, the rule's own first) and compiled: every template parsed, every constant target
/// resolved for the configured VES version. Compiling is what the configuration check runs, so a configuration
/// that loads cannot fail at run time because of a template or an unknown field.
///
/// Pure and Asio-free.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "vesagent/config/config.hpp"
#include "vesagent/sources/prometheus/target.hpp"
#include "vesagent/sources/prometheus/template.hpp"

namespace vesagent::config {
struct LoadResult;
}

namespace vesagent::sources::prometheus {

/// One {name, expr} of labels or object_keys.
struct CompiledLabel {
  std::string name;
  Template expr;
  bool from_defaults = false;
};

/// A label that sets a key field of a record element (cpuIdentifier, vmIdentifier, ...).
struct KeyLabel {
  const ves::FieldInfo* field = nullptr;
  std::size_t label = 0;  ///< index into the rule's labels (an index, not a pointer: rules are copied)
};

/// A resolved target with the labels that identify its element.
struct ResolvedTarget {
  Target target;
  std::vector<KeyLabel> keys;  ///< record targets only, in label order
};

struct CompiledRule {
  std::size_t index = 0;  ///< position in rules.metrics
  std::string path;       ///< "measurement.prometheus.rules.metrics[3]", for messages
  std::string expr_text;  ///< as configured
  Template expr;
  std::optional<Template> vm_id;  ///< nullopt: no vmId anywhere, the event's sourceName is event.vnfName (VESPA)
  Template target;
  std::optional<ResolvedTarget> static_target;  ///< when the target has no template action
  std::vector<CompiledLabel> labels;
  std::optional<Template> object_name;
  std::optional<Template> object_instance;
  std::vector<CompiledLabel> object_keys;
};

/// One configuration problem, with the path and line of the key it is about.
struct RuleProblem {
  std::string path;
  int line = 0;
  std::string message;
};

struct RuleSet {
  ves::Version version = ves::Version::v7;
  std::vector<CompiledRule> rules;
};

/// Compiles the rules of `config` for its ves.version. Errors make the result nullopt; warnings (a required
/// field that no rule fills, a label that names nothing) do not.
std::optional<RuleSet> compile_rules(const config::Config& config, std::vector<RuleProblem>& errors,
                                     std::vector<RuleProblem>& warnings);

/// The key labels of `target` among `labels` (record targets; empty otherwise).
std::vector<KeyLabel> key_labels_for(const Target& target, const std::vector<CompiledLabel>& labels);

/// The configuration check for app::check_sources: appends compile_rules' errors and warnings to `result`.
void check_config(config::LoadResult& result);

}  // namespace vesagent::sources::prometheus
