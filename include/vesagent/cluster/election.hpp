#pragma once
/// The leader election as a pure state machine: it decides what the member does next (grant a lease, renew it,
/// campaign, load the cluster state) and when leadership must end, from the results the member feeds it with
/// the steady-clock time each request was SENT. No I/O and no clock of its own, so every timing rule is
/// unit-tested with made-up times.
///
/// Timing rules (T = lease TTL granted by etcd):
///   - The lease is renewed every T/3. etcd expires it no earlier than T after it RECEIVED the last renewal,
///     which is after we sent it, so "sent_at + T" is a safe lower bound of the expiry.
///   - Fencing: a leader stops emitting at fence_deadline = last successful renewal's sent_at + T - T/3, i.e. a
///     safety margin of T/3 before the lease can expire and another agent can win. A failed renewal is retried
///     every min(pollInterval, T/6) until then.
///   - A member only campaigns (and only becomes leader) while its lease is certainly valid (before the
///     deadline): a member that was fenced renews first, then reclaims its own leader key if it still exists.
///   - Winning the campaign is not yet leading: the fault state must be loaded from etcd first (step load_state).
///
/// Threading: none (a value type used on the member's executor).
#include <chrono>
#include <cstdint>
#include <string>

namespace vesagent::cluster {

enum class Role {
  follower,  ///< another member leads, or nobody yet: campaign every pollInterval
  elected,   ///< holds the leader key; loading the cluster state before it may emit
  leader,    ///< emits (polls, heartbeats, delivery)
};

/// "follower", "elected", "leader".
const char* to_string(Role role) noexcept;

class Election {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;
  using Duration = Clock::duration;

  struct Settings {
    std::string self;  ///< this member's name (the value of its leader key)
    std::chrono::milliseconds poll_interval{1000};
  };

  enum class Step { grant_lease, keepalive, campaign, load_state, wait };
  struct Next {
    Step step = Step::wait;
    TimePoint at{};  ///< when to take the step (now or later)
  };

  explicit Election(Settings settings) : settings_(std::move(settings)) {}

  /// What to do next, and when. Ask again after every result (and at `at`).
  Next next(TimePoint now) const;

  // ---- results fed by the member ----
  void lease_granted(std::int64_t lease_id, std::int64_t ttl_seconds, TimePoint sent_at);
  void lease_grant_failed(TimePoint now);
  /// Renewal answered with TTL > 0.
  void keepalive_ok(std::int64_t ttl_seconds, TimePoint sent_at);
  /// No answer (etcd unreachable): retried soon; fence() ends leadership at the deadline.
  void keepalive_failed(TimePoint now);
  /// The lease no longer exists (TTL 0, or "requested lease not found"): leadership ends now; a new lease next.
  void lease_lost();
  /// The create-if-absent txn put our key at `revision` (its create_revision), or found our own key (same
  /// lease) still there after a fencing: both make us `elected`. Ignored when the lease may have expired.
  void campaign_won(std::int64_t leader_revision, TimePoint sent_at);
  /// Someone else holds the key (`leader` = its value; empty when unknown).
  void campaign_lost(std::string leader, TimePoint now);
  void campaign_failed(TimePoint now);
  /// The cluster state is loaded: elected -> leader, unless the deadline passed meanwhile. Returns the new role.
  Role state_loaded(TimePoint now);
  void state_load_failed(TimePoint now);
  /// The leader key vanished or has another create_revision (deleted by hand, expired): step down now.
  void leader_key_lost();
  /// Ends leadership if the fence deadline has passed. True when it did (the caller stops emitting).
  bool fence(TimePoint now);
  /// Graceful end (shutdown): forget everything.
  void resign();

  Role role() const { return role_; }
  bool leading() const { return role_ == Role::leader; }
  bool has_lease() const { return lease_id_ != 0; }
  std::int64_t lease_id() const { return lease_id_; }
  std::int64_t ttl_seconds() const { return ttl_seconds_; }
  /// create_revision of our leader key while elected or leader (the fencing token of our writes).
  std::int64_t leader_revision() const { return leader_revision_; }
  /// Who leads according to the last campaign ("" = unknown or nobody).
  const std::string& leader() const { return leader_; }
  /// The instant the leader must have stopped emitting by (lease lower bound minus the T/3 margin).
  TimePoint fence_deadline() const { return fence_deadline_; }
  /// True while the lease is certainly valid (with the margin): campaigning and leading are allowed.
  bool lease_safe(TimePoint now) const { return lease_id_ != 0 && now < fence_deadline_; }

 private:
  Duration ttl() const { return std::chrono::seconds(ttl_seconds_); }
  Duration retry_delay() const;
  void step_down() {
    role_ = Role::follower;
    leader_revision_ = 0;
  }

  Settings settings_;
  Role role_ = Role::follower;
  std::int64_t lease_id_ = 0;
  std::int64_t ttl_seconds_ = 0;
  std::int64_t leader_revision_ = 0;
  std::string leader_;
  TimePoint fence_deadline_{};
  TimePoint keepalive_due_{};
  TimePoint grant_due_{};
  TimePoint campaign_due_{};
  TimePoint load_due_{};
};

}  // namespace vesagent::cluster
