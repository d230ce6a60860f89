#pragma once
/// Active faults and their VES identity (eventId, first startEpochMicrosec, last sequence, last severity), plus
/// recently closed faults, persisted in the state directory so that a restart (even SIGKILL) neither re-raises an
/// active fault nor loses the ability to clear it, and a repeated resolve stays idempotent.
///
/// A fault is one firing episode of one alert: `key` (e.g. "am/<fingerprint>", "vm/<uuid>/<condition>") plus
/// `episode_start_us` (the alert's startsAt). Shared by every fault source (Alertmanager now, OpenStack later).
///
/// Threading: one executor; all calls are synchronous and cheap (in-memory map); persist() does file I/O.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vesagent/core/error.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::state {

struct FaultRecord {
  std::string key;
  std::string event_id;
  std::int64_t episode_start_us = 0;  ///< identifies the firing episode (alert startsAt)
  std::int64_t start_epoch_us = 0;    ///< startEpochMicrosec sent with the raise; repeated in every later event
  std::int64_t sequence = 0;          ///< sequence of the last event sent for this fault
  core::Severity severity = core::Severity::major;  ///< severity of the last raise/update
  std::int64_t closed_at_us = 0;      ///< 0 while active; else when it was cleared (kept for `closed_retention`)
  bool active() const { return closed_at_us == 0; }
};

/// What a source must emit for one observation.
enum class FaultAction {
  none,    ///< repeat, stale or already-cleared observation: emit nothing
  raise,   ///< new fault: emit with record.event_id, record.sequence, record.start_epoch_us
  update,  ///< same fault, new severity: same eventId, sequence incremented
  clear,   ///< emit eventSeverity NORMAL with the same eventId, sequence incremented; the fault is now closed
};

struct FaultDecision {
  FaultAction action = FaultAction::none;
  FaultRecord record;  ///< the state after the decision: the identity to put in the event
  /// For a firing observation of a NEWER episode while an older one is still active: the clear of the older
  /// one, to be emitted before the raise (the resolve of the old episode was never seen).
  std::optional<FaultRecord> superseded;
};

/// What to do with a resolve for a fault that is not known (raised before the state was lost).
enum class UnknownResolvePolicy {
  send,  ///< send a clear anyway (eventId derived from key + episode, see make_event_id): the collector may hold the raise
  drop,  ///< log and send nothing
};

class FaultStore {
 public:
  struct Options {
    std::filesystem::path directory;  ///< files live here (e.g. <datadir>/faults)
    std::chrono::milliseconds closed_retention = std::chrono::hours(1);
    UnknownResolvePolicy unknown_resolve = UnknownResolvePolicy::send;
    bool fsync = true;  ///< fsync the journal in persist(); off only for tests and benchmarks
  };

  explicit FaultStore(Options options);
  ~FaultStore();
  FaultStore(const FaultStore&) = delete;
  FaultStore& operator=(const FaultStore&) = delete;

  /// Loads the snapshot and replays the journal; a torn last journal line is cut and reported in `error` as a
  /// warning (return value still ok). Fails only when the directory is unusable or the snapshot is corrupt.
  Result<void> open(std::string& error);

  /// A firing observation of `key` whose episode began at `episode_start_us`.
  FaultDecision on_firing(std::string_view key, std::int64_t episode_start_us, core::Severity severity,
                          std::int64_t now_us);
  /// A resolved observation; `end_us` is when it ended (alert endsAt).
  FaultDecision on_resolved(std::string_view key, std::int64_t episode_start_us, std::int64_t end_us);

  /// Makes every decision taken so far durable (append to the journal + fsync, compact when the journal grows
  /// past the snapshot). Call before acknowledging the work that produced the decisions (webhook 200).
  Result<void> persist(std::string& error);

  std::size_t active_count() const;
  std::size_t closed_count() const;
  std::optional<FaultRecord> find(std::string_view key) const;

  /// Stable, whitespace-free eventId for one episode of one key, e.g. "fault-<hash16>-<episode start seconds>":
  /// the same alert episode always maps to the same eventId, even after the state was lost.
  static std::string make_event_id(std::string_view key, std::int64_t episode_start_us);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vesagent::state
