#pragma once
/// Internal: parsers and emitters for the file-only values (event.nfcNamingCodes, the measurement rules, the
/// VESPA cluster section). Errors name the full path, e.g. `measurement.prometheus.rules.metrics[2].target`.
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

/// "a map", "a list", "a scalar", "nothing": for "expected X, got Y" messages.
std::string describe(const YAML::Node& node);

}  // namespace vesagent::config::detail
