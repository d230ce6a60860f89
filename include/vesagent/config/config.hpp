#pragma once
/// The agent's configuration: plain structs with defaults in member initializers.
/// Section and key names follow ONAP-VESPA's vocabulary (primaryCollector, event, heartbeat, measurement,
/// alertManager) so a VESPA config loads; see docs/configuration.md for every key.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vesagent/config/cluster_config.hpp"
#include "vesagent/config/openstack_config.hpp"
#include "vesagent/config/outbox_config.hpp"
#include "vesagent/config/peer_tls.hpp"
#include "vesagent/config/web_config.hpp"

namespace vesagent::config {

using Duration = std::chrono::milliseconds;

/// One VES collector (primaryCollector / backupCollector).
struct CollectorConfig {
  std::string fqdn;          ///< host name or IP; empty = not configured
  int port = 8443;
  bool secure = false;       ///< https
  std::string server_root;   ///< optional path prefix before /eventListener
  std::string topic;         ///< optional suffix after /eventListener/vN (the ONAP collector answers 404 to it)
  std::string user;
  std::string password;      ///< resolved secret: inline, VES_..._PASSWORD, or read from password_file
  std::string password_file; ///< path; also serves systemd LoadCredential=
  PeerTls tls;               ///< CA, client certificate, proxy, HTTP/2, keep-alive
  Duration connect_timeout = std::chrono::seconds(5);
  /// Whole-request timeout. It must outlast the ONAP collector's synchronous publish (about 20 s with its
  /// retry) or the agent resends events that were in fact delivered.
  Duration timeout = std::chrono::seconds(30);

  bool configured() const { return !fqdn.empty(); }
};

/// VESPA's nfcNamingCodes entry: VMs (vnfcs) whose nfcNamingCode is `type`.
struct NfcNamingCode {
  std::string type;
  std::vector<std::string> vnfcs;
};

struct EventConfig {
  std::string vnf_name;
  std::string reporting_entity_name;  ///< default: the host name
  std::string reporting_entity_id;
  std::string nf_naming_code;
  std::vector<NfcNamingCode> nfc_naming_codes;
  std::size_t max_size = 2000000;  ///< bytes per request body; batches are split below it
  Duration retry_interval = std::chrono::seconds(5);
  int max_missed = 2;  ///< failed attempts on one collector before switching to the other
  /// How fault events are sent: "ves" (faultFields) or "stndDefined" (3GPP TS 28.532 alarm notifications in a
  /// VES 7.2.1 stndDefined event; VES 7 only).
  std::string fault_format = "ves";
  /// stndDefined: the URL of faultMnS.yaml as the collector's schema-map.json lists it (the part before '#');
  /// the encoder appends "#/components/schemas/<notification>".
  std::string stnd_defined_schema_reference = "https://forge.3gpp.org/rep/sa5/MnS/blob/SA88-Rel16/OpenAPI/faultMnS.yaml";
};

struct HeartbeatConfig {
  Duration default_interval = std::chrono::seconds(60);
  std::string event_name;  ///< default "Heartbeat_<nfNamingCode or vnfName>"; stable, the ONAP consumer keys on it
  std::string source_name; ///< default event.vnfName, else reportingEntityName
};

/// A VESPA measurement rule label (name + template expression).
struct RuleLabel {
  std::string name;
  std::string expr;
};

/// A VESPA measurement rule. Empty strings mean "inherit from rules.defaults".
struct MeasurementRule {
  std::string target;
  std::string expr;
  std::string vm_id;
  std::vector<RuleLabel> labels;
  std::string object_name;
  std::string object_instance;
  std::vector<RuleLabel> object_keys;
  int line = 0;  ///< line in the config file, for error messages
};

struct PrometheusConfig {
  std::string address;  ///< e.g. http://localhost:9090; empty = measurements off
  Duration timeout = std::chrono::seconds(30);
  std::string user;
  std::string password;
  std::string password_file;
  std::string bearer_token;
  std::string bearer_token_file;
  PeerTls tls;  ///< keepalive is measurement.prometheus.keepalive
  MeasurementRule defaults;
  std::vector<MeasurementRule> rules;
};

struct MeasurementConfig {
  std::string domain_abbreviation = "Measurement";  ///< VESPA uses "Mvfs"
  Duration default_interval = std::chrono::seconds(300);
  Duration max_buffering_duration = std::chrono::hours(1);
  PrometheusConfig prometheus;
};

/// How alerts become VES faults (alertManager.faults). The defaults reproduce VESPA's mapping.
struct AlertFaultsConfig {
  std::string alert_name_label = "alertname";  ///< alarmCondition and the eventName suffix
  std::string severity_label = "severity";
  /// Label value (lower-case; matched case-insensitively) -> VES severity name. Entries from the file are merged
  /// over these defaults.
  std::vector<std::pair<std::string, std::string>> severity_map = {
      {"critical", "CRITICAL"}, {"major", "MAJOR"},     {"minor", "MINOR"}, {"warning", "WARNING"},
      {"info", "WARNING"},      {"error", "MAJOR"},     {"page", "CRITICAL"}, {"normal", "NORMAL"}};
  std::string default_severity = "MAJOR";  ///< for a missing or unknown severity label
  std::vector<std::string> source_name_labels = {"VNFC", "system_name", "instance"};  ///< first present wins
  std::string source_id_label;  ///< empty = no sourceId
  std::vector<std::string> specific_problem_annotations = {"description", "summary"};  ///< then the alert name
  std::string event_source_type = "virtualMachine";
  std::string vf_status = "Active";
  std::string unknown_resolve = "send";  ///< send | drop: a resolve for a fault the agent never raised
  Duration closed_fault_retention = std::chrono::hours(1);  ///< how long cleared faults are remembered
};

struct AlertManagerConfig {
  std::string bind = "localhost:9095";
  std::string path = "/alerts";  ///< VESPA's webhook path; /api/v1/alerts is served too
  std::string user;      ///< VESPA parsed but never checked these; here they enable basic auth
  std::string password;
  std::string password_file;
  std::string password_hash;  ///< bcrypt ($2b$/$2y$/$2a$) instead of password, so the file holds no secret
  std::string bearer_token;   ///< resolved secret: inline, VES_..._BEARERTOKEN, or read from bearer_token_file
  std::string bearer_token_file;
  std::size_t max_body_size = 10 * 1024 * 1024;  ///< larger webhook bodies get 413
  Duration read_timeout = std::chrono::seconds(10);  ///< headers + body of one webhook request
  std::string tls_cert_file;       ///< with tls_key_file: serve HTTPS (PEM certificate chain)
  std::string tls_key_file;        ///< PEM private key of tls_cert_file
  std::string tls_client_ca_file;  ///< PEM CAs that client certificates must chain to
  bool tls_require_client_cert = false;  ///< reject clients without a certificate (needs tls_client_ca_file)
  AlertFaultsConfig faults;
};

struct VesConfig {
  int version = 7;  ///< 7 (VES 7.2.1, schema 30.2.1_ONAP) or 5 (VES 5.4.1, schema 28.4.1)
};

struct LogConfig {
  std::string level = "info";     ///< trace, debug, info, warn, error
  std::string format = "logfmt";  ///< logfmt or json
};

struct Config {
  std::string datadir = "/var/lib/ves-agent";  ///< state directory: every persisted piece of state lives here
  Duration shutdown_timeout = std::chrono::seconds(10);  ///< how long SIGTERM waits for queued events to drain
  VesConfig ves;
  CollectorConfig primary_collector;
  CollectorConfig backup_collector;  ///< configured() == false when absent
  EventConfig event;
  HeartbeatConfig heartbeat;
  MeasurementConfig measurement;
  AlertManagerConfig alert_manager;
  OpenStackConfig openstack;
  OutboxConfig outbox;
  DeadLetterConfig dead_letter;
  ClusterConfig cluster;
  WebConfig web;
  LogConfig log;
};

}  // namespace vesagent::config
