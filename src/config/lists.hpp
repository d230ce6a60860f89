#pragma once
/// Internal: parsers and emitters for the file-only values (event.nfcNamingCodes, the measurement rules, the
/// VESPA cluster section). Errors name the full path, e.g. `measurement.prometheus.rules.metrics[2].target`.
#include <string>

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

/// Rules that cannot work: a metric without expr, or without target here and in rules.defaults.
void check_rules(const Config& config, Report& report, Origin origin);

/// "a map", "a list", "a scalar", "nothing": for "expected X, got Y" messages.
std::string describe(const YAML::Node& node);

}  // namespace vesagent::config::detail
