#include "key_table.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "key_factories.hpp"
#include "lists.hpp"
#include "peer_tls_keys.hpp"
#include "values.hpp"

namespace vesagent::config::detail {

// ---- validators (declared in key_factories.hpp: section files use them too) ----

Message check_host(std::string_view host) {
  if (host.empty()) return std::nullopt;
  if (host.find("://") != std::string_view::npos) return "expected a host name or IP address, not a URL";
  if (std::any_of(host.begin(), host.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '/';
      })) {
    return "expected a host name or IP address, got " + quote(host);
  }
  return std::nullopt;
}

Message check_listen_address(std::string_view addr) {
  auto colon = addr.rfind(':');
  if (colon == std::string_view::npos) return "expected host:port, got " + quote(addr);
  auto port = parse_int(addr.substr(colon + 1));
  if (!port || *port < 1 || *port > 65535) return "expected host:port with a port from 1 to 65535, got " + quote(addr);
  return std::nullopt;
}

Message check_http_url(std::string_view url) {
  if (url.empty()) return std::nullopt;
  if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return std::nullopt;
  return "expected an http:// or https:// URL, got " + quote(url);
}

namespace {

/// A bcrypt hash as crypt(3) writes it: $2b$NN$ + 53 characters of bcrypt's base64 alphabet.
Message check_bcrypt_hash(const AlertManagerConfig& am) {
  const std::string& h = am.password_hash;
  if (h.empty()) return std::nullopt;
  // The hash is a secret: messages never quote it.
  auto is_b64 = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '/';
  };
  bool ok = h.size() == 60 && h[0] == '$' && h[1] == '2' && (h[2] == 'a' || h[2] == 'b' || h[2] == 'y') &&
            h[3] == '$' && std::isdigit(static_cast<unsigned char>(h[4])) != 0 &&
            std::isdigit(static_cast<unsigned char>(h[5])) != 0 && h[6] == '$' &&
            std::all_of(h.begin() + 7, h.end(), is_b64);
  if (!ok) return "expected a bcrypt hash ($2b$<cost>$ followed by 53 characters, 60 in all)";
  int cost = (h[4] - '0') * 10 + (h[5] - '0');
  if (cost < 4 || cost > 31) return "bcrypt cost must be between 04 and 31, got " + h.substr(4, 2);
  if (am.user.empty()) return "requires alertManager.user (the basic-auth user name)";
  if (!am.password.empty()) return "give either alertManager.password or alertManager.passwordHash, not both";
  return std::nullopt;
}

Key non_empty(Key k) {
  k.check = [get = k.get](const Config& c) -> Message {
    if (get(c).empty()) return "must not be empty";
    return std::nullopt;
  };
  return k;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return "[" + out + "]";
}

// ---- the table ----

template <class Coll>
void add_collector(std::vector<Key>& keys, const std::string& s, const std::string& which, Coll coll) {
  auto k = string_key(s + ".fqdn", "Host name or IP address of the " + which + " collector.",
                      [coll](auto& c) -> auto& { return coll(c).fqdn; });
  k.check = [coll](const Config& c) { return check_host(coll(c).fqdn); };
  if (which == "primary") {
    k.required = true;
  } else {
    k.doc += " Required when any backupCollector key is set; the agent fails over to it after event.maxMissed "
             "failed attempts on the primary.";
  }
  keys.push_back(std::move(k));
  keys.push_back(int_key(s + ".port", "TCP port of the collector.", [coll](auto& c) -> auto& { return coll(c).port; },
                         1, 65535));
  keys.push_back(bool_key(s + ".secure", "Use HTTPS.", [coll](auto& c) -> auto& { return coll(c).secure; }));
  keys.push_back(string_key(s + ".serverRoot",
                            "Optional path prefix before /eventListener (\"api\" gives /api/eventListener/v7).",
                            [coll](auto& c) -> auto& { return coll(c).server_root; }));
  keys.push_back(string_key(s + ".topic",
                            "Optional path suffix after /eventListener/vN. The ONAP DCAE collector answers 404 to it; "
                            "leave empty unless your collector routes on it.",
                            [coll](auto& c) -> auto& { return coll(c).topic; }));
  keys.push_back(string_key(s + ".user", "Basic-auth user name; empty = no authentication.",
                            [coll](auto& c) -> auto& { return coll(c).user; }));
  keys.push_back(string_key(s + ".password",
                            "Basic-auth password, used as given. Prefer passwordFile or the environment.",
                            [coll](auto& c) -> auto& { return coll(c).password; }, KeyType::secret));
  keys.push_back(string_key(s + ".passwordFile",
                            "File holding the password (read at load, trailing newline removed). With systemd's "
                            "LoadCredential= use ${CREDENTIALS_DIRECTORY}/collector-password.",
                            [coll](auto& c) -> auto& { return coll(c).password_file; }, KeyType::path));
  keys.push_back(ignored_key(s + ".passphrase", KeyType::secret,
                             "VESPA only: passphrase for VESPA's external password decryption. Accepted and "
                             "ignored (with a warning); the password is used as given.",
                             "VESPA's external password decryption is not supported; the passphrase is ignored "
                             "and the password is used as given (use passwordFile to keep it out of the file)"));
  add_peer_tls_keys(keys, s, "the collector", [coll](auto& c) -> auto& { return coll(c).tls; });
  keys.push_back(duration_key(s + ".connectTimeout", "Time allowed to establish the connection.",
                              [coll](auto& c) -> auto& { return coll(c).connect_timeout; }, Zero::rejected));
  keys.push_back(duration_key(s + ".timeout",
                              "Whole-request timeout. It must outlast the ONAP collector's synchronous publish "
                              "(about 20 s with its retry) or events that were in fact delivered are sent again.",
                              [coll](auto& c) -> auto& { return coll(c).timeout; }, Zero::rejected));
}

std::vector<Key> build_keys() {
  std::vector<Key> keys;

  // Top level.
  keys.push_back(string_key("datadir",
                            "State directory: the outbox, active faults and sequence numbers are persisted here.",
                            [](auto& c) -> auto& { return c.datadir; }, KeyType::path));
  keys.push_back(duration_key("shutdownTimeout", "How long SIGTERM waits for queued events to reach a collector.",
                              [](auto& c) -> auto& { return c.shutdown_timeout; }, Zero::allowed));
  {
    Key k;
    k.path = "debug";
    k.type = KeyType::boolean;
    k.doc = "VESPA compatibility: `debug: true` is the same as `log.level: debug` (an explicit log.level from the "
            "same source wins).";
    k.set = [](Config& c, std::string_view v, SetContext& ctx) -> Message {
      auto b = parse_bool(v);
      if (!b) return "expected true or false, got " + quote(v);
      if (*b && ctx.set_in_stage.count("log.level") == 0) c.log.level = "debug";
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    // VESPA's root certificate *content* (PEM), trusted for both collectors as VESPA did. A collector's own
    // caCert file, when set, wins over it.
    Key k = string_key("caCert",
                       "VESPA compatibility: CA certificate(s) as PEM content (not a file) that verify both "
                       "collectors instead of the system store; primaryCollector.caCert / backupCollector.caCert "
                       "(files) win over it.",
                       [](auto& c) -> auto& { return c.primary_collector.tls.ca_pem; });
    k.set = [](Config& c, std::string_view v, SetContext&) -> Message {
      c.primary_collector.tls.ca_pem = std::string(v);
      c.backup_collector.tls.ca_pem = std::string(v);
      return std::nullopt;
    };
    k.check = [](const Config& c) -> Message {
      const auto& pem = c.primary_collector.tls.ca_pem;
      if (pem.empty() || pem.find("-----BEGIN CERTIFICATE-----") != std::string::npos) return std::nullopt;
      return "must hold PEM certificate content (-----BEGIN CERTIFICATE----- ...); to name a CA file, set "
             "primaryCollector.caCert instead";
    };
    keys.push_back(std::move(k));
  }

  add_cluster_keys(keys);
  add_outbox_keys(keys);
  add_web_keys(keys);

  // ves, log.
  {
    Key k = int_key("ves.version",
                    "VES version of the events: 7 (VES 7.2.1, schema 30.2.1_ONAP) or 5 (VES 5.4.1, schema 28.4.1).",
                    [](auto& c) -> auto& { return c.ves.version; }, 5, 7);
    k.choices = {"5", "7"};
    k.check = [](const Config& c) -> Message {
      if (c.ves.version == 5 || c.ves.version == 7) return std::nullopt;
      return "must be 5 or 7, got " + std::to_string(c.ves.version);
    };
    keys.push_back(std::move(k));
  }
  keys.push_back(choice_key("log.level", "Least severe log level written.",
                            [](auto& c) -> auto& { return c.log.level; }, {"trace", "debug", "info", "warn", "error"}));
  keys.push_back(choice_key("log.format", "Log line format.", [](auto& c) -> auto& { return c.log.format; },
                            {"logfmt", "json"}));

  add_collector(keys, "primaryCollector", "primary", [](auto& c) -> auto& { return c.primary_collector; });
  add_collector(keys, "backupCollector", "backup", [](auto& c) -> auto& { return c.backup_collector; });

  // event.
  keys.push_back(string_key("event.vnfName", "Name of the VNF this agent reports for (VES sourceName and more).",
                            [](auto& c) -> auto& { return c.event.vnf_name; }));
  {
    Key k = string_key("event.reportingEntityName", "VES reportingEntityName.",
                       [](auto& c) -> auto& { return c.event.reporting_entity_name; });
    k.default_text = "the host name";
    keys.push_back(std::move(k));
  }
  keys.push_back(string_key("event.reportingEntityID", "VES reportingEntityId (usually the VM's UUID).",
                            [](auto& c) -> auto& { return c.event.reporting_entity_id; }));
  keys.push_back(string_key("event.nfNamingCode", "VES nfNamingCode (part of vnfName, e.g. \"hsxp\").",
                            [](auto& c) -> auto& { return c.event.nf_naming_code; }));
  keys.push_back(list_key("event.nfcNamingCodes", KeyType::list,
                          "VES nfcNamingCode per VM: a list of {type: <code>, vnfcs: [<VM name>, ...]}.",
                          parse_nfc_naming_codes, emit_nfc_naming_codes));
  keys.push_back(size_key("event.maxSize",
                          "Largest request body in bytes; batches are split below it (VESPA's default of 200 is "
                          "too small to hold one event, hence the minimum).",
                          [](auto& c) -> auto& { return c.event.max_size; }, 1024));
  keys.push_back(duration_key("event.retryInterval", "Wait before retrying a failed post.",
                              [](auto& c) -> auto& { return c.event.retry_interval; }, Zero::rejected));
  keys.push_back(int_key("event.maxMissed", "Failed attempts on one collector before switching to the other.",
                         [](auto& c) -> auto& { return c.event.max_missed; }, 1, std::numeric_limits<int>::max()));
  add_fault_format_keys(keys);

  // heartbeat.
  keys.push_back(duration_key("heartbeat.defaultInterval",
                              "Heartbeat interval until the collector sets another one (commandList).",
                              [](auto& c) -> auto& { return c.heartbeat.default_interval; }, Zero::rejected));
  {
    Key k = string_key("heartbeat.eventName",
                       "VES eventName of heartbeats. Keep it stable: the ONAP heartbeat consumer keys on it.",
                       [](auto& c) -> auto& { return c.heartbeat.event_name; });
    k.default_text = "Heartbeat_ + event.nfNamingCode, else event.vnfName, else ves-agent";
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key("heartbeat.sourceName", "VES sourceName of heartbeats.",
                       [](auto& c) -> auto& { return c.heartbeat.source_name; });
    k.default_text = "event.vnfName, else event.reportingEntityName";
    keys.push_back(std::move(k));
  }

  // measurement.
  keys.push_back(string_key("measurement.domainAbbreviation",
                            "Abbreviation used in measurement eventNames: \"Measurement\" (VES 7) or \"Mvfs\" "
                            "(VESPA, VES 5).",
                            [](auto& c) -> auto& { return c.measurement.domain_abbreviation; }));
  keys.push_back(duration_key("measurement.defaultInterval",
                              "Measurement interval until the collector sets another one (commandList).",
                              [](auto& c) -> auto& { return c.measurement.default_interval; }, Zero::rejected));
  keys.push_back(duration_key("measurement.maxBufferingDuration",
                              "How far back missed measurement intervals are caught up after an outage.",
                              [](auto& c) -> auto& { return c.measurement.max_buffering_duration; }, Zero::allowed));
  {
    Key k = string_key("measurement.prometheus.address",
                       "Base URL of the Prometheus server, e.g. http://localhost:9090; empty = no measurements.",
                       [](auto& c) -> auto& { return c.measurement.prometheus.address; });
    k.check = [](const Config& c) { return check_http_url(c.measurement.prometheus.address); };
    keys.push_back(std::move(k));
  }
  keys.push_back(duration_key("measurement.prometheus.timeout", "Timeout of one Prometheus query.",
                              [](auto& c) -> auto& { return c.measurement.prometheus.timeout; }, Zero::rejected));
  keys.push_back(string_key("measurement.prometheus.user", "Basic-auth user name for Prometheus.",
                            [](auto& c) -> auto& { return c.measurement.prometheus.user; }));
  keys.push_back(string_key("measurement.prometheus.password", "Basic-auth password for Prometheus.",
                            [](auto& c) -> auto& { return c.measurement.prometheus.password; }, KeyType::secret));
  keys.push_back(string_key("measurement.prometheus.passwordFile", "File holding the Prometheus password.",
                            [](auto& c) -> auto& { return c.measurement.prometheus.password_file; }, KeyType::path));
  keys.push_back(string_key("measurement.prometheus.bearerToken", "Bearer token for Prometheus.",
                            [](auto& c) -> auto& { return c.measurement.prometheus.bearer_token; },
                            KeyType::secret));
  keys.push_back(string_key("measurement.prometheus.bearerTokenFile", "File holding the Prometheus bearer token.",
                            [](auto& c) -> auto& { return c.measurement.prometheus.bearer_token_file; },
                            KeyType::path));
  add_peer_tls_keys(keys, "measurement.prometheus", "Prometheus",
                    [](auto& c) -> auto& { return c.measurement.prometheus.tls; });
  keys.push_back(list_key("measurement.prometheus.rules.defaults", KeyType::map,
                          "Default rule: every field but expr, used where a metric rule leaves it empty "
                          "(labels are merged by name).",
                          parse_rule_defaults, emit_rule_defaults));
  keys.push_back(list_key("measurement.prometheus.rules.metrics", KeyType::list,
                          "Metric rules: {target, expr, vmId, labels: [{name, expr}], object_name, "
                          "object_instance, object_keys: [{name, expr}]}; expr and target (here or in defaults) "
                          "are required.",
                          parse_rule_metrics, emit_rule_metrics));

  // alertManager.
  {
    Key k = string_key("alertManager.bind", "Listen address (host:port) of the Alertmanager webhook.",
                       [](auto& c) -> auto& { return c.alert_manager.bind; });
    k.check = [](const Config& c) { return check_listen_address(c.alert_manager.bind); };
    keys.push_back(std::move(k));
  }
  keys.push_back(string_key("alertManager.path",
                            "Extra URL path of the webhook besides /api/v1/alerts (VESPA's key; default /alerts).",
                            [](auto& c) -> auto& { return c.alert_manager.path; }));
  keys.push_back(string_key("alertManager.user",
                            "Basic-auth user the webhook requires (VESPA parsed but never checked it); "
                            "empty = no authentication.",
                            [](auto& c) -> auto& { return c.alert_manager.user; }));
  keys.push_back(string_key("alertManager.password", "Basic-auth password the webhook requires.",
                            [](auto& c) -> auto& { return c.alert_manager.password; }, KeyType::secret));
  keys.push_back(string_key("alertManager.passwordFile", "File holding the webhook password.",
                            [](auto& c) -> auto& { return c.alert_manager.password_file; }, KeyType::path));
  {
    Key k = string_key("alertManager.passwordHash",
                       "bcrypt hash ($2b$, $2y$ or $2a$) of the webhook password, instead of password, so the "
                       "file holds no secret (as Prometheus' web config). Make one with `htpasswd -nbBC 10 \"\" "
                       "'secret' | tr -d ':'` or `mkpasswd -m bcrypt`. Checked once per distinct credential, off "
                       "the event loop.",
                       [](auto& c) -> auto& { return c.alert_manager.password_hash; }, KeyType::secret);
    k.check = [](const Config& c) { return check_bcrypt_hash(c.alert_manager); };
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key("alertManager.bearerToken",
                       "Bearer token the webhook accepts (Alertmanager http_config `authorization`); empty = "
                       "none. With user set as well, either credential is accepted.",
                       [](auto& c) -> auto& { return c.alert_manager.bearer_token; }, KeyType::secret);
    keys.push_back(std::move(k));
  }
  keys.push_back(string_key("alertManager.bearerTokenFile", "File holding the webhook bearer token.",
                            [](auto& c) -> auto& { return c.alert_manager.bearer_token_file; }, KeyType::path));
  keys.push_back(size_key("alertManager.maxBodySize",
                          "Largest webhook request body in bytes; larger ones get 413 (Alertmanager does not retry "
                          "a 4xx quickly, so keep it above your largest notification).",
                          [](auto& c) -> auto& { return c.alert_manager.max_body_size; }, 1024));
  keys.push_back(duration_key("alertManager.readTimeout",
                              "Time allowed to receive the headers and body of one webhook request.",
                              [](auto& c) -> auto& { return c.alert_manager.read_timeout; }, Zero::rejected));
  {
    Key k = string_key("alertManager.tlsCertFile",
                       "Certificate chain (PEM file) of the webhook; with tlsKeyFile the webhook serves HTTPS "
                       "only (TLS 1.2 or later). Empty = plain HTTP.",
                       [](auto& c) -> auto& { return c.alert_manager.tls_cert_file; }, KeyType::path);
    k.check = [](const Config& c) -> Message {
      const auto& am = c.alert_manager;
      if (!am.tls_cert_file.empty() && am.tls_key_file.empty()) return "requires alertManager.tlsKeyFile as well";
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key("alertManager.tlsKeyFile", "Private key (PEM file, unencrypted) of tlsCertFile.",
                       [](auto& c) -> auto& { return c.alert_manager.tls_key_file; }, KeyType::path);
    k.check = [](const Config& c) -> Message {
      const auto& am = c.alert_manager;
      if (!am.tls_key_file.empty() && am.tls_cert_file.empty()) return "requires alertManager.tlsCertFile as well";
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key("alertManager.tlsClientCAFile",
                       "CA bundle (PEM file) that webhook client certificates must chain to; a client that "
                       "presents a certificate is then verified. Empty = client certificates are not requested.",
                       [](auto& c) -> auto& { return c.alert_manager.tls_client_ca_file; }, KeyType::path);
    k.check = [](const Config& c) -> Message {
      const auto& am = c.alert_manager;
      if (!am.tls_client_ca_file.empty() && am.tls_cert_file.empty()) {
        return "requires alertManager.tlsCertFile and alertManager.tlsKeyFile (TLS)";
      }
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = bool_key("alertManager.tlsRequireClientCert",
                     "Reject webhook clients without a certificate signed by tlsClientCAFile (mutual TLS; "
                     "Alertmanager's http_config tls_config cert_file/key_file).",
                     [](auto& c) -> auto& { return c.alert_manager.tls_require_client_cert; });
    k.check = [](const Config& c) -> Message {
      const auto& am = c.alert_manager;
      if (am.tls_require_client_cert && am.tls_client_ca_file.empty()) {
        return "requires alertManager.tlsClientCAFile (the CA that signs client certificates)";
      }
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }

  // alertManager.faults: alert -> VES fault mapping; the defaults reproduce VESPA.
  keys.push_back(non_empty(string_key("alertManager.faults.alertNameLabel",
                                      "Label giving alarmCondition and the eventName Fault_<nfNamingCode>_<value>.",
                                      [](auto& c) -> auto& { return c.alert_manager.faults.alert_name_label; })));
  keys.push_back(non_empty(string_key("alertManager.faults.severityLabel",
                                      "Label giving eventSeverity through severityMap.",
                                      [](auto& c) -> auto& { return c.alert_manager.faults.severity_label; })));
  {
    Key k = list_key("alertManager.faults.severityMap", KeyType::map,
                     "Severity label value (any case) -> VES eventSeverity (CRITICAL, MAJOR, MINOR, WARNING, "
                     "NORMAL). Entries given here are merged over the defaults.",
                     parse_severity_map, emit_severity_map);
    std::string text;
    for (const auto& [from, to] : Config{}.alert_manager.faults.severity_map) {
      text += (text.empty() ? "" : ", ") + from + ": " + to;
    }
    k.default_text = "{" + text + "}";
    keys.push_back(std::move(k));
  }
  {
    Key k;
    k.path = "alertManager.faults.defaultSeverity";
    k.type = KeyType::choice;
    k.doc = "eventSeverity for an alert whose severity label is missing or not in severityMap (VESPA dropped such "
            "alerts). NORMAL is not allowed: it would read as a clear. Any case is accepted.";
    k.choices = {"CRITICAL", "MAJOR", "MINOR", "WARNING"};
    k.set = [allowed = k.choices](Config& c, std::string_view v, SetContext&) -> Message {
      for (const auto& a : allowed) {
        if (iequals(a, v)) {
          c.alert_manager.faults.default_severity = a;
          return std::nullopt;
        }
      }
      return "expected one of CRITICAL, MAJOR, MINOR, WARNING, got " + quote(v);
    };
    k.get = [](const Config& c) { return c.alert_manager.faults.default_severity; };
    keys.push_back(std::move(k));
  }
  {
    Key k = list_key(
        "alertManager.faults.sourceNameLabels", KeyType::list,
        "Labels tried in order for sourceName (also the key of event.nfcNamingCodes); \"unknown\" when none is set.",
        [](Config& c, const YAML::Node& v, const std::string& path, const Where& w, Report& r) {
          parse_name_list(c.alert_manager.faults.source_name_labels, v, path, w, r, false);
        },
        [](YAML::Emitter& out, const Config& c) { emit_name_list(out, c.alert_manager.faults.source_name_labels); });
    k.default_text = join_names(Config{}.alert_manager.faults.source_name_labels);
    keys.push_back(std::move(k));
  }
  keys.push_back(string_key("alertManager.faults.sourceIdLabel", "Label giving sourceId; empty = no sourceId.",
                            [](auto& c) -> auto& { return c.alert_manager.faults.source_id_label; }));
  {
    Key k = list_key(
        "alertManager.faults.specificProblemAnnotations", KeyType::list,
        "Annotations tried in order for specificProblem; the alert name when none is set.",
        [](Config& c, const YAML::Node& v, const std::string& path, const Where& w, Report& r) {
          parse_name_list(c.alert_manager.faults.specific_problem_annotations, v, path, w, r, true);
        },
        [](YAML::Emitter& out, const Config& c) {
          emit_name_list(out, c.alert_manager.faults.specific_problem_annotations);
        });
    k.default_text = join_names(Config{}.alert_manager.faults.specific_problem_annotations);
    keys.push_back(std::move(k));
  }
  keys.push_back(non_empty(string_key("alertManager.faults.eventSourceType",
                                      "VES eventSourceType of the faults (free text: virtualMachine, host, "
                                      "virtualNetworkFunction, ...).",
                                      [](auto& c) -> auto& { return c.alert_manager.faults.event_source_type; })));
  keys.push_back(choice_key("alertManager.faults.vfStatus", "VES vfStatus of the faults.",
                            [](auto& c) -> auto& { return c.alert_manager.faults.vf_status; },
                            {"Active", "Idle", "Preparing to terminate", "Ready to terminate",
                             "Requesting termination"}));
  keys.push_back(choice_key("alertManager.faults.unknownResolve",
                            "A resolved alert whose raise the agent does not know (sent before its state was "
                            "lost): send = send the clear anyway (the collector may hold the raise; its eventId is "
                            "derived from the alert, so it matches a raise sent by this agent), drop = log and send "
                            "nothing (VESPA).",
                            [](auto& c) -> auto& { return c.alert_manager.faults.unknown_resolve; },
                            {"send", "drop"}));
  keys.push_back(duration_key("alertManager.faults.closedFaultRetention",
                              "How long a cleared fault is remembered (and persisted), so the resolved alert "
                              "Alertmanager keeps re-sending (about 15 minutes) produces no second clear.",
                              [](auto& c) -> auto& { return c.alert_manager.faults.closed_fault_retention; },
                              Zero::rejected));

  add_openstack_keys(keys);
  return keys;
}

}  // namespace

std::string env_name_for(std::string_view path) {
  std::string env = "VES_";
  for (char c : path) env += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

std::string Key::env_name() const { return file_only() ? std::string{} : env_name_for(path); }

std::string Key::flag_name() const { return file_only() ? std::string{} : "--" + path; }

std::string Key::type_name() const {
  switch (type) {
    case KeyType::string: return "string";
    case KeyType::path: return "path";
    case KeyType::secret: return "secret";
    case KeyType::integer:
    case KeyType::choice:
      if (!choices.empty()) {
        std::string s;
        for (const auto& c : choices) s += (s.empty() ? "" : "|") + c;
        return s;
      }
      return "int";
    case KeyType::size: return "bytes";
    case KeyType::boolean: return "bool";
    case KeyType::duration: return "duration";
    case KeyType::list: return "list";
    case KeyType::map: return "map";
  }
  return "string";
}

std::string Key::default_value() const {
  if (!default_text.empty()) return default_text;
  if (!get || secret) return {};
  return get(Config{});
}

const std::vector<Key>& keys() {
  static const std::vector<Key> kKeys = build_keys();
  return kKeys;
}

const Key* find_key(std::string_view path) {
  for (const auto& k : keys()) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

const Key* find_key_ci(std::string_view path) {
  for (const auto& k : keys()) {
    if (iequals(k.path, path)) return &k;
  }
  return nullptr;
}

const Key* find_key_by_env(std::string_view env_name) {
  for (const auto& k : keys()) {
    if (!k.file_only() && env_name_for(k.path) == env_name) return &k;
  }
  return nullptr;
}

bool is_section(std::string_view path) {
  if (path.empty()) return true;
  for (const auto& k : keys()) {
    if (k.path.size() > path.size() && k.path.compare(0, path.size(), path) == 0 && k.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::vector<std::string> children_of(std::string_view section) {
  std::vector<std::string> names;
  std::string prefix = section.empty() ? std::string{} : std::string(section) + ".";
  for (const auto& k : keys()) {
    if (k.path.compare(0, prefix.size(), prefix) != 0 || k.path.size() == prefix.size()) continue;
    std::string rest = k.path.substr(prefix.size());
    std::string name = rest.substr(0, rest.find('.'));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

void check_config(const Config& config, Report& report, const std::function<Where(const std::string&)>& where_of,
                  bool backup_present, bool check_required) {
  for (const auto& k : keys()) {
    if (!k.check) continue;
    // An absent backup collector is not checked: its defaults do not matter.
    if (!backup_present && k.path.rfind("backupCollector.", 0) == 0) continue;
    if (auto err = k.check(config)) report.error(where_of(k.path), k.path, *err);
  }
  if (check_required && config.primary_collector.fqdn.empty() && !report.has_error_for("primaryCollector.fqdn")) {
    report.error(where_of("primaryCollector.fqdn"), "primaryCollector.fqdn",
                 "required: set it in the file, with VES_PRIMARYCOLLECTOR_FQDN or with --primaryCollector.fqdn");
  }
  if (check_required && backup_present && config.backup_collector.fqdn.empty() &&
      !report.has_error_for("backupCollector.fqdn")) {
    report.error(where_of("backupCollector.fqdn"), "backupCollector.fqdn",
                 "required when backupCollector is configured");
  }
  struct Collector {
    const char* path;
    const CollectorConfig& config;
    bool present;
  };
  for (const auto& c : {Collector{"primaryCollector.insecureSkipVerify", config.primary_collector, true},
                        Collector{"backupCollector.insecureSkipVerify", config.backup_collector, backup_present}}) {
    if (!c.present || !c.config.tls.insecure_skip_verify) continue;
    report.warning(where_of(c.path), c.path,
                   c.config.secure ? "TLS certificate verification of this collector is disabled; use it for testing "
                                     "only"
                                   : "has no effect unless secure is true");
  }
  if (config.measurement.prometheus.tls.insecure_skip_verify) {
    report.warning(where_of("measurement.prometheus.insecureSkipVerify"), "measurement.prometheus.insecureSkipVerify",
                   "TLS certificate verification of Prometheus is disabled; use it for testing only");
  }
  check_rules(config, report, Origin::defaults);
  check_cluster(config, report, where_of);
  check_outbox(config, report, where_of);
  check_web(config, report, where_of);
  check_openstack(config, report, where_of);
}

}  // namespace vesagent::config::detail
