#pragma once
/// This agent's membership in an etcd cluster (the `cluster` section): it campaigns for the leadership, keeps
/// its lease alive, fences itself when it cannot, and, while leading, keeps a copy of its undelivered work in
/// etcd (the replicated log), mirrors the fault state to etcd and hands out cluster-wide event numbers (it is
/// the correlation stage's Replica). The app asks is_leader() and is told of every change through
/// on_leadership(): only the leader runs the pollers, the heartbeat loop and delivery; followers answer the
/// webhook with 503.
///
/// etcd keys (all below cluster.prefix, "<p>"):
///   <p>/leader          value = member name, bound to the member's lease; created by a create-if-absent txn.
///                       Its create_revision is the leader's fencing token: every write of the leader is a txn
///                       that compares it, so a deposed leader's late writes fail.
///   <p>/faults/<key>    one fault record (see fault_codec.hpp); loaded by a new leader before it emits
///   <p>/log/<term>-<n>  one commit round of the leader (log_codec.hpp): the events it queued and the fault
///                       decisions that rode with them, written in the round's commit (the webhook answers 200
///                       only after it), deleted once a collector acknowledged every event of it and its
///                       decisions are in <p>/faults/. A new leader applies the decisions and delivers the
///                       events of every log key first, oldest first. <term> is the leader key's revision.
///   <p>/event-counter/<domain>  next free event number of a domain (heartbeat, measurement, stateChange); the
///                       leader reserves blocks, so eventIds never repeat across agents. <p>/event-counter (one
///                       counter for every domain, of earlier versions) is the floor of each.
///   <p>/kv/<name>       KvStore values (measurement delivered-window marks, collector-set intervals)
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
#include "vesagent/cluster/log_codec.hpp"
#include "vesagent/config/config.hpp"
#include "vesagent/core/error.hpp"
#include "vesagent/correlate/replica.hpp"
#include "vesagent/outbox/outbox.hpp"

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
  std::uint64_t log_writes = 0;            ///< log keys written
  std::uint64_t log_written_bytes = 0;     ///< bytes of the log values written
  std::uint64_t log_write_failures = 0;    ///< log writes etcd did not take (retried with the next round)
  std::uint64_t log_deletes = 0;           ///< log keys deleted after delivery
  std::uint64_t log_adopted_events = 0;    ///< events taken over from a previous leader's log
  std::uint64_t log_unreadable = 0;        ///< log keys that could not be decoded (left in etcd, logged)
  std::uint64_t log_over_bound = 0;        ///< rounds that met cluster.logMaxBytes (refused, kept local or dropped)
  std::uint64_t log_dropped_keys = 0;      ///< oldest log keys deleted at the bound (dropOldest)
};

class Member final : public correlate::Replica {
 public:
  /// Copies the cluster section; `config.cluster.enabled()` must be true.
  Member(boost::asio::any_io_executor executor, http::Client& client, const config::Config& config);
  ~Member() override;
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  /// Reads cluster.passwordFile. Call before run(); fails with a message.
  Result<void> prepare(std::string& error);
  /// Called on the executor whenever this agent starts (true) or stops (false) leading. Stopping is reported
  /// before the lease can expire (fencing) and before run() returns after stop().
  void on_leadership(std::function<void(bool leader)> callback);
  /// Mirrors `store` to etcd while leading, and replaces it with the cluster's copy when elected.
  void attach_faults(state::FaultStore& store);
  /// Local event numbers of a domain (correlate::EventIds::next_local) used as a floor when reserving
  /// cluster-wide blocks, so that numbers a standalone agent already used are never handed out again.
  void set_local_ids(std::function<Result<std::uint64_t>(core::Domain)> next_local);
  /// The hook that feeds the replicated log; set it on the outbox after the outbox was opened.
  outbox::Observer outbox_observer();
  /// At an election, after the fault state was taken over: the events the previous leaders left in the log,
  /// oldest first. The app empties its own queue (etcd holds everything still owed) and queues these in its
  /// place; it returns each event's outbox seq.
  using Adopt = std::function<std::vector<std::uint64_t>(const std::vector<LogEvent>& events)>;
  void on_adopt(Adopt adopt);
  /// outbox.overflowPolicy at cluster.logMaxBytes: true = dropOldest, false = refuse.
  void set_drop_oldest(bool drop_oldest);

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

  // correlate::Replica
  Result<std::uint64_t> next_event_number(core::Domain domain) override;
  void when_replicated(std::function<void(bool replicated)> done) override;
  bool accepting() const override;
  /// Bytes of log values this leader holds in etcd.
  std::uint64_t log_bytes() const;

  /// Fenced key-value store for other modules (see kv_store.hpp).
  KvStore& kv();

  /// vesagent_cluster_leader (1/0), vesagent_cluster_role{role}, counters of MemberStats.
  void write_metrics(telemetry::MetricsWriter& out) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vesagent::cluster
