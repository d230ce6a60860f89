#include "openstack_lists.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "lists.hpp"
#include "peer_tls_keys.hpp"
#include "values.hpp"

namespace vesagent::config::detail {

namespace {

void boolean(const YAML::Node& value, const std::string& path, const Where& where, Report& report, bool& out) {
  std::string text;
  scalar_string(value, path, where, report, text);
  if (text.empty()) return;
  auto b = parse_bool(text);
  if (!b) {
    report.error(where, path, "expected true or false, got " + quote(text));
    return;
  }
  out = *b;
}

void duration(const YAML::Node& value, const std::string& path, const Where& where, Report& report,
              std::chrono::milliseconds& out) {
  std::string text;
  scalar_string(value, path, where, report, text);
  if (text.empty()) return;
  auto d = parse_duration(text);
  if (!d || d->count() <= 0) {
    report.error(where, path, "expected a duration greater than 0s such as 60s or 5m, got " + quote(text));
    return;
  }
  out = *d;
}

void string_list(const YAML::Node& value, const std::string& path, const Where& where, Report& report,
                 std::vector<std::string>& out) {
  if (value.IsNull()) return;
  if (value.IsScalar()) {  // one value without brackets is accepted: `projects: demo`
    out.push_back(value.Scalar());
    return;
  }
  if (!value.IsSequence()) {
    report.error(where, path, "expected a list of strings, got " + describe(value));
    return;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    if (!item.IsScalar() || item.Scalar().empty()) {
      report.error(line_of(item, where, report), path + "[" + std::to_string(i) + "]",
                   "expected a non-empty string, got " + describe(item));
      continue;
    }
    out.push_back(item.Scalar());
  }
}

OpenStackFilter parse_filter(const YAML::Node& node, const std::string& path, const Where& where, Report& report) {
  OpenStackFilter f;
  f.line = where.line;
  static const std::vector<std::string> kFields = {"projects", "names", "nameRegex", "metadata", "tags", "interval"};
  walk_object(node, path, where, kFields, report,
              [&](const std::string& field, const YAML::Node& v, const std::string& fpath, const Where& w) {
                if (field == "projects") {
                  string_list(v, fpath, w, report, f.projects);
                } else if (field == "names") {
                  string_list(v, fpath, w, report, f.names);
                } else if (field == "tags") {
                  string_list(v, fpath, w, report, f.tags);
                } else if (field == "interval") {
                  duration(v, fpath, w, report, f.interval);
                } else if (field == "nameRegex") {
                  scalar_string(v, fpath, w, report, f.name_regex);
                  try {
                    std::regex re(f.name_regex, std::regex::ECMAScript);
                  } catch (const std::regex_error& e) {
                    report.error(w, fpath, "not a valid regular expression: " + std::string(e.what()));
                  }
                } else if (field == "metadata") {
                  if (v.IsNull()) return;
                  if (!v.IsMap()) {
                    report.error(w, fpath, "expected a map of {key: value}, got " + describe(v));
                    return;
                  }
                  for (auto it = v.begin(); it != v.end(); ++it) {
                    const YAML::Node key = it->first;
                    const YAML::Node val = it->second;
                    if (!key.IsScalar() || !(val.IsScalar() || val.IsNull())) {
                      report.error(line_of(key, w, report), fpath, "expected string keys and values");
                      continue;
                    }
                    f.metadata.emplace_back(key.Scalar(), val.IsNull() ? std::string{} : val.Scalar());
                  }
                }
              });
  return f;
}

void parse_notifications(const YAML::Node& node, const std::string& path, const Where& where, Report& report,
                         OpenStackNotifications& n) {
  if (node.IsNull()) return;
  static const std::vector<std::string> kFields = {"urls",     "username", "password",   "passwordFile", "vhost",
                                                   "exchange", "topic",    "queue",      "prefetch",     "heartbeat",
                                                   "tls"};
  const std::map<std::string, std::string OpenStackNotifications::*> strings = {
      {"username", &OpenStackNotifications::username},         {"password", &OpenStackNotifications::password},
      {"passwordFile", &OpenStackNotifications::password_file}, {"vhost", &OpenStackNotifications::vhost},
      {"exchange", &OpenStackNotifications::exchange},          {"topic", &OpenStackNotifications::topic},
      {"queue", &OpenStackNotifications::queue}};
  walk_object(node, path, where, kFields, report,
              [&](const std::string& field, const YAML::Node& v, const std::string& fpath, const Where& w) {
                if (auto it = strings.find(field); it != strings.end()) {
                  scalar_string(v, fpath, w, report, n.*(it->second));
                } else if (field == "urls") {
                  string_list(v, fpath, w, report, n.urls);
                  for (const auto& url : n.urls) {
                    if (url.rfind("amqp://", 0) != 0 && url.rfind("amqps://", 0) != 0 && url.rfind("rabbit://", 0) != 0) {
                      report.error(w, fpath, "expected amqp://, amqps:// or rabbit:// URLs, got " + quote(url));
                    }
                  }
                } else if (field == "heartbeat") {
                  duration(v, fpath, w, report, n.heartbeat);
                } else if (field == "prefetch") {
                  std::string text;
                  scalar_string(v, fpath, w, report, text);
                  char* end = nullptr;
                  const long value = std::strtol(text.c_str(), &end, 10);
                  if (text.empty() || *end != '\0' || value < 1 || value > 65535) {
                    report.error(w, fpath, "expected a number from 1 to 65535, got " + quote(text));
                  } else {
                    n.prefetch = static_cast<int>(value);
                  }
                } else if (field == "tls") {
                  static const std::vector<std::string> kTls = {"caCert", "clientCert", "clientKey",
                                                                "insecureSkipVerify"};
                  walk_object(v, fpath, w, kTls, report,
                              [&](const std::string& f, const YAML::Node& tv, const std::string& tpath, const Where& tw) {
                                if (f == "caCert") scalar_string(tv, tpath, tw, report, n.ca_cert);
                                if (f == "clientCert") scalar_string(tv, tpath, tw, report, n.client_cert);
                                if (f == "clientKey") scalar_string(tv, tpath, tw, report, n.client_key);
                                if (f == "insecureSkipVerify") boolean(tv, tpath, tw, report, n.insecure_skip_verify);
                              });
                }
              });
  if (n.client_cert.empty() != n.client_key.empty()) {
    report.error(where, path + ".tls", "clientCert and clientKey go together: give both or neither");
  }
}

OpenStackCloud parse_cloud(const YAML::Node& node, const std::string& path, const Where& where, Report& report) {
  OpenStackCloud c;
  c.line = where.line;
  static const std::vector<std::string> kFields = {
      "name",           "cloud",           "authUrl",          "authType",        "username",
      "userId",         "password",        "passwordFile",     "userDomainName",  "userDomainId",
      "projectName",    "projectId",       "projectDomainName", "projectDomainId", "applicationCredentialId",
      "applicationCredentialName", "applicationCredentialSecret", "regionName", "interface", "computeEndpoint",
      "caCert",         "insecureSkipVerify", "allTenants",     "interval",        "fullResyncInterval",
      "filters",        "caPath",          "crlFile",          "clientCert",      "clientCertType",
      "clientKey",      "clientKeyPassword", "clientKeyPasswordFile", "tlsMinVersion", "proxyUrl",
      "noProxy",        "http2",           "keepalive",
      "computeMicroversion", "notifications"};
  const std::map<std::string, std::string OpenStackCloud::*> strings = {
      {"name", &OpenStackCloud::name},
      {"cloud", &OpenStackCloud::cloud},
      {"authUrl", &OpenStackCloud::auth_url},
      {"authType", &OpenStackCloud::auth_type},
      {"username", &OpenStackCloud::username},
      {"userId", &OpenStackCloud::user_id},
      {"password", &OpenStackCloud::password},
      {"passwordFile", &OpenStackCloud::password_file},
      {"userDomainName", &OpenStackCloud::user_domain_name},
      {"userDomainId", &OpenStackCloud::user_domain_id},
      {"projectName", &OpenStackCloud::project_name},
      {"projectId", &OpenStackCloud::project_id},
      {"projectDomainName", &OpenStackCloud::project_domain_name},
      {"projectDomainId", &OpenStackCloud::project_domain_id},
      {"applicationCredentialId", &OpenStackCloud::application_credential_id},
      {"applicationCredentialName", &OpenStackCloud::application_credential_name},
      {"applicationCredentialSecret", &OpenStackCloud::application_credential_secret},
      {"regionName", &OpenStackCloud::region_name},
      {"interface", &OpenStackCloud::interface},
      {"computeEndpoint", &OpenStackCloud::compute_endpoint},
      {"computeMicroversion", &OpenStackCloud::compute_microversion}};
  // The TLS/proxy block every outbound peer has (peer_tls_keys.hpp).
  const std::map<std::string, std::string PeerTls::*> tls_strings = {
      {"caCert", &PeerTls::ca_cert},
      {"caPath", &PeerTls::ca_path},
      {"crlFile", &PeerTls::crl_file},
      {"clientCert", &PeerTls::client_cert},
      {"clientCertType", &PeerTls::client_cert_type},
      {"clientKey", &PeerTls::client_key},
      {"clientKeyPassword", &PeerTls::client_key_password},
      {"clientKeyPasswordFile", &PeerTls::client_key_password_file},
      {"tlsMinVersion", &PeerTls::tls_min_version},
      {"proxyUrl", &PeerTls::proxy_url},
      {"noProxy", &PeerTls::no_proxy}};
  walk_object(node, path, where, kFields, report,
              [&](const std::string& field, const YAML::Node& v, const std::string& fpath, const Where& w) {
                if (auto it = strings.find(field); it != strings.end()) {
                  scalar_string(v, fpath, w, report, c.*(it->second));
                } else if (auto t = tls_strings.find(field); t != tls_strings.end()) {
                  scalar_string(v, fpath, w, report, c.tls.*(t->second));
                } else if (field == "insecureSkipVerify") {
                  boolean(v, fpath, w, report, c.tls.insecure_skip_verify);
                } else if (field == "http2") {
                  boolean(v, fpath, w, report, c.tls.http2);
                } else if (field == "keepalive") {
                  duration(v, fpath, w, report, c.tls.keepalive);
                } else if (field == "allTenants") {
                  bool b = false;
                  std::string text;
                  scalar_string(v, fpath, w, report, text);
                  if (text.empty()) return;
                  boolean(v, fpath, w, report, b);
                  c.all_tenants = b ? 1 : 0;
                } else if (field == "interval") {
                  duration(v, fpath, w, report, c.interval);
                } else if (field == "fullResyncInterval") {
                  duration(v, fpath, w, report, c.full_resync_interval);
                } else if (field == "notifications") {
                  parse_notifications(v, fpath, w, report, c.notifications);
                } else if (field == "filters") {
                  if (v.IsNull()) return;
                  if (!v.IsSequence()) {
                    report.error(w, fpath, "expected a list of filters, got " + describe(v));
                    return;
                  }
                  for (std::size_t i = 0; i < v.size(); ++i) {
                    const YAML::Node item = v[i];
                    c.filters.push_back(parse_filter(item, fpath + "[" + std::to_string(i) + "]",
                                                     line_of(item, w, report), report));
                  }
                }
              });
  if (!c.compute_microversion.empty()) {
    const std::string& v = c.compute_microversion;
    const auto dot = v.find('.');
    const bool ok = dot != std::string::npos && dot > 0 && dot + 1 < v.size() &&
                    v.find_first_not_of("0123456789.") == std::string::npos && v.find('.', dot + 1) == std::string::npos;
    if (!ok) report.error(where, path + ".computeMicroversion", "expected a microversion such as 2.60, got " + quote(v));
  }
  if (auto e = check_tls_min_version(c.tls.tls_min_version)) report.error(where, path + ".tlsMinVersion", *e);
  if (auto e = check_client_cert_type(c.tls.client_cert_type)) report.error(where, path + ".clientCertType", *e);
  if (auto e = check_proxy_url(c.tls.proxy_url)) report.error(where, path + ".proxyUrl", *e);
  if (auto e = check_client_cert_pair(c.tls, path, false)) report.error(where, path + ".clientCert", *e);
  if (auto e = check_client_cert_pair(c.tls, path, true)) report.error(where, path + ".clientKey", *e);
  if (c.interface.size() > 0 && c.interface != "public" && c.interface != "internal" && c.interface != "admin") {
    report.error(where, path + ".interface", "expected public, internal or admin, got " + quote(c.interface));
  }
  if (!c.auth_type.empty() && c.auth_type != "password" && c.auth_type != "v3password" &&
      c.auth_type != "v3applicationcredential") {
    report.error(where, path + ".authType",
                 "expected password or v3applicationcredential, got " + quote(c.auth_type));
  }
  return c;
}

/// The passwords inside a broker URL are secrets too: amqp://user:<redacted>@host/, and each host of oslo's
/// rabbit://u:p@h1,u:p@h2/ form.
std::string redact_url_passwords(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto start = scheme + 3;
  const auto end = std::min(url.find('/', start), url.find('?', start));
  const std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::string redacted;
  std::size_t pos = 0;
  while (true) {
    const auto comma = authority.find(',', pos);
    std::string part = authority.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (const auto at = part.rfind('@'); at != std::string::npos) {
      if (const auto colon = part.find(':'); colon < at) part.replace(colon + 1, at - colon - 1, "<redacted>");
    }
    redacted += part;
    if (comma == std::string::npos) break;
    redacted += ',';
    pos = comma + 1;
  }
  return url.substr(0, start) + redacted + (end == std::string::npos ? std::string{} : url.substr(end));
}

void emit_string(YAML::Emitter& out, const char* name, const std::string& value, bool secret = false) {
  if (value.empty()) return;
  out << YAML::Key << name << YAML::Value << YAML::DoubleQuoted << (secret ? std::string("<redacted>") : value);
}

}  // namespace

void parse_openstack_clouds(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                            Report& report) {
  if (value.IsNull()) {
    config.openstack.clouds.clear();
    return;
  }
  if (!value.IsSequence()) {
    report.error(where, path, "expected a list of clouds, got " + describe(value));
    return;
  }
  std::vector<OpenStackCloud> clouds;
  std::map<std::string, int> names;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    std::string ipath = path + "[" + std::to_string(i) + "]";
    Where iw = line_of(item, where, report);
    OpenStackCloud c = parse_cloud(item, ipath, iw, report);
    // A cloud without a name takes its clouds.yaml entry's name, so `- cloud: prod` is enough.
    if (c.name.empty()) c.name = c.cloud;
    if (c.name.empty()) {
      report.error(iw, ipath + ".name", "required (or give cloud, the clouds.yaml entry, whose name is used)");
    } else if (auto [prev, inserted] = names.emplace(c.name, iw.line); !inserted) {
      report.error(iw, ipath + ".name",
                   "duplicate cloud name " + quote(c.name) + "; first given on line " + std::to_string(prev->second));
    }
    clouds.push_back(std::move(c));
  }
  config.openstack.clouds = std::move(clouds);
}

void emit_openstack_clouds(YAML::Emitter& out, const Config& config) {
  out << YAML::BeginSeq;
  for (const auto& c : config.openstack.clouds) {
    out << YAML::BeginMap;
    emit_string(out, "name", c.name);
    emit_string(out, "cloud", c.cloud);
    emit_string(out, "authUrl", c.auth_url);
    emit_string(out, "authType", c.auth_type);
    emit_string(out, "username", c.username);
    emit_string(out, "userId", c.user_id);
    emit_string(out, "password", c.password, true);
    emit_string(out, "passwordFile", c.password_file);
    emit_string(out, "userDomainName", c.user_domain_name);
    emit_string(out, "userDomainId", c.user_domain_id);
    emit_string(out, "projectName", c.project_name);
    emit_string(out, "projectId", c.project_id);
    emit_string(out, "projectDomainName", c.project_domain_name);
    emit_string(out, "projectDomainId", c.project_domain_id);
    emit_string(out, "applicationCredentialId", c.application_credential_id);
    emit_string(out, "applicationCredentialName", c.application_credential_name);
    emit_string(out, "applicationCredentialSecret", c.application_credential_secret, true);
    emit_string(out, "regionName", c.region_name);
    emit_string(out, "interface", c.interface);
    emit_string(out, "computeEndpoint", c.compute_endpoint);
    const PeerTls defaults;
    emit_string(out, "caCert", c.tls.ca_cert);
    emit_string(out, "caPath", c.tls.ca_path);
    emit_string(out, "crlFile", c.tls.crl_file);
    emit_string(out, "clientCert", c.tls.client_cert);
    emit_string(out, "clientCertType", c.tls.client_cert_type);
    emit_string(out, "clientKey", c.tls.client_key);
    emit_string(out, "clientKeyPassword", c.tls.client_key_password, true);
    emit_string(out, "clientKeyPasswordFile", c.tls.client_key_password_file);
    if (c.tls.tls_min_version != defaults.tls_min_version) emit_string(out, "tlsMinVersion", c.tls.tls_min_version);
    if (c.tls.insecure_skip_verify) out << YAML::Key << "insecureSkipVerify" << YAML::Value << true;
    emit_string(out, "proxyUrl", c.tls.proxy_url, true);
    emit_string(out, "noProxy", c.tls.no_proxy);
    if (!c.tls.http2) out << YAML::Key << "http2" << YAML::Value << false;
    if (c.tls.keepalive != defaults.keepalive) {
      out << YAML::Key << "keepalive" << YAML::Value << format_duration(c.tls.keepalive);
    }
    if (c.all_tenants >= 0) out << YAML::Key << "allTenants" << YAML::Value << (c.all_tenants == 1);
    if (c.interval.count() > 0) out << YAML::Key << "interval" << YAML::Value << format_duration(c.interval);
    if (c.full_resync_interval.count() > 0) {
      out << YAML::Key << "fullResyncInterval" << YAML::Value << format_duration(c.full_resync_interval);
    }
    if (!c.filters.empty()) {
      out << YAML::Key << "filters" << YAML::Value << YAML::BeginSeq;
      for (const auto& f : c.filters) {
        out << YAML::BeginMap;
        if (!f.projects.empty()) out << YAML::Key << "projects" << YAML::Value << YAML::Flow << f.projects;
        if (!f.names.empty()) out << YAML::Key << "names" << YAML::Value << YAML::Flow << f.names;
        emit_string(out, "nameRegex", f.name_regex);
        if (!f.metadata.empty()) {
          out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
          for (const auto& [k, v] : f.metadata) out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
          out << YAML::EndMap;
        }
        if (!f.tags.empty()) out << YAML::Key << "tags" << YAML::Value << YAML::Flow << f.tags;
        if (f.interval.count() > 0) out << YAML::Key << "interval" << YAML::Value << format_duration(f.interval);
        out << YAML::EndMap;
      }
      out << YAML::EndSeq;
    }
    emit_string(out, "computeMicroversion", c.compute_microversion);
    if (const auto& n = c.notifications; !n.urls.empty()) {
      out << YAML::Key << "notifications" << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "urls" << YAML::Value << YAML::BeginSeq;
      for (const auto& url : n.urls) {
        out << YAML::DoubleQuoted << redact_url_passwords(url);
      }
      out << YAML::EndSeq;
      emit_string(out, "username", n.username);
      emit_string(out, "password", n.password, true);
      emit_string(out, "passwordFile", n.password_file);
      emit_string(out, "vhost", n.vhost);
      emit_string(out, "exchange", n.exchange);
      emit_string(out, "topic", n.topic);
      emit_string(out, "queue", n.queue);
      out << YAML::Key << "prefetch" << YAML::Value << n.prefetch;
      out << YAML::Key << "heartbeat" << YAML::Value << format_duration(n.heartbeat);
      if (!n.ca_cert.empty() || !n.client_cert.empty() || n.insecure_skip_verify) {
        out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
        emit_string(out, "caCert", n.ca_cert);
        emit_string(out, "clientCert", n.client_cert);
        emit_string(out, "clientKey", n.client_key);
        if (n.insecure_skip_verify) out << YAML::Key << "insecureSkipVerify" << YAML::Value << true;
        out << YAML::EndMap;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void parse_openstack_fault_statuses(Config& config, const YAML::Node& value, const std::string& path,
                                    const Where& where, Report& report) {
  static const std::vector<std::string> kSeverities = {"CRITICAL", "MAJOR", "MINOR", "WARNING"};
  if (value.IsNull()) {
    config.openstack.fault_statuses.clear();
    return;
  }
  if (!value.IsMap()) {
    report.error(where, path, "expected a map of {STATUS: SEVERITY}, got " + describe(value));
    return;
  }
  std::vector<std::pair<std::string, std::string>> statuses;
  std::set<std::string> seen;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node val = it->second;
    Where w = line_of(key, where, report);
    if (!key.IsScalar() || key.Scalar().empty()) {
      report.error(w, path, "keys must be Nova statuses, got " + describe(key));
      continue;
    }
    std::string status = key.Scalar();
    for (auto& ch : status) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::string kpath = path + "." + key.Scalar();
    if (!seen.insert(status).second) {
      report.error(w, kpath, "duplicate status (statuses are case-insensitive)");
      continue;
    }
    std::string severity;
    if (val.IsScalar()) {
      for (const auto& s : kSeverities) {
        if (iequals(s, val.Scalar())) severity = s;
      }
    }
    if (severity.empty()) {
      report.error(w, kpath,
                   "expected one of CRITICAL, MAJOR, MINOR, WARNING, got " +
                       (val.IsScalar() ? quote(val.Scalar()) : describe(val)));
      continue;
    }
    if (status == "ACTIVE") report.warning(w, kpath, "ACTIVE as a fault status makes every running VM a fault");
    statuses.emplace_back(std::move(status), std::move(severity));
  }
  config.openstack.fault_statuses = std::move(statuses);
}

void emit_openstack_fault_statuses(YAML::Emitter& out, const Config& config) {
  out << YAML::BeginMap;
  for (const auto& [k, v] : config.openstack.fault_statuses) out << YAML::Key << k << YAML::Value << v;
  out << YAML::EndMap;
}

}  // namespace vesagent::config::detail
