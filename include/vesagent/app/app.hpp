#pragma once
/// Builds the modules from a Config and runs them on one executor: heartbeat poll loop -> pipeline -> outbox ->
/// failover publisher -> collectors. main owns the process (signals, sd_notify); App owns the pipeline, so
/// tests can embed it.
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "vesagent/config/config.hpp"
#include "vesagent/core/error.hpp"

namespace vesagent::telemetry {
class MetricsWriter;
}

namespace vesagent::app {

/// How main runs the app: process flags, not configuration (issue 7).
struct RunOptions {
  /// --dry-run: events are encoded as usual and handed to dry_run_output as {"event":...} JSON (one line each)
  /// instead of being posted. State (eventIds, faults) lives in a temporary directory, so a dry run never changes
  /// what the real agent will send.
  bool dry_run = false;
  /// --once: one cycle of every poller (heartbeat included; the webhook and the web endpoint are not started),
  /// then the queued events are delivered and the app stops as on SIGTERM.
  bool once = false;
  /// Default: stdout.
  std::function<void(std::string_view json)> dry_run_output;
};

struct AppStatus {
  std::size_t queued = 0;
  std::uint64_t delivered = 0;
  std::uint64_t rejected = 0;
  std::uint64_t failovers = 0;
  std::uint64_t failbacks = 0;
  bool on_backup = false;
  std::int64_t heartbeat_interval_ms = 0;
};

class App {
 public:
  App(boost::asio::any_io_executor executor, config::Config config, RunOptions options = {});
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /// Prepares the state directory and starts every task. Fails (with a message) before anything is sent.
  Result<void> start(std::string& error);
  /// Graceful stop: sources stop, queued events are delivered until shutdownTimeout, then everything is
  /// cancelled. A second call cancels at once. `on_stopped` runs when the last task has ended.
  void stop();
  void on_stopped(std::function<void()> callback);
  /// Applies a new, already validated configuration. Settings that need a restart are logged and kept.
  void reload(config::Config config);

  AppStatus status() const;

  /// Writes the app's metrics and every service's (one /metrics scrape; issue 7).
  void write_metrics(telemetry::MetricsWriter& out) const;
  /// Port of the agent's own HTTP endpoint (web.listenAddress); 0 when off.
  std::uint16_t web_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vesagent::app
