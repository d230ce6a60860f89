// web::Endpoint over a real socket on 127.0.0.1: what curl/Prometheus get, HEAD included, and stop().
#include "vesagent/web/endpoint.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "vesagent/http/client.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::web {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

void run(asio::io_context& ioc, asio::awaitable<void> body) {
  std::exception_ptr error;
  bool finished = false;
  asio::steady_timer watchdog(ioc, 20s);
  watchdog.async_wait([&](boost::system::error_code ec) {
    if (!ec) ioc.stop();
  });
  asio::co_spawn(ioc, std::move(body), [&](std::exception_ptr e) {
    error = e;
    finished = true;
    watchdog.cancel();
    ioc.stop();
  });
  ioc.run();
  ioc.restart();
  ASSERT_TRUE(finished) << "test body timed out";
  if (error) std::rethrow_exception(error);
}

Providers providers(int& scrapes) {
  return Providers{[&scrapes](telemetry::MetricsWriter& out) {
                     ++scrapes;
                     out.gauge("vesagent_outbox_events", "Events waiting.", 7);
                   },
                   [] {
                     return std::vector<core::StatusPage>{
                         {"/api/v1/test", "test page", [] { return std::string("{\"ok\":true}"); }}};
                   },
                   [] { return std::string(); }};
}

TEST(EndpointTest, serves_metrics_health_readiness_and_pages_on_loopback) {
  asio::io_context ioc;
  int scrapes = 0;
  config::WebConfig cfg;
  cfg.listen_address = "127.0.0.1:0";
  Endpoint endpoint(ioc.get_executor(), cfg, providers(scrapes));
  auto port = endpoint.start();
  ASSERT_TRUE(port) << port.error().message();
  ASSERT_NE(*port, 0);
  EXPECT_EQ(endpoint.port(), *port);
  http::Client client(ioc.get_executor());
  const std::string base = "http://127.0.0.1:" + std::to_string(*port);
  run(ioc, [&]() -> asio::awaitable<void> {
    http::Request req;
    req.url = base + "/metrics";
    auto r = co_await client.send(req);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_THAT(r.body, HasSubstr("vesagent_outbox_events 7\n"));
    req.method = "HEAD";
    r = co_await client.send(req);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body.empty());
    req.method = "GET";
    req.url = base + "/-/ready";
    EXPECT_EQ((co_await client.send(req)).status, 200);
    req.url = base + "/-/healthy";
    EXPECT_EQ((co_await client.send(req)).status, 200);
    req.url = base + "/api/v1/test";
    r = co_await client.send(req);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "{\"ok\":true}");
  }());
  EXPECT_EQ(scrapes, 2);
  EXPECT_EQ(endpoint.router().stats().count("/metrics", 200), 2u);
  endpoint.stop();
}

TEST(EndpointTest, after_stop_nothing_listens_and_no_provider_runs) {
  asio::io_context ioc;
  int scrapes = 0;
  config::WebConfig cfg;
  cfg.listen_address = "127.0.0.1:0";
  Endpoint endpoint(ioc.get_executor(), cfg, providers(scrapes));
  auto port = endpoint.start();
  ASSERT_TRUE(port);
  endpoint.stop();
  http::Client client(ioc.get_executor());
  run(ioc, [&]() -> asio::awaitable<void> {
    http::Request req;
    req.url = "http://127.0.0.1:" + std::to_string(*port) + "/metrics";
    req.timeout = 2s;
    auto r = co_await client.send(req);
    EXPECT_TRUE(r.transport_failed());
  }());
  EXPECT_EQ(scrapes, 0);
}

TEST(EndpointTest, a_taken_port_is_reported_not_thrown) {
  asio::io_context ioc;
  int scrapes = 0;
  config::WebConfig cfg;
  cfg.listen_address = "127.0.0.1:0";
  Endpoint first(ioc.get_executor(), cfg, providers(scrapes));
  auto port = first.start();
  ASSERT_TRUE(port);
  cfg.listen_address = "127.0.0.1:" + std::to_string(*port);
  Endpoint second(ioc.get_executor(), cfg, providers(scrapes));
  auto again = second.start();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), boost::system::error_code(boost::asio::error::address_in_use));
}

TEST(EndpointTest, a_missing_tls_certificate_fails_start_with_the_reason) {
  asio::io_context ioc;
  int scrapes = 0;
  config::WebConfig cfg;
  cfg.listen_address = "127.0.0.1:0";
  cfg.tls_cert_file = "/nonexistent/cert.pem";
  cfg.tls_key_file = "/nonexistent/key.pem";
  Endpoint endpoint(ioc.get_executor(), cfg, providers(scrapes));
  EXPECT_FALSE(endpoint.start());
  EXPECT_EQ(endpoint.port(), 0);
}

}  // namespace
}  // namespace vesagent::web
