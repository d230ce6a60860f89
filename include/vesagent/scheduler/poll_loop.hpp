#pragma once
/// Runs one Poller on a schedule and hands its events to a sink. Shared by every pull-style source
/// (heartbeat now; Prometheus and OpenStack later) so they all get the same guarantees:
/// no overlapping polls, missed ticks skipped and counted, interval changeable at run time with immediate effect.
///
/// Threading: lives on one executor; run() is a coroutine co_spawned by the app, stopped by cancellation.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>

#include "vesagent/core/correlator.hpp"
#include "vesagent/core/poller.hpp"

namespace vesagent::scheduler {

struct PollLoopStats {
  std::uint64_t polls = 0;
  std::uint64_t failures = 0;
  std::uint64_t events = 0;
  std::uint64_t skipped_ticks = 0;
};

class PollLoop {
 public:
  using Duration = std::chrono::steady_clock::duration;

  PollLoop(boost::asio::any_io_executor executor, core::Poller& poller, core::Correlator& sink, Duration interval);

  /// Polls at once, then every interval until cancelled.
  boost::asio::awaitable<void> run();

  /// Takes effect at once: the next poll is due one new interval after the last one (or now, if that has passed).
  void set_interval(Duration interval);
  Duration interval() const { return interval_; }
  const PollLoopStats& stats() const { return stats_; }

 private:
  core::Poller& poller_;
  core::Correlator& sink_;
  Duration interval_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point last_poll_{};
  bool retuned_ = false;
  PollLoopStats stats_;
};

}  // namespace vesagent::scheduler
