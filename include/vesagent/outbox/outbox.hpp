#pragma once
/// The queue between the pipeline and the publisher, kept on disk: every pushed event is appended to segment
/// files under Options::directory (format: segment_format.hpp) and stays there, in order, until ack() says a
/// collector took it (2xx) or it was dead-lettered. On open() the entries left by a previous run (clean stop,
/// crash, SIGKILL, power loss) come back first, in order; a torn or corrupt part is cut or skipped, logged and
/// counted, and everything else is kept. Delivery is at least once: an entry delivered but not yet acknowledged
/// on disk when the agent died is sent again, byte for byte (same eventId and sequence).
///
/// Durability: push() only queues the bytes; a group commit writes everything pushed since the previous one in
/// one write() and one fdatasync() on the outbox's own I/O thread (FsyncPolicy::batch; at most one per
/// fsync_interval), or each push on its own (always), or without fdatasync (never: survives a crash of the agent,
/// not of the machine). when_durable() / wait_durable() complete once everything pushed so far is on disk: the
/// webhook answers 200 and pollers mark a cycle done only then.
///
/// Memory: entries() is a window of the oldest entries with their JSON (up to memory_bytes), which is what the
/// publisher batches from; younger entries live on disk only (plus a 40-byte index entry each) and are read back
/// on the I/O thread as the window drains.
///
/// Bounds (max_bytes, max_age), OverflowPolicy::refuse (default):
///   - heartbeats and measurements are the only entries ever dropped: the oldest first, when the queued bytes
///     pass max_bytes or when they are older than max_age; each drop is logged (rate-limited) and counted;
///   - faults (and stateChange events) are never dropped: once they alone fill max_bytes, or the oldest of them is
///     older than max_age, accepting() turns false and the webhook answers 503 (Alertmanager retries later).
/// OverflowPolicy::drop_oldest: the oldest entries of any domain are dropped (logged, counted) to stay within
/// the bounds, and accepting() stays true (unless the disk fails).
///
/// Without a directory (Options::directory empty) the outbox is memory-only: nothing is written, every push is
/// "durable" at once and nothing is ever dropped (tests, benchmarks).
///
/// Threading: everything runs on the executor given to the constructor, except the file I/O, which runs on a
/// private thread and reports back to that executor. Destroying the Outbox writes what is still pending (the
/// latest acks) and waits for its I/O thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vesagent/core/error.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::telemetry {
class MetricsWriter;
}

namespace vesagent::outbox {

/// One encoded event, without the {"event":...} wrapper so that consecutive entries can form a batch.
struct Entry {
  core::Domain domain = core::Domain::heartbeat;
  std::string event_id;
  std::string json;
  std::int64_t enqueued_us = 0;
  std::uint64_t seq = 0;  ///< assigned by push(); ack() takes it
};

/// Another component's durable state riding in the outbox's log: the FaultStore's journal lines travel in the same
/// group commit as the events they decided, so one fdatasync makes both durable (instead of one for the outbox and
/// then one for the fault journal). The owner keeps its own files too; the outbox keeps a segment holding state
/// records until the owner says its files hold that state durably. All calls are on the outbox's executor.
struct StateLog {
  /// open(): every state record found on disk, oldest first, before open() returns.
  std::function<void(std::string_view text)> replay;
  /// A pushed state record is on disk: the owner may write it into its own files now (without syncing them).
  /// Called in push order, before the when_durable() callbacks of the same commit.
  std::function<void(std::string_view text)> written;
  /// Before deleting segments that hold state records: make everything handed to replay/written durable in the
  /// owner's own files (e.g. fdatasync its journal). False keeps those segments; it is asked again later.
  std::function<bool()> make_durable;
};

/// Sees what enters and leaves the queue, in order: the cluster member keeps a copy of the leader's queue in
/// etcd with it. Called on the outbox's executor, synchronously inside push(), push_state() and ack().
struct Observer {
  std::function<void(const Entry& entry)> pushed;           ///< seq already assigned
  std::function<void(std::string_view text)> state_pushed;  ///< a state record (StateLog)
  std::function<void(std::uint64_t seq)> acknowledged;      ///< every entry with seq <= `seq` is done
};

enum class FsyncPolicy {
  always,  ///< one write + fdatasync per pushed event
  batch,   ///< group commit: one write + fdatasync for everything pushed meanwhile, at most one per interval
  never,   ///< write only: survives a crash of the agent, not a power loss
};

enum class OverflowPolicy {
  refuse,       ///< drop only heartbeats/measurements; refuse new webhook work while faults fill the bounds
  drop_oldest,  ///< drop the oldest entries of any domain
};

struct Options {
  std::filesystem::path directory;  ///< empty = memory only
  FsyncPolicy fsync = FsyncPolicy::batch;
  std::chrono::milliseconds fsync_interval{0};  ///< batch: minimum time between two group commits (0 = back to back)
  std::uint64_t max_bytes = 1ULL << 30;          ///< queued bytes (records on disk) before the overflow policy acts
  std::chrono::milliseconds max_age{std::chrono::hours(24)};  ///< 0 = no age bound
  OverflowPolicy overflow = OverflowPolicy::refuse;
  std::uint64_t segment_bytes = 16ULL << 20;  ///< a new segment file is started past this size
  std::uint64_t memory_bytes = 32ULL << 20;   ///< JSON kept in memory for the publisher (entries())
  std::function<std::int64_t()> clock;        ///< wall clock in µs since the epoch; empty = system clock
};

struct OutboxStats {
  std::uint64_t appended = 0;      ///< events pushed since start
  std::uint64_t acknowledged = 0;  ///< events removed by ack() (delivered or dead-lettered)
  std::uint64_t replayed = 0;      ///< events found on disk at open()
  std::uint64_t corrupt_records = 0;  ///< damaged regions skipped or torn tails cut at open()
  std::uint64_t corrupt_bytes = 0;
  std::uint64_t write_errors = 0;
  std::uint64_t read_errors = 0;
  std::uint64_t group_commits = 0;  ///< append jobs written (each one write + fdatasync per touched file)
  std::uint64_t fsyncs = 0;
  std::uint64_t state_records = 0;  ///< StateLog records appended since start
  std::uint64_t over_bound = 0;     ///< faults queued while over a bound (never dropped; see OverflowPolicy)
  /// Drops by reason ("max_bytes", "max_age") and domain.
  std::map<std::pair<std::string, core::Domain>, std::uint64_t> dropped;
  std::uint64_t dropped_total() const;
};

class Outbox {
 public:
  /// Memory-only outbox.
  explicit Outbox(boost::asio::any_io_executor executor);
  Outbox(boost::asio::any_io_executor executor, Options options);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  /// Locks the directory, reads every segment (cutting a torn tail, skipping damage), restores the queue and
  /// starts a new segment. `warnings` describes any damage found (return value still ok). Fails when the
  /// directory cannot be created, locked or read. Call once, before push(); memory-only outboxes need not.
  Result<void> open(std::string& warnings);

  /// Queues an event (its seq is assigned here). Never refuses: admission is accepting()'s job.
  void push(Entry entry);
  /// Who owns the state records (see StateLog). Set before open().
  void set_state_log(StateLog log);
  /// Appends a state record after everything pushed so far, written in the same group commit; when_durable()
  /// covers it like an event. Memory-only outbox: handed to StateLog::written at once. Empty text is ignored.
  void push_state(std::string text);

  /// Removes every entry with seq <= `seq` (the publisher acknowledges the batch it posted, in order).
  void ack(std::uint64_t seq);
  /// The seq of the latest push (0 = none yet); ack(last_seq()) empties the queue.
  std::uint64_t last_seq() const;
  /// Replaces the observer (empty = none).
  void set_observer(Observer observer);

  /// The oldest entries, ready to send; may be shorter than size() while entries are read back from disk.
  const std::deque<Entry>& entries() const;
  /// No entry queued at all (in memory or on disk).
  bool empty() const;
  std::size_t size() const;
  /// Bytes of the queued records.
  std::uint64_t bytes() const;
  /// Age of the oldest queued entry (0 when empty).
  std::chrono::milliseconds oldest_age() const;

  /// Completes when entries() is not empty, on wake(), or when cancelled.
  boost::asio::awaitable<void> wait();
  /// Wakes a pending wait() without pushing, e.g. so the publisher notices a stop request.
  void wake();

  /// Calls `done(true)` once every entry pushed so far is durable (at once if it is), `done(false)` if writing
  /// failed (the entries stay queued in memory and the write is retried). Called on the executor.
  void when_durable(std::function<void(bool)> done);
  boost::asio::awaitable<bool> wait_durable();

  /// False while new webhook work must be refused: bounds reached by entries that are never dropped (refuse
  /// policy), or the disk failing.
  bool accepting();
  /// New bounds (config reload).
  void set_limits(std::uint64_t max_bytes, std::chrono::milliseconds max_age, OverflowPolicy overflow);

  const OutboxStats& stats() const;
  std::size_t segment_count() const;
  /// Depth (events, bytes, oldest age), appends, acks, drops, corrupt records, group commits, write errors.
  void write_metrics(telemetry::MetricsWriter& out) const;

 private:
  struct Impl;
  /// Shared with the I/O jobs' completions, which hold it weakly: a completion arriving after the Outbox is
  /// gone finds nothing to update.
  std::shared_ptr<Impl> impl_;
};

}  // namespace vesagent::outbox
