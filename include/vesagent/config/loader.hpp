#pragma once
/// Builds a Config from built-in defaults < YAML file < environment (VES_<SECTION>_<KEY>) < command-line flags.
/// Strict: unknown keys, wrong types, bad durations and missing required keys are all reported at once,
/// each naming the key path and (for the file) its line.
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vesagent/config/config.hpp"

namespace vesagent::config {

/// Where a value or a problem came from.
enum class Origin { defaults, file, env, flag };

struct Diagnostic {
  std::string path;     ///< key path, e.g. "primaryCollector.port"
  Origin origin = Origin::file;
  int line = 0;         ///< 1-based line in the file, 0 when not from the file
  std::string message;  ///< one sentence; never contains a secret value

  /// "ves-agent.yml:12: primaryCollector.port: expected an integer, got \"abc\"" style text.
  std::string to_string(std::string_view file_name = {}) const;
};

struct Inputs {
  std::string file_name;            ///< for messages; empty when there is no file
  std::string yaml_text;            ///< empty = no file
  std::map<std::string, std::string> env;  ///< the process environment (only VES_* are read)
  std::vector<std::pair<std::string, std::string>> flags;  ///< key path -> value, e.g. {"primaryCollector.fqdn","h"}
};

struct LoadResult {
  Config config;
  std::vector<Diagnostic> errors;    ///< empty = valid
  std::vector<Diagnostic> warnings;  ///< e.g. VESPA keys that are accepted but not supported (passphrase, cluster)
  bool ok() const { return errors.empty(); }
};

/// Parses and validates; never throws on bad input.
LoadResult load(const Inputs& inputs);

/// Reads the environment of this process into Inputs::env form.
std::map<std::string, std::string> process_environment();

/// Reads `path` into Inputs (file_name + yaml_text). Returns false and an error diagnostic if unreadable.
bool read_file(const std::string& path, Inputs& inputs, std::vector<Diagnostic>& errors);

/// One description per configuration key, from the key table that drives parsing, for --help and docs.
struct KeyDoc {
  std::string path;      ///< "primaryCollector.fqdn"
  std::string type;      ///< "string", "int", "bool", "duration", "list", ...
  std::string default_value;
  std::string env;       ///< "VES_PRIMARYCOLLECTOR_FQDN"
  std::string flag;      ///< "--primaryCollector.fqdn"
  std::string doc;
  bool secret = false;
};
const std::vector<KeyDoc>& key_docs();

/// docs/configuration.md content, generated from key_docs().
std::string configuration_markdown();

/// The effective configuration as YAML with every secret replaced by "<redacted>".
std::string to_redacted_yaml(const Config& config);

}  // namespace vesagent::config
