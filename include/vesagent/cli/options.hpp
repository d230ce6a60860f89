#pragma once
/// argv -> what the process should do. Prometheus-style flags: --config.file, --log.level, --log.format,
/// --web.listen-address (= --web.listenAddress), and one --<section>.<key>=value flag per configuration key (see
/// config::key_docs()).
#include <string>
#include <utility>
#include <vector>

namespace vesagent::cli {

struct Options {
  std::string config_file = "/etc/ves-agent/ves-agent.yml";
  bool config_file_given = false;  ///< an explicit --config.file must exist; the default path may be absent
  bool check_config = false;
  bool print_config = false;
  bool dry_run = false;  ///< --dry-run: print the VES JSON instead of posting it
  bool once = false;     ///< --once: one cycle of every poller, deliver, exit
  bool show_help = false;
  bool show_version = false;
  std::vector<std::pair<std::string, std::string>> overrides;  ///< config key path -> value
  std::vector<std::string> errors;  ///< unknown flag, missing value, ...
};

Options parse(int argc, const char* const* argv);

/// Full --help text: usage, the process flags, then every configuration key flag with its env variable.
std::string help_text();

}  // namespace vesagent::cli
