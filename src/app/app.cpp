#include "vesagent/app/app.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>
#include <optional>

#include "services.hpp"
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

namespace vesagent::app {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {
constexpr const char* kHeartbeatTask = "heartbeat";
constexpr const char* kPublishTask = "publish";
constexpr const char* kProbeTask = "probe";
constexpr const char* kDeadlineTask = "shutdown-deadline";
/// Past this many undelivered events the webhook answers 503, so Alertmanager keeps the alerts and retries,
/// instead of the agent growing without bound during a long collector outage. (The durable outbox will bound
/// by bytes and age instead.)
constexpr std::size_t kMaxQueuedEvents = 1000000;

ves::Version version_of(const config::Config& c) { return c.ves.version == 5 ? ves::Version::v5 : ves::Version::v7; }
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
  std::unique_ptr<sources::alertmanager::Webhook> webhook;
  core::ServiceContext service_context;
  std::vector<std::unique_ptr<core::Service>> services;  ///< pollers and other services, see services.cpp
  std::function<void()> stopped_callback;
  bool stopping = false;
  bool started = false;

  Impl(asio::any_io_executor ex, config::Config cfg)
      : executor(ex),
        config(std::move(cfg)),
        client(ex),
        ids(std::filesystem::path(config.datadir) / "event-counter"),
        outbox(ex),
        pipeline(ves::EncodeContext{version_of(config), std::string(core::time_zone_offset())}, outbox,
                 config.event.max_size, std::filesystem::path(config.datadir) / "dead-letter.jsonl"),
        publisher(ex, outbox, make_endpoint("primary", config.primary_collector),
                  make_endpoint("backup", config.backup_collector), publisher_settings(config),
                  [this](const std::vector<ves::Command>& commands) { apply_commands(commands); }),
        heartbeat(config, [this] { return ids.next(); }),
        heartbeat_loop(ex, heartbeat, pipeline, config.heartbeat.default_interval),
        tasks(ex) {}

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
        default:
          log->info("msg=\"Ignoring unsupported collector command\" command_type={}",
                    telemetry::logfmt_value(c.raw_type));
      }
    }
  }
};

App::App(asio::any_io_executor executor, config::Config config)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(config))) {}

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
  m.webhook = std::make_unique<sources::alertmanager::Webhook>(
      m.executor, m.config, m.pipeline, *m.faults,
      [&m] { return !m.stopping && m.outbox.size() < kMaxQueuedEvents; });
  if (auto port = m.webhook->start(); !port) {
    error = "cannot listen for Alertmanager on " + m.config.alert_manager.bind + ": " + port.error().message();
    return port.error();
  }
  m.service_context.executor = m.executor;
  m.service_context.config = &m.config;
  m.service_context.client = &m.client;
  m.service_context.ids = &m.ids;
  m.service_context.faults = m.faults.get();
  m.service_context.sink = &m.pipeline;
  m.services = make_services(m.service_context);
  for (auto& service : m.services) {
    if (auto r = service->start(error); !r) {
      error = std::string(service->name()) + ": " + error;
      m.webhook->stop();
      for (auto& started : m.services) {
        if (started == service) break;
        started->stop();
      }
      return r;
    }
  }
  m.tasks.on_all_done([this] {
    if (impl_->stopped_callback) impl_->stopped_callback();
  });
  m.tasks.spawn(kPublishTask, m.publisher.run(), [this] {
    // Drained (or cut by the deadline): nothing else needs to run.
    impl_->tasks.cancel_all();
  });
  if (m.config.backup_collector.configured()) m.tasks.spawn(kProbeTask, m.publisher.probe_primary());
  m.tasks.spawn(kHeartbeatTask, m.heartbeat_loop.run());
  m.started = true;
  log->info("msg=\"Agent started\" ves_version={} webhook={} active_faults={} primary={} backup={} "
            "heartbeat_interval_s={} datadir={}",
            m.config.ves.version, m.config.alert_manager.bind, m.faults->active_count(), publish::event_url(m.config.primary_collector, version_of(m.config)),
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
  for (auto& service : m.services) service->stop();
  if (m.faults) {
    std::string persist_error;
    if (!m.faults->persist(persist_error))
      log->error("msg=\"Cannot save fault state\" error={}", telemetry::logfmt_value(persist_error));
  }
  m.tasks.cancel(kHeartbeatTask);
  m.pipeline.close();
  log->info("msg=\"Stopping; delivering queued events\" queued={} timeout_ms={}", m.outbox.size(),
            m.config.shutdown_timeout.count());
  m.publisher.stop_when_drained();
  auto deadline = [](Impl& impl) -> asio::awaitable<void> {
    asio::steady_timer timer(impl.executor);
    timer.expires_after(impl.config.shutdown_timeout);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // drained in time
    if (impl.outbox.size() > 0) {
      telemetry::logger("app")->error(
          "msg=\"Shutdown deadline reached; events not delivered\" undelivered={}", impl.outbox.size());
    }
    impl.tasks.cancel_all();
  };
  m.tasks.spawn(kDeadlineTask, deadline(m));
}

void App::reload(config::Config config) {
  auto& m = *impl_;
  auto log = telemetry::logger("app");
  if (config.datadir != m.config.datadir || config.ves.version != m.config.ves.version) {
    log->warn("msg=\"datadir and ves.version changes need a restart; keeping the running values\"");
    config.datadir = m.config.datadir;
    config.ves.version = m.config.ves.version;
  }
  telemetry::init_logging({config.log.level, config.log.format});
  if (config.heartbeat.default_interval != m.config.heartbeat.default_interval) {
    m.set_heartbeat_interval(config.heartbeat.default_interval);
  }
  m.config = std::move(config);
  m.publisher.set_endpoints(m.make_endpoint("primary", m.config.primary_collector),
                            m.make_endpoint("backup", m.config.backup_collector));
  for (auto& service : m.services) service->reload();
  if (m.config.backup_collector.configured() && !m.tasks.running(kProbeTask) && !m.stopping) {
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

}  // namespace vesagent::app
