#pragma once
/// Where a cloud's credentials come from: the `openstack.clouds` entry, a clouds.yaml (and secure.yaml) entry, and
/// the OS_* environment variables, merged as openstacksdk does. Asio-free; parse_clouds_yaml is fuzzed.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/config/openstack_config.hpp"
#include "vesagent/core/error.hpp"
#include "vesagent/sources/openstack/keystone_token.hpp"

namespace vesagent::sources::openstack {

/// One clouds.yaml entry, flattened: the keys of its `auth` map ("auth_url", "username", "project_name", ...)
/// plus the top-level ones ("region_name", "interface", "auth_type", "cacert", "verify").
using CloudEntry = std::map<std::string, std::string>;
using Environment = std::map<std::string, std::string>;

/// Parses clouds.yaml / secure.yaml text: {clouds: {<name>: {auth: {...}, region_name: ..., ...}}}.
/// Fails (with `why`) when it is not YAML or has no `clouds` map; non-string values are ignored.
Result<std::map<std::string, CloudEntry>> parse_clouds_yaml(std::string_view text, std::string* why = nullptr);

/// The process environment as a map (read once at start).
Environment current_environment();

/// clouds.yaml candidates in openstacksdk's order: OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
/// $HOME/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml.
std::vector<std::string> clouds_yaml_search_path(const Environment& env);

/// A cloud ready to poll: credentials merged, durations defaulted, filters copied.
struct ResolvedCloud {
  std::string name;
  std::string auth_url;  ///< Keystone v3 base, e.g. http://keystone:5000/v3 (no trailing '/')
  AuthRequest auth;
  std::string region;
  std::string interface = "public";
  std::string compute_endpoint;  ///< override; empty = from the catalog
  config::PeerTls tls;  ///< the cloud's TLS/proxy block; caCert, cert, key and verify fall back to clouds.yaml
  bool all_tenants = true;
  std::chrono::milliseconds interval{60000};
  std::chrono::milliseconds full_resync_interval{3600000};
  std::vector<config::OpenStackFilter> filters;
  std::string source;  ///< where the credentials came from, for the log ("clouds.yaml:/etc/openstack/clouds.yaml#prod")
};

/// Merges `cloud` over its clouds.yaml entry (clouds_file, else the search path) or the OS_* variables (cloud
/// "envvars", or no cloud and no authUrl with OS_AUTH_URL set), reads passwordFile, and checks that Keystone can be
/// asked (auth URL, and a user + password or an application credential). `error` names the cloud and what is
/// missing; it never contains a secret.
Result<ResolvedCloud> resolve_cloud(const config::OpenStackCloud& cloud, const config::OpenStackConfig& section,
                                    const Environment& env, std::string& error);

}  // namespace vesagent::sources::openstack
