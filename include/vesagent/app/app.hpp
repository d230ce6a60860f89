#pragma once
/// Builds the modules from a Config and runs them on one executor: heartbeat poll loop -> pipeline -> outbox ->
/// failover publisher -> collectors. main owns the process (signals, sd_notify); App owns the pipeline, so
/// tests can embed it.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>

#include "vesagent/config/config.hpp"
#include "vesagent/core/error.hpp"

namespace vesagent::app {

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
  App(boost::asio::any_io_executor executor, config::Config config);
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vesagent::app
