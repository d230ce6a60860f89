// FailoverPublisher against two in-process collector simulators (real HTTP on 127.0.0.1 through the real
// client): ordering, failover after maxMissed, endpoint errors (401, 404, 301) that keep the events and fail
// over at once, fail-back only to a primary that works, dead-lettering only the refused event, batching.
#include "vesagent/publish/failover_publisher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <sstream>

#include "simulator/collector.hpp"
#include "support/temp_dir.hpp"
#include "vesagent/http/server.hpp"
#include "vesagent/ves/encode.hpp"

namespace vesagent::publish {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// One simulated collector: a Collector behind a real http::Server on a free loopback port.
struct SimCollector {
  SimCollector(asio::io_context& ioc, const test::TempDir& dir, std::string name)
      : collector(ioc.get_executor(),
                  simulator::CollectorOptions{"", "", "", (dir.path() / (name + ".jsonl")).string(), {}}, nullptr),
        server(ioc.get_executor(), http::ServerOptions{},
               [this](http::ServerRequest r) { return collector.handle(std::move(r)); }) {
    auto port = server.listen("127.0.0.1:0");
    EXPECT_TRUE(port);
    config.fqdn = "127.0.0.1";
    config.port = *port;
    config.connect_timeout = 500ms;
    config.timeout = 2s;
  }
  void set_mode(simulator::Mode mode, int status = 503) {
    auto b = collector.behaviour();
    b.mode = mode;
    b.fail_status = status;
    collector.set_behaviour(b);
  }
  std::uint64_t events() const { return collector.stats().events; }
  /// POST /testControl/mode with this body, as a test script would.
  void control(asio::io_context& ioc, const std::string& body) {
    http::ServerRequest r;
    r.method = "POST";
    r.target = "/testControl/mode";
    r.body = body;
    bool done = false;
    asio::co_spawn(ioc, collector.handle(std::move(r)), [&](std::exception_ptr, http::ServerResponse resp) {
      EXPECT_EQ(resp.status, 200) << resp.body;
      done = true;
    });
    while (!done) ioc.run_one();
  }

  simulator::Collector collector;
  http::Server server;
  config::CollectorConfig config;
};

outbox::Entry heartbeat_entry(int n) {
  core::Event e;
  e.domain = core::Domain::heartbeat;
  e.event_id = "heartbeat" + std::to_string(n);
  e.event_name = "Heartbeat_test";
  e.source_name = "src";
  e.reporting_entity_name = "rep";
  e.start_epoch_us = e.last_epoch_us = 1700000000000000 + n;
  auto json = ves::encode_event(e, ves::EncodeContext{});
  EXPECT_TRUE(json);
  return outbox::Entry{e.domain, e.event_id, *json, 0};
}

struct Fixture : ::testing::Test {
  asio::io_context ioc;
  test::TempDir dir;
  http::Client client{ioc.get_executor()};
  outbox::Outbox box{ioc.get_executor()};
  outbox::DeadLetterStore dead{dir.path() / "dead-letters", {}};
  SimCollector primary{ioc, dir, "primary"};
  SimCollector backup{ioc, dir, "backup"};
  std::vector<std::vector<ves::Command>> commands;
  std::unique_ptr<FailoverPublisher> publisher;
  asio::cancellation_signal stop_run, stop_probe;

  void make_publisher(bool with_backup = true, int max_missed = 2) {
    PublisherSettings s;
    s.retry_interval = 50ms;
    s.probe_interval = 100ms;
    s.max_missed = max_missed;
    std::string warnings;
    EXPECT_TRUE(dead.open(warnings)) << warnings;
    s.dead_letters = &dead;
    publisher = std::make_unique<FailoverPublisher>(
        ioc.get_executor(), box,
        std::make_unique<CollectorEndpoint>("primary", client, primary.config, ves::Version::v7),
        with_backup ? std::make_unique<CollectorEndpoint>("backup", client, backup.config, ves::Version::v7)
                    : nullptr,
        s, [this](const std::vector<ves::Command>& c) { commands.push_back(c); });
    asio::co_spawn(ioc, publisher->run(), asio::bind_cancellation_slot(stop_run.slot(), asio::detached));
    asio::co_spawn(ioc, publisher->probe_primary(), asio::bind_cancellation_slot(stop_probe.slot(), asio::detached));
  }

  /// Runs the loop until `done` holds or `limit` passes; returns whether it held.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) ioc.run_for(10ms);
    return done();
  }

  void TearDown() override {
    stop_run.emit(asio::cancellation_type::terminal);
    stop_probe.emit(asio::cancellation_type::terminal);
    primary.server.stop();
    backup.server.stop();
    ioc.run_for(200ms);
  }
};

TEST_F(Fixture, delivers_in_order_to_the_primary) {
  make_publisher();
  for (int i = 1; i <= 5; ++i) box.push(heartbeat_entry(i));
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(primary.events(), 5u);
  EXPECT_EQ(backup.events(), 0u);
  auto lines = test::read_text(dir.path() / "primary.jsonl");
  EXPECT_LT(lines.find("heartbeat1\""), lines.find("heartbeat5\""));
}

TEST_F(Fixture, fails_over_after_max_missed_and_back_when_primary_answers) {
  primary.set_mode(simulator::Mode::fail, 503);
  make_publisher(true, 3);
  box.push(heartbeat_entry(1));
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(backup.events(), 1u);
  EXPECT_TRUE(publisher->on_backup());
  EXPECT_EQ(publisher->stats().failed_attempts, 3u);  // exactly maxMissed attempts on the primary
  EXPECT_EQ(publisher->stats().failovers, 1u);

  primary.set_mode(simulator::Mode::ok);
  ASSERT_TRUE(run_until([&] { return !publisher->on_backup(); }));
  box.push(heartbeat_entry(2));
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(primary.events(), 1u);
  EXPECT_EQ(publisher->stats().failbacks, 1u);
}

TEST_F(Fixture, connection_drops_count_as_failures) {
  primary.set_mode(simulator::Mode::close);
  make_publisher();
  box.push(heartbeat_entry(1));
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(backup.events(), 1u);
}

TEST_F(Fixture, events_wait_while_no_collector_answers_and_nothing_is_lost) {
  primary.set_mode(simulator::Mode::fail, 500);
  backup.set_mode(simulator::Mode::fail, 502);
  make_publisher();
  for (int i = 1; i <= 3; ++i) box.push(heartbeat_entry(i));
  run_until([] { return false; }, 500ms);
  EXPECT_EQ(box.size(), 3u);
  EXPECT_GE(publisher->stats().failovers, 2u);  // it alternates between the two
  backup.set_mode(simulator::Mode::ok);
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(backup.events() + primary.events(), 3u);
}

TEST_F(Fixture, rejected_event_goes_to_the_dead_letter_store_and_the_rest_flows) {
  primary.set_mode(simulator::Mode::fail, 400);  // with the ONAP ServiceException body
  make_publisher(false);
  box.push(heartbeat_entry(1));
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(publisher->stats().rejected_events, 1u);
  auto page = dead.list({});
  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_EQ(page.records[0].event_id, "heartbeat1");
  EXPECT_EQ(page.records[0].status, 400);
  EXPECT_EQ(page.records[0].collector, "primary");
  EXPECT_NE(page.records[0].reason.find("SVC2000"), std::string::npos) << page.records[0].reason;
  primary.set_mode(simulator::Mode::ok);
  box.push(heartbeat_entry(2));
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(primary.events(), 1u);
}

/// A way to break a collector's endpoint (as seen by the agent) and to repair it, through the simulator's control.
struct Breakage {
  const char* name;
  const char* do_break;
  const char* repair;
  const char* reason;  ///< expected in the endpoint's problem
};

class EndpointErrorTest : public Fixture, public ::testing::WithParamInterface<Breakage> {};

TEST_P(EndpointErrorTest, primary_endpoint_error_keeps_events_fails_over_at_once_and_back_only_when_repaired) {
  const Breakage& b = GetParam();
  primary.control(ioc, b.do_break);
  make_publisher(true, 5);
  for (int i = 1; i <= 3; ++i) box.push(heartbeat_entry(i));
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(backup.events(), 3u);
  EXPECT_EQ(primary.events(), 0u);
  EXPECT_EQ(publisher->stats().rejected_events, 0u);
  EXPECT_EQ(dead.size(), 0u);
  EXPECT_EQ(publisher->stats().failed_attempts, 1u);  // at once, not after maxMissed (5) attempts
  EXPECT_TRUE(publisher->on_backup());
  EXPECT_NE(publisher->endpoint_problem(0).find(b.reason), std::string::npos) << publisher->endpoint_problem(0);

  // Probes keep finding the primary unusable: no fail-back while it is broken.
  run_until([] { return false; }, 400ms);
  EXPECT_TRUE(publisher->on_backup());
  EXPECT_EQ(publisher->stats().failbacks, 0u);

  primary.control(ioc, b.repair);
  ASSERT_TRUE(run_until([&] { return !publisher->on_backup(); }));
  EXPECT_TRUE(publisher->endpoint_problem(0).empty());
  box.push(heartbeat_entry(4));
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(primary.events(), 1u);
  EXPECT_EQ(backup.events(), 3u);
}

INSTANTIATE_TEST_SUITE_P(
    Publisher, EndpointErrorTest,
    ::testing::Values(
        Breakage{"unauthorized", R"({"user":"ves","password":"rotated"})", R"({"user":"","password":""})",
                 "401 from primaryCollector: check primaryCollector.user/password"},
        Breakage{"not_found", R"({"serverRoot":"moved"})", R"({"serverRoot":""})",
                 "404 from primaryCollector: check primaryCollector.serverRoot/topic"},
        Breakage{"redirect", R"({"redirect":"https://elsewhere:8443/eventListener/v7"})", R"({"redirect":null})",
                 "301 from primaryCollector: the collector redirects to https://elsewhere:8443/eventListener/v7"}),
    [](const ::testing::TestParamInfo<Breakage>& p) { return std::string(p.param.name); });

TEST_F(Fixture, events_stay_queued_while_both_collectors_are_unusable) {
  primary.control(ioc, R"({"user":"ves","password":"rotated"})");
  backup.control(ioc, R"({"serverRoot":"moved"})");
  make_publisher();
  for (int i = 1; i <= 3; ++i) box.push(heartbeat_entry(i));
  run_until([] { return false; }, 500ms);
  EXPECT_EQ(box.size(), 3u);
  EXPECT_EQ(dead.size(), 0u);
  EXPECT_FALSE(publisher->endpoint_problem(0).empty());
  EXPECT_FALSE(publisher->endpoint_problem(1).empty());
  backup.control(ioc, R"({"serverRoot":""})");
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(backup.events(), 3u);
  EXPECT_EQ(dead.size(), 0u);
}

TEST_F(Fixture, a_refused_batch_is_split_so_only_the_refused_event_is_dead_lettered) {
  primary.control(ioc, R"({"rejectEventIds":["heartbeat3"]})");
  for (int i = 1; i <= 5; ++i) box.push(heartbeat_entry(i));  // queued before the first post: one batch
  make_publisher();
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(primary.events(), 4u);
  EXPECT_EQ(backup.events(), 0u);
  EXPECT_EQ(publisher->stats().batch_splits, 1u);
  auto page = dead.list({});
  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_EQ(page.records[0].event_id, "heartbeat3");
  EXPECT_EQ(page.records[0].status, 400);
  EXPECT_NE(page.records[0].reason.find("SVC0002"), std::string::npos) << page.records[0].reason;
  auto lines = test::read_text(dir.path() / "primary.jsonl");
  EXPECT_LT(lines.find("heartbeat2\""), lines.find("heartbeat4\""));  // order kept around the hole
}

TEST_F(Fixture, a_batch_over_the_collectors_size_limit_goes_in_smaller_batches) {
  const auto one = heartbeat_entry(1).json.size();
  primary.control(ioc, R"({"maxBodyBytes":)" + std::to_string(one * 3) + "}");
  for (int i = 1; i <= 8; ++i) box.push(heartbeat_entry(i));
  make_publisher();
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(primary.events(), 8u);
  EXPECT_GE(publisher->stats().batch_splits, 1u);
  EXPECT_EQ(dead.size(), 0u);
}

TEST_F(Fixture, a_single_event_over_the_collectors_size_limit_is_dead_lettered) {
  primary.control(ioc, R"({"maxBodyBytes":50})");
  box.push(heartbeat_entry(1));
  make_publisher();
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  auto page = dead.list({});
  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_EQ(page.records[0].status, 413);
  EXPECT_EQ(backup.events(), 0u);  // refused content is not the endpoint's fault: no failover
  EXPECT_EQ(publisher->stats().failovers, 0u);
}

TEST_F(Fixture, backlog_goes_out_in_batches) {
  make_publisher();
  primary.set_mode(simulator::Mode::fail, 503);
  backup.set_mode(simulator::Mode::fail, 503);
  for (int i = 1; i <= 40; ++i) box.push(heartbeat_entry(i));
  run_until([] { return false; }, 200ms);
  primary.set_mode(simulator::Mode::ok);
  backup.set_mode(simulator::Mode::ok);
  auto posts_before = publisher->stats().posts;
  ASSERT_TRUE(run_until([&] { return box.empty(); }));
  EXPECT_EQ(primary.events() + backup.events(), 40u);
  EXPECT_LE(publisher->stats().posts - posts_before, 3u);  // one batch, maybe after one more failed try
}

TEST_F(Fixture, command_list_reaches_the_handler) {
  auto b = primary.collector.behaviour();
  b.command_list = R"({"commandList":[{"commandType":"heartbeatIntervalChange","heartbeatInterval":7}]})";
  primary.collector.set_behaviour(b);
  make_publisher();
  box.push(heartbeat_entry(1));
  ASSERT_TRUE(run_until([&] { return !commands.empty(); }));
  ASSERT_EQ(commands[0].size(), 1u);
  EXPECT_EQ(commands[0][0].type, ves::Command::Type::heartbeat_interval_change);
  EXPECT_EQ(commands[0][0].interval_seconds, 7);
}

TEST_F(Fixture, stop_when_drained_returns_once_the_queue_is_empty) {
  make_publisher();
  bool finished = false;
  // A second run() is not allowed; instead observe the existing one through a fresh publisher.
  stop_run.emit(asio::cancellation_type::terminal);
  ioc.run_for(50ms);
  asio::cancellation_signal sig;
  asio::co_spawn(ioc, publisher->run(), asio::bind_cancellation_slot(sig.slot(), [&](std::exception_ptr) {
                   finished = true;
                 }));
  for (int i = 1; i <= 3; ++i) box.push(heartbeat_entry(i));
  publisher->stop_when_drained();
  ASSERT_TRUE(run_until([&] { return finished; }));
  EXPECT_TRUE(box.empty());
  EXPECT_EQ(primary.events(), 3u);
}

}  // namespace
}  // namespace vesagent::publish

// Durable outbox: an entry leaves the disk only after the collector's 2xx, and what was acknowledged
// is not sent again after a restart.
namespace vesagent::publish {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(FailoverPublisherDurableTest, removes_entries_from_the_durable_outbox_only_after_a_2xx) {
  asio::io_context ioc;
  test::TempDir dir;
  http::Client client{ioc.get_executor()};
  SimCollector primary{ioc, dir, "primary"};
  primary.set_mode(simulator::Mode::fail, 503);
  outbox::Options options;
  options.directory = dir.path() / "outbox";
  auto run_for = [&](std::chrono::milliseconds d) {
    ioc.restart();
    ioc.run_for(d);
  };
  {
    outbox::Outbox box(ioc.get_executor(), options);
    std::string warnings;
    ASSERT_TRUE(box.open(warnings)) << warnings;
    PublisherSettings s;
    s.retry_interval = 50ms;
    FailoverPublisher publisher(ioc.get_executor(), box,
                                std::make_unique<CollectorEndpoint>("primary", client, primary.config,
                                                                    ves::Version::v7),
                                nullptr, s, nullptr);
    asio::cancellation_signal stop;
    asio::co_spawn(ioc, publisher.run(), asio::bind_cancellation_slot(stop.slot(), asio::detached));
    for (int i = 1; i <= 3; ++i) box.push(heartbeat_entry(i));
    box.push(heartbeat_entry(4));
    run_for(300ms);
    EXPECT_EQ(box.size(), 4U);  // 503s: everything stays queued
    EXPECT_EQ(primary.events(), 0U);
    primary.set_mode(simulator::Mode::ok);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!box.empty() && std::chrono::steady_clock::now() < deadline) run_for(10ms);
    EXPECT_TRUE(box.empty());
    EXPECT_EQ(primary.events(), 4U);
    stop.emit(asio::cancellation_type::terminal);
    run_for(100ms);
  }
  outbox::Outbox again(ioc.get_executor(), options);
  std::string warnings;
  ASSERT_TRUE(again.open(warnings)) << warnings;
  EXPECT_TRUE(again.empty());
  primary.server.stop();
  run_for(100ms);
}

}  // namespace
}  // namespace vesagent::publish
