// SharedWindowMark over a KvStore double that behaves like cluster::Member's: fenced puts (refused once this
// agent stops leading), answers after a delay (so writes overlap), and stores plain strings.
#include "vesagent/sources/prometheus/shared_window_mark.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace vesagent::sources::prometheus {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

class FakeKv final : public cluster::KvStore {
 public:
  explicit FakeKv(net::io_context& ioc) : ioc_(ioc) {}

  net::awaitable<Result<std::optional<std::string>>> get(std::string name) override {
    co_await pause();
    if (unreachable) co_return make_error_code(errc::io_error);
    auto it = values.find(name);
    if (it == values.end()) co_return std::optional<std::string>{};
    co_return std::optional<std::string>{it->second};
  }
  net::awaitable<Result<void>> put(std::string name, std::string value) override {
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    co_await pause();
    --in_flight;
    if (!leading) co_return make_error_code(boost::system::errc::operation_not_permitted);
    values[name] = value;
    history.push_back(value);
    co_return Result<void>{};
  }
  net::awaitable<Result<void>> erase(std::string name) override {
    values.erase(name);
    co_return Result<void>{};
  }

  std::map<std::string, std::string> values;
  std::vector<std::string> history;  ///< every accepted put, in order
  bool leading = true;
  bool unreachable = false;
  int in_flight = 0;
  int max_in_flight = 0;

 private:
  net::awaitable<void> pause() {
    net::steady_timer t{ioc_, 5ms};
    co_await t.async_wait(net::use_awaitable);
  }
  net::io_context& ioc_;
};

std::optional<std::int64_t> load(net::io_context& ioc, SharedWindowMark& mark, bool& ok) {
  std::optional<std::int64_t> out;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        auto r = co_await mark.load();
        ok = r.has_value();
        if (r) out = *r;
      },
      net::detached);
  ioc.restart();
  ioc.run_for(2s);
  return out;
}

TEST(SharedWindowMarkTest, a_new_leader_reads_what_the_previous_one_wrote) {
  net::io_context ioc;
  FakeKv kv(ioc);
  {
    SharedWindowMark leader(ioc.get_executor(), kv);
    bool ok = false;
    EXPECT_FALSE(load(ioc, leader, ok).has_value());  // a new cluster: no mark yet
    EXPECT_TRUE(ok);
    leader.store(1795665900000);
    ioc.restart();
    ioc.run_for(1s);
  }
  SharedWindowMark next(ioc.get_executor(), kv);
  bool ok = false;
  EXPECT_EQ(load(ioc, next, ok), std::optional<std::int64_t>(1795665900000));
  EXPECT_TRUE(ok);
  EXPECT_EQ(kv.values.at(std::string(SharedWindowMark::kName)), "1795665900000");
}

TEST(SharedWindowMarkTest, writes_one_at_a_time_in_order_and_never_backwards) {
  net::io_context ioc;
  FakeKv kv(ioc);
  SharedWindowMark mark(ioc.get_executor(), kv);
  // Windows become durable faster than etcd answers: the writes must not overlap or land out of order.
  mark.store(1000);
  ioc.run_for(2ms);  // its put is in flight now
  mark.store(2000);
  mark.store(3000);  // queued behind it; only the newest queued value needs writing
  mark.store(2500);  // older than what is queued: ignored
  ioc.run_for(1s);
  EXPECT_EQ(kv.max_in_flight, 1);
  EXPECT_EQ(kv.history, (std::vector<std::string>{"1000", "3000"}));
  EXPECT_EQ(mark.write_failures(), 0u);
}

TEST(SharedWindowMarkTest, a_deposed_leader_cannot_move_the_mark_and_counts_the_failure) {
  net::io_context ioc;
  FakeKv kv(ioc);
  SharedWindowMark mark(ioc.get_executor(), kv);
  mark.store(1000);
  ioc.run_for(200ms);
  kv.leading = false;  // fenced: another agent leads now
  mark.store(2000);
  ioc.restart();
  ioc.run_for(200ms);
  EXPECT_EQ(kv.values.at(std::string(SharedWindowMark::kName)), "1000");
  EXPECT_EQ(mark.write_failures(), 1u);
  // Leading again (e.g. the fence was a slow etcd): the next window's mark goes through.
  kv.leading = true;
  mark.store(3000);
  ioc.restart();
  ioc.run_for(200ms);
  EXPECT_EQ(kv.values.at(std::string(SharedWindowMark::kName)), "3000");
}

TEST(SharedWindowMarkTest, an_unreadable_or_garbled_mark_is_an_error_not_a_window) {
  net::io_context ioc;
  FakeKv kv(ioc);
  SharedWindowMark mark(ioc.get_executor(), kv);
  bool ok = true;
  kv.unreachable = true;
  EXPECT_FALSE(load(ioc, mark, ok).has_value());
  EXPECT_FALSE(ok);
  kv.unreachable = false;
  for (const char* bad : {"", "abc", "12x", "-5", "0", "99999999999999999999999"}) {
    kv.values[std::string(SharedWindowMark::kName)] = bad;
    ok = true;
    EXPECT_FALSE(load(ioc, mark, ok).has_value()) << bad;
    EXPECT_FALSE(ok) << bad;
  }
}

}  // namespace
}  // namespace vesagent::sources::prometheus
