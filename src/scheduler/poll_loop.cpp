#include "vesagent/scheduler/poll_loop.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "vesagent/telemetry/logging.hpp"

namespace vesagent::scheduler {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

PollLoop::PollLoop(asio::any_io_executor executor, core::Poller& poller, core::Correlator& sink, Duration interval)
    : poller_(poller), sink_(sink), interval_(interval), timer_(std::move(executor)) {}

void PollLoop::set_interval(Duration interval) {
  if (interval <= Duration::zero()) return;
  interval_ = interval;
  retuned_ = true;
  timer_.cancel();  // wakes run(), which re-computes the due time from last_poll_
}

asio::awaitable<void> PollLoop::run() {
  auto log = telemetry::logger(poller_.name());
  bool warned_slow = false;
  for (;;) {
    last_poll_ = Clock::now();
    ++stats_.polls;
    auto result = co_await poller_.poll();
    if (!result) {
      ++stats_.failures;
      log->warn("msg=\"Poll failed\" source={} error={}", poller_.name(),
                telemetry::logfmt_value(result.error().message()));
    } else {
      for (auto& event : *result) {
        ++stats_.events;
        sink_.submit(std::move(event));
      }
    }
    const auto took = Clock::now() - last_poll_;
    if (took > interval_) {
      // Ticks that fell inside a slow poll are skipped, not run back to back: an overloaded peer gets no burst.
      stats_.skipped_ticks += static_cast<std::uint64_t>(took / interval_);
      if (!warned_slow) {
        warned_slow = true;
        log->warn("msg=\"Poll slower than its interval; skipping missed ticks\" source={} took_ms={} interval_ms={}",
                  poller_.name(), std::chrono::duration_cast<std::chrono::milliseconds>(took).count(),
                  std::chrono::duration_cast<std::chrono::milliseconds>(interval_).count());
      }
    }
    for (;;) {
      retuned_ = false;
      auto due = last_poll_ + interval_;
      while (due < Clock::now() - interval_) due += interval_;  // skip whole missed periods
      timer_.expires_at(due);
      auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (!ec) break;
      // The timer is cancelled both by set_interval (go round and re-arm) and by shutdown (leave).
      auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none || !retuned_) co_return;
    }
  }
}

}  // namespace vesagent::scheduler
