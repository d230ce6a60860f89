#pragma once
/// Internal: parsers and emitters of the file-only values of the `openstack` section (openstack.clouds with their
/// filters, openstack.faultStatuses). Errors name the full path, e.g. `openstack.clouds[1].filters[0].nameRegex`.
#include <string>

#include "report.hpp"
#include "vesagent/config/config.hpp"

namespace YAML {
class Node;
class Emitter;
}  // namespace YAML

namespace vesagent::config::detail {

void parse_openstack_clouds(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                            Report& report);
/// Secrets (password, applicationCredentialSecret) are written as "<redacted>".
void emit_openstack_clouds(YAML::Emitter& out, const Config& config);

/// {STATUS: SEVERITY}: replaces the defaults (so a status can be removed); statuses are upper-cased, severities
/// must be CRITICAL, MAJOR, MINOR or WARNING (NORMAL would read as a clear).
void parse_openstack_fault_statuses(Config& config, const YAML::Node& value, const std::string& path,
                                    const Where& where, Report& report);
void emit_openstack_fault_statuses(YAML::Emitter& out, const Config& config);

}  // namespace vesagent::config::detail
