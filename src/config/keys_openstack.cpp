// Keys of the `openstack` section (OpenStack VM state -> VES faults; see src/sources/openstack/README.md).
#include <cctype>

#include "key_factories.hpp"
#include "openstack_lists.hpp"

namespace vesagent::config::detail {

void add_openstack_keys(std::vector<Key>& keys) {
  keys.push_back(list_key(
      "openstack.clouds", KeyType::list,
      "Clouds (or regions) whose VMs are watched; empty = OpenStack polling off. Each: {name, cloud (clouds.yaml "
      "entry; \"envvars\" = the OS_* variables; empty = OS_CLOUD), authUrl, authType (password | "
      "v3applicationcredential), username, userId, password, passwordFile, userDomainName, userDomainId, "
      "projectName, projectId, projectDomainName, projectDomainId, applicationCredentialId, "
      "applicationCredentialName, applicationCredentialSecret, regionName, interface (public | internal | admin), "
      "computeEndpoint (override of the catalog's Nova URL), the TLS/proxy keys of every peer (caCert, caPath, "
      "crlFile, clientCert, clientCertType, clientKey, clientKeyPassword, clientKeyPasswordFile, tlsMinVersion, "
      "insecureSkipVerify, proxyUrl, noProxy, http2, keepalive; caCert, clientCert/clientKey and insecure "
      "verification fall back to clouds.yaml's cacert, cert/key and verify), allTenants, interval, "
      "fullResyncInterval, filters: [{projects, names, nameRegex, metadata: {key: value}, tags, interval}], "
      "computeMicroversion (highest compute microversion for this cloud; the cloud's version document caps it), "
      "notifications: {urls (amqp://, amqps:// or rabbit://, tried in turn), username, password, passwordFile, "
      "vhost, exchange (nova), topic (versioned_notifications), queue (durable queue name; empty = exclusive), "
      "prefetch (256), heartbeat (30s), tls: {caCert, clientCert, clientKey, insecureSkipVerify}}}. "
      "Values given here win over clouds.yaml.",
      parse_openstack_clouds, emit_openstack_clouds));
  keys.push_back(string_key("openstack.cloudsFile",
                            "clouds.yaml to read; empty = OS_CLIENT_CONFIG_FILE, ./clouds.yaml, "
                            "~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml (first found; secure.yaml "
                            "next to it is merged).",
                            [](auto& c) -> auto& { return c.openstack.clouds_file; }, KeyType::path));
  keys.push_back(duration_key("openstack.interval",
                              "Incremental poll interval (changes-since) of a cloud without its own interval.",
                              [](auto& c) -> auto& { return c.openstack.interval; }, Zero::rejected));
  keys.push_back(duration_key("openstack.fullResyncInterval",
                              "Full listing of every VM at this interval, to heal missed changes and find VMs "
                              "that vanished.",
                              [](auto& c) -> auto& { return c.openstack.full_resync_interval; }, Zero::rejected));
  keys.push_back(duration_key("openstack.timeout", "Timeout of one Keystone or Nova request.",
                              [](auto& c) -> auto& { return c.openstack.timeout; }, Zero::rejected));
  keys.push_back(duration_key("openstack.changesSinceOverlap",
                              "changes-since starts this long before the previous poll's server time (clock skew "
                              "and changes committed during a listing); servers seen twice are deduplicated.",
                              [](auto& c) -> auto& { return c.openstack.changes_since_overlap; }, Zero::allowed));
  keys.push_back(duration_key("openstack.tokenRenewBefore",
                              "Re-authenticate this long before the Keystone token's expires_at.",
                              [](auto& c) -> auto& { return c.openstack.token_renew_before; }, Zero::allowed));
  keys.push_back(duration_key("openstack.retryBackoffMax",
                              "Longest wait between attempts while a cloud keeps failing (the wait doubles from "
                              "the poll interval up to this).",
                              [](auto& c) -> auto& { return c.openstack.retry_backoff_max; }, Zero::rejected));
  keys.push_back(int_key("openstack.pageSize",
                         "Servers per servers/detail page (limit); Nova caps it at its max_limit (default 1000).",
                         [](auto& c) -> auto& { return c.openstack.page_size; }, 1, 100000));
  {
    Key k = string_key("openstack.microversion",
                       "Compute API microversion sent as OpenStack-API-Version (2.79 and later report the flavor "
                       "name and tags).",
                       [](auto& c) -> auto& { return c.openstack.microversion; });
    k.check = [](const Config& c) -> Message {
      const std::string& v = c.openstack.microversion;
      auto dot = v.find('.');
      bool ok = dot != std::string::npos && dot > 0 && dot + 1 < v.size();
      for (std::size_t i = 0; ok && i < v.size(); ++i) {
        ok = i == dot || std::isdigit(static_cast<unsigned char>(v[i])) != 0;
      }
      if (!ok) return "expected a microversion such as 2.79, got " + quote(v);
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  keys.push_back(bool_key("openstack.allTenants",
                          "List the VMs of every project (all_tenants=1; needs the admin role); false = the "
                          "token's project only. A cloud's allTenants wins.",
                          [](auto& c) -> auto& { return c.openstack.all_tenants; }));
  {
    Key k = list_key("openstack.faultStatuses", KeyType::map,
                     "Nova status -> VES eventSeverity of the VM fault (CRITICAL, MAJOR, MINOR, WARNING). A status "
                     "not listed is healthy; leaving the set clears the fault. Replaces the default map; add "
                     "DELETED to report deleted VMs as faults (they are then never cleared).",
                     parse_openstack_fault_statuses, emit_openstack_fault_statuses);
    std::string text;
    for (const auto& [from, to] : Config{}.openstack.fault_statuses) text += (text.empty() ? "" : ", ") + from + ": " + to;
    k.default_text = "{" + text + "}";
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key("openstack.alarmCondition",
                       "alarmCondition of VM faults; eventName is Fault_<nfNamingCode>_<alarmCondition>.",
                       [](auto& c) -> auto& { return c.openstack.alarm_condition; });
    k.check = [](const Config& c) -> Message {
      const std::string& v = c.openstack.alarm_condition;
      if (v.empty()) return "must not be empty";
      for (char ch : v) {
        if (std::isspace(static_cast<unsigned char>(ch)) != 0) return "must not contain whitespace";
      }
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  keys.push_back(string_key("openstack.eventSourceType", "eventSourceType of VM faults.",
                            [](auto& c) -> auto& { return c.openstack.event_source_type; }));
  keys.push_back(bool_key("openstack.stateChangeEvents",
                          "Also send a VES stateChange event for every VM status transition (ACTIVE = inService, "
                          "BUILD/REBOOT/MIGRATING/RESIZE/... = maintenance, others outOfService). Off by default: "
                          "ONAP's default collector deployment has no stream for the domain.",
                          [](auto& c) -> auto& { return c.openstack.state_change_events; }));
}

void check_openstack(const Config& config, Report& report, const WhereOf& where_of) {
  // Per-cloud credential checks need clouds.yaml and the environment: sources::openstack::check_config (run by
  // app::check_sources). Here only what the file alone decides.
  if (config.openstack.event_source_type.empty() && !config.openstack.clouds.empty()) {
    report.error(where_of("openstack.eventSourceType"), "openstack.eventSourceType", "must not be empty");
  }
}

}  // namespace vesagent::config::detail
