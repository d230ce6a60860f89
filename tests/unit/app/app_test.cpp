// The agent as a library: App on the test's io_context, the bundled collector simulator in-process as its
// collector, a Prometheus stand-in serving a recorded /api/v1/query answer. Timeline: start (a heartbeat at once),
// an alert through the webhook (the raise), a measurement window, stop (the queue drains, on_stopped runs).
#include "vesagent/app/app.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "simulator/collector.hpp"
#include "support/fake_http_server.hpp"
#include "support/temp_dir.hpp"
#include "vesagent/config/loader.hpp"
#include "vesagent/http/client.hpp"
#include "vesagent/http/server.hpp"

namespace vesagent::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Json = nlohmann::json;

std::uint16_t free_port() {
  asio::io_context ioc;
  asio::ip::tcp::acceptor a(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

std::string alert_body() {
  return R"({"version":"4","status":"firing","receiver":"ves","groupKey":"{}","truncatedAlerts":0,)"
         R"("groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am",)"
         R"("alerts":[{"status":"firing","labels":{"alertname":"DiskFull","severity":"critical","VNFC":"vm-1"},)"
         R"("annotations":{"description":"disk full"},"startsAt":"2026-11-26T06:00:00Z",)"
         R"("endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"00aa00aa00aa00aa"}]})";
}

class AppTest : public ::testing::Test {
 protected:
  AppTest() {
    simulator::CollectorOptions options;
    options.output_path = (dir.path() / "events.jsonl").string();
    collector.emplace(ioc.get_executor(), options, nullptr);
    collector_server.emplace(ioc.get_executor(), http::ServerOptions{},
                             [this](http::ServerRequest r) { return collector->handle(std::move(r)); });
    collector_port = *collector_server->listen("127.0.0.1:0");
  }

  ~AppTest() override {
    app.reset();
    collector_server.reset();
    ioc.restart();
    ioc.run_for(100ms);
  }

  config::Config load(const std::string& yaml) {
    config::Inputs in;
    in.yaml_text = yaml;
    in.host_name = "app-test";
    auto r = config::load(in);
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    return r.config;
  }

  /// Runs the loop until `pred` holds or `timeout` passes.
  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      ioc.restart();
      ioc.run_for(10ms);
    }
    return true;
  }

  std::vector<Json> received() const {
    std::vector<Json> out;
    std::ifstream in(dir.path() / "events.jsonl");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(Json::parse(line));
    }
    return out;
  }
  std::size_t count(const std::string& domain) const {
    std::size_t n = 0;
    for (const auto& e : received()) n += e["commonEventHeader"]["domain"] == domain ? 1 : 0;
    return n;
  }

  asio::io_context ioc;
  test::TempDir dir;
  std::optional<simulator::Collector> collector;
  std::optional<http::Server> collector_server;
  std::uint16_t collector_port = 0;
  std::unique_ptr<App> app;
};

TEST_F(AppTest, start_an_alert_a_measurement_window_and_stop) {
  // Prometheus stand-in: every query gets the recorded answer of a real Prometheus (tests/data/prometheus).
  std::ifstream recorded(std::string(std::getenv("VESAGENT_TEST_DATA")) + "/prometheus/query_vector.json");
  std::stringstream answer;
  answer << recorded.rdbuf();
  ASSERT_FALSE(answer.str().empty());
  int queries = 0;
  test::FakeHttpServer prometheus(ioc.get_executor(), [&](const test::FakeRequest& r) {
    test::FakeResponse resp;
    if (r.target.rfind("/api/v1/query", 0) != 0) {
      resp.status = 404;
      return resp;
    }
    ++queries;
    resp.headers.emplace_back("Content-Type", "application/json");
    resp.body = answer.str();
    return resp;
  });
  const std::uint16_t webhook = free_port();
  auto config = load(R"(
datadir: )" + dir.path().string() + R"(/state
primaryCollector:
  fqdn: 127.0.0.1
  port: )" + std::to_string(collector_port) + R"(
event:
  reportingEntityName: app-test
  retryInterval: 200ms
heartbeat:
  defaultInterval: 1h
alertManager:
  bind: 127.0.0.1:)" + std::to_string(webhook) + R"(
measurement:
  defaultInterval: 1s
  prometheus:
    address: http://127.0.0.1:)" + std::to_string(prometheus.port()) + R"(
    rules:
      defaults:
        vmId: '{{.labels.instance}}'
      metrics:
        - target: ConcurrentSessions
          expr: up
)");
  app = std::make_unique<App>(ioc.get_executor(), config);
  bool stopped = false;
  app->on_stopped([&] { stopped = true; });
  std::string error;
  ASSERT_TRUE(app->start(error)) << error;

  // The first heartbeat goes out at once.
  ASSERT_TRUE(run_until([&] { return count("heartbeat") >= 1; })) << "no heartbeat";

  // Alertmanager posts an alert: 200 once it is durable, then the raise reaches the collector.
  http::Client client(ioc.get_executor());
  std::optional<http::Response> answer_to_alert;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        http::Request req;
        req.method = "POST";
        req.url = "http://127.0.0.1:" + std::to_string(webhook) + "/alerts";
        req.headers = {{"Content-Type", "application/json"}};
        req.body = alert_body();
        req.timeout = 5s;
        answer_to_alert = co_await client.send(std::move(req));
      },
      asio::detached);
  ASSERT_TRUE(run_until([&] { return answer_to_alert.has_value(); }));
  EXPECT_EQ(answer_to_alert->status, 200) << answer_to_alert->body;
  ASSERT_TRUE(run_until([&] { return count("fault") == 1; })) << "no raise";
  const auto raise = [&] {
    for (const auto& e : received()) {
      if (e["commonEventHeader"]["domain"] == "fault") return e;
    }
    return Json();
  }();
  EXPECT_EQ(raise["commonEventHeader"]["sequence"], 1);
  EXPECT_EQ(raise["faultFields"]["eventSeverity"], "CRITICAL");

  // A measurement window: one event per vmId of the recorded answer, with the stage's eventIds.
  ASSERT_TRUE(run_until([&] { return count("measurement") >= 1; }, 15s)) << "no measurement window";
  EXPECT_GE(queries, 1);
  for (const auto& e : received()) {
    if (e["commonEventHeader"]["domain"] != "measurement") continue;
    EXPECT_EQ(e["commonEventHeader"]["eventId"].get<std::string>().rfind("Measurements", 0), 0U);
  }

  // Stop: sources stop, the queue drains, on_stopped runs.
  app->stop();
  ASSERT_TRUE(run_until([&] { return stopped; })) << "the app did not stop";
  EXPECT_EQ(app->status().queued, 0U);
}

}  // namespace
}  // namespace vesagent::app
