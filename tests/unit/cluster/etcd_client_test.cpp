// EtcdClient: endpoint failover and token authentication, against FakeHttpServers answering like etcd 3.4.
#include "vesagent/cluster/etcd_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/fake_http_server.hpp"

namespace vesagent::cluster {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::FakeHttpServer;
using test::FakeRequest;
using test::FakeResponse;

constexpr const char* kRange = R"({"header":{"cluster_id":"1","member_id":"2","revision":"4","raft_term":"2"}})";

void run(asio::io_context& ioc, asio::awaitable<void> body) {
  bool finished = false;
  std::exception_ptr error;
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
  if (error) std::rethrow_exception(error);
  EXPECT_TRUE(finished) << "test body did not finish within 20 s";
}

std::string closed_endpoint(asio::io_context& ioc) {
  asio::ip::tcp::acceptor acceptor(ioc, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  return "http://127.0.0.1:" + std::to_string(port);
}

std::string base(const FakeHttpServer& s) {
  std::string url = s.url("");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

FakeResponse json(int status, std::string body) {
  FakeResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

TEST(EtcdClientTest, fails_over_to_the_next_endpoint_and_stays_there) {
  asio::io_context ioc{1};
  FakeHttpServer good(ioc.get_executor(), [](const FakeRequest&) { return json(200, kRange); });
  http::Client client(ioc.get_executor());
  EtcdSettings s;
  s.endpoints = {closed_endpoint(ioc), base(good) + "/"};
  s.request_timeout = 2s;
  EtcdClient etcd(client, s);
  run(ioc, [&]() -> asio::awaitable<void> {
    auto r = co_await etcd.call("/v3/kv/range", "{}");
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.body, kRange);
    EXPECT_EQ(etcd.failovers(), 1u);
    r = co_await etcd.call("/v3/kv/range", "{}");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(etcd.failovers(), 1u);  // the second call went straight to the endpoint that answered
  }());
  ASSERT_EQ(good.requests().size(), 2u);
  EXPECT_EQ(good.requests()[0].target, "/v3/kv/range");
  EXPECT_EQ(good.requests()[0].method, "POST");
}

TEST(EtcdClientTest, a_member_without_quorum_is_skipped_but_a_4xx_is_returned_as_is) {
  asio::io_context ioc{1};
  int quorum_lost_calls = 0;
  FakeHttpServer no_quorum(ioc.get_executor(), [&](const FakeRequest&) {
    ++quorum_lost_calls;
    return json(503,
                R"({"error":"etcdserver: request timed out","message":"etcdserver: request timed out","code":14})");
  });
  FakeHttpServer good(ioc.get_executor(), [](const FakeRequest& req) {
    if (req.target == "/v3/lease/revoke") {
      return json(
          404,
          R"({"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5})");
    }
    return json(200, kRange);
  });
  http::Client client(ioc.get_executor());
  EtcdSettings s;
  s.endpoints = {base(no_quorum), base(good)};
  EtcdClient etcd(client, s);
  run(ioc, [&]() -> asio::awaitable<void> {
    auto r = co_await etcd.call("/v3/kv/range", "{}");
    EXPECT_TRUE(r.ok()) << r.error;
    r = co_await etcd.call("/v3/lease/revoke", R"({"ID":"1"})");
    EXPECT_EQ(r.status, 404);
    EXPECT_THAT(r.body, ::testing::HasSubstr("lease not found"));
  }());
  EXPECT_EQ(quorum_lost_calls, 1);
}

TEST(EtcdClientTest, reports_every_endpoint_when_none_answers) {
  asio::io_context ioc{1};
  http::Client client(ioc.get_executor());
  EtcdSettings s;
  s.endpoints = {closed_endpoint(ioc), closed_endpoint(ioc)};
  EtcdClient etcd(client, s);
  run(ioc, [&]() -> asio::awaitable<void> {
    auto r = co_await etcd.call("/v3/kv/range", "{}");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status, 0);
    EXPECT_THAT(r.error, ::testing::HasSubstr(s.endpoints[0]));
    EXPECT_THAT(r.error, ::testing::HasSubstr(s.endpoints[1]));
    EXPECT_EQ(etcd.failures(), 1u);
  }());
}

TEST(EtcdClientTest, authenticates_sends_the_token_and_renews_an_expired_one) {
  asio::io_context ioc{1};
  int tokens_issued = 0;
  FakeHttpServer etcd_server(ioc.get_executor(), [&](const FakeRequest& req) {
    if (req.target == "/v3/auth/authenticate") {
      EXPECT_THAT(req.body, ::testing::HasSubstr("\"name\":\"ves\""));
      EXPECT_THAT(req.body, ::testing::HasSubstr("\"password\":\"s3cret\""));
      ++tokens_issued;
      return json(200, R"({"header":{"revision":"1"},"token":"tok-)" + std::to_string(tokens_issued) + "\"}");
    }
    // The first token "expires" after one use, as a simple token does after --auth-token-ttl.
    if (req.header("authorization") != "tok-2") {
      return json(401,
                  R"({"error":"etcdserver: invalid auth token","message":"etcdserver: invalid auth token","code":16})");
    }
    return json(200, kRange);
  });
  http::Client client(ioc.get_executor());
  EtcdSettings s;
  s.endpoints = {base(etcd_server)};
  s.user = "ves";
  s.password = "s3cret";
  EtcdClient etcd(client, s);
  run(ioc, [&]() -> asio::awaitable<void> {
    auto r = co_await etcd.call("/v3/kv/range", "{}");
    EXPECT_TRUE(r.ok()) << r.status << " " << r.body;
    r = co_await etcd.call("/v3/kv/range", "{}");
    EXPECT_TRUE(r.ok());
  }());
  EXPECT_EQ(tokens_issued, 2);
  // authenticate, range (refused), authenticate, range, range
  EXPECT_EQ(etcd_server.requests().size(), 5u);
}

}  // namespace
}  // namespace vesagent::cluster
