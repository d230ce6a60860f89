// Keys of the `cluster` section: high availability on etcd, plus VESPA's Raft keys (accepted, ignored, warned).
#include <yaml-cpp/yaml.h>

#include "key_factories.hpp"
#include "lists.hpp"
#include "peer_tls_keys.hpp"

namespace vesagent::config::detail {
namespace {

/// cluster.endpoints: a YAML list of URLs, or one comma-separated string (handy when templated).
void parse_endpoints(Config& config, const YAML::Node& value, const std::string& path, const Where& where,
                     Report& report) {
  std::vector<std::string> out;
  auto add = [&](std::string s, const std::string& item_path) {
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (s.empty()) {
      report.error(where, item_path, "an endpoint must not be empty");
      return;
    }
    out.push_back(std::move(s));
  };
  if (value.IsScalar()) {
    const std::string& text = value.Scalar();
    std::size_t start = 0;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      add(text.substr(start, comma - start), path);
      start = comma + 1;
    }
  } else if (value.IsSequence()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      if (!value[i].IsScalar()) {
        report.error(where, item_path, "expected a URL such as http://10.0.0.1:2379, got " + describe(value[i]));
        continue;
      }
      add(value[i].Scalar(), item_path);
    }
  } else {
    report.error(where, path, "expected a list of etcd URLs, got " + describe(value));
    return;
  }
  config.cluster.endpoints = std::move(out);
}

void emit_endpoints(YAML::Emitter& out, const Config& config) {
  out << YAML::Flow << YAML::BeginSeq;
  for (const auto& e : config.cluster.endpoints) out << e;
  out << YAML::EndSeq;
}

/// One of VESPA's Raft keys: remembered so that check_cluster() reports the section once, at its line.
Key vespa_raft_key(const std::string& name, KeyType type, std::string doc) {
  const std::string path = "cluster." + name;
  if (type == KeyType::list) {
    return list_key(
        path, type, std::move(doc),
        [name](Config& c, const YAML::Node&, const std::string&, const Where&, Report&) {
          c.cluster.vespa_raft_keys.push_back(name);
        },
        nullptr);
  }
  Key k;
  k.path = path;
  k.type = type;
  k.doc = std::move(doc);
  k.set = [name](Config& c, std::string_view, SetContext&) -> Message {
    c.cluster.vespa_raft_keys.push_back(name);
    return std::nullopt;
  };
  return k;
}

}  // namespace

void add_cluster_keys(std::vector<Key>& keys) {
  keys.push_back(list_key("cluster.endpoints", KeyType::list,
                          "etcd client URLs (etcd 3.4+ v3 JSON gateway), e.g. [http://10.0.0.1:2379, "
                          "http://10.0.0.2:2379]; tried in turn when one fails. Empty = standalone (no "
                          "clustering). With endpoints, the agents sharing cluster.prefix elect one leader: only "
                          "it polls, sends heartbeats and delivers events; the others answer the webhook with 503.",
                          parse_endpoints, emit_endpoints));
  {
    Key k = string_key(
        "cluster.name",
        "This agent's name in the cluster (written to the leader key, shown in logs); must differ "
        "between the agents of one cluster.",
        [](auto& c) -> auto& { return c.cluster.name; });
    k.default_text = "event.reportingEntityName";
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key(
        "cluster.prefix",
        "etcd key prefix of this agent group: the leader key, fault state and event-number blocks "
        "live below <prefix>/. Agents with the same prefix form one cluster.",
        [](auto& c) -> auto& { return c.cluster.prefix; });
    k.check = [](const Config& c) -> Message {
      const auto& p = c.cluster.prefix;
      if (p.empty()) return "must not be empty";
      if (p.back() == '/') return "must not end with /, got " + quote(p);
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = duration_key(
        "cluster.leaseTTL",
        "TTL of the leader's etcd lease. A dead leader is replaced within about leaseTTL + "
        "pollInterval; a leader that cannot renew its lease stops emitting leaseTTL/3 before the "
        "lease can expire. Whole seconds, at least 2s.",
        [](auto& c) -> auto& { return c.cluster.lease_ttl; }, Zero::rejected);
    k.check = [](const Config& c) -> Message {
      const auto ms = c.cluster.lease_ttl.count();
      if (ms % 1000 != 0) return "must be whole seconds, got " + format_duration(c.cluster.lease_ttl);
      if (ms < 2000)
        return "must be at least 2s (etcd's minimum lease TTL), got " + format_duration(c.cluster.lease_ttl);
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = duration_key(
        "cluster.pollInterval", "How often a follower checks the leader key (and campaigns when it is free).",
        [](auto& c) -> auto& { return c.cluster.poll_interval; }, Zero::rejected);
    k.check = [](const Config& c) -> Message {
      if (c.cluster.poll_interval.count() <= 0) return "must be greater than 0s";
      if (c.cluster.poll_interval >= c.cluster.lease_ttl) return "must be shorter than cluster.leaseTTL";
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = duration_key(
        "cluster.requestTimeout", "Time allowed for one etcd request before the next endpoint is tried.",
        [](auto& c) -> auto& { return c.cluster.request_timeout; }, Zero::rejected);
    k.check = [](const Config& c) -> Message {
      if (c.cluster.request_timeout.count() <= 0) return "must be greater than 0s";
      if (c.cluster.request_timeout >= c.cluster.lease_ttl) return "must be shorter than cluster.leaseTTL";
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  keys.push_back(size_key(
      "cluster.logMaxBytes",
      "Bytes of accepted, not yet delivered events (and their fault decisions) the leader also keeps in etcd, "
      "so that a new leader delivers them when this one dies. Keep it well below etcd's "
      "--quota-backend-bytes (default 2 GiB; a quarter of it at most, since etcd keeps old revisions until it "
      "compacts). At the bound outbox.overflowPolicy applies: refuse answers the webhook 503 and keeps "
      "heartbeats and measurements on local disk only; dropOldest deletes the oldest entries from etcd.",
      [](auto& c) -> auto& { return c.cluster.log_max_bytes; }, 1U << 20));
  keys.push_back(string_key(
      "cluster.user", "etcd user name (etcd auth enabled); empty = no authentication.",
      [](auto& c) -> auto& { return c.cluster.user; }));
  keys.push_back(string_key(
      "cluster.password", "Password of cluster.user. Prefer passwordFile or the environment.",
      [](auto& c) -> auto& { return c.cluster.password; }, KeyType::secret));
  keys.push_back(string_key(
      "cluster.passwordFile", "File holding the etcd password (read when clustering starts, trailing newline removed).",
      [](auto& c) -> auto& { return c.cluster.password_file; }, KeyType::path));
  add_peer_tls_keys(keys, "cluster", "etcd", [](auto& c) -> auto& { return c.cluster.tls; });
  // VESPA's Raft section shares the name: its keys load (so VESPA files keep working) and are reported once.
  const std::string ignored =
      "VESPA Raft clustering: accepted and ignored with a warning; ves-agent clusters on etcd "
      "(cluster.endpoints).";
  keys.push_back(vespa_raft_key("id", KeyType::string, "VESPA only: this node's Raft id. " + ignored));
  keys.push_back(vespa_raft_key("peers", KeyType::list, "VESPA only: the Raft peers ({id, address}). " + ignored));
  keys.push_back(vespa_raft_key("debug", KeyType::boolean, "VESPA only: Raft debug logs. " + ignored));
  keys.push_back(vespa_raft_key("displayLogs", KeyType::boolean, "VESPA only: show Raft logs. " + ignored));
}

void check_cluster(const Config& config, Report& report, const WhereOf& where_of) {
  const auto& c = config.cluster;
  for (std::size_t i = 0; i < c.endpoints.size(); ++i) {
    const auto& e = c.endpoints[i];
    if (auto err = check_http_url(e)) {
      report.error(where_of("cluster.endpoints"), "cluster.endpoints[" + std::to_string(i) + "]", *err);
    }
  }
  if (!c.password.empty() && !c.password_file.empty()) {
    report.error(where_of("cluster.passwordFile"), "cluster.passwordFile",
                 "both cluster.password and cluster.passwordFile are set; give only one");
  }
  if (!c.user.empty() && c.password.empty() && c.password_file.empty()) {
    report.error(where_of("cluster.user"), "cluster.user", "requires cluster.password or cluster.passwordFile");
  }
  if (!c.vespa_raft_keys.empty()) {
    std::string names;
    for (const auto& n : c.vespa_raft_keys) {
      if (names.find(n) == std::string::npos) names += (names.empty() ? "" : ", ") + n;
    }
    report.warning(where_of("cluster"), "cluster",
                   "VESPA's Raft clustering is not supported and its keys (" + names + ") are ignored; " +
                       (c.enabled() ? std::string("this agent clusters on etcd with cluster.endpoints")
                                    : std::string("ves-agent's high availability uses etcd instead (set "
                                                  "cluster.endpoints), so this agent runs standalone")));
  }
  if (c.tls.insecure_skip_verify && c.enabled()) {
    report.warning(where_of("cluster.insecureSkipVerify"), "cluster.insecureSkipVerify",
                   "TLS certificate verification of etcd is disabled; use it for testing only");
  }
}

}  // namespace vesagent::config::detail
