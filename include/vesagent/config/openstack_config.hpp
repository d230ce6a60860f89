#pragma once
/// OpenStack VM polling (the `openstack` section). Included by config.hpp; the keys live in src/config/keys_openstack.cpp,
/// the list parsers in src/config/openstack_lists.cpp. See src/sources/openstack/README.md.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vesagent/config/peer_tls.hpp"

namespace vesagent::config {

/// Which VMs of a cloud to watch (the seed's per-VIM "backlog" entries, generalised). Every criterion given must
/// match; an empty filter matches every VM. A VM is watched when any filter of its cloud matches.
struct OpenStackFilter {
  std::vector<std::string> projects;  ///< project ids or names (names need Keystone's project list, i.e. admin)
  std::vector<std::string> names;     ///< exact server names
  std::string name_regex;             ///< ECMAScript regex that must match the whole server name
  std::vector<std::pair<std::string, std::string>> metadata;  ///< server metadata key = value, all must match
  std::vector<std::string> tags;      ///< server tags (microversion 2.26+), all must be present
  std::chrono::milliseconds interval{0};  ///< how often matching VMs are evaluated; 0 = the cloud's interval
  int line = 0;                       ///< line in the config file, for messages
};

/// Nova's versioned notifications of one cloud over AMQP (oslo.messaging on RabbitMQ). See src/amqp/README.md.
struct OpenStackNotifications {
  std::vector<std::string> urls;  ///< amqp://, amqps:// or rabbit:// brokers tried in turn; empty = off
  std::string username;           ///< replaces the URLs' user name
  std::string password;           ///< replaces the URLs' password
  std::string password_file;      ///< replaces the password with this file's content
  std::string vhost;              ///< replaces the URLs' virtual host
  std::string exchange = "nova";  ///< Nova's control_exchange
  std::string topic = "versioned_notifications";  ///< Nova's versioned_notifications_topics
  std::string queue;              ///< durable queue of this name; empty = exclusive queue (only while connected)
  int prefetch = 256;             ///< unacknowledged messages in flight (basic.qos)
  std::chrono::milliseconds heartbeat = std::chrono::seconds(30);
  std::string ca_cert;            ///< TLS (amqps://): CA bundle; empty = the system's
  std::string client_cert;        ///< TLS client certificate (with client_key)
  std::string client_key;
  bool insecure_skip_verify = false;
};

/// One cloud (or one region of a cloud). Empty strings are taken from clouds.yaml (`cloud`) or, for the cloud
/// named "envvars", from the OS_* environment variables; what is given here wins.
struct OpenStackCloud {
  std::string name;   ///< label in events, metrics and the status page; required, unique
  std::string cloud;  ///< entry of clouds.yaml; "envvars" = OS_* variables; empty = OS_CLOUD if set
  std::string auth_url;
  std::string auth_type;  ///< password | v3applicationcredential | empty = inferred from the credentials
  std::string username;
  std::string user_id;
  std::string password;
  std::string password_file;
  std::string user_domain_name;
  std::string user_domain_id;
  std::string project_name;
  std::string project_id;
  std::string project_domain_name;
  std::string project_domain_id;
  std::string application_credential_id;
  std::string application_credential_name;
  std::string application_credential_secret;
  std::string region_name;         ///< catalog region; empty = the first compute endpoint's region
  std::string interface;           ///< catalog interface; empty = clouds.yaml's, else public
  std::string compute_endpoint;    ///< explicit Nova URL (…/v2.1); empty = from the token's catalog
  PeerTls tls;  ///< for Keystone and Nova; an empty caCert is clouds.yaml's cacert, else the system store
  int all_tenants = -1;            ///< -1 = the section default (openstack.allTenants)
  std::chrono::milliseconds interval{0};              ///< 0 = openstack.interval
  std::chrono::milliseconds full_resync_interval{0};  ///< 0 = openstack.fullResyncInterval
  std::vector<OpenStackFilter> filters;
  /// Highest compute microversion to use with this cloud; empty = openstack.microversion. The version the cloud
  /// serves caps it (older clouds), see sources/openstack/compute_version.hpp.
  std::string compute_microversion;
  OpenStackNotifications notifications;
  int line = 0;
};

struct OpenStackConfig {
  std::vector<OpenStackCloud> clouds;  ///< empty = OpenStack polling off
  /// clouds.yaml to read; empty = the standard search path (OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
  /// ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml) and secure.yaml next to it.
  std::string clouds_file;
  std::chrono::milliseconds interval = std::chrono::seconds(60);           ///< incremental poll (changes-since)
  std::chrono::milliseconds full_resync_interval = std::chrono::hours(1);  ///< full listing, heals missed changes
  std::chrono::milliseconds timeout = std::chrono::seconds(30);            ///< one Keystone or Nova request
  /// changes-since is taken this far before the server-reported time of the previous poll, so a change that
  /// Nova committed while the previous listing was being read (or a clock difference) is not missed. Seeing a
  /// server twice is harmless: the fault state deduplicates.
  std::chrono::milliseconds changes_since_overlap = std::chrono::seconds(5);
  std::chrono::milliseconds token_renew_before = std::chrono::minutes(5);  ///< re-authenticate this early
  std::chrono::milliseconds retry_backoff_max = std::chrono::minutes(5);   ///< backoff cap after failures
  int page_size = 1000;              ///< `limit` of one servers/detail page (Nova's max_limit defaults to 1000)
  std::string microversion = "2.79"; ///< OpenStack-API-Version: compute <this>
  bool all_tenants = true;           ///< all_tenants=1 (admin); false = the token's project only
  /// Status -> VES severity of a VM fault. A status not listed is healthy. Add DELETED to report deletions.
  std::vector<std::pair<std::string, std::string>> fault_statuses = {
      {"ERROR", "CRITICAL"},   {"SHUTOFF", "MAJOR"},  {"PAUSED", "MINOR"},           {"SUSPENDED", "MINOR"},
      {"SHELVED", "MINOR"},    {"SHELVED_OFFLOADED", "MINOR"}, {"RESCUE", "MAJOR"}, {"UNKNOWN", "MAJOR"}};
  std::string alarm_condition = "vmStatusFault";  ///< alarmCondition; eventName Fault_<nfNamingCode>_<this>
  std::string event_source_type = "virtualMachine";
  bool state_change_events = false;  ///< also emit VES stateChange events for every status transition
};

}  // namespace vesagent::config
