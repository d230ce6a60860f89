#include "vesagent/app/app.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>

#include "app_metrics.hpp"
#include "services.hpp"
#include "vesagent/cluster/member.hpp"
#include "vesagent/app/task_group.hpp"
#include "vesagent/core/clock.hpp"
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
constexpr const char* kClusterTask = "cluster";  // etcd HA (issue 6): campaign, lease, fencing
ves::Version version_of(const config::Config& c) { return c.ves.version == 5 ? ves::Version::v5 : ves::Version::v7; }
ves::EncodeContext encode_context(const config::Config& c) {
  ves::EncodeContext ctx{version_of(c), std::string(core::time_zone_offset())};
  ctx.fault_format = c.event.fault_format == "stndDefined" ? ves::FaultFormat::stnd_defined : ves::FaultFormat::ves;
  ctx.stnd_schema_url = c.event.stnd_defined_schema_reference;
  return ctx;
}

// Durable outbox (issue 6): <datadir>/outbox, bounded by outbox.maxBytes / maxAge; the webhook answers 503 while
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

// --dry-run (issue 7): the state directory becomes a fresh temporary one, before any module opens a file in it.
config::Config for_run(config::Config c, const RunOptions& run) {
  if (run.dry_run) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ves-agent-dry-run.XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) c.datadir = tmpl;
  }
  return c;
}
}  // namespace

struct App::Impl {
  asio::any_io_executor executor;
  config::Config config;
  http::Client client;
  state::IdAllocator ids;
  outbox::Outbox outbox;
  pipeline::Pipeline pipeline;
  publish::FailoverPublisher publisher;
  sources::heartbeat::HeartbeatSource heartbeat;
  scheduler::PollLoop heartbeat_loop;
  TaskGroup tasks;
  std::unique_ptr<state::FaultStore> faults;
  std::string fault_replay_note;          ///< start-up: problems with fault lines found in the outbox
  std::uint64_t fault_replayed_rounds = 0;  ///< start-up: outbox state records that changed the fault state
  std::unique_ptr<sources::alertmanager::Webhook> webhook;
  /// etcd HA (issue 6): null = standalone. Declared after `faults`, whose change listener it holds.
  std::unique_ptr<cluster::Member> member;
  core::ServiceContext service_context;
  std::vector<std::unique_ptr<core::Service>> services;  ///< pollers and other services, see services.cpp
  std::function<void()> stopped_callback;
  bool stopping = false;
  bool started = false;
  // Issue 7: process run mode, the agent's own HTTP endpoint, --once bookkeeping.
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
        ids(std::filesystem::path(config.datadir) / "event-counter"),
        outbox(ex, outbox_options(config)),  // opened (and replayed) in start(); issue 6
        pipeline(encode_context(config), outbox,
                 config.event.max_size, std::filesystem::path(config.datadir) / "dead-letter.jsonl"),
        publisher(ex, outbox, make_endpoint("primary", config.primary_collector),
                  make_endpoint("backup", config.backup_collector), publisher_settings(config),
                  [this](const std::vector<ves::Command>& commands) { apply_commands(commands); }),
        // Clustered, eventIds come from blocks reserved in etcd, so two leaders never repeat a number (issue 6).
        heartbeat(config, [this] { return member ? member->next_event_number() : ids.next(); }),
        heartbeat_loop(ex, heartbeat, pipeline, config.heartbeat.default_interval),
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
    if (member && !member->is_leader()) return "not the cluster leader";  // issue 6: followers answer 503
    return {};
  }

  void write_metrics(telemetry::MetricsWriter& out) const {
    AppMetricsInputs in;
    in.pipeline = &pipeline.stats();
    in.outbox = &outbox;
    in.publisher = &publisher;
    in.backup_configured = config.backup_collector.configured();
    in.webhook = webhook ? &webhook->stats() : nullptr;
    in.faults = faults.get();
    in.heartbeat = &heartbeat_loop.stats();
    in.heartbeat_interval_seconds = std::chrono::duration<double>(heartbeat_loop.interval()).count();
    in.ves_version = config.ves.version;
    in.start_time_us = start_time_us;
    in.ready = not_ready_reason().empty();
    write_app_metrics(in, out);
    for (const auto& service : services) service->write_metrics(out);
    if (member) member->write_metrics(out);  // issue 6: leader state gauge
  }

  // ---- etcd HA (issue 6): only the leader runs the services, the heartbeat loop and delivery ----

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
    auto log = telemetry::logger("app");
    if (leading) {
      if (stopping) return;
      std::string error;
      for (auto& service : services) {
        if (auto r = service->start(error); !r) {
          log->error("msg=\"Cannot start a service after the election\" service={} error={}", service->name(),
                     telemetry::logfmt_value(error));
        }
      }
      if (!tasks.running(kPublishTask)) start_emission();
      log->info("msg=\"Leading: polling, heartbeats and delivery started\" queued={}", outbox.size());
      return;
    }
    if (!stopping) {
      for (auto& service : services) service->stop();  // (App::stop() has stopped them already)
    }
    tasks.cancel(kHeartbeatTask);
    tasks.cancel(kProbeTask);
    tasks.cancel(kPublishTask);  // undelivered events stay queued until this agent leads again
    log->info("msg=\"Following: polling, heartbeats and delivery stopped\" queued={}", outbox.size());
  }

  /// --dry-run: prints what the publisher would post, in order, and acknowledges it.
  asio::awaitable<void> print_events() {
    for (;;) {
      if (outbox.entries().empty()) {  // the durable outbox may still be reading entries back (issue 6)
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
      for (auto& e : *events) pipeline.submit(std::move(e));
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

  static publish::PublisherSettings publisher_settings(const config::Config& c) {
    publish::PublisherSettings s;
    s.retry_interval = c.event.retry_interval;
    s.max_missed = c.event.max_missed;
    s.max_body_bytes = c.event.max_size;
    s.probe_interval = c.event.retry_interval;
    s.dead_letter_file = std::filesystem::path(c.datadir) / "dead-letter.jsonl";
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
    for (const auto& c : commands) {
      switch (c.type) {
        case ves::Command::Type::heartbeat_interval_change: {
          // 0 means "back to the configured default" (VES 5.4.1 commandList semantics).
          milliseconds interval = c.interval_seconds > 0 ? milliseconds(c.interval_seconds * 1000)
                                                         : config.heartbeat.default_interval;
          log->info("msg=\"Collector changed the heartbeat interval\" interval_s={}", interval.count() / 1000);
          set_heartbeat_interval(interval);
          break;
        }
        case ves::Command::Type::measurement_interval_change:
          log->info("msg=\"Collector changed the measurement interval\" interval_s={}", c.interval_seconds);
          for (auto& service : services) service->set_measurement_interval_seconds(c.interval_seconds);
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
  auto log = telemetry::logger("app");
  std::error_code ec;
  std::filesystem::create_directories(m.config.datadir, ec);
  if (ec) {
    error = "cannot create state directory " + m.config.datadir + ": " + ec.message();
    return make_error_code(errc::io_error);
  }
  if (auto r = m.ids.open(); !r) {
    error = m.ids.last_error();
    return r;
  }
  if (std::string throttle_note; !m.throttle.load(throttle_note)) {  // VES 5 throttling
    log->warn("msg=\"Throttling state unreadable\" error={}", telemetry::logfmt_value(throttle_note));
  } else if (m.throttle.throttled()) {
    log->info("msg=\"Collector's event throttling restored\" state={}",
              telemetry::logfmt_value(m.throttle.state_body()));
  }
  if (!m.config.primary_collector.configured()) {
    error = "primaryCollector.fqdn is not set";
    return make_error_code(errc::invalid_config);
  }
  m.faults = std::make_unique<state::FaultStore>(sources::alertmanager::fault_store_options(m.config));
  std::string fault_note;
  if (auto r = m.faults->open(fault_note); !r) {
    error = "cannot open fault state: " + fault_note;
    return r;
  }
  if (!fault_note.empty()) log->warn("msg=\"Fault state repaired\" detail={}", telemetry::logfmt_value(fault_note));
  // One fdatasync per webhook commit (issue 8): the fault decisions' journal lines ride in the outbox's group
  // commit right behind their events, instead of a second fdatasync of the fault journal on the event loop.
  // The store writes them into its own journal once the outbox has them on disk, and syncs that journal before
  // the outbox deletes a segment holding them.
  m.faults->share_durability([&m](std::string lines) { m.outbox.push_state(std::move(lines)); });
  outbox::StateLog state_log;
  state_log.replay = [&m](std::string_view lines) {
    if (m.faults->replay_lines(lines, m.fault_replay_note) > 0) ++m.fault_replayed_rounds;
  };
  state_log.written = [&m](std::string_view lines) {
    std::string problem;
    if (!m.faults->append_written(lines, problem)) {
      telemetry::logger("state")->error("msg=\"Cannot append to the fault journal; the outbox keeps the changes and "
                                        "a snapshot is written next\" error={}",
                                        telemetry::logfmt_value(problem));
    } else if (!problem.empty()) {
      telemetry::logger("state")->warn("msg=\"Fault state warning.\" error={}", telemetry::logfmt_value(problem));
    }
  };
  state_log.make_durable = [&m] {
    std::string problem;
    if (m.faults->sync_journal(problem)) return true;
    telemetry::logger("state")->error("msg=\"Cannot sync the fault journal; outbox segments are kept\" error={}",
                                      telemetry::logfmt_value(problem));
    return false;
  };
  m.outbox.set_state_log(std::move(state_log));
  // Durable outbox (issue 6): what a previous run left undelivered goes out first, in order.
  std::string outbox_note;
  if (auto r = m.outbox.open(outbox_note); !r) {
    error = "cannot open the outbox: " + outbox_note;
    return r;
  }
  if (!outbox_note.empty()) {
    log->warn("msg=\"Outbox damaged; cut or skipped the damage, kept the rest\" corrupt_records={} corrupt_bytes={} "
              "detail={}",
              m.outbox.stats().corrupt_records, m.outbox.stats().corrupt_bytes, telemetry::logfmt_value(outbox_note));
  }
  if (m.fault_replayed_rounds > 0 || !m.fault_replay_note.empty()) {
    log->info("msg=\"Fault decisions recovered from the outbox\" rounds={} detail={}", m.fault_replayed_rounds,
              telemetry::logfmt_value(m.fault_replay_note));
  }
  if (!m.outbox.empty()) {
    log->info("msg=\"Outbox holds events from a previous run; delivering them first\" events={} bytes={}",
              m.outbox.size(), m.outbox.bytes());
  }
  // etcd HA (issue 6): a cluster member; emission then starts only when it wins the election.
  if (m.config.cluster.enabled() && !m.run.once && !m.run.dry_run) {
    m.member = std::make_unique<cluster::Member>(m.executor, m.client, m.config);
    if (auto r = m.member->prepare(error); !r) return r;
    m.member->attach_faults(*m.faults);
    m.member->set_local_ids([&m] { return m.ids.next(); });
    m.member->on_leadership([&m](bool leading) { m.on_leadership(leading); });
  }
  if (!m.run.once) {  // --once: a push source has no cycle to wait for (issue 7)
    m.webhook = std::make_unique<sources::alertmanager::Webhook>(
        m.executor, m.config, m.pipeline, *m.faults,
        [&m] { return !m.stopping && m.outbox.accepting() && m.emitting(); });  // issue 6: 503 on followers
    if (auto port = m.webhook->start(); !port) {
      error = "cannot listen for Alertmanager on " + m.config.alert_manager.bind + ": " + port.error().message();
      return port.error();
    }
  }
  m.service_context.executor = m.executor;
  m.service_context.config = &m.config;
  m.service_context.client = &m.client;
  m.service_context.ids = &m.ids;
  m.service_context.faults = m.faults.get();
  m.service_context.sink = &m.pipeline;
  if (m.member) m.service_context.cluster_kv = &m.member->kv();  // issue 6: measurement window marks in etcd
  m.service_context.once = m.run.once;
  m.service_context.once_done = [&m](std::string_view name) { m.once_finished(name); };
  m.services = make_services(m.service_context);
  if (m.run.once) {
    m.once_pending.insert("heartbeat");
    std::string names = "heartbeat";
    for (const auto& service : m.services) {
      m.once_pending.emplace(service->name());
      names += "," + std::string(service->name());
    }
    // Named, so that a service that never calls once_done is easy to spot when --once does not end.
    log->info("msg=\"Running one cycle\" pollers={}", names);
  }
  for (auto& service : m.services) {
    if (m.member) break;  // issue 6: clustered, the services start when this agent leads (on_leadership)
    if (auto r = service->start(error); !r) {
      error = std::string(service->name()) + ": " + error;
      if (m.webhook) m.webhook->stop();
      for (auto& started : m.services) {
        if (started == service) break;
        started->stop();
      }
      return r;
    }
  }
  // The agent's own HTTP endpoint (issue 7); not in --once runs, which end before anyone scrapes.
  if (!m.config.web.listen_address.empty() && !m.run.once) {
    web::Providers providers;
    providers.write_metrics = [&m](telemetry::MetricsWriter& out) { m.write_metrics(out); };
    providers.status_pages = [&m] {
      std::vector<core::StatusPage> pages;
      for (const auto& service : m.services) {
        for (auto& page : service->status_pages()) pages.push_back(std::move(page));
      }
      return pages;
    };
    providers.not_ready_reason = [&m] { return m.not_ready_reason(); };
    m.web = std::make_unique<web::Endpoint>(m.executor, m.config.web, std::move(providers));
    if (auto port = m.web->start(); !port) {
      error = "cannot listen on web.listenAddress " + m.config.web.listen_address + ": " + port.error().message();
      if (m.webhook) m.webhook->stop();
      for (auto& service : m.services) service->stop();
      return port.error();
    }
  }
  m.tasks.on_all_done([this] {
    // The loop stops only after the outbox's last group commit: the durability callbacks still waiting for it
    // (a Prometheus window mark, the fault state's lines) must run, or the next start repeats that window.
    impl_->outbox.when_durable([this](bool) {
      if (impl_->web) impl_->web->stop();
      if (impl_->stopped_callback) impl_->stopped_callback();
    });
  });
  if (m.member) {
    // issue 6: the member's task; when it ends during a stop (lease revoked), nothing else needs to run.
    m.tasks.spawn(kClusterTask, m.member->run(), [this] {
      if (impl_->stopping) impl_->tasks.cancel_all();
    });
  } else {
    m.start_emission();  // delivery, probe and heartbeat loop (moved to Impl for the cluster leader, issue 6)
  }
  m.started = true;
  log->info("msg=\"Agent started\" ves_version={} webhook={} web={} mode={} active_faults={} primary={} backup={} "
            "heartbeat_interval_s={} datadir={}",
            m.config.ves.version, m.webhook ? m.config.alert_manager.bind : std::string("off"),
            m.web ? m.config.web.listen_address : std::string("off"),
            m.run.dry_run ? (m.run.once ? "dry-run,once" : "dry-run") : (m.run.once ? "once" : "normal"), m.faults->active_count(), publish::event_url(m.config.primary_collector, version_of(m.config)),
            m.config.backup_collector.configured()
                ? publish::event_url(m.config.backup_collector, version_of(m.config))
                : std::string("none"),
            std::chrono::duration_cast<std::chrono::seconds>(m.config.heartbeat.default_interval).count(),
            m.config.datadir);
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
    for (auto& service : m.services) service->stop();  // issue 6: a follower's services are not running
  }
  if (m.faults) {
    std::string persist_error;
    // state: checkpoint() = persist() + fold the journal into the snapshot, so the next start parses one file.
    if (!m.faults->checkpoint(persist_error))
      log->error("msg=\"Cannot save fault state\" error={}", telemetry::logfmt_value(persist_error));
    else if (!persist_error.empty())
      log->warn("msg=\"Fault state saved with a warning\" error={}", telemetry::logfmt_value(persist_error));
  }
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
  // issue 6: a member that does not deliver (follower) leaves the cluster now; a leader leaves once drained.
  if (m.member && !m.tasks.running(kPublishTask)) m.member->stop();
}

void App::reload(config::Config config) {
  auto& m = *impl_;
  auto log = telemetry::logger("app");
  if (m.run.dry_run) config.datadir = m.config.datadir;  // --dry-run keeps its temporary state (issue 7)
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
  // Issue 7: the web endpoint keeps its listener and TLS files until a restart.
  const auto& w = config.web;
  if (w.listen_address != m.config.web.listen_address || w.tls_cert_file != m.config.web.tls_cert_file ||
      w.tls_key_file != m.config.web.tls_key_file || w.tls_client_ca_file != m.config.web.tls_client_ca_file ||
      w.tls_require_client_cert != m.config.web.tls_require_client_cert) {
    log->warn("msg=\"web.* changes need a restart; keeping the running endpoint\" listen_address={}",
              telemetry::logfmt_value(m.config.web.listen_address));
    config.web = m.config.web;
  }
  // Issue 6 (outbox): the bounds apply at once; fsync and segment settings at the next start.
  m.outbox.set_limits(config.outbox.max_bytes, config.outbox.max_age, overflow_of(config));
  // Issue 6: the cluster membership (endpoints, name, prefix, lease) keeps its settings until a restart.
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
      m.emitting()) {  // issue 6: followers do not probe
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

// Issue 7: /metrics and the web endpoint's port.
void App::write_metrics(telemetry::MetricsWriter& out) const { impl_->write_metrics(out); }

std::uint16_t App::web_port() const { return impl_->web ? impl_->web->port() : 0; }

}  // namespace vesagent::app
