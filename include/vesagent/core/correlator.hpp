#pragma once
/// The one door from the sources into the correlation stage (correlate::Stage). A source describes what it saw:
/// a fault observation (an alert firing or resolved, a VM entering or leaving a fault state), or an event of a
/// domain without a lifecycle (heartbeat, measurement, stateChange). The stage decides raise / update / clear /
/// nothing, assigns the eventId and sequence, hands the events on, and completes the source's commit once the
/// events and the decisions are durable. Sources never see the fault state, the id counters or the outbox.
///
/// Single-threaded: every call on the event loop.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "vesagent/core/event.hpp"

namespace vesagent::core {

/// What one fault observation means for the collector.
enum class FaultAction : std::uint8_t {
  none,    ///< a repeat, a stale or an already-cleared observation: nothing is sent
  raise,   ///< a new fault (sequence 1, or 2 for the clear of an unknown resolve)
  update,  ///< the same fault with a new severity or state: same eventId, sequence + 1
  clear,   ///< eventSeverity NORMAL, same eventId and startEpochMicrosec, sequence + 1
};

/// The identity the stage gave a fault: what the source writes into the event it builds.
struct FaultIdentity {
  std::string key;
  std::string event_id;
  std::int64_t episode_start_us = 0;
  std::int64_t start_epoch_us = 0;  ///< startEpochMicrosec, the same in every event of the fault
  std::int64_t sequence = 0;
  Severity severity = Severity::major;  ///< of the last raise or update
  std::int64_t closed_at_us = 0;        ///< when it was cleared; 0 while active
  bool active() const { return closed_at_us == 0; }
};

/// One observation of the fault `key`.
struct FaultObservation {
  enum class Kind : std::uint8_t {
    firing,    ///< the condition holds (a new episode, a repeat, or a severity change)
    resolved,  ///< the condition ended at `at_us` (0 = now)
    changed,   ///< an active fault changed without a new episode or severity (VM SHUTOFF -> PAUSED): an update
  };
  Kind kind = Kind::firing;
  std::string_view key;
  /// When this episode began (Alertmanager's startsAt, Nova's `updated`); 0 = unknown: the active episode if
  /// there is one, else one starting now.
  std::int64_t episode_start_us = 0;
  Severity severity = Severity::major;  ///< firing and changed
  std::int64_t at_us = 0;               ///< when it was observed (resolved: when it ended); 0 = now
  /// A firing after a closed episode of the same key always starts a newer episode (a VM that fails again), even
  /// when `episode_start_us` is not newer than the closed one.
  bool next_episode_after_close = false;
};

/// Which event the stage asks the source to build.
enum class FaultEventKind : std::uint8_t {
  raise_or_update,  ///< the active fault, with identity.severity
  clear,            ///< the clear (eventSeverity NORMAL) of this observation's fault
  superseded,       ///< the clear of an older episode that a newer one replaces (its resolve was never seen)
};

/// Builds the event for `identity`; the stage then stamps eventId, sequence and startEpochMicrosec into it.
using FaultEventBuilder = std::function<Event(const FaultIdentity& identity, FaultEventKind kind)>;

/// What the stage decided, for the source's own counters and status pages.
struct FaultVerdict {
  FaultAction action = FaultAction::none;
  bool superseded = false;       ///< an older active episode was cleared first
  bool unknown_resolve = false;  ///< a resolve matched no known fault (reported once per episode)
  FaultIdentity identity;        ///< the state after the decision
};

class Correlator {
 public:
  virtual ~Correlator() = default;
  /// Decides what `observation` means and hands the resulting events (built by `build`) downstream.
  virtual FaultVerdict observe(const FaultObservation& observation, const FaultEventBuilder& build) = 0;
  /// An event of a domain without a fault lifecycle (heartbeat, measurement, stateChange): the stage assigns
  /// its eventId from that domain's allocator. An event that cannot get an id is logged, counted and dropped.
  virtual void submit(Event event) = 0;
  /// Completes the source's commit (webhook 200, window mark, poll mark): `done(true)` once everything observed
  /// and submitted so far is durable, with its fault decisions (and, clustered, in etcd); `done(false)` when it
  /// cannot be made durable now (answer 503 / retry the cycle).
  virtual void commit(std::function<void(bool durable)> done) = 0;
  /// Every active fault whose key starts with `prefix` (resync after a restart; a scan, not for every event).
  virtual void for_each_active(std::string_view prefix,
                               const std::function<void(const FaultIdentity&)>& fn) const = 0;
};

}  // namespace vesagent::core
