#pragma once
/// Internal: parsers and emitters for the file-only values (event.nfcNamingCodes, the measurement rules, the
/// VESPA cluster section). Errors name the full path, e.g. `measurement.prometheus.rules.metrics[2].target`.
#include <functional>
#include <string>
#include <vector>

#include "report.hpp"
#include "vesagent/config/config.hpp"

namespace YAML {
class Node;
class Emitter;
}  // namespace YAML

namespace vesagent::config::detail {

void parse_nfc_naming_codes(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                            Report& report);
void emit_nfc_naming_codes(YAML::Emitter& out, const Config& config);

void parse_rule_defaults(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                         Report& report);
void emit_rule_defaults(YAML::Emitter& out, const Config& config);

void parse_rule_metrics(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                        Report& report);
void emit_rule_metrics(YAML::Emitter& out, const Config& config);

/// VESPA's Raft `cluster` section: accepted whatever it holds, with a warning.
void parse_cluster(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                   Report& report);

/// A list of label or annotation names (alertManager.faults.sourceNameLabels, ...): a YAML sequence of
/// non-empty strings. An empty list is an error unless `allow_empty`.
void parse_name_list(std::vector<std::string>& out, const YAML::Node& value, const std::string& path,
                     const Where& where, Report& report, bool allow_empty);
void emit_name_list(YAML::Emitter& out, const std::vector<std::string>& names);

/// alertManager.faults.severityMap: {label value: VES severity name}, merged over the defaults. Keys are
/// matched case-insensitively (stored lower-case); values must name a VES severity (stored upper-case).
void parse_severity_map(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                        Report& report);
void emit_severity_map(YAML::Emitter& out, const Config& config);

/// Rules that cannot work: a metric without expr, or without target here and in rules.defaults.
void check_rules(const Config& config, Report& report, Origin origin);

// ---- Helpers for every list parser (lists.cpp, openstack_lists.cpp) ----

/// The file line of `node`, or `fallback` when yaml-cpp has none.
Where line_of(const YAML::Node& node, const Where& fallback, const Report& report);

using FieldFn =
    std::function<void(const std::string& field, const YAML::Node& value, const std::string& path, const Where&)>;

/// Walks one map of a list item: unknown and duplicate fields are errors, a field in the wrong case a warning.
/// `on_field` gets the documented spelling. Returns false (with an error) when `node` is not a map.
bool walk_object(const YAML::Node& node, const std::string& path, const Where& where,
                 const std::vector<std::string>& fields, Report& report, const FieldFn& on_field);

/// A scalar into `out`; null leaves `out` as it is; anything else is an error.
void scalar_string(const YAML::Node& value, const std::string& path, const Where& where, Report& report,
                   std::string& out);

/// "a map", "a list", "a scalar", "nothing": for "expected X, got Y" messages.
std::string describe(const YAML::Node& node);

}  // namespace vesagent::config::detail
