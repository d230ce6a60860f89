#pragma once
/// A long-running part of the agent that the app starts and stops: a poller with its schedule (Prometheus,
/// OpenStack), the cluster membership, ... (Telegraf's ServiceInput). The app holds a list of them, built from the
/// Config by app/services.cpp from a sources::ServiceContext; each one is wired there with one line, so adding a
/// source does not touch App.
///
/// Threading: everything runs on the app's single executor; no method may block.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"

namespace vesagent::telemetry {
class MetricsWriter;
}

namespace vesagent::core {

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
