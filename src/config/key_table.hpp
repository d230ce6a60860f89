#pragma once
/// Internal: the one table of configuration keys. Each entry knows how to parse a value into Config (from the
/// file, the environment or a flag), how to check the effective value, how to print it, and its documentation.
/// Strict YAML parsing, env and flag overlays, --help, docs/configuration.md and to_redacted_yaml() all walk it,
/// so a key added here is everywhere at once (the fluent-bit config_map idea).
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "report.hpp"
#include "vesagent/config/config.hpp"

namespace YAML {
class Node;
class Emitter;
}  // namespace YAML

namespace vesagent::config::detail {

enum class KeyType {
  string,
  path,      ///< a file or directory path; ${VAR} references are expanded after the overlays
  secret,    ///< never printed, never echoed in a message
  integer,
  size,
  boolean,
  duration,
  choice,    ///< a string from a fixed set (Key::choices)
  list,      ///< file-only, parsed by Key::parse_yaml
  map,       ///< file-only, parsed by Key::parse_yaml (the ignored VESPA cluster section)
};

/// What a setter may need besides the value: where it came from, a place for warnings, and which keys this
/// same source has already set (VESPA's `debug: true` must not override an explicit log.level).
struct SetContext {
  Report& report;
  Where where;
  std::string path;
  const std::set<std::string>& set_in_stage;
};

/// Parses `value` into the Config; returns the error message (without path) on bad input.
using Setter = std::function<std::optional<std::string>(Config&, std::string_view value, SetContext&)>;
/// Checks the effective value; returns the error message (without path).
using Checker = std::function<std::optional<std::string>(const Config&)>;
/// The effective value as text (durations formatted, secrets in clear: callers redact).
using Getter = std::function<std::string(const Config&)>;
/// Parses a list or map value from the file, reporting errors with paths such as `rules.metrics[2].target`.
using YamlParser =
    std::function<void(Config&, const YAML::Node& value, const std::string& path, const Where& where, Report&)>;
/// Writes a list value for to_redacted_yaml().
using YamlEmitter = std::function<void(YAML::Emitter&, const Config&)>;

struct Key {
  std::string path;
  KeyType type = KeyType::string;
  std::string doc;
  std::string default_text;  ///< shown instead of get(Config{}) when the default is computed at load time
  std::vector<std::string> choices;  ///< for KeyType::choice (and ves.version)
  bool secret = false;
  bool required = false;
  Setter set;               ///< scalar keys
  Checker check;            ///< optional
  Getter get;               ///< empty for VESPA keys that are accepted but not kept (passphrase, debug)
  YamlParser parse_yaml;    ///< list/map keys: file-only
  YamlEmitter emit_yaml;    ///< list keys

  bool file_only() const { return static_cast<bool>(parse_yaml); }
  std::string env_name() const;   ///< VES_ + path upper-cased, dots as underscores
  std::string flag_name() const;  ///< "--" + path
  std::string type_name() const;  ///< for docs and --help
  std::string default_value() const;
};

const std::vector<Key>& keys();
/// VES_ + path upper-cased with dots as underscores ("event.maxMissed" -> "VES_EVENT_MAXMISSED").
std::string env_name_for(std::string_view path);
/// Exact match on the path.
const Key* find_key(std::string_view path);
/// Case-insensitive match on the path (VESPA used viper, which ignores case).
const Key* find_key_ci(std::string_view path);
const Key* find_key_by_env(std::string_view env_name);
/// True for a path that has keys below it ("primaryCollector", "measurement.prometheus").
bool is_section(std::string_view path);
/// Names directly below `section` ("" = top level): keys and sections, for suggestions and case fixes.
std::vector<std::string> children_of(std::string_view section);

// ---- Sections kept in their own file (keys_<section>.cpp), so that each part of the agent owns its keys. ----
// add_*_keys appends the section's keys to the table; check_* runs cross-key checks on the effective Config.
using WhereOf = std::function<Where(const std::string&)>;
void add_cluster_keys(std::vector<Key>& keys);    ///< keys_cluster.cpp: etcd HA (and VESPA's Raft section)
void add_outbox_keys(std::vector<Key>& keys);     ///< keys_outbox.cpp: the durable outbox
void add_web_keys(std::vector<Key>& keys);        ///< keys_web.cpp: /metrics, health, status endpoints
void add_openstack_keys(std::vector<Key>& keys);  ///< keys_openstack.cpp: OpenStack VM polling
void add_fault_format_keys(std::vector<Key>& keys);  ///< keys_fault_format.cpp: VES faultFields or 3GPP stndDefined
void check_cluster(const Config& config, Report& report, const WhereOf& where_of);
void check_outbox(const Config& config, Report& report, const WhereOf& where_of);
void check_web(const Config& config, Report& report, const WhereOf& where_of);
void check_openstack(const Config& config, Report& report, const WhereOf& where_of);

/// Cross-key checks on the effective Config (required keys, rules); `where_of` locates a key's value.
/// `check_required` is false when the file did not parse: its keys were never seen, so "missing" would mislead.
void check_config(const Config& config, Report& report, const std::function<Where(const std::string&)>& where_of,
                  bool backup_present, bool check_required = true);

}  // namespace vesagent::config::detail
