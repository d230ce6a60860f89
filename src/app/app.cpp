#include "vesagent/app/app.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "app_metrics.hpp"
#include "collector_intervals.hpp"
#include "services.hpp"
#include "vesagent/app/task_group.hpp"
#include "vesagent/cluster/member.hpp"
#include "vesagent/core/clock.hpp"
#include "vesagent/correlate/stage.hpp"
#include "vesagent/http/client.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/pipeline/pipeline.hpp"
#include "vesagent/publish/failover_publisher.hpp"
#include "vesagent/scheduler/poll_loop.hpp"
#include "vesagent/sources/alertmanager/webhook.hpp"
#include "vesagent/sources/heartbeat/heartbeat_source.hpp"
#include "vesagent/state/fault_store.hpp"
#include "vesagent/state/id_allocator.hpp"
#include "vesagent/telemetry/logging.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"
#include "vesagent/web/endpoint.hpp"

namespace vesagent::app {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {
constexpr const char* kHeartbeatTask = "heartbeat";
constexpr const char* kPublishTask = "publish";
constexpr const char* kProbeTask = "probe";
constexpr const char* kDeadlineTask = "shutdown-deadline";
constexpr const char* kClusterTask = "cluster";  // etcd HA: campaign, lease, fencing, replicated log
constexpr const char* kIntervalsKey = "collector-intervals";  // KvStore key of the collector-set intervals
ves::Version version_of(const config::Config& c) { return c.ves.version == 5 ? ves::Version::v5 : ves::Version::v7; }
ves::EncodeContext encode_context(const config::Config& c) {
  ves::EncodeContext ctx{version_of(c), std::string(core::time_zone_offset())};
  ctx.fault_format = c.event.fault_format == "stndDefined" ? ves::FaultFormat::stnd_defined : ves::FaultFormat::ves;
  ctx.stnd_schema_url = c.event.stnd_defined_schema_reference;
  return ctx;
}

// <datadir>/outbox, bounded by outbox.maxBytes / maxAge; the webhook answers 503 while
// outbox::Outbox::accepting() says no.
outbox::OverflowPolicy overflow_of(const config::Config& c) {
  return c.outbox.overflow_policy == "dropOldest" ? outbox::OverflowPolicy::drop_oldest
                                                  : outbox::OverflowPolicy::refuse;
}
outbox::Options outbox_options(const config::Config& c) {
  outbox::Options o;
  o.directory = std::filesystem::path(c.datadir) / "outbox";
  o.fsync = c.outbox.fsync == "always" ? outbox::FsyncPolicy::always
            : c.outbox.fsync == "never" ? outbox::FsyncPolicy::never
                                        : outbox::FsyncPolicy::batch;
  o.fsync_interval = c.outbox.fsync_interval;
  o.max_bytes = c.outbox.max_bytes;
  o.max_age = c.outbox.max_age;
  o.overflow = overflow_of(c);
  o.segment_bytes = c.outbox.segment_bytes;
  o.memory_bytes = c.outbox.memory_bytes;
  return o;
}

// --dry-run: the state directory becomes a fresh temporary one, before any module opens a file in it.
config::Config for_run(config::Config c, const RunOptions& run) {
  if (run.dry_run) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ves-agent-dry-run.XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) c.datadir = tmpl;
  }
  return c;
}

/// The correlation stage's settings; VESAGENT_TEST_CRASH=before-cluster-commit arms its test hook (the HA tests
/// kill a leader between the local and the cluster commit with it).
correlate::StageOptions stage_options(const config::Config& c) {
  auto o = correlate::StageOptions::from_config(c);
  const char* crash = std::getenv("VESAGENT_TEST_CRASH");
  o.crash_before_replication = crash != nullptr && std::string_view(crash) == "before-cluster-commit";
  return o;
}
}  // namespace

struct App::Impl {
  asio::any_io_executor executor;
  config::Config config;
  http::Client client;
  outbox::Outbox outbox;
  outbox::DeadLetterStore dead_letters;
  pipeline::Pipeline pipeline;  ///< encode + enqueue, downstream of the stage
  correlate::Stage stage;       ///< fault lifecycle, eventIds, commits: what every source hands its work to
  publish::FailoverPublisher publisher;
  sources::heartbeat::HeartbeatSource heartbeat;
  scheduler::PollLoop heartbeat_loop;
  TaskGroup tasks;
  std::unique_ptr<sources::alertmanager::Webhook> webhook;
  /// etcd HA: null = standalone. Declared after the stage, whose fault store and ids it serves.
  std::unique_ptr<cluster::Member> member;
  CollectorIntervals intervals;  ///< what the collector set (commandList); persisted
  std::uint64_t leadership_changes = 0;
  sources::ServiceContext service_context;
  std::vector<std::unique_ptr<core::Service>> services;  ///< pollers and other services, see services.cpp
  std::function<void()> stopped_callback;
  bool stopping = false;
  bool started = false;
  RunOptions run;
  std::unique_ptr<web::Endpoint> web;
  std::int64_t start_time_us = core::now_epoch_us();
  std::set<std::string, std::less<>> once_pending;  ///< pollers that have not finished their --once cycle
  // VES 5 throttling: the collector's throttlingSpecification in force, kept in <datadir>/throttling-state.json.
  ves::Throttle throttle{std::filesystem::path(config.datadir) / "throttling-state.json"};
  std::uint64_t throttling_reports = 0;

  Impl(asio::any_io_executor ex, config::Config cfg, RunOptions options)
      : executor(ex),
        config(for_run(std::move(cfg), options)),
        client(ex),
        outbox(ex, outbox_options(config)),  // opened (and replayed) in start()
        dead_letters(std::filesystem::path(config.datadir) / "dead-letters", dead_letter_limits(config)),
        pipeline(encode_context(config), outbox,
                 config.event.max_size, &dead_letters),
        stage(stage_options(config), pipeline, outbox),
        publisher(ex, outbox, make_endpoint("primary", config.primary_collector),
                  make_endpoint("backup", config.backup_collector), publisher_settings(config, &dead_letters),
                  [this](const std::vector<ves::Command>& commands) { apply_commands(commands); }),
        heartbeat(config),
        heartbeat_loop(ex, heartbeat, stage, config.heartbeat.default_interval),
        tasks(ex),
        run(std::move(options)) {
    pipeline.set_throttle(&throttle);  // VES 5 throttling
    if (!run.dry_run_output) {
      run.dry_run_output = [](std::string_view json) {
        std::fwrite(json.data(), 1, json.size(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
      };
    }
  }

  ~Impl() {
    if (run.dry_run) {
      std::error_code ec;
      std::filesystem::remove_all(config.datadir, ec);
    }
  }

  /// Empty when /-/ready should answer 200. (The cluster role will be one more condition here.)
  std::string not_ready_reason() const {
    if (!started) return "starting";
    if (stopping) return "stopping";
    if (member && !member->is_leader()) return "not the cluster leader";  // followers answer 503
    return {};
  }

  void write_metrics(telemetry::MetricsWriter& out) const {
    AppMetricsInputs in;
    in.pipeline = &pipeline.stats();
    in.outbox = &outbox;
    in.publisher = &publisher;
    in.backup_configured = config.backup_collector.configured();
    in.webhook = webhook ? &webhook->stats() : nullptr;
    in.heartbeat = &heartbeat_loop.stats();
    in.heartbeat_interval_seconds = std::chrono::duration<double>(heartbeat_loop.interval()).count();
    in.ves_version = config.ves.version;
    in.start_time_us = start_time_us;
    in.ready = not_ready_reason().empty();
    write_app_metrics(in, out);
    stage.write_metrics(out);
    for (const auto& service : services) service->write_metrics(out);
    dead_letters.write_metrics(out);
    if (member) member->write_metrics(out);
  }

  // ---- etcd HA: only the leader runs the services, the heartbeat loop and delivery ----

  /// True when this agent may emit: standalone, or the cluster leader.
  bool emitting() const { return !member || member->is_leader(); }

  /// Starts delivery, the fail-back probe and the heartbeat loop (at start, or when this agent becomes leader).
  void start_emission() {
    auto delivery = run.dry_run ? print_events() : publisher.run();
    tasks.spawn(kPublishTask, std::move(delivery), [this] {
      // A leadership loss cancels delivery alone: the agent goes on as a follower.
      if (!stopping) return;
      // Drained (or cut by the deadline): nothing else needs to run, but a cluster member first leaves the
      // cluster (revokes its lease, so another agent takes over at once); its task's end cancels the rest.
      if (member && tasks.running(kClusterTask)) {
        member->stop();
      } else {
        tasks.cancel_all();
      }
    });
    if (config.backup_collector.configured() && !run.dry_run) tasks.spawn(kProbeTask, publisher.probe_primary());
    tasks.spawn(kHeartbeatTask, run.once ? heartbeat_once() : heartbeat_loop.run());
  }

  /// Called by the cluster member on every change of role. Stopping is synchronous: by the time this returns,
  /// no poller, heartbeat or post runs any more (cancelled transfers are aborted), well before the lease expires.
  void on_leadership(bool leading) {
    ++leadership_changes;
    if (leading) {
      if (stopping) return;
      asio::co_spawn(executor, lead(leadership_changes), asio::detached);
      return;
    }
    auto log = telemetry::logger("app");
    if (!stopping) {
      for (auto& service : services) service->stop();  // (App::stop() has stopped them already)
    }
    tasks.cancel(kHeartbeatTask);
    tasks.cancel(kProbeTask);
    tasks.cancel(kPublishTask);  // undelivered events stay queued until this agent leads again
    log->info("msg=\"Following: polling, heartbeats and delivery stopped\" queued={}", outbox.size());
  }

  /// A new leader first takes the intervals the collector gave the previous one, then starts the services,
  /// delivery and heartbeats (unless the leadership changed again meanwhile).
  asio::awaitable<void> lead(std::uint64_t change) {
    co_await load_cluster_intervals();
    if (change != leadership_changes || stopping || !member->is_leader()) co_return;
    auto log = telemetry::logger("app");
    std::string error;
    for (auto& service : services) {
      if (auto r = service->start(error); !r) {
        log->error("msg=\"Cannot start a service after the election\" service={} error={}", service->name(),
                   telemetry::logfmt_value(error));
      }
    }
    if (!tasks.running(kPublishTask)) start_emission();
    log->info("msg=\"Leading: polling, heartbeats and delivery started\" queued={}", outbox.size());
  }

  /// --dry-run: prints what the publisher would post, in order, and acknowledges it.
  asio::awaitable<void> print_events() {
    for (;;) {
      if (outbox.entries().empty()) {  // the durable outbox may still be reading entries back
        if (stopping && outbox.empty()) co_return;
        co_await outbox.wait();
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) co_return;
        continue;
      }
      for (const auto& e : outbox.entries()) run.dry_run_output("{\"event\":" + e.json + "}");
      outbox.ack(outbox.entries().back().seq);
    }
  }

  /// --once: the heartbeat's single cycle.
  asio::awaitable<void> heartbeat_once() {
    auto events = co_await heartbeat.poll();
    if (events) {
      for (auto& e : *events) stage.submit(std::move(e));
    } else {
      telemetry::logger("app")->error("msg=\"Heartbeat poll failed\" error={}",
                                      telemetry::logfmt_value(events.error().message()));
    }
    once_finished("heartbeat");
  }

  void once_finished(std::string_view name) {
    auto it = once_pending.find(name);
    if (it == once_pending.end()) return;
    once_pending.erase(it);
    if (!once_pending.empty()) return;
    telemetry::logger("app")->info("msg=\"Every poller finished its cycle; delivering and stopping\" queued={}",
                                   outbox.size());
    // Posted: once_done may be called from inside a service, which stop() is about to stop.
    asio::post(executor, [this] { stop_from_once(); });
  }
  std::function<void()> stop_from_once;

  std::unique_ptr<publish::CollectorEndpoint> make_endpoint(const char* name, const config::CollectorConfig& c) {
    if (!c.configured()) return nullptr;
    return std::make_unique<publish::CollectorEndpoint>(name, client, c, version_of(config));
  }

  static outbox::DeadLetterLimits dead_letter_limits(const config::Config& c) {
    return {c.dead_letter.max_bytes, static_cast<std::uint64_t>(c.dead_letter.max_events)};
  }

  static publish::PublisherSettings publisher_settings(const config::Config& c, outbox::DeadLetterStore* dead) {
    publish::PublisherSettings s;
    s.retry_interval = c.event.retry_interval;
    s.max_missed = c.event.max_missed;
    s.max_body_bytes = c.event.max_size;
    s.probe_interval = c.event.retry_interval;
    s.dead_letters = dead;
    return s;
  }

  void set_heartbeat_interval(milliseconds interval) {
    heartbeat.set_interval(interval);
    heartbeat_loop.set_interval(interval);
  }

  // VES 5 throttling (defined below App::Impl).
  void apply_throttling(const ves::DomainThrottle& spec);
  void provide_throttling_state();
  asio::awaitable<void> post_throttling_state(std::string body);

  void apply_commands(const std::vector<ves::Command>& commands) {
    auto log = telemetry::logger("app");
    bool changed = false;
    for (const auto& c : commands) {
      switch (c.type) {
        case ves::Command::Type::heartbeat_interval_change:
          log->info("msg=\"Collector changed the heartbeat interval\" interval_s={}", c.interval_seconds);
          intervals.heartbeat_seconds = std::max<std::int64_t>(c.interval_seconds, 0);
          changed = true;
          break;
        case ves::Command::Type::measurement_interval_change:
          log->info("msg=\"Collector changed the measurement interval\" interval_s={}", c.interval_seconds);
          intervals.measurement_seconds = std::max<std::int64_t>(c.interval_seconds, 0);
          changed = true;
          break;
        case ves::Command::Type::throttling_specification:  // VES 5 throttling
          apply_throttling(c.throttle);
          break;
        case ves::Command::Type::provide_throttling_state:  // VES 5 throttling
          provide_throttling_state();
          break;
        default:
          log->info("msg=\"Ignoring unsupported collector command\" command_type={}",
                    telemetry::logfmt_value(c.raw_type));
      }
    }
    if (!changed) return;
    apply_intervals();
    save_intervals();
  }

  /// 0 means "back to the configured default" (VES 5.4.1 commandList semantics).
  void apply_intervals() {
    if (intervals.heartbeat_seconds) {
      const auto s = *intervals.heartbeat_seconds;
      set_heartbeat_interval(s > 0 ? milliseconds(s * 1000) : config.heartbeat.default_interval);
    }
    if (intervals.measurement_seconds) {
      for (auto& service : services) service->set_measurement_interval_seconds(*intervals.measurement_seconds);
    }
  }

  std::filesystem::path intervals_file() const {
    return std::filesystem::path(config.datadir) / "collector-intervals.json";
  }

  /// Locally always (a restart keeps them); clustered also in etcd (a new leader keeps them).
  void save_intervals() {
    std::string error;
    if (!state::write_file_atomically(intervals_file(), intervals.to_json() + "\n", error)) {
      telemetry::logger("app")->warn("msg=\"Cannot save the collector-set intervals; a restart goes back to the "
                                     "configured ones\" error={}",
                                     telemetry::logfmt_value(error));
    }
    if (member && member->is_leader()) {
      asio::co_spawn(
          executor,
          [](cluster::KvStore& kv, std::string value) -> asio::awaitable<void> {
            auto r = co_await kv.put(kIntervalsKey, std::move(value));
            if (!r) {
              telemetry::logger("app")->warn("msg=\"Cannot keep the collector-set intervals in etcd; a new leader "
                                             "goes back to the configured ones\"");
            }
          }(member->kv(), intervals.to_json()),
          asio::detached);
    }
  }

  void load_local_intervals() {
    std::ifstream in(intervals_file());
    if (!in) return;
    std::stringstream text;
    text << in.rdbuf();
    if (auto loaded = CollectorIntervals::from_json(text.str())) {
      intervals = *loaded;
      if (!intervals.empty()) {
        telemetry::logger("app")->info("msg=\"Applying the intervals the collector set before the restart\" "
                                       "intervals={}",
                                       intervals.to_json());
      }
      apply_intervals();
    } else {
      telemetry::logger("app")->warn("msg=\"Unreadable collector-set intervals; using the configured ones\" file={}",
                                     intervals_file().string());
    }
  }

  /// A new leader continues with the intervals the collector gave the previous one.
  asio::awaitable<void> load_cluster_intervals() {
    auto value = co_await member->kv().get(kIntervalsKey);
    if (!value || !*value) co_return;
    auto loaded = CollectorIntervals::from_json(**value);
    if (!loaded || loaded->empty()) co_return;
    intervals = *loaded;
    telemetry::logger("app")->info("msg=\"Applying the intervals the collector gave the previous leader\" "
                                   "intervals={}",
                                   intervals.to_json());
    apply_intervals();
    std::string error;
    state::write_file_atomically(intervals_file(), intervals.to_json() + "\n", error);
  }

  /// Clustered: the outbox's queue is mirrored to etcd's log, and at an election the log replaces the queue.
  void wire_cluster() {
    member->attach_faults(stage.faults());
    member->set_local_ids([this](core::Domain d) {
      std::string error;
      return stage.ids().next_local(d, error);
    });
    member->on_adopt([this](const std::vector<cluster::LogEvent>& events) {
      // etcd holds everything a collector has not acknowledged: this agent's own queue (from an earlier term)
      // is either there too or was answered 503 (and retried with the leader of the time).
      if (outbox.last_seq() > 0) outbox.ack(outbox.last_seq());
      std::vector<std::uint64_t> seqs;
      seqs.reserve(events.size());
      for (const auto& e : events) {
        outbox.push(outbox::Entry{e.domain, e.event_id, e.json, core::now_epoch_us()});
        seqs.push_back(outbox.last_seq());
      }
      return seqs;
    });
    member->on_leadership([this](bool leading) { on_leadership(leading); });
    outbox.set_observer(member->outbox_observer());
    stage.set_replica(member.get());
  }

  // ---- App::start, step by step ----

  /// The state directory, the correlation stage (fault state, event counters) and the outbox, whose replay
  /// restores undelivered events and the fault decisions that rode with them.
  Result<void> open_state(std::string& error) {
    auto log = telemetry::logger("app");
    std::error_code ec;
    std::filesystem::create_directories(config.datadir, ec);
    if (ec) {
      error = "cannot create state directory " + config.datadir + ": " + ec.message();
      return make_error_code(errc::io_error);
    }
    if (!config.primary_collector.configured()) {
      error = "primaryCollector.fqdn is not set";
      return make_error_code(errc::invalid_config);
    }
    std::string warnings;
    if (auto r = stage.open(error, warnings); !r) return r;
    if (std::string throttle_note; !throttle.load(throttle_note)) {  // VES 5 throttling
      log->warn("msg=\"Throttling state unreadable\" error={}", telemetry::logfmt_value(throttle_note));
    } else if (throttle.throttled()) {
      log->info("msg=\"Collector's event throttling restored\" state={}", telemetry::logfmt_value(throttle.state_body()));
    }
    if (!warnings.empty()) log->warn("msg=\"Fault state repaired\" detail={}", telemetry::logfmt_value(warnings));
    outbox.set_state_log(stage.state_log());
    std::string outbox_note;
    if (auto r = outbox.open(outbox_note); !r) {
      error = "cannot open the outbox: " + outbox_note;
      return r;
    }
    if (!outbox_note.empty()) {
      log->warn("msg=\"Outbox damaged; cut or skipped the damage, kept the rest\" corrupt_records={} "
                "corrupt_bytes={} detail={}",
                outbox.stats().corrupt_records, outbox.stats().corrupt_bytes, telemetry::logfmt_value(outbox_note));
    }
    stage.outbox_opened();
    std::string dead_letter_note;
    if (auto r = dead_letters.open(dead_letter_note, true, std::filesystem::path(config.datadir) / "dead-letter.jsonl");
        !r) {
      error = "cannot open the dead-letter store: " + dead_letter_note;
      return r;
    }
    if (!dead_letter_note.empty()) {
      log->warn("msg=\"Dead-letter store damaged; kept the rest\" detail={}", telemetry::logfmt_value(dead_letter_note));
    }
    if (!outbox.empty()) {
      log->info("msg=\"Outbox holds events from a previous run; delivering them first\" events={} bytes={}",
                outbox.size(), outbox.bytes());
    }
    return {};
  }

  /// The Alertmanager webhook (not in --once runs: a push source has no cycle to wait for).
  Result<void> start_webhook(std::string& error) {
    if (run.once) return {};
    webhook = std::make_unique<sources::alertmanager::Webhook>(
        executor, config, stage,
        [this] { return !stopping && outbox.accepting() && stage.accepting() && emitting(); });
    if (auto port = webhook->start(); !port) {
      error = "cannot listen for Alertmanager on " + config.alert_manager.bind + ": " + port.error().message();
      return port.error();
    }
    return {};
  }

  /// The polled sources (services.cpp); clustered, they start when this agent leads (on_leadership).
  Result<void> start_services(std::string& error) {
    service_context.executor = executor;
    service_context.config = &config;
    service_context.client = &client;
    service_context.correlator = &stage;
    if (member) service_context.cluster_kv = &member->kv();  // measurement window marks in etcd
    service_context.once = run.once;
    service_context.once_done = [this](std::string_view name) { once_finished(name); };
    services = make_services(service_context);
    if (!member) load_local_intervals();  // clustered: from etcd when this agent leads
    if (run.once) {
      once_pending.insert("heartbeat");
      std::string names = "heartbeat";
      for (const auto& service : services) {
        once_pending.emplace(service->name());
        names += "," + std::string(service->name());
      }
      // Named, so that a service that never calls once_done is easy to spot when --once does not end.
      telemetry::logger("app")->info("msg=\"Running one cycle\" pollers={}", names);
    }
    if (member) return {};
    for (auto& service : services) {
      if (auto r = service->start(error); !r) {
        error = std::string(service->name()) + ": " + error;
        if (webhook) webhook->stop();
        for (auto& started_one : services) {
          if (started_one == service) break;
          started_one->stop();
        }
        return r;
      }
    }
    return {};
  }

  /// The agent's own HTTP endpoint; not in --once runs, which end before anyone scrapes.
  Result<void> start_web(std::string& error) {
    if (config.web.listen_address.empty() || run.once) return {};
    web::Providers providers;
    providers.write_metrics = [this](telemetry::MetricsWriter& out) { write_metrics(out); };
    providers.status_pages = [this] {
      std::vector<core::StatusPage> pages;
      for (const auto& service : services) {
        for (auto& page : service->status_pages()) pages.push_back(std::move(page));
      }
      return pages;
    };
    providers.not_ready_reason = [this] { return not_ready_reason(); };
    web = std::make_unique<web::Endpoint>(executor, config.web, std::move(providers));
    if (auto port = web->start(); !port) {
      error = "cannot listen on web.listenAddress " + config.web.listen_address + ": " + port.error().message();
      if (webhook) webhook->stop();
      for (auto& service : services) service->stop();
      return port.error();
    }
    return {};
  }

  /// The long-lived tasks: the cluster member (which starts emission when elected), or emission at once.
  void start_tasks(std::function<void()> all_done) {
    tasks.on_all_done(std::move(all_done));
    if (member) {
      // When the member's task ends during a stop (lease revoked), nothing else needs to run.
      tasks.spawn(kClusterTask, member->run(), [this] {
        if (stopping) tasks.cancel_all();
      });
    } else {
      start_emission();
    }
  }

  void log_started() const {
    telemetry::logger("app")->info(
        "msg=\"Agent started\" ves_version={} webhook={} web={} mode={} active_faults={} primary={} backup={} "
        "heartbeat_interval_s={} datadir={}",
        config.ves.version, webhook ? config.alert_manager.bind : std::string("off"),
        web ? config.web.listen_address : std::string("off"),
        run.dry_run ? (run.once ? "dry-run,once" : "dry-run") : (run.once ? "once" : "normal"),
        stage.faults().active_count(), publish::event_url(config.primary_collector, version_of(config)),
        config.backup_collector.configured() ? publish::event_url(config.backup_collector, version_of(config))
                                             : std::string("none"),
        std::chrono::duration_cast<std::chrono::seconds>(heartbeat_loop.interval()).count(), config.datadir);
  }
};

// ---- VES 5 throttling: throttlingSpecification and provideThrottlingState commands ----
void App::Impl::apply_throttling(const ves::DomainThrottle& spec) {
  auto log = telemetry::logger("app");
  std::string error;
  const bool persisted = throttle.apply(spec, error).has_value();
  log->info("msg=\"Collector changed event throttling\" domain={} suppressed_fields={} suppressed_nv_fields={} "
            "mode={}",
            telemetry::logfmt_value(spec.event_domain), spec.suppressed_field_names.size(),
            spec.suppressed_nv_pairs.size(), throttle.throttled() ? "throttled" : "normal");
  if (!persisted) {
    log->error("msg=\"Cannot persist the throttling state; it is in force until a restart\" error={}",
               telemetry::logfmt_value(error));
  }
}

void App::Impl::provide_throttling_state() {
  if (stopping || run.dry_run) return;  // nothing is posted while draining or in a dry run
  tasks.spawn("throttling-state-" + std::to_string(++throttling_reports),
              post_throttling_state(throttle.state_body()));
}

asio::awaitable<void> App::Impl::post_throttling_state(std::string body) {
  const bool backup = publisher.on_backup();
  auto endpoint =
      make_endpoint(backup ? "backup" : "primary", backup ? config.backup_collector : config.primary_collector);
  if (!endpoint) co_return;
  auto d = co_await endpoint->post_throttling_state(std::move(body));
  auto log = telemetry::logger("app");
  if (d.outcome == publish::Outcome::delivered) {
    log->info("msg=\"Reported the throttling state\" collector={} status={}", endpoint->name(), d.status);
  } else {
    log->warn("msg=\"Collector did not take the throttling state\" collector={} status={} error={}",
              endpoint->name(), d.status, telemetry::logfmt_value(d.error));
  }
}

App::App(asio::any_io_executor executor, config::Config config, RunOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(config), std::move(options))) {
  impl_->stop_from_once = [this] { stop(); };
}

App::~App() = default;

Result<void> App::start(std::string& error) {
  auto& m = *impl_;
  if (auto r = m.open_state(error); !r) return r;
  if (m.config.cluster.enabled() && !m.run.once && !m.run.dry_run) {
    // Emission then starts only when this agent wins the election.
    m.member = std::make_unique<cluster::Member>(m.executor, m.client, m.config);
    if (auto r = m.member->prepare(error); !r) return r;
    m.wire_cluster();
  }
  if (auto r = m.start_webhook(error); !r) return r;
  if (auto r = m.start_services(error); !r) return r;
  if (auto r = m.start_web(error); !r) return r;
  m.start_tasks([this] {
    // The loop stops only after the outbox's last group commit: the durability callbacks still waiting for it
    // (a Prometheus window mark, the fault state's lines) must run, or the next start repeats that window.
    impl_->outbox.when_durable([this](bool) {
      if (impl_->web) impl_->web->stop();
      if (impl_->stopped_callback) impl_->stopped_callback();
    });
  });
  m.started = true;
  m.log_started();
  return {};
}

void App::on_stopped(std::function<void()> callback) { impl_->stopped_callback = std::move(callback); }

void App::stop() {
  auto& m = *impl_;
  auto log = telemetry::logger("app");
  if (!m.started) {
    if (m.stopped_callback) m.stopped_callback();
    return;
  }
  if (m.stopping) {
    log->warn("msg=\"Second stop request; cancelling delivery now\" undelivered={}", m.outbox.size());
    m.tasks.cancel_all();
    return;
  }
  m.stopping = true;
  // Order: stop producing, then deliver what is queued, bounded by shutdownTimeout.
  if (m.webhook) m.webhook->stop();
  if (m.emitting()) {
    for (auto& service : m.services) service->stop();  // a follower's services are not running
  }
  m.stage.checkpoint();
  m.tasks.cancel(kHeartbeatTask);
  m.pipeline.close();
  log->info("msg=\"Stopping; delivering queued events\" queued={} timeout_ms={}", m.outbox.size(),
            m.config.shutdown_timeout.count());
  m.publisher.stop_when_drained();
  m.outbox.wake();  // --dry-run's printer waits on the outbox too
  auto deadline = [](Impl& impl) -> asio::awaitable<void> {
    asio::steady_timer timer(impl.executor);
    timer.expires_after(impl.config.shutdown_timeout);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // drained in time
    if (impl.outbox.size() > 0) {
      telemetry::logger("app")->error(
          "msg=\"Shutdown deadline reached; undelivered events stay in the outbox for the next start\" "
          "undelivered={}",
          impl.outbox.size());
    }
    impl.tasks.cancel_all();
  };
  m.tasks.spawn(kDeadlineTask, deadline(m));
  // A member that does not deliver (follower) leaves the cluster now; a leader leaves once drained.
  if (m.member && !m.tasks.running(kPublishTask)) m.member->stop();
}

void App::reload(config::Config config) {
  auto& m = *impl_;
  auto log = telemetry::logger("app");
  if (m.run.dry_run) config.datadir = m.config.datadir;  // --dry-run keeps its temporary state
  if (config.datadir != m.config.datadir || config.ves.version != m.config.ves.version) {
    log->warn("msg=\"datadir and ves.version changes need a restart; keeping the running values\"");
    config.datadir = m.config.datadir;
    config.ves.version = m.config.ves.version;
  }
  // The encoder's settings are fixed when the pipeline is built.
  if (config.event.fault_format != m.config.event.fault_format ||
      config.event.stnd_defined_schema_reference != m.config.event.stnd_defined_schema_reference) {
    log->warn("msg=\"event.faultFormat and event.stndDefinedSchemaReference changes need a restart; keeping the "
              "running values\"");
    config.event.fault_format = m.config.event.fault_format;
    config.event.stnd_defined_schema_reference = m.config.event.stnd_defined_schema_reference;
  }
  // The web endpoint keeps its listener and TLS files until a restart.
  const auto& w = config.web;
  if (w.listen_address != m.config.web.listen_address || w.tls_cert_file != m.config.web.tls_cert_file ||
      w.tls_key_file != m.config.web.tls_key_file || w.tls_client_ca_file != m.config.web.tls_client_ca_file ||
      w.tls_require_client_cert != m.config.web.tls_require_client_cert) {
    log->warn("msg=\"web.* changes need a restart; keeping the running endpoint\" listen_address={}",
              telemetry::logfmt_value(m.config.web.listen_address));
    config.web = m.config.web;
  }
  // The outbox's bounds apply at once; fsync and segment settings at the next start.
  m.outbox.set_limits(config.outbox.max_bytes, config.outbox.max_age, overflow_of(config));
  if (m.member) m.member->set_drop_oldest(overflow_of(config) == outbox::OverflowPolicy::drop_oldest);
  m.dead_letters.set_limits(Impl::dead_letter_limits(config));
  // The cluster membership (endpoints, name, prefix, lease) keeps its settings until a restart.
  const auto& cl = config.cluster;
  if (cl.endpoints != m.config.cluster.endpoints || cl.name != m.config.cluster.name ||
      cl.prefix != m.config.cluster.prefix || cl.lease_ttl != m.config.cluster.lease_ttl ||
      cl.poll_interval != m.config.cluster.poll_interval || cl.user != m.config.cluster.user ||
      cl.password != m.config.cluster.password) {
    log->warn("msg=\"cluster.* changes need a restart; keeping the running membership\"");
    config.cluster = m.config.cluster;
  }
  telemetry::init_logging({config.log.level, config.log.format});
  if (config.heartbeat.default_interval != m.config.heartbeat.default_interval) {
    m.set_heartbeat_interval(config.heartbeat.default_interval);
  }
  m.config = std::move(config);
  m.publisher.set_endpoints(m.make_endpoint("primary", m.config.primary_collector),
                            m.make_endpoint("backup", m.config.backup_collector));
  for (auto& service : m.services) service->reload();
  if (m.config.backup_collector.configured() && !m.tasks.running(kProbeTask) && !m.stopping && !m.run.dry_run &&
      m.emitting()) {  // followers do not probe
    m.tasks.spawn(kProbeTask, m.publisher.probe_primary());
  }
  log->info("msg=\"Configuration reloaded\"");
}

AppStatus App::status() const {
  const auto& m = *impl_;
  AppStatus s;
  s.queued = m.outbox.size();
  s.delivered = m.publisher.stats().delivered_events;
  s.rejected = m.publisher.stats().rejected_events;
  s.failovers = m.publisher.stats().failovers;
  s.failbacks = m.publisher.stats().failbacks;
  s.on_backup = m.publisher.on_backup();
  s.heartbeat_interval_ms = std::chrono::duration_cast<milliseconds>(m.heartbeat_loop.interval()).count();
  return s;
}

void App::write_metrics(telemetry::MetricsWriter& out) const { impl_->write_metrics(out); }

std::uint16_t App::web_port() const { return impl_->web ? impl_->web->port() : 0; }

}  // namespace vesagent::app
