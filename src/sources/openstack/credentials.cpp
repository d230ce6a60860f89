#include "vesagent/sources/openstack/credentials.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <system_error>
#include <filesystem>

extern char** environ;  // NOLINT: POSIX

namespace vesagent::sources::openstack {

namespace {

void flatten(const YAML::Node& map, CloudEntry& out) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) continue;
    if (value.IsScalar()) out[key.Scalar()] = value.Scalar();
  }
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trim_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

const std::string* get(const CloudEntry& e, const char* key) {
  auto it = e.find(key);
  return it == e.end() || it->second.empty() ? nullptr : &it->second;
}

/// openstacksdk's OS_* variables, as clouds.yaml keys.
CloudEntry from_environment(const Environment& env) {
  static const std::vector<std::pair<const char*, const char*>> kVars = {
      {"OS_AUTH_URL", "auth_url"},
      {"OS_USERNAME", "username"},
      {"OS_USER_ID", "user_id"},
      {"OS_PASSWORD", "password"},
      {"OS_TENANT_NAME", "project_name"},
      {"OS_TENANT_ID", "project_id"},
      {"OS_PROJECT_NAME", "project_name"},
      {"OS_PROJECT_ID", "project_id"},
      {"OS_USER_DOMAIN_NAME", "user_domain_name"},
      {"OS_USER_DOMAIN_ID", "user_domain_id"},
      {"OS_PROJECT_DOMAIN_NAME", "project_domain_name"},
      {"OS_PROJECT_DOMAIN_ID", "project_domain_id"},
      {"OS_DOMAIN_NAME", "domain_name"},
      {"OS_DOMAIN_ID", "domain_id"},
      {"OS_APPLICATION_CREDENTIAL_ID", "application_credential_id"},
      {"OS_APPLICATION_CREDENTIAL_NAME", "application_credential_name"},
      {"OS_APPLICATION_CREDENTIAL_SECRET", "application_credential_secret"},
      {"OS_AUTH_TYPE", "auth_type"},
      {"OS_REGION_NAME", "region_name"},
      {"OS_ENDPOINT_TYPE", "interface"},
      {"OS_INTERFACE", "interface"},
      {"OS_CACERT", "cacert"},
  };
  CloudEntry e;
  for (const auto& [var, key] : kVars) {
    if (auto it = env.find(var); it != env.end() && !it->second.empty()) e[key] = it->second;
  }
  if (auto it = env.find("OS_INSECURE"); it != env.end() && (it->second == "true" || it->second == "1")) {
    e["verify"] = "false";
  }
  return e;
}

void set_if_empty(std::string& target, const CloudEntry& e, const char* key) {
  if (!target.empty()) return;
  if (const std::string* v = get(e, key)) target = *v;
}

}  // namespace

Result<std::map<std::string, CloudEntry>> parse_clouds_yaml(std::string_view text, std::string* why) {
  auto fail = [why](std::string t) -> Result<std::map<std::string, CloudEntry>> {
    if (why != nullptr) *why = std::move(t);
    return make_error_code(errc::invalid_config);
  };
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail("not valid YAML: " + std::string(e.what()));
  }
  std::map<std::string, CloudEntry> out;
  try {
    if (!root.IsMap()) return fail("expected a map with a `clouds` key");
    const YAML::Node clouds = root["clouds"];
    if (!clouds || !clouds.IsMap()) return fail("no `clouds` map");
    for (auto it = clouds.begin(); it != clouds.end(); ++it) {
      const YAML::Node name = it->first;
      const YAML::Node body = it->second;
      if (!name.IsScalar() || !body.IsMap()) continue;
      CloudEntry entry;
      flatten(body, entry);
      const YAML::Node auth = body["auth"];
      if (auth && auth.IsMap()) flatten(auth, entry);
      out[name.Scalar()] = std::move(entry);
    }
  } catch (const YAML::Exception& e) {
    return fail("unexpected structure: " + std::string(e.what()));
  }
  return out;
}

Environment current_environment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

std::vector<std::string> clouds_yaml_search_path(const Environment& env) {
  std::vector<std::string> paths;
  if (auto it = env.find("OS_CLIENT_CONFIG_FILE"); it != env.end() && !it->second.empty()) paths.push_back(it->second);
  paths.emplace_back("./clouds.yaml");
  if (auto it = env.find("HOME"); it != env.end() && !it->second.empty()) {
    paths.push_back(it->second + "/.config/openstack/clouds.yaml");
  }
  paths.emplace_back("/etc/openstack/clouds.yaml");
  return paths;
}

Result<ResolvedCloud> resolve_cloud(const config::OpenStackCloud& c, const config::OpenStackConfig& section,
                                    const Environment& env, std::string& error) {
  const std::string label = "cloud " + (c.name.empty() ? std::string("<unnamed>") : c.name);
  auto fail = [&](std::string text) -> Result<ResolvedCloud> {
    error = label + ": " + text;
    return make_error_code(errc::invalid_config);
  };
  ResolvedCloud r;
  r.name = c.name;
  CloudEntry base;
  std::string cloud_name = c.cloud;
  if (cloud_name.empty() && c.auth_url.empty()) {
    if (auto it = env.find("OS_CLOUD"); it != env.end() && !it->second.empty()) {
      cloud_name = it->second;
    } else if (env.count("OS_AUTH_URL") != 0) {
      cloud_name = "envvars";
    }
  }
  if (cloud_name == "envvars") {
    base = from_environment(env);
    r.source = "environment (OS_*)";
  } else if (!cloud_name.empty()) {
    std::vector<std::string> candidates =
        section.clouds_file.empty() ? clouds_yaml_search_path(env) : std::vector<std::string>{section.clouds_file};
    std::string found;
    std::optional<std::string> text;
    for (const auto& path : candidates) {
      text = read_file(path);
      if (text) {
        found = path;
        break;
      }
    }
    if (!text) {
      std::string list;
      for (const auto& p : candidates) list += (list.empty() ? "" : ", ") + p;
      return fail("cloud \"" + cloud_name + "\" needs a clouds.yaml, but none was found (looked at " + list + ")");
    }
    std::string why;
    auto parsed = parse_clouds_yaml(*text, &why);
    if (!parsed) return fail(found + ": " + why);
    auto it = parsed->find(cloud_name);
    if (it == parsed->end()) return fail("no cloud \"" + cloud_name + "\" in " + found);
    base = it->second;
    // secure.yaml next to clouds.yaml holds the secrets of the same entries (openstacksdk).
    const auto secure = (std::filesystem::path(found).parent_path() / "secure.yaml").string();
    if (auto stext = read_file(secure)) {
      if (auto sparsed = parse_clouds_yaml(*stext, &why); sparsed) {
        if (auto s = sparsed->find(cloud_name); s != sparsed->end()) {
          for (const auto& [k, v] : s->second) base[k] = v;
        }
      }
    }
    r.source = found + "#" + cloud_name;
  } else {
    r.source = "ves-agent configuration";
  }

  // What the agent's own configuration gives wins over clouds.yaml and the environment.
  std::string auth_url = c.auth_url, auth_type = c.auth_type;
  AuthRequest& a = r.auth;
  a.username = c.username;
  a.user_id = c.user_id;
  a.password = c.password;
  a.user_domain_name = c.user_domain_name;
  a.user_domain_id = c.user_domain_id;
  a.project_name = c.project_name;
  a.project_id = c.project_id;
  a.project_domain_name = c.project_domain_name;
  a.project_domain_id = c.project_domain_id;
  a.application_credential_id = c.application_credential_id;
  a.application_credential_name = c.application_credential_name;
  a.application_credential_secret = c.application_credential_secret;
  if (!c.password_file.empty() && a.password.empty()) {
    auto p = read_file(c.password_file);
    if (!p) return fail("cannot read passwordFile " + c.password_file);
    a.password = trim_newlines(*p);
  }
  set_if_empty(auth_url, base, "auth_url");
  set_if_empty(auth_type, base, "auth_type");
  set_if_empty(a.username, base, "username");
  set_if_empty(a.user_id, base, "user_id");
  set_if_empty(a.password, base, "password");
  set_if_empty(a.user_domain_name, base, "user_domain_name");
  set_if_empty(a.user_domain_id, base, "user_domain_id");
  set_if_empty(a.project_name, base, "project_name");
  set_if_empty(a.project_id, base, "project_id");
  set_if_empty(a.project_domain_name, base, "project_domain_name");
  set_if_empty(a.project_domain_id, base, "project_domain_id");
  set_if_empty(a.application_credential_id, base, "application_credential_id");
  set_if_empty(a.application_credential_name, base, "application_credential_name");
  set_if_empty(a.application_credential_secret, base, "application_credential_secret");
  // domain_name / domain_id stand for both domains when those are not given (openstacksdk).
  set_if_empty(a.user_domain_name, base, "domain_name");
  set_if_empty(a.project_domain_name, base, "domain_name");
  set_if_empty(a.user_domain_id, base, "domain_id");
  set_if_empty(a.project_domain_id, base, "domain_id");
  if (a.user_domain_name.empty() && a.user_domain_id.empty()) a.user_domain_id = "default";
  if (a.project_domain_name.empty() && a.project_domain_id.empty()) a.project_domain_id = "default";
  r.region = c.region_name;
  set_if_empty(r.region, base, "region_name");
  r.interface = c.interface;
  set_if_empty(r.interface, base, "interface");
  if (r.interface.empty()) r.interface = "public";
  if (r.interface == "publicURL") r.interface = "public";
  if (r.interface == "internalURL") r.interface = "internal";
  if (r.interface == "adminURL") r.interface = "admin";
  r.tls = c.tls;
  set_if_empty(r.tls.ca_cert, base, "cacert");
  if (r.tls.client_cert.empty() && r.tls.client_key.empty()) {
    set_if_empty(r.tls.client_cert, base, "cert");
    set_if_empty(r.tls.client_key, base, "key");
  }
  if (const std::string* v = get(base, "verify"); v != nullptr && (*v == "false" || *v == "False")) {
    r.tls.insecure_skip_verify = true;
  }
  if (!r.tls.client_key_password_file.empty() && r.tls.client_key_password.empty()) {
    auto p = read_file(r.tls.client_key_password_file);
    if (!p) return fail("cannot read clientKeyPasswordFile " + r.tls.client_key_password_file);
    r.tls.client_key_password = trim_newlines(*p);
  }
  r.compute_endpoint = c.compute_endpoint;
  while (!r.compute_endpoint.empty() && r.compute_endpoint.back() == '/') r.compute_endpoint.pop_back();
  r.all_tenants = c.all_tenants < 0 ? section.all_tenants : c.all_tenants == 1;
  r.interval = c.interval.count() > 0 ? c.interval : section.interval;
  r.full_resync_interval = c.full_resync_interval.count() > 0 ? c.full_resync_interval : section.full_resync_interval;
  r.filters = c.filters;

  if (auth_url.empty()) return fail("no auth URL (authUrl, clouds.yaml auth.auth_url or OS_AUTH_URL)");
  while (!auth_url.empty() && auth_url.back() == '/') auth_url.pop_back();
  // Keystone v3 only: an auth_url without a version gets /v3 (clouds.yaml usually gives http://host:5000).
  if (!auth_url.ends_with("/v3")) auth_url += "/v3";
  r.auth_url = auth_url;

  const bool app_cred = auth_type == "v3applicationcredential" ||
                        (auth_type.empty() && (!a.application_credential_id.empty() ||
                                               !a.application_credential_name.empty()));
  if (app_cred) {
    a.method = AuthRequest::Method::application_credential;
    if (a.application_credential_secret.empty()) return fail("application credential without a secret");
    if (a.application_credential_id.empty() && (a.application_credential_name.empty() ||
                                                 (a.username.empty() && a.user_id.empty()))) {
      return fail("application credential needs an id, or a name with the user (username or userId)");
    }
  } else {
    if (!auth_type.empty() && auth_type != "password" && auth_type != "v3password") {
      return fail("unsupported auth_type \"" + auth_type + "\" (password or v3applicationcredential)");
    }
    a.method = AuthRequest::Method::password;
    if (a.username.empty() && a.user_id.empty()) return fail("no user (username or userId)");
    if (a.password.empty()) return fail("no password (password, passwordFile, clouds.yaml or OS_PASSWORD)");
    if (a.project_name.empty() && a.project_id.empty()) {
      return fail("no project (projectName or projectId): Nova needs a project-scoped token");
    }
  }
  return r;
}

}  // namespace vesagent::sources::openstack
