#pragma once
/// High availability on etcd (the `cluster` section). Included by config.hpp; the keys live in src/config/keys_cluster.cpp.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vesagent/config/peer_tls.hpp"

namespace vesagent::config {

/// Several agents campaign for one leadership in etcd (v3 JSON gateway); only the leader polls, sends
/// heartbeats and delivers events, and the fault state lives in etcd under `prefix` (see src/cluster/README.md).
/// Without endpoints the agent runs standalone. The same section also accepts VESPA's Raft keys (id, peers,
/// debug, displayLogs), which are ignored with one warning.
struct ClusterConfig {
  std::vector<std::string> endpoints;  ///< etcd client URLs (http:// or https://); empty = standalone
  std::string name;                    ///< this member's name in the leader key; empty = event.reportingEntityName
  std::string prefix = "/ves-agent";   ///< every key of this agent group lives below "<prefix>/"
  std::chrono::milliseconds lease_ttl{10000};      ///< whole seconds, at least 2 s (etcd's minimum)
  std::chrono::milliseconds poll_interval{1000};   ///< followers check the leader key this often
  std::chrono::milliseconds request_timeout{2000}; ///< per etcd request, before trying the next endpoint
  std::string user;                    ///< etcd authentication (gateway /v3/auth/authenticate); empty = none
  std::string password;
  std::string password_file;           ///< read when clustering starts
  PeerTls tls;                         ///< CA, client certificate (etcd --client-cert-auth), proxy
  /// Bytes of undelivered events and fault decisions the leader keeps in etcd (<prefix>/log/) so that a new
  /// leader delivers them; at the bound outbox.overflowPolicy applies.
  std::size_t log_max_bytes = std::size_t{64} << 20;
  /// VESPA Raft keys found in the file (id, peers, debug, displayLogs): reported once, otherwise ignored.
  std::vector<std::string> vespa_raft_keys;

  bool enabled() const { return !endpoints.empty(); }
};

}  // namespace vesagent::config
