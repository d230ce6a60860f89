#pragma once
/// The correlation stage: the one owner of the fault lifecycle and of event identity, between the sources and
/// the encoder.
///
///   sources ──observe / submit / commit──▶ Stage ──events──▶ downstream (pipeline: encode + enqueue) ──▶ outbox
///                                            │ fault decisions (journal lines) ──────────────────────────▶ outbox
///                                            └ clustered: Replica (etcd) gets the same round
///
/// It owns the state::FaultStore (every fault of every source, persisted), the eventId allocators of every
/// domain (EventIds), and one commit protocol, the same for every source (src/correlate/README.md):
///   1. observe() decides and hands the events downstream at once (they queue in the outbox in memory);
///   2. commit() hands the decisions taken since the previous commit to the outbox as a state record, right
///      behind their events, so one group commit (one write + fdatasync) makes both durable; clustered, the
///      round (events + decisions) is written to etcd as well, in parallel;
///   3. the source's `done` runs once the outbox has everything on disk and, clustered, etcd holds it: only
///      then does the webhook answer 200, the Prometheus window get its mark, the OpenStack poll count as done.
/// A crash before step 3 leaves at most events without their decision (sent again: same eventId and sequence,
/// which a collector dedups), never a decision without its event.
///
/// Threading: one executor; not thread-safe. The downstream sink and the outbox must outlive the stage.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "vesagent/core/correlator.hpp"
#include "vesagent/core/error.hpp"
#include "vesagent/core/event_sink.hpp"
#include "vesagent/correlate/event_ids.hpp"

namespace vesagent::config {
struct Config;
}
namespace vesagent::outbox {
class Outbox;
struct StateLog;
}  // namespace vesagent::outbox
namespace vesagent::state {
class FaultStore;
}
namespace vesagent::telemetry {
class MetricsWriter;
}

namespace vesagent::correlate {

class Replica;

struct StageOptions {
  std::filesystem::path state_directory;  ///< <datadir>: faults/ and the event counters live here
  std::chrono::milliseconds closed_retention{std::chrono::hours(1)};
  bool send_unknown_resolves = true;  ///< a resolve of an unknown fault still sends a clear (derived eventId)
  /// Now in microseconds since the Unix epoch; empty = the system clock.
  std::function<std::int64_t()> clock;
  /// Test hook: terminate the process (SIGKILL) once the outbox has a round holding fault decisions and before
  /// the round goes to the cluster, to prove that a leader dying there causes no duplicate raise.
  bool crash_before_replication = false;

  /// From alertManager.faults (closedFaultRetention, unknownResolve), which apply to the faults of every source.
  static StageOptions from_config(const config::Config& config);
};

struct StageStats {
  std::uint64_t raises = 0;
  std::uint64_t updates = 0;
  std::uint64_t clears = 0;  ///< superseded episodes included
  std::uint64_t ignored = 0;
  std::uint64_t submitted = 0;  ///< events of domains without a lifecycle
  std::uint64_t id_failures = 0;  ///< events dropped: no eventId available
  std::uint64_t commits = 0;
  std::uint64_t commit_failures = 0;  ///< commits that completed with durable = false
  std::uint64_t persist_failures = 0;
};

class Stage final : public core::Correlator {
 public:
  /// `downstream` encodes and enqueues the events (pipeline::Pipeline); `outbox` carries the decisions and says
  /// when a round is durable (the same outbox the pipeline pushes to).
  Stage(StageOptions options, core::EventSink& downstream, outbox::Outbox& outbox);
  ~Stage() override;
  Stage(const Stage&) = delete;
  Stage& operator=(const Stage&) = delete;

  /// Opens the fault state (<state_directory>/faults) and the event counters. Warnings about repaired damage go
  /// to `warnings` (still ok). Call before the outbox is opened: the outbox replays the decisions it holds into
  /// the fault store through state_log().
  Result<void> open(std::string& error, std::string& warnings);
  /// The outbox's hook for the decisions riding in it (set it on the outbox before opening the outbox).
  outbox::StateLog state_log();
  /// Clustered: eventIds and replication through `replica` (nullptr = standalone).
  void set_replica(Replica* replica);

  // core::Correlator
  core::FaultVerdict observe(const core::FaultObservation& observation, const core::FaultEventBuilder& build) override;
  void submit(core::Event event) override;
  void commit(std::function<void(bool durable)> done) override;
  void for_each_active(std::string_view prefix,
                       const std::function<void(const core::FaultIdentity&)>& fn) const override;

  /// False while fault work must be refused because the cluster's replicated log is full.
  bool accepting() const;
  /// Logs what the outbox's replay restored into the fault state (call after the outbox was opened).
  void outbox_opened();
  /// For a clean stop: makes the fault state durable in its own files and folds the journal into a snapshot.
  void checkpoint();

  /// The fault state, for the cluster member (mirror and takeover) and the metrics.
  state::FaultStore& faults();
  const state::FaultStore& faults() const;
  EventIds& ids() { return ids_; }
  const StageStats& stats() const { return stats_; }
  void write_metrics(telemetry::MetricsWriter& out) const;

 private:
  void persist_round();

  StageOptions options_;
  core::EventSink& downstream_;
  outbox::Outbox& outbox_;
  std::unique_ptr<state::FaultStore> faults_;
  EventIds ids_;
  Replica* replica_ = nullptr;
  StageStats stats_;
  bool decided_ = false;  ///< a fault decision was taken since the last commit
  bool persist_failing_ = false;
  std::string replay_note_;
  std::uint64_t replayed_rounds_ = 0;
};

}  // namespace vesagent::correlate
