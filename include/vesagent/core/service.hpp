#pragma once
/// A long-running part of the agent that the app starts and stops: a poller with its schedule (Prometheus,
/// OpenStack), the cluster membership, ... (Telegraf's ServiceInput). The app holds a list of them, built from the
/// Config by app/services.cpp; each one is wired there with one line, so adding a source does not touch App.
///
/// Threading: everything runs on the app's single executor; no method may block.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"

namespace vesagent::config {
struct Config;
}
namespace vesagent::http {
class Client;
}
namespace vesagent::state {
class FaultStore;
class IdAllocator;
}  // namespace vesagent::state
namespace vesagent::telemetry {
class MetricsWriter;
}

namespace vesagent::cluster {
class KvStore;
}

namespace vesagent::core {

class EventSink;

/// What a service may use. App owns all of it and it outlives every service.
struct ServiceContext {
  boost::asio::any_io_executor executor;
  const config::Config* config = nullptr;  ///< the running configuration (replaced on reload before reload())
  http::Client* client = nullptr;          ///< shared HTTP client (keep-alive pool) on the executor
  state::IdAllocator* ids = nullptr;       ///< eventId counter for events without a natural id
  state::FaultStore* faults = nullptr;     ///< active faults of every source (persisted; shared with the webhook)
  EventSink* sink = nullptr;               ///< the pipeline: encode + enqueue
  /// Clustered (issue 6): state a new leader continues from (fenced writes); nullptr when standalone.
  cluster::KvStore* cluster_kv = nullptr;
  /// --once: a poller runs one cycle, submits its events, calls once_done(name()) and then produces nothing more
  /// (the app drains and exits when every service has reported).
  bool once = false;
  std::function<void(std::string_view service)> once_done;
};

/// A read-only JSON page served by the agent's web endpoint (e.g. /api/v1/openstack/faults).
struct StatusPage {
  std::string path;
  std::string description;
  std::function<std::string()> render_json;
};

class Service {
 public:
  virtual ~Service() = default;
  /// Short, stable, lower-case: used in logs, metrics labels and task names ("prometheus", "openstack").
  virtual std::string_view name() const = 0;
  /// Starts producing. Fails with a message before anything is sent (bad credentials file, ...).
  virtual Result<void> start(std::string& error) = 0;
  /// Stops producing events (shutdown, or this agent lost the cluster leadership). start() may follow again.
  virtual void stop() = 0;
  /// The configuration changed (SIGHUP); ServiceContext::config already points to the new one.
  virtual void reload() {}
  /// The collector asked for another measurement interval (commandList); 0 = back to the configured default.
  virtual void set_measurement_interval_seconds(std::int64_t /*seconds*/) {}
  /// Writes this service's metrics (pull model: called on each /metrics scrape, on the loop).
  virtual void write_metrics(telemetry::MetricsWriter& /*out*/) const {}
  /// Pages this service serves on the agent's web endpoint.
  virtual std::vector<StatusPage> status_pages() const { return {}; }
};

}  // namespace vesagent::core
