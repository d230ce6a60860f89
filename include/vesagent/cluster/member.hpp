#pragma once
/// This agent's membership in an etcd cluster (the `cluster` section): it campaigns for the leadership, keeps
/// its lease alive, fences itself when it cannot, and, while leading, mirrors the fault state to etcd and hands
/// out cluster-wide event numbers. The app asks is_leader() and is told of every change through on_leadership():
/// only the leader runs the pollers, the heartbeat loop and delivery; followers answer the webhook with 503.
///
/// etcd keys (all below cluster.prefix, "<p>"):
///   <p>/leader          value = member name, bound to the member's lease; created by a create-if-absent txn.
///                       Its create_revision is the leader's fencing token: every write of the leader is a txn
///                       that compares it, so a deposed leader's late writes fail.
///   <p>/faults/<key>    one fault record (see fault_codec.hpp); loaded by a new leader before it emits
///   <p>/event-counter   next free event number; the leader reserves blocks (heartbeat eventIds never repeat
///                       across agents)
///   <p>/kv/<name>       KvStore values (measurement delivered-window marks)
///
/// Timing (T = cluster.leaseTTL, P = cluster.pollInterval): renewal every T/3; a leader that cannot renew stops
/// emitting at (last successful renewal sent) + 2T/3, before the lease can expire; a follower campaigns every P,
/// so a dead leader is replaced within T + P (+ one state load). See election.hpp.
///
/// Threading and lifetime: one executor. run() is the member's coroutine (co_spawn it once); it ends after
/// stop() (having revoked the lease, so another agent takes over at once) or on cancellation (the lease then
/// expires by itself). The FaultStore given to attach_faults() must outlive run().
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "vesagent/cluster/election.hpp"
#include "vesagent/cluster/kv_store.hpp"
#include "vesagent/config/config.hpp"
#include "vesagent/core/error.hpp"

namespace vesagent::http {
class Client;
}
namespace vesagent::state {
class FaultStore;
}
namespace vesagent::telemetry {
class MetricsWriter;
}

namespace vesagent::cluster {

/// Counters since start (also written by write_metrics()).
struct MemberStats {
  std::uint64_t elections_won = 0;
  std::uint64_t leadership_lost = 0;  ///< any end of leadership but a graceful stop
  std::uint64_t fenced = 0;           ///< of which: the renewal deadline passed
  std::uint64_t keepalive_failures = 0;
  std::uint64_t etcd_errors = 0;           ///< failed etcd calls of any kind
  std::uint64_t fault_writes = 0;          ///< fault records written to etcd
  std::uint64_t fault_write_failures = 0;  ///< records whose write failed or was fenced off (logged)
  std::uint64_t faults_loaded = 0;         ///< records loaded at the last election
};

class Member {
 public:
  /// Copies the cluster section; `config.cluster.enabled()` must be true.
  Member(boost::asio::any_io_executor executor, http::Client& client, const config::Config& config);
  ~Member();
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  /// Reads cluster.passwordFile. Call before run(); fails with a message.
  Result<void> prepare(std::string& error);
  /// Called on the executor whenever this agent starts (true) or stops (false) leading. Stopping is reported
  /// before the lease can expire (fencing) and before run() returns after stop().
  void on_leadership(std::function<void(bool leader)> callback);
  /// Mirrors `store` to etcd while leading, and replaces it with the cluster's copy when elected.
  void attach_faults(state::FaultStore& store);
  /// Local event numbers (state::IdAllocator::next) used as a floor when reserving cluster-wide blocks, so that
  /// numbers a standalone agent already used are never handed out again.
  void set_local_ids(std::function<Result<std::uint64_t>()> next_local);

  /// Campaign, renew, fence and mirror until stop() or cancellation.
  boost::asio::awaitable<void> run();
  /// Graceful end: stops leading at once, revokes the lease and lets run() return. Idempotent.
  void stop();

  bool is_leader() const;
  Role role() const;
  /// Who leads ("" = unknown); this agent's name while it leads.
  std::string leader_name() const;
  const std::string& name() const;
  const MemberStats& stats() const;

  /// The next cluster-wide event number (leader only: from the block reserved in etcd at the election). Fails
  /// when this agent does not lead or the block is used up before its refill arrived.
  Result<std::uint64_t> next_event_number();

  /// Fenced key-value store for other modules (see kv_store.hpp).
  KvStore& kv();

  /// vesagent_cluster_leader (1/0), vesagent_cluster_role{role}, counters of MemberStats.
  void write_metrics(telemetry::MetricsWriter& out) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vesagent::cluster
