#pragma once
/// Builds a Config from built-in defaults < YAML file < environment (VES_<SECTION>_<KEY>) < command-line flags.
/// Strict: unknown keys, wrong types, bad durations and missing required keys are all reported at once,
/// each naming the key path and (for the file) its line.
///
/// Everything here is a pure function of its inputs (load() reads only the secret files named by
/// *File keys and, when event.reportingEntityName is empty, the host name), so it is safe to call again on
/// SIGHUP and from tests. Nothing here logs: problems come back as Diagnostics for the caller to print.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vesagent/config/config.hpp"

namespace vesagent::config {

/// Where a value or a problem came from. Ordered by precedence: a later origin overrides an earlier one.
enum class Origin { defaults, file, env, flag };

/// One error or warning about the configuration.
struct Diagnostic {
  std::string path;     ///< key path, e.g. "primaryCollector.port"; empty for problems not tied to a key
  Origin origin = Origin::file;
  int line = 0;         ///< 1-based line in the file, 0 when not from the file
  std::string message;  ///< one sentence; never contains a secret value
  std::string file;     ///< file name, for Origin::file
  std::string source;   ///< env variable name (Origin::env) or flag as typed, e.g. "--primaryCollector.port"

  /// "ves-agent.yml:12: primaryCollector.port: expected an integer, got \"abc\"" for the file,
  /// "env VES_PRIMARYCOLLECTOR_PORT: primaryCollector.port: ..." for the environment,
  /// "flag --primaryCollector.port: primaryCollector.port: ..." for flags, "<path>: ..." otherwise.
  /// `file_name` overrides `file` when given.
  std::string to_string(std::string_view file_name = {}) const;
};

/// Everything load() reads, gathered by the caller so load() stays a pure function.
struct Inputs {
  std::string file_name;            ///< for messages; empty when there is no file
  std::string yaml_text;            ///< empty = no file (or an empty one)
  std::map<std::string, std::string> env;  ///< the process environment (only VES_* are read, plus ${VAR}
                                           ///< references in file path values such as CREDENTIALS_DIRECTORY)
  std::vector<std::pair<std::string, std::string>> flags;  ///< key path -> value, e.g. {"primaryCollector.fqdn","h"}
  std::string host_name;            ///< default for event.reportingEntityName; empty = gethostname()
};

struct LoadResult {
  Config config;
  std::vector<Diagnostic> errors;    ///< empty = valid
  std::vector<Diagnostic> warnings;  ///< e.g. VESPA keys that are accepted but not supported (passphrase, cluster)
  bool ok() const { return errors.empty(); }
};

/// Parses, overlays and validates; never throws on bad input. On success the secrets named by passwordFile /
/// bearerTokenFile have been read into the matching fields, and the derived defaults (reportingEntityName,
/// heartbeat.eventName, heartbeat.sourceName) are filled in.
LoadResult load(const Inputs& inputs);

/// Range and cross-key checks on a Config built in code (load() already runs them). Diagnostics carry
/// Origin::defaults and no line.
std::vector<Diagnostic> validate(const Config& config);

/// Reads the environment of this process into Inputs::env form.
std::map<std::string, std::string> process_environment();

/// Reads `path` into Inputs (file_name + yaml_text). Returns false and an error diagnostic if unreadable.
bool read_file(const std::string& path, Inputs& inputs, std::vector<Diagnostic>& errors);

/// A Go/Prometheus duration: one or more <number><unit> with unit ms, s, m, h, d or w ("60s", "1h30m",
/// "500ms", "1.5s", "0s"; a bare "0" too). Rejects a bare number, signs, spaces, and anything that is not a
/// whole number of milliseconds or overflows.
std::optional<Duration> parse_duration(std::string_view text);

/// The shortest parse_duration() form of `d`, e.g. "1m30s", "500ms", "0s".
std::string format_duration(Duration d);

/// One description per configuration key, from the key table that drives parsing, for --help and docs.
struct KeyDoc {
  std::string path;      ///< "primaryCollector.fqdn"
  std::string type;      ///< "string", "int", "bool", "duration", "list", ...
  std::string default_value;
  std::string env;       ///< "VES_PRIMARYCOLLECTOR_FQDN"; empty for file-only keys (lists)
  std::string flag;      ///< "--primaryCollector.fqdn"; empty for file-only keys (lists)
  std::string doc;
  bool secret = false;
  bool required = false;
};
const std::vector<KeyDoc>& key_docs();

/// The key path closest to `path` (case-insensitive edit distance), or empty when none is close: for
/// "did you mean" hints.
std::string closest_key(std::string_view path);

/// docs/configuration.md content, generated from key_docs().
std::string configuration_markdown();

/// The effective configuration as YAML with every secret replaced by "<redacted>" (an unset secret shows as "").
/// The output loads again with load().
std::string to_redacted_yaml(const Config& config);

}  // namespace vesagent::config
