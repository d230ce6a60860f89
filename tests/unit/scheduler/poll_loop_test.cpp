#include "vesagent/scheduler/poll_loop.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vesagent::scheduler {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class CountingPoller final : public core::Poller {
 public:
  std::string_view name() const override { return "counting"; }
  asio::awaitable<Result<std::vector<core::Event>>> poll() override {
    times.push_back(Clock::now());
    std::vector<core::Event> events(1);
    co_return events;
  }
  std::vector<Clock::time_point> times;
};

/// Counts what the loop hands on (the correlation stage in the agent).
class RecordingSink final : public core::Correlator {
 public:
  core::FaultVerdict observe(const core::FaultObservation&, const core::FaultEventBuilder&) override { return {}; }
  void submit(core::Event) override { ++count; }
  void commit(std::function<void(bool)> done) override { done(true); }
  void for_each_active(std::string_view, const std::function<void(const core::FaultIdentity&)>&) const override {}
  int count = 0;
};

struct Harness {
  asio::io_context ioc;
  CountingPoller poller;
  RecordingSink sink;
  asio::cancellation_signal stop;
  bool finished = false;

  void start(PollLoop& loop) {
    asio::co_spawn(ioc, loop.run(), asio::bind_cancellation_slot(stop.slot(), [this](std::exception_ptr) {
                     finished = true;
                   }));
  }
  void at(std::chrono::milliseconds delay, std::function<void()> fn) {
    auto timer = std::make_shared<asio::steady_timer>(ioc, delay);
    timer->async_wait([timer, fn](boost::system::error_code) { fn(); });
  }
};

TEST(PollLoopTest, polls_at_once_then_every_interval_and_submits_events) {
  Harness h;
  PollLoop loop(h.ioc.get_executor(), h.poller, h.sink, 100ms);
  h.start(loop);
  h.at(350ms, [&] { h.stop.emit(asio::cancellation_type::terminal); });
  h.ioc.run();
  EXPECT_TRUE(h.finished);
  EXPECT_GE(h.poller.times.size(), 3u);
  EXPECT_LE(h.poller.times.size(), 5u);
  EXPECT_EQ(h.sink.count, static_cast<int>(h.poller.times.size()));
}

TEST(PollLoopTest, shorter_interval_takes_effect_without_waiting_for_the_old_one) {
  Harness h;
  PollLoop loop(h.ioc.get_executor(), h.poller, h.sink, 10s);
  h.start(loop);
  h.at(50ms, [&] { loop.set_interval(100ms); });
  h.at(500ms, [&] { h.stop.emit(asio::cancellation_type::terminal); });
  h.ioc.run();
  // Without the change, only the immediate first poll would have happened in 500 ms.
  EXPECT_GE(h.poller.times.size(), 4u);
  EXPECT_EQ(loop.interval(), std::chrono::duration_cast<PollLoop::Duration>(100ms));
}

TEST(PollLoopTest, cancellation_ends_the_loop_promptly) {
  Harness h;
  PollLoop loop(h.ioc.get_executor(), h.poller, h.sink, 1h);
  h.start(loop);
  h.at(20ms, [&] { h.stop.emit(asio::cancellation_type::terminal); });
  auto started = Clock::now();
  h.ioc.run();
  EXPECT_TRUE(h.finished);
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_EQ(h.poller.times.size(), 1u);
}

}  // namespace
}  // namespace vesagent::scheduler
