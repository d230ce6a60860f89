// load(): defaults < YAML file < environment < flags, then path expansion, secret files, derived defaults and
// validation. Every problem is collected; nothing stops at the first error.
#include "vesagent/config/loader.hpp"

#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <climits>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include "key_table.hpp"
#include "lists.hpp"
#include "report.hpp"
#include "values.hpp"

extern char** environ;

namespace vesagent::config {

using detail::Key;
using detail::KeyType;
using detail::Report;
using detail::Where;

namespace {

/// What the overlays learned besides the values: where each key (and file section) was set.
struct State {
  std::map<std::string, Where> set_by;  ///< key or section path -> where its effective value came from
  std::set<std::string> stage;          ///< keys set by the source being applied
  bool have_file = false;
  bool file_unreadable = false;  ///< YAML syntax error: nothing from the file was applied
};

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

void apply_value(Config& config, const Key& key, std::string_view value, const Where& where, Report& report,
                 State& state) {
  detail::SetContext ctx{report, where, key.path, state.stage};
  if (auto err = key.set(config, value, ctx)) {
    report.error(where, key.path, *err);
    return;
  }
  state.set_by[key.path] = where;
  state.stage.insert(key.path);
}

// ---- the file ----

void walk_map(Config& config, const YAML::Node& node, const std::string& prefix, Report& report, State& state) {
  std::map<std::string, int> seen;  // canonical name -> line, to reject duplicate keys
  std::vector<std::string> names = detail::children_of(prefix);
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: yaml-cpp's iterator hands out a proxy, so a reference to it->first would dangle.
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    Where where = report.at_line(key_node.Mark().line);
    if (!key_node.IsScalar()) {
      report.error(where, prefix, "keys must be plain names, got " + detail::describe(key_node));
      continue;
    }
    const std::string& written = key_node.Scalar();
    std::string name;
    if (written.find('.') == std::string::npos) {
      for (const auto& n : names) {
        if (n == written) name = n;
      }
      if (name.empty()) {
        // VESPA read its file through viper, which ignores case: accept, but point at the documented spelling.
        for (const auto& n : names) {
          if (detail::iequals(n, written)) name = n;
        }
        if (!name.empty()) {
          report.warning(where, join(prefix, name),
                         "key written as " + detail::quote(written) + "; the documented spelling is " +
                             detail::quote(name));
        }
      }
    }
    if (name.empty()) {
      std::string hint = written.find('.') != std::string::npos ? "; nest sections instead of dotted names"
                                                                  : detail::did_you_mean(written, names);
      report.error(where, join(prefix, written), "unknown key" + hint);
      continue;
    }
    std::string path = join(prefix, name);
    auto [first, inserted] = seen.emplace(name, where.line);
    if (!inserted) {
      report.error(where, path, "duplicate key; first given on line " + std::to_string(first->second));
      continue;
    }

    if (const Key* key = detail::find_key(path)) {
      if (value.IsNull()) continue;  // `key:` with nothing keeps the default
      if (key->file_only()) {
        key->parse_yaml(config, value, path, where, report);
        state.set_by[path] = where;
        continue;
      }
      if (!value.IsScalar()) {
        report.error(where, path, "expected " + key->type_name() + ", got " + detail::describe(value));
        continue;
      }
      apply_value(config, *key, value.Scalar(), where, report, state);
      continue;
    }
    // Not a key, so a section (names only lists keys and sections). An empty section is not "present".
    if (value.IsNull()) continue;
    state.set_by[path] = where;
    if (!value.IsMap()) {
      report.error(where, path, "expected a section (a map of keys), got " + detail::describe(value));
      continue;
    }
    walk_map(config, value, path, report, state);
  }
}

/// Records where a document starts, to find extra documents and a parser that stopped advancing.
class DocumentProbe final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  const YAML::Mark& start() const { return start_; }

 private:
  YAML::Mark start_ = YAML::Mark::null_mark();
};

/// Parses the one YAML document of the file. yaml-cpp 0.7's LoadAll() loops forever on some inputs (a stray
/// ',' at the top makes the parser return empty documents without advancing), so documents are counted with
/// a probe that notices when the parser stops advancing, and only then is the document loaded.
std::optional<YAML::Node> parse_document(const std::string& text, Report& report) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  int documents = 0;
  int previous_pos = -1;
  while (true) {
    DocumentProbe probe;
    if (!parser.HandleNextDocument(probe)) break;
    if (probe.start().pos == previous_pos) {
      report.error(report.at_line(probe.start().line), "", "invalid YAML: unexpected content at the top level");
      return std::nullopt;
    }
    previous_pos = probe.start().pos;
    if (++documents == 2) {
      report.error(report.at_line(probe.start().line), "", "only one YAML document is allowed");
      return std::nullopt;
    }
  }
  return YAML::Load(text);
}

void apply_file(Config& config, const Inputs& inputs, Report& report, State& state) {
  std::optional<YAML::Node> document;
  try {
    document = parse_document(inputs.yaml_text, report);
  } catch (const YAML::ParserException& e) {
    report.error(report.at_line(e.mark.line), "", "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    report.error(Where{Origin::file, 0, {}}, "", std::string("invalid YAML: ") + e.what());
  }
  if (!document) {
    state.file_unreadable = true;
    return;
  }
  if (document->IsNull()) return;
  const YAML::Node& root = *document;
  if (!root.IsMap()) {
    report.error(report.at_line(root.Mark().line), "",
                 "expected a map of sections (primaryCollector:, event:, ...), got " + detail::describe(root));
    return;
  }
  try {
    walk_map(config, root, "", report, state);
  } catch (const std::exception& e) {
    // yaml-cpp should not throw once parsed; if it does, report instead of escaping load().
    report.error(Where{Origin::file, 0, {}}, "", std::string("cannot read the YAML document: ") + e.what());
  }
}

// ---- environment and flags ----

void apply_env(Config& config, const Inputs& inputs, Report& report, State& state) {
  state.stage.clear();
  std::vector<std::string> env_names;
  for (const auto& k : detail::keys()) {
    if (!k.file_only()) env_names.push_back(k.env_name());
  }
  // Keys in table order, so the result does not depend on the order of the environment.
  for (const auto& k : detail::keys()) {
    if (k.file_only()) continue;
    auto it = inputs.env.find(k.env_name());
    if (it == inputs.env.end()) continue;
    apply_value(config, k, it->second, Where{Origin::env, 0, it->first}, report, state);
  }
  for (const auto& [name, value] : inputs.env) {
    if (name.rfind("VES_", 0) != 0 || detail::find_key_by_env(name) != nullptr) continue;
    Where where{Origin::env, 0, name};
    // A file-only key spelled as a variable is a real mistake: the value would be silently lost.
    bool matches_list = false;
    for (const auto& k : detail::keys()) {
      if (!k.file_only()) continue;
      if (detail::env_name_for(k.path) == name) {
        report.error(where, k.path, "is a " + k.type_name() + " and can only be set in the configuration file");
        matches_list = true;
      }
    }
    if (!matches_list) {
      report.warning(where, "",
                     "not a configuration variable; ignored" + detail::did_you_mean(name, env_names));
    }
  }
}

void apply_flags(Config& config, const Inputs& inputs, Report& report, State& state) {
  state.stage.clear();
  for (const auto& [path, value] : inputs.flags) {
    Where where{Origin::flag, 0, "--" + path};
    const Key* key = detail::find_key(path);
    if (key == nullptr) key = detail::find_key_ci(path);
    if (key == nullptr) {
      std::vector<std::string> paths;
      for (const auto& k : detail::keys()) paths.push_back(k.path);
      report.error(where, path, "unknown key" + detail::did_you_mean(path, paths));
      continue;
    }
    if (key->file_only()) {
      report.error(where, key->path, "is a " + key->type_name() + " and can only be set in the configuration file");
      continue;
    }
    apply_value(config, *key, value, where, report, state);
  }
}

// ---- after the overlays ----

Where where_of(const State& state, const std::string& path) {
  // The key itself, else the closest enclosing section seen in the file, else the file as a whole.
  std::string p = path;
  while (true) {
    auto it = state.set_by.find(p);
    if (it != state.set_by.end()) return it->second;
    auto dot = p.rfind('.');
    if (dot == std::string::npos) break;
    p.erase(dot);
  }
  return state.have_file ? Where{Origin::file, 0, {}} : Where{};
}

void expand_paths(Config& config, const Inputs& inputs, Report& report, State& state) {
  for (const auto& k : detail::keys()) {
    if (k.type != KeyType::path) continue;
    std::string value = k.get(config);
    if (value.find("${") == std::string::npos) continue;
    std::string error;
    auto expanded = detail::expand_env_refs(value, inputs.env, error);
    Where where = where_of(state, k.path);
    if (!expanded) {
      report.error(where, k.path, error);
      continue;
    }
    detail::SetContext ctx{report, where, k.path, state.stage};
    k.set(config, *expanded, ctx);
  }
}

/// Reads a secret file. The content never reaches a message; only the path and the OS error do.
std::optional<std::string> read_secret(const std::string& path, std::string& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "cannot read " + path + ": it is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path + ": " + std::error_code(errno, std::generic_category()).message();
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "cannot read " + path + ": read error";
    return std::nullopt;
  }
  std::string content = ss.str();
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  if (content.empty()) {
    error = path + " is empty";
    return std::nullopt;
  }
  return content;
}

void resolve_secrets(Config& config, Report& report, const State& state) {
  struct Pair {
    std::string secret_path;
    std::string file_path;
    std::string* secret;
    const std::string* file;
  };
  auto& prom = config.measurement.prometheus;
  const Pair pairs[] = {
      {"primaryCollector.password", "primaryCollector.passwordFile", &config.primary_collector.password,
       &config.primary_collector.password_file},
      {"backupCollector.password", "backupCollector.passwordFile", &config.backup_collector.password,
       &config.backup_collector.password_file},
      {"measurement.prometheus.password", "measurement.prometheus.passwordFile", &prom.password, &prom.password_file},
      {"measurement.prometheus.bearerToken", "measurement.prometheus.bearerTokenFile", &prom.bearer_token,
       &prom.bearer_token_file},
      {"alertManager.password", "alertManager.passwordFile", &config.alert_manager.password,
       &config.alert_manager.password_file},
      {"alertManager.bearerToken", "alertManager.bearerTokenFile", &config.alert_manager.bearer_token,
       &config.alert_manager.bearer_token_file},
      {"primaryCollector.clientKeyPassword", "primaryCollector.clientKeyPasswordFile",
       &config.primary_collector.tls.client_key_password, &config.primary_collector.tls.client_key_password_file},
      {"backupCollector.clientKeyPassword", "backupCollector.clientKeyPasswordFile",
       &config.backup_collector.tls.client_key_password, &config.backup_collector.tls.client_key_password_file},
      {"measurement.prometheus.clientKeyPassword", "measurement.prometheus.clientKeyPasswordFile",
       &prom.tls.client_key_password, &prom.tls.client_key_password_file},
      {"cluster.clientKeyPassword", "cluster.clientKeyPasswordFile", &config.cluster.tls.client_key_password,
       &config.cluster.tls.client_key_password_file},
  };
  for (const auto& p : pairs) {
    // An empty path, or one whose ${VAR} expansion already failed, has nothing to read.
    if (p.file->empty() || report.has_error_for(p.file_path)) continue;
    Where file_where = where_of(state, p.file_path);
    if (!p.secret->empty()) {
      Where secret_where = where_of(state, p.secret_path);
      if (secret_where.origin == file_where.origin) {
        report.error(file_where, p.file_path,
                     std::string("both ") + p.secret_path + " and " + p.file_path + " are set; give only one");
        continue;
      }
      // Different sources: the one with higher precedence wins, as for any other key.
      if (secret_where.origin > file_where.origin) continue;
    }
    std::string error;
    auto secret = read_secret(*p.file, error);
    if (!secret) {
      report.error(file_where, p.file_path, error);
      continue;
    }
    *p.secret = std::move(*secret);
  }
}

std::string host_name(const Inputs& inputs) {
  if (!inputs.host_name.empty()) return inputs.host_name;
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

void fill_derived(Config& config, const Inputs& inputs) {
  auto& ev = config.event;
  if (ev.reporting_entity_name.empty()) ev.reporting_entity_name = host_name(inputs);
  auto& hb = config.heartbeat;
  if (hb.event_name.empty()) {
    hb.event_name = "Heartbeat_" + (!ev.nf_naming_code.empty() ? ev.nf_naming_code
                                    : !ev.vnf_name.empty()     ? ev.vnf_name
                                                               : std::string("ves-agent"));
  }
  if (hb.source_name.empty()) hb.source_name = !ev.vnf_name.empty() ? ev.vnf_name : ev.reporting_entity_name;
}

bool backup_present(const State& state) {
  for (const auto& [path, where] : state.set_by) {
    if (path == "backupCollector" || path.rfind("backupCollector.", 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::string Diagnostic::to_string(std::string_view file_name) const {
  std::string out;
  switch (origin) {
    case Origin::file: {
      std::string name(file_name.empty() ? std::string_view(file) : file_name);
      out = name.empty() ? std::string("config") : name;
      if (line > 0) out += ":" + std::to_string(line);
      out += ": ";
      break;
    }
    case Origin::env: out = "env " + source + ": "; break;
    case Origin::flag: out = "flag " + source + ": "; break;
    case Origin::defaults: break;
  }
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

LoadResult load(const Inputs& inputs) {
  LoadResult result;
  Report report(inputs.file_name, result.errors, result.warnings);
  State state;
  state.have_file = !inputs.file_name.empty() || !inputs.yaml_text.empty();

  if (state.have_file) apply_file(result.config, inputs, report, state);
  apply_env(result.config, inputs, report, state);
  apply_flags(result.config, inputs, report, state);

  expand_paths(result.config, inputs, report, state);
  resolve_secrets(result.config, report, state);
  fill_derived(result.config, inputs);

  detail::check_config(result.config, report, [&](const std::string& path) { return where_of(state, path); },
                       backup_present(state), !state.file_unreadable);
  return result;
}

std::vector<Diagnostic> validate(const Config& config) {
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
  Report report({}, errors, warnings);
  // Without a load there is no "present": a backup collector counts as configured when any key differs.
  bool backup = false;
  Config defaults;
  for (const auto& k : detail::keys()) {
    if (k.get && k.path.rfind("backupCollector.", 0) == 0 && k.get(config) != k.get(defaults)) backup = true;
  }
  detail::check_config(config, report, [](const std::string&) { return Where{}; }, backup);
  return errors;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

bool read_file(const std::string& path, Inputs& inputs, std::vector<Diagnostic>& errors) {
  auto fail = [&](const std::string& why) {
    Diagnostic d;
    // Not Origin::file: the problem is opening it, and the default path may not come from --config.file.
    d.path = "config.file";
    d.origin = Origin::defaults;
    d.message = "cannot read " + path + ": " + why;
    errors.push_back(std::move(d));
    return false;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail("it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::error_code(errno, std::generic_category()).message());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail("read error");
  inputs.file_name = path;
  inputs.yaml_text = ss.str();
  return true;
}

}  // namespace vesagent::config
