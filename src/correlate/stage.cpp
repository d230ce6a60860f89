#include "vesagent/correlate/stage.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "vesagent/config/config.hpp"
#include "vesagent/core/clock.hpp"
#include "vesagent/correlate/replica.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/state/fault_store.hpp"
#include "vesagent/telemetry/logging.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::correlate {

namespace {

std::shared_ptr<spdlog::logger> logger() { return telemetry::logger("correlate"); }
std::string q(std::string_view v) { return telemetry::logfmt_value(v); }

core::FaultIdentity identity_of(state::FaultRecord&& r) {
  core::FaultIdentity id;
  id.key = std::move(r.key);
  id.event_id = std::move(r.event_id);
  id.episode_start_us = r.episode_start_us;
  id.start_epoch_us = r.start_epoch_us;
  id.sequence = r.sequence;
  id.severity = r.severity;
  id.closed_at_us = r.closed_at_us;
  return id;
}

/// The identity fields are the stage's: whatever the source's builder wrote there is replaced.
void stamp(core::Event& e, const core::FaultIdentity& id, core::FaultEventKind kind) {
  const bool clear = kind != core::FaultEventKind::raise_or_update;
  e.domain = core::Domain::fault;
  e.key = id.key;
  e.event_id = id.event_id;
  e.sequence = id.sequence;
  e.start_epoch_us = id.start_epoch_us;
  e.last_epoch_us = std::max(e.last_epoch_us, e.start_epoch_us);
  e.priority = clear ? core::Priority::normal : core::priority_for(id.severity);
  if (auto* f = std::get_if<core::FaultBody>(&e.body)) f->severity = clear ? core::Severity::normal : id.severity;
}

}  // namespace

StageOptions StageOptions::from_config(const config::Config& config) {
  StageOptions o;
  o.state_directory = config.datadir;
  o.closed_retention =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.alert_manager.faults.closed_fault_retention);
  o.send_unknown_resolves = config.alert_manager.faults.unknown_resolve != "drop";
  return o;
}

Stage::Stage(StageOptions options, core::EventSink& downstream, outbox::Outbox& outbox)
    : options_(std::move(options)),
      downstream_(downstream),
      outbox_(outbox),
      ids_(options_.state_directory) {
  if (!options_.clock) options_.clock = [] { return core::now_epoch_us(); };
}

Stage::~Stage() = default;

Result<void> Stage::open(std::string& error, std::string& warnings) {
  state::FaultStore::Options o;
  o.directory = options_.state_directory / "faults";
  o.closed_retention = options_.closed_retention;
  o.unknown_resolve = options_.send_unknown_resolves ? state::UnknownResolvePolicy::send
                                                     : state::UnknownResolvePolicy::drop;
  o.clock = options_.clock;
  faults_ = std::make_unique<state::FaultStore>(std::move(o));
  std::string note;
  if (auto r = faults_->open(note); !r) {
    error = "cannot open fault state: " + note;
    return r;
  }
  warnings = std::move(note);
  // One fdatasync per commit: the decisions' journal lines ride in the outbox's group commit right behind
  // their events. The store writes them into its own journal once the outbox has them on disk, and syncs that
  // journal before the outbox deletes a segment holding them (state_log()).
  faults_->share_durability([this](std::string lines) { outbox_.push_state(std::move(lines)); });
  return ids_.open(error);
}

outbox::StateLog Stage::state_log() {
  outbox::StateLog log;
  log.replay = [this](std::string_view lines) {
    if (faults_->replay_lines(lines, replay_note_) > 0) ++replayed_rounds_;
  };
  log.written = [this](std::string_view lines) {
    std::string problem;
    if (!faults_->append_written(lines, problem)) {
      logger()->error("msg=\"Cannot append to the fault journal; the outbox keeps the changes and a snapshot is "
                      "written next\" error={}",
                      q(problem));
    } else if (!problem.empty()) {
      logger()->warn("msg=\"Fault state warning\" error={}", q(problem));
    }
  };
  log.make_durable = [this] {
    std::string problem;
    if (faults_->sync_journal(problem)) return true;
    logger()->error("msg=\"Cannot sync the fault journal; outbox segments are kept\" error={}", q(problem));
    return false;
  };
  return log;
}

void Stage::set_replica(Replica* replica) {
  replica_ = replica;
  ids_.set_replica(replica);
}

core::FaultVerdict Stage::observe(const core::FaultObservation& o, const core::FaultEventBuilder& build) {
  const std::int64_t now_us = o.at_us != 0 ? o.at_us : options_.clock();
  state::FaultDecision d;
  switch (o.kind) {
    case core::FaultObservation::Kind::firing: {
      std::int64_t episode = o.episode_start_us;
      if (o.next_episode_after_close) {
        // The active episode continues (0 stands for it); after a close, a failure is a new episode that starts
        // when the source says it began, and always after the closed one.
        auto existing = faults_->find(o.key);
        if (existing && existing->active()) {
          episode = 0;
        } else {
          episode = std::max<std::int64_t>(episode > 0 ? episode : now_us, 1);
          if (existing) episode = std::max(episode, existing->episode_start_us + 1);
        }
      }
      d = faults_->on_firing(o.key, episode, o.severity, now_us);
      break;
    }
    case core::FaultObservation::Kind::resolved:
      d = faults_->on_resolved(o.key, o.episode_start_us, o.at_us);
      break;
    case core::FaultObservation::Kind::changed:
      d = faults_->on_changed(o.key, o.severity);
      break;
  }
  core::FaultVerdict v;
  v.action = static_cast<core::FaultAction>(d.action);
  v.unknown_resolve = d.unknown_resolve;
  if (d.superseded) {
    v.superseded = true;
    decided_ = true;
    const core::FaultIdentity old = identity_of(std::move(*d.superseded));
    core::Event e = build(old, core::FaultEventKind::superseded);
    stamp(e, old, core::FaultEventKind::superseded);
    downstream_.submit(std::move(e));
    ++stats_.clears;
  }
  v.identity = identity_of(std::move(d.record));
  switch (v.action) {
    case core::FaultAction::none:
      ++stats_.ignored;
      break;
    case core::FaultAction::raise:
    case core::FaultAction::update: {
      core::Event e = build(v.identity, core::FaultEventKind::raise_or_update);
      stamp(e, v.identity, core::FaultEventKind::raise_or_update);
      downstream_.submit(std::move(e));
      ++(v.action == core::FaultAction::raise ? stats_.raises : stats_.updates);
      decided_ = true;
      break;
    }
    case core::FaultAction::clear: {
      core::Event e = build(v.identity, core::FaultEventKind::clear);
      stamp(e, v.identity, core::FaultEventKind::clear);
      downstream_.submit(std::move(e));
      ++stats_.clears;
      decided_ = true;
      break;
    }
  }
  // A dropped unknown resolve changes the state (remembered as closed) without an event.
  if (v.unknown_resolve) decided_ = true;
  return v;
}

void Stage::submit(core::Event event) {
  if (event.domain == core::Domain::fault) {
    // Faults have a lifecycle: only observe() may produce them.
    ++stats_.id_failures;
    logger()->error("msg=\"A fault event was submitted without an observation; dropped\" key={}", q(event.key));
    return;
  }
  std::string error;
  auto id = ids_.next(event.domain, error);
  if (!id) {
    ++stats_.id_failures;
    logger()->error("msg=\"No eventId available; event not sent\" domain={} source_name={} error={}",
                    core::to_string(event.domain), q(event.source_name), q(error));
    return;
  }
  event.event_id = std::move(*id);
  ++stats_.submitted;
  downstream_.submit(std::move(event));
}

void Stage::persist_round() {
  std::string error;
  if (auto r = faults_->persist(error); !r) {
    ++stats_.persist_failures;
    if (!persist_failing_) {
      logger()->error("msg=\"Cannot persist fault state; events were queued, but a restart may repeat them\" "
                      "error={}",
                      q(error.empty() ? r.error().message() : error));
    }
    persist_failing_ = true;
    return;
  }
  if (!error.empty()) logger()->warn("msg=\"Fault state warning\" error={}", q(error));
  if (persist_failing_) logger()->info("msg=\"Fault state persisted again\"");
  persist_failing_ = false;
}

void Stage::commit(std::function<void(bool durable)> done) {
  ++stats_.commits;
  // The decisions go to the outbox now, behind the events they decided: both reach the same group commit.
  persist_round();
  const bool decided = std::exchange(decided_, false);
  if (replica_ != nullptr && options_.crash_before_replication && decided) {
    outbox_.when_durable([](bool) {
      logger()->critical("msg=\"Test hook: terminating between the local commit and the cluster commit\"");
      ::kill(::getpid(), SIGKILL);
    });
    return;
  }
  struct Pending {
    std::function<void(bool)> done;
    int waiting = 1;
    bool ok = true;
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  if (replica_ != nullptr) pending->waiting = 2;
  auto finish = [this, pending](bool ok) {
    pending->ok = pending->ok && ok;
    if (--pending->waiting > 0) return;
    if (!pending->ok) ++stats_.commit_failures;
    pending->done(pending->ok);
  };
  // Local disk and etcd in parallel: the source waits for the slower of the two, not for their sum.
  outbox_.when_durable(finish);
  if (replica_ != nullptr) replica_->when_replicated(finish);
}

void Stage::for_each_active(std::string_view prefix, const std::function<void(const core::FaultIdentity&)>& fn) const {
  faults_->for_each_active(prefix, [&fn](const state::FaultRecord& r) { fn(identity_of(state::FaultRecord(r))); });
}

bool Stage::accepting() const { return replica_ == nullptr || replica_->accepting(); }

void Stage::outbox_opened() {
  if (replayed_rounds_ > 0 || !replay_note_.empty()) {
    logger()->info("msg=\"Fault decisions recovered from the outbox\" rounds={} detail={}", replayed_rounds_,
                   q(replay_note_));
  }
}

void Stage::checkpoint() {
  if (!faults_) return;
  std::string error;
  // persist() + fold the journal into the snapshot, so the next start parses one file.
  if (!faults_->checkpoint(error)) {
    logger()->error("msg=\"Cannot save fault state\" error={}", q(error));
  } else if (!error.empty()) {
    logger()->warn("msg=\"Fault state saved with a warning\" error={}", q(error));
  }
}

state::FaultStore& Stage::faults() { return *faults_; }
const state::FaultStore& Stage::faults() const { return *faults_; }

void Stage::write_metrics(telemetry::MetricsWriter& out) const {
  if (faults_) {
    out.gauge("vesagent_faults_active", "Faults raised and not yet cleared, over every fault source.",
              static_cast<double>(faults_->active_count()));
  }
  for (auto [action, n] : {std::pair{"raise", stats_.raises}, std::pair{"update", stats_.updates},
                           std::pair{"clear", stats_.clears}, std::pair{"none", stats_.ignored}}) {
    out.counter("vesagent_fault_decisions_total", "Fault observations by what the correlation stage decided.",
                static_cast<double>(n), {{"action", action}});
  }
  out.counter("vesagent_correlate_id_failures_total", "Events dropped because no eventId was available.",
              static_cast<double>(stats_.id_failures));
  out.counter("vesagent_correlate_commit_failures_total",
              "Source commits that could not be made durable (answered 503 / retried).",
              static_cast<double>(stats_.commit_failures));
  out.counter("vesagent_fault_persist_failures_total", "Fault state rounds that could not be handed on.",
              static_cast<double>(stats_.persist_failures));
}

}  // namespace vesagent::correlate
