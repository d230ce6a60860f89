#pragma once
/// Active faults and their VES identity (eventId, first startEpochMicrosec, last sequence, last severity), plus
/// recently closed faults, persisted in the state directory so that a restart (even SIGKILL) neither re-raises an
/// active fault nor loses the ability to clear it, and a repeated resolve stays idempotent.
///
/// A fault is one firing episode of one alert: `key` (e.g. "am/<fingerprint>", "vm/<uuid>/<condition>") plus
/// `episode_start_us` (the alert's startsAt). Shared by every fault source (Alertmanager now, OpenStack later).
///
/// Threading: one executor; all calls are synchronous and cheap (in-memory map); persist() does file I/O.
///
/// Rules (an observation is (key, episode); "the record" is the one record kept per key, of its latest episode):
///   on_firing(key, E):
///     no record, or a closed record of an older episode   -> raise E: eventId make_event_id(key, E), sequence 1,
///                                                            startEpoch E
///     active record of E, same severity                  -> none (Alertmanager re-sends every repeat_interval)
///     active record of E, other severity                 -> update: sequence + 1, severity stored
///     active record of an older episode                  -> raise E, and `superseded` = the clear of the older one
///                                                            (its resolve was never seen; a fingerprint has one
///                                                            episode at a time, so a newer start proves it ended)
///     closed record of E (late firing retry after the resolve), or any record of a newer episode -> none
///   on_resolved(key, E):
///     active record of E                                  -> clear: sequence + 1, kept as closed
///     closed record of E                                  -> none (resolved alerts come back for ~15 minutes)
///     record of a newer episode (stale retry)             -> none: never clears a newer firing episode
///     no record, or a record of an older episode          -> unknown E: with UnknownResolvePolicy::send a clear
///         with eventId make_event_id(key, E), sequence 2 (the lost raise had 1), startEpoch E; with ::drop none.
///         Either way E is then remembered as closed, so the re-sent resolves are no-ops, and
///         `unknown_resolve` is set on this first decision only (log it once). An older ACTIVE record is cleared
///         through `superseded` as in on_firing: it is over, and otherwise nothing would ever clear it.
///   Episode 0 means "start unknown": it stands for the active record's episode if there is one; otherwise a
///   firing raises an episode starting at now_us, and a resolve that matches nothing is dropped (unknown_resolve
///   set) whatever the policy, because no eventId can be derived from it.
///   Closed records are forgotten `closed_retention` after their close (at open() and at compaction); until then
///   they make late retries no-ops.
///
/// Files in Options::directory (created if missing):
///   faults.snapshot  full state, replaced atomically (temporary file, fsync, rename) at compaction
///   faults.journal   changes since that snapshot, one line per changed record, appended by persist()
///   lock             flock()ed while open, so two agents never share one state directory
/// The journal is text lines of TAB-separated fields (format version 1), each line ending in the CRC-32 (8
/// lower-case hex digits) of everything before its last TAB, so a torn or corrupt tail is detected. A compaction
/// writes the snapshot in format version 2 (binary, checksummed frames; src/state/README.md), which open() reads
/// several times faster; snapshots of version 1 (text lines as below, written by older versions) are still read:
///   H  vesagent-faults  1  snapshot|journal  <generation>  <crc>    first line of both files
///   R  <key>  <eventId>  <episode_us>  <startEpoch_us>  <sequence>  <SEVERITY>  <closed_at_us>  <crc>
///   E  <record count>  <crc>                                        last line of the snapshot
/// In key and eventId a backslash, TAB, LF and CR are written as \\, \t, \n, \r. The journal replays over the
/// snapshot of the same generation (the last line of a key wins); a journal of an older generation is left over
/// from a compaction cut short by a crash and is ignored (that snapshot already holds all of it). A torn or corrupt
/// journal tail is cut at open() and reported; everything before it is kept.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  /// Set when an observation of a NEWER episode finds an older one still active: the clear of the older one
  /// (sequence + 1, closed_at_us = the new episode's start), to be emitted BEFORE the event for `action`. Can be
  /// set with any action, including none (a dropped unknown resolve), and must be emitted whenever it is set.
  std::optional<FaultRecord> superseded;
  /// True the first time a resolve matched no known fault of its episode (UnknownResolvePolicy applied): log it.
  bool unknown_resolve = false;
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
    /// Now in microseconds since the Unix epoch, for retention and for a resolve without end; empty = system clock.
    std::function<std::int64_t()> clock;
    /// The journal is folded into a new snapshot once it is larger than the snapshot and than this.
    std::uint64_t compact_min_bytes = 1U << 20;
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
  /// A resolved observation; `end_us` is when it ended (alert endsAt), 0 = now (Options::clock).
  FaultDecision on_resolved(std::string_view key, std::int64_t episode_start_us, std::int64_t end_us);

  /// Makes every decision taken so far durable (append to the journal in one write + fsync, compact when the
  /// journal grows past the snapshot). Call before acknowledging the work that produced the decisions (webhook
  /// 200). Cost is proportional to the changes since the last call (plus the whole state at a compaction). On
  /// failure nothing is lost from memory: the next call writes the same changes again. A failed compaction
  /// after a successful append is not a failure (the changes are durable): ok is returned with a warning in
  /// `error`, and the compaction is retried after another compact_min_bytes of journal.
  /// The destructor does NOT persist: changes after the last persist() are lost, as in a crash.
  Result<void> persist(std::string& error);

  /// Writes a new snapshot of the whole state now (pending changes included), drops expired closed records and
  /// starts an empty journal. persist() does this by itself; useful at shutdown or in tests.
  Result<void> compact(std::string& error);

  /// For a clean shutdown: persist(), then, when the journal holds any change (or the snapshot is of format
  /// version 1), compact() so that the next open() reads the snapshot alone (a journal as large as the snapshot
  /// doubled the start-up time). Fails only when
  /// persist() fails; a failed compaction after it is a warning in `error` with ok returned (the changes are
  /// durable in the journal, the next open() replays it).
  Result<void> checkpoint(std::string& error);

  // ---- added for sources/openstack (VM faults) ----
  /// A change of an ACTIVE fault that is neither a new episode nor a new severity (a VM going from SHUTOFF to
  /// PAUSED, both MAJOR): update, sequence + 1, `severity` stored. No active record of `key`: none.
  FaultDecision on_changed(std::string_view key, core::Severity severity);
  /// Calls `fn` with every active record whose key starts with `prefix` (a scan of every record: for start-up and
  /// periodic resyncs, not per event). `fn` must not call back into the store.
  void for_each_active(std::string_view prefix, const std::function<void(const FaultRecord&)>& fn) const;

  // ---- added for cluster (etcd high availability): the fault state is mirrored to etcd by cluster::FaultSync ----
  /// Every record changed since the previous call, handed over by persist() and compact() (before the local
  /// write, so a failed local write does not keep the change from the cluster; the next persist() hands it over
  /// again). Not called for records installed by replace_all().
  using ChangeListener = std::function<void(const std::vector<FaultRecord>&)>;
  void set_change_listener(ChangeListener listener);
  /// Replaces the whole state with `records` (the cluster's copy, when this agent becomes the leader), drops
  /// pending changes and writes a new local snapshot. On a failed local write the state in memory is still
  /// replaced (the next persist() retries the snapshot) and the error is returned.
  Result<void> replace_all(const std::vector<FaultRecord>& records, std::string& error);
  /// Every record, active and closed (to seed a cluster that has no fault state yet).
  std::vector<FaultRecord> records() const;

  // ---- durability shared with the outbox: one fdatasync per webhook commit instead of two ----
  /// From now on persist() does no file I/O: it hands the journal lines of the changes since the previous call
  /// to `push` (the outbox's push_state), which writes them after the events of those changes in the same group
  /// commit. The outbox reports them on disk with append_written() (the journal gets them then, unsynced), and
  /// calls sync_journal() before it deletes a segment holding such lines. At start-up the lines left in the
  /// outbox come back through replay_lines(). A compaction then writes only durable versions: a decision whose
  /// event is not on disk yet never reaches the snapshot. Call once, after open(), before any decision.
  void share_durability(std::function<void(std::string lines)> push);
  bool durability_shared() const;
  /// The lines of one persist() round are durable in the outbox (rounds are reported in order): append them to
  /// the journal, unsynced, and compact when it is due. An error is a failed journal write; the next
  /// sync_journal() then writes a snapshot instead.
  Result<void> append_written(std::string_view lines, std::string& error);
  /// Makes everything appended or replayed durable in the store's own files (fdatasync the journal, or write a
  /// snapshot after a failed append).
  Result<void> sync_journal(std::string& error);
  /// Lines found in the outbox at start-up, oldest first: each record newer than what the files hold (a later
  /// episode, or a higher sequence of the same one) is applied and appended to the journal (unsynced). Returns
  /// how many were applied; unreadable lines and write errors are described in `warnings`. `applied`, when
  /// given, receives the records applied (the cluster writes what a previous leader left in its log).
  std::size_t replay_lines(std::string_view lines, std::string& warnings,
                           std::vector<FaultRecord>* applied = nullptr);

  std::size_t active_count() const;
  std::size_t closed_count() const;
  /// The record of `key`'s latest episode, active or closed.
  std::optional<FaultRecord> find(std::string_view key) const;

  /// Stable, whitespace-free eventId for one episode of one key: "fault-<hash16>-<episode start seconds>", where
  /// hash16 is the 64-bit FNV-1a of `key + "-" + decimal episode_start_us` in 16 lower-case hex digits. The same
  /// alert episode always maps to the same eventId, on any machine and even after the state was lost; the
  /// microseconds are hashed so two episodes starting in the same second still differ.
  static std::string make_event_id(std::string_view key, std::int64_t episode_start_us);

 private:
  /// After a journal append: compact(); on failure the error (a warning: the changes are durable) and a later
  /// retry point.
  void compact_after_append(std::string& error);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vesagent::state
