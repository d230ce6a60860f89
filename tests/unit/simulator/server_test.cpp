#include "vesagent/http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "raw_client.hpp"
#include "support/fake_http_server.hpp"
#include "support/temp_dir.hpp"
#include "vesagent/http/client.hpp"

namespace vesagent::http {
namespace {

namespace net = boost::asio;
using test::RawConnection;
using test::RawResponse;
using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  std::uint16_t start(Handler handler) {
    server_ = std::make_unique<Server>(ioc_.get_executor(), options_, std::move(handler));
    auto port = server_->listen("127.0.0.1:0");
    EXPECT_TRUE(port.has_value()) << port.error().message();
    return port ? *port : 0;
  }

  void TearDown() override {
    if (server_) server_->stop();
    test::drain(ioc_);
  }

  /// Answers 200 with the request body and counts calls.
  Handler echo() {
    return [this](ServerRequest request) -> net::awaitable<ServerResponse> {
      ++calls_;
      last_ = request;
      ServerResponse r;
      r.body = request.method + " " + request.target + " " + request.body;
      co_return r;
    };
  }

  net::io_context ioc_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  int calls_ = 0;
  ServerRequest last_;
};

TEST(ListenAddressTest, parses_every_supported_form) {
  struct Case {
    const char* text;
    const char* host;
    std::uint16_t port;
  };
  for (const auto& c : {Case{"127.0.0.1:0", "127.0.0.1", 0}, Case{"localhost:9095", "localhost", 9095},
                        Case{"[::1]:8080", "::1", 8080}, Case{"0.0.0.0:8443", "0.0.0.0", 8443}, Case{":8080", "", 8080},
                        Case{"collector.example.org:65535", "collector.example.org", 65535}}) {
    auto parsed = parse_listen_address(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed->host, c.host) << c.text;
    EXPECT_EQ(parsed->port, c.port) << c.text;
  }
}

TEST(ListenAddressTest, rejects_addresses_without_a_valid_port) {
  for (const char* text : {"", "8080", "localhost", "localhost:", "localhost:65536", "localhost:80x", "::1:8080",
                           "[::1]8080", "[::1]", "[]:80", "host:-1"}) {
    EXPECT_FALSE(parse_listen_address(text).has_value()) << text;
  }
}

TEST_F(ServerTest, answers_get_and_post_with_the_handler_response) {
  options_.server_name = "test-server";
  auto port = start([this](ServerRequest request) -> net::awaitable<ServerResponse> {
    last_ = request;
    ServerResponse r;
    if (request.method == "GET") {
      r.body = "hello";
    } else {
      r.status = 201;
      r.content_type = "application/json";
      r.body = request.body;
      r.headers.emplace_back("X-Test", "yes");
    }
    co_return r;
  });
  RawResponse get, post;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    get = co_await c.request("GET", "/hello");
    // Built outside the co_await: GCC 12 rejects braced string-literal initializers inside one.
    test::HeaderList headers{{"Content-Type", "application/json"}, {"X-Custom-Header", "value"}};
    post = co_await c.request("POST", "/echo?x=1", R"({"a":1})", std::move(headers));
  };
  test::run_task(ioc_, body());

  EXPECT_EQ(get.status, 200) << get.error;
  EXPECT_EQ(get.body, "hello");
  EXPECT_EQ(get.header("server"), "test-server");
  EXPECT_EQ(get.header("content-type"), "text/plain");

  EXPECT_EQ(post.status, 201) << post.error;
  EXPECT_EQ(post.body, R"({"a":1})");
  EXPECT_EQ(post.header("content-type"), "application/json");
  EXPECT_EQ(post.header("x-test"), "yes");

  EXPECT_EQ(last_.method, "POST");
  EXPECT_EQ(last_.target, "/echo?x=1");
  EXPECT_EQ(last_.header("x-custom-header"), "value");
  EXPECT_EQ(last_.header("content-type"), "application/json");
  EXPECT_EQ(last_.remote.rfind("127.0.0.1:", 0), 0U) << last_.remote;
}

TEST_F(ServerTest, answers_head_with_the_length_but_without_the_body) {
  auto port = start(echo());
  std::optional<std::string> wire;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    EXPECT_TRUE(co_await c.send_raw(
        "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    wire = co_await c.wait_closed();
  };
  test::run_task(ioc_, body());

  ASSERT_TRUE(wire.has_value());
  auto end_of_head = wire->find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << *wire;
  EXPECT_NE(wire->substr(0, end_of_head).find("Content-Length: 8"), std::string::npos) << *wire;
  // The next bytes are the GET's status line, not the HEAD's body.
  EXPECT_EQ(wire->substr(end_of_head + 4, 15), "HTTP/1.1 200 OK") << *wire;
  EXPECT_TRUE(wire->ends_with("GET /g ")) << *wire;
}

// The server writes its answers itself (not through Beast's serializer): the framing rules a client relies on.
TEST_F(ServerTest, frames_answers_like_http_1_0_and_1_1_clients_expect) {
  auto port = start([](ServerRequest request) -> net::awaitable<ServerResponse> {
    ServerResponse r;
    if (request.target == "/empty") {
      r.status = 204;
      r.body = "ignored";  // a 204 has no body, whatever the handler put there
    } else {
      r.body = "ok";
      r.headers.emplace_back("X-Split", "a\r\nSet-Cookie: evil");
    }
    co_return r;
  });
  std::optional<std::string> wire10, wire11;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c10{ioc_.get_executor()};
    EXPECT_TRUE(co_await c10.connect(port));
    // HTTP/1.0 asking to keep the connection: the answer says it stays; the second request closes it.
    EXPECT_TRUE(co_await c10.send_raw("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n"));
    wire10 = co_await c10.wait_closed();
    RawConnection c11{ioc_.get_executor()};
    EXPECT_TRUE(co_await c11.connect(port));
    EXPECT_TRUE(co_await c11.send_raw(
        "GET /empty HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    wire11 = co_await c11.wait_closed();
  };
  test::run_task(ioc_, body());

  ASSERT_TRUE(wire10.has_value());
  const std::string first10 = wire10->substr(0, wire10->find("\r\n\r\nok") + 6);
  EXPECT_TRUE(first10.starts_with("HTTP/1.0 200 OK\r\n")) << *wire10;
  EXPECT_NE(first10.find("\r\nConnection: keep-alive\r\n"), std::string::npos) << *wire10;
  EXPECT_NE(first10.find("\r\nContent-Length: 2\r\n"), std::string::npos) << *wire10;
  // No header line can be injected through a handler's header value.
  EXPECT_NE(first10.find("\r\nX-Split: a  Set-Cookie: evil\r\n"), std::string::npos) << *wire10;
  const std::string second10 = wire10->substr(first10.size());
  EXPECT_TRUE(second10.starts_with("HTTP/1.0 200 OK\r\n")) << *wire10;
  EXPECT_EQ(second10.find("Connection:"), std::string::npos) << *wire10;  // 1.0 without keep-alive: just close
  EXPECT_TRUE(second10.ends_with("\r\n\r\nok")) << *wire10;

  ASSERT_TRUE(wire11.has_value());
  EXPECT_TRUE(wire11->starts_with("HTTP/1.1 204 No Content\r\n")) << *wire11;
  const auto next = wire11->find("HTTP/1.1 200 OK\r\n");
  ASSERT_NE(next, std::string::npos) << *wire11;
  const std::string answer204 = wire11->substr(0, next);
  EXPECT_EQ(answer204.find("Content-Length"), std::string::npos) << *wire11;
  EXPECT_TRUE(answer204.ends_with("\r\n\r\n")) << *wire11;  // and no body
  EXPECT_NE(wire11->find("\r\nConnection: close\r\n", next), std::string::npos) << *wire11;
}

TEST_F(ServerTest, serves_two_requests_on_one_keep_alive_connection) {
  auto port = start(echo());
  RawResponse first, second;
  std::string first_remote;
  std::size_t open_between = 0;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    first = co_await c.request("POST", "/one", "1");
    first_remote = last_.remote;
    open_between = server_->open_connections();
    second = co_await c.request("POST", "/two", "2");
  };
  test::run_task(ioc_, body());

  EXPECT_EQ(first.status, 200) << first.error;
  EXPECT_TRUE(first.keep_alive);
  EXPECT_EQ(second.status, 200) << second.error;
  EXPECT_EQ(second.body, "POST /two 2");
  EXPECT_EQ(calls_, 2);
  EXPECT_EQ(open_between, 1U);
  // Same client port: the second request really came over the first connection.
  EXPECT_EQ(last_.remote, first_remote);
}

TEST_F(ServerTest, closes_the_connection_when_the_client_asks_to) {
  auto port = start(echo());
  RawResponse response;
  std::optional<std::string> after;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    response = co_await c.request("GET", "/", {}, {}, /*keep_alive=*/false);
    after = co_await c.wait_closed();
  };
  test::run_task(ioc_, body());

  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_FALSE(response.keep_alive);
  ASSERT_TRUE(after.has_value()) << "server kept the connection open";
  EXPECT_EQ(*after, "");
}

TEST_F(ServerTest, answers_413_and_closes_when_the_body_is_over_the_limit) {
  options_.body_limit = 1024;
  auto port = start(echo());
  RawResponse response;
  std::optional<std::string> after;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    response = co_await c.request("POST", "/big", std::string(4096, 'x'));
    after = co_await c.wait_closed();
  };
  test::run_task(ioc_, body());

  EXPECT_EQ(response.status, 413) << response.error;
  EXPECT_FALSE(response.keep_alive);
  EXPECT_TRUE(after.has_value()) << "server kept the connection open";
  EXPECT_EQ(calls_, 0);
}

TEST_F(ServerTest, accepts_a_body_exactly_at_the_limit) {
  options_.body_limit = 1024;
  auto port = start(echo());
  RawResponse response;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    response = co_await c.request("POST", "/fits", std::string(1024, 'x'));
  };
  test::run_task(ioc_, body());
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(calls_, 1);
}

TEST_F(ServerTest, answers_400_and_closes_on_malformed_http) {
  auto port = start(echo());
  RawResponse response;
  std::optional<std::string> after;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    EXPECT_TRUE(co_await c.send_raw("THIS IS NOT HTTP\r\n\r\n"));
    response = co_await c.read_response();
    after = co_await c.wait_closed();
  };
  test::run_task(ioc_, body());

  EXPECT_EQ(response.status, 400) << response.error;
  EXPECT_TRUE(after.has_value()) << "server kept the connection open";
  EXPECT_EQ(calls_, 0);
}

TEST_F(ServerTest, sends_100_continue_before_reading_an_expected_body) {
  auto port = start(echo());
  RawResponse interim, final_response;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    EXPECT_TRUE(
        co_await c.send_raw("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
    interim = co_await c.read_response();
    EXPECT_TRUE(co_await c.send_raw("hello"));
    final_response = co_await c.read_response();
  };
  test::run_task(ioc_, body());

  EXPECT_EQ(interim.status, 100) << interim.error;
  EXPECT_EQ(final_response.status, 200) << final_response.error;
  EXPECT_EQ(final_response.body, "POST /upload hello");
}

TEST_F(ServerTest, closes_a_connection_that_sends_nothing_within_the_read_timeout) {
  options_.read_timeout = 200ms;
  auto port = start(echo());
  std::optional<std::string> after;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    after = co_await c.wait_closed(5000ms);
  };
  test::run_task(ioc_, body());

  ASSERT_TRUE(after.has_value()) << "server kept a silent connection open";
  EXPECT_EQ(*after, "") << "no response is sent for a timed-out read";
  EXPECT_EQ(calls_, 0);
}

TEST_F(ServerTest, closes_a_partial_request_after_the_read_timeout) {
  options_.read_timeout = 200ms;
  auto port = start(echo());
  std::optional<std::string> after;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    EXPECT_TRUE(co_await c.send_raw("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part"));
    after = co_await c.wait_closed(5000ms);
  };
  test::run_task(ioc_, body());

  ASSERT_TRUE(after.has_value()) << "server waited forever for the rest of the body";
  EXPECT_EQ(calls_, 0);
}

TEST_F(ServerTest, closes_an_idle_keep_alive_connection_after_the_idle_timeout) {
  options_.idle_timeout = 200ms;
  auto port = start(echo());
  RawResponse response;
  std::optional<std::string> after;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    response = co_await c.request("GET", "/");
    after = co_await c.wait_closed(5000ms);
  };
  test::run_task(ioc_, body());

  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_TRUE(response.keep_alive);
  ASSERT_TRUE(after.has_value()) << "idle connection was never closed";
  EXPECT_EQ(*after, "");
}

TEST_F(ServerTest, stop_closes_open_connections_and_cancels_pending_handlers) {
  bool hang_started = false;
  bool hang_cancelled = false;
  auto port = start([&](ServerRequest request) -> net::awaitable<ServerResponse> {
    if (request.target == "/hang") {
      hang_started = true;
      net::steady_timer timer{ioc_, std::chrono::hours(1)};
      try {
        co_await timer.async_wait(net::use_awaitable);
      } catch (const boost::system::system_error&) {
        hang_cancelled = true;
        throw;
      }
    }
    co_return ServerResponse{};
  });

  RawResponse idle_response;
  std::optional<std::string> idle_after, hung_after;
  std::size_t open_before_stop = 0;
  bool reconnected = true;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection idle{ioc_.get_executor()};
    RawConnection hung{ioc_.get_executor()};
    EXPECT_TRUE(co_await idle.connect(port));
    idle_response = co_await idle.request("GET", "/ok");
    EXPECT_TRUE(co_await hung.connect(port));
    EXPECT_TRUE(co_await hung.send_raw("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n"));
    while (!hang_started) co_await test::sleep_for(5ms);
    open_before_stop = server_->open_connections();

    server_->stop();
    idle_after = co_await idle.wait_closed();
    hung_after = co_await hung.wait_closed();
    RawConnection late{ioc_.get_executor()};
    reconnected = co_await late.connect(port);
  };
  test::run_task(ioc_, body());
  test::drain(ioc_);

  EXPECT_EQ(idle_response.status, 200) << idle_response.error;
  EXPECT_EQ(open_before_stop, 2U);
  ASSERT_TRUE(idle_after.has_value()) << "idle connection survived stop()";
  ASSERT_TRUE(hung_after.has_value()) << "connection with a pending handler survived stop()";
  EXPECT_EQ(*hung_after, "") << "a cancelled handler must not be answered";
  EXPECT_TRUE(hang_cancelled);
  EXPECT_FALSE(reconnected) << "listener still accepts after stop()";
  EXPECT_EQ(server_->open_connections(), 0U);
}

TEST_F(ServerTest, cancels_the_handler_when_the_client_closes_while_waiting) {
  bool started = false;
  bool cancelled = false;
  auto port = start([&](ServerRequest) -> net::awaitable<ServerResponse> {
    started = true;
    net::steady_timer timer{ioc_, std::chrono::hours(1)};
    try {
      co_await timer.async_wait(net::use_awaitable);
    } catch (const boost::system::system_error&) {
      cancelled = true;
      throw;
    }
    co_return ServerResponse{};
  });
  std::size_t open_after = 1;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    EXPECT_TRUE(co_await c.send_raw("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n"));
    while (!started) co_await test::sleep_for(5ms);
    c.close();
    while (!cancelled || server_->open_connections() != 0) co_await test::sleep_for(5ms);
    open_after = server_->open_connections();
  };
  test::run_task(ioc_, body());
  EXPECT_TRUE(cancelled) << "handler kept running for a client that is gone";
  EXPECT_EQ(open_after, 0U);
}

TEST_F(ServerTest, without_the_close_watch_a_handler_runs_to_its_end_after_the_client_left) {
  options_.cancel_on_client_close = false;
  bool started = false;
  bool finished = false;
  auto port = start([&](ServerRequest) -> net::awaitable<ServerResponse> {
    started = true;
    net::steady_timer timer{ioc_, 100ms};
    co_await timer.async_wait(net::use_awaitable);  // not cancelled by the client closing
    finished = true;
    co_return ServerResponse{};
  });
  std::size_t open_after = 1;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    EXPECT_TRUE(co_await c.send_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    while (!started) co_await test::sleep_for(5ms);
    c.close();
    for (int i = 0; i < 400 && (!finished || server_->open_connections() != 0); ++i) co_await test::sleep_for(5ms);
    open_after = server_->open_connections();
  };
  test::run_task(ioc_, body());
  EXPECT_TRUE(finished) << "the handler was cancelled although the watch is off";
  EXPECT_EQ(open_after, 0U) << "the session did not end after answering a client that is gone";
}

TEST_F(ServerTest, answers_pipelined_requests_in_order) {
  auto port = start([](ServerRequest request) -> net::awaitable<ServerResponse> {
    // A slow first answer: the second request is already waiting in the socket meanwhile.
    net::steady_timer timer{co_await net::this_coro::executor, 50ms};
    co_await timer.async_wait(net::use_awaitable);
    ServerResponse r;
    r.body = request.target;
    co_return r;
  });
  RawResponse first, second;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    EXPECT_TRUE(co_await c.send_raw("GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n"));
    first = co_await c.read_response();
    second = co_await c.read_response();
  };
  test::run_task(ioc_, body());
  EXPECT_EQ(first.status, 200) << first.error;
  EXPECT_EQ(first.body, "/first");
  EXPECT_EQ(second.status, 200) << second.error;
  EXPECT_EQ(second.body, "/second");
}

TEST_F(ServerTest, drop_connection_closes_without_a_response) {
  auto port = start([](ServerRequest) -> net::awaitable<ServerResponse> {
    ServerResponse r;
    r.drop_connection = true;
    co_return r;
  });
  std::optional<std::string> after;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    EXPECT_TRUE(co_await c.send_raw("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));
    after = co_await c.wait_closed();
  };
  test::run_task(ioc_, body());

  ASSERT_TRUE(after.has_value()) << "connection stayed open";
  EXPECT_EQ(*after, "") << "bytes were sent before the close";
}

TEST_F(ServerTest, answers_500_when_the_handler_throws_and_keeps_serving) {
  auto port = start([](ServerRequest request) -> net::awaitable<ServerResponse> {
    if (request.target == "/boom") throw std::runtime_error("handler bug");
    co_return ServerResponse{};
  });
  RawResponse boom, after;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    boom = co_await c.request("GET", "/boom");
    after = co_await c.request("GET", "/fine");
  };
  test::run_task(ioc_, body());

  EXPECT_EQ(boom.status, 500) << boom.error;
  EXPECT_EQ(after.status, 200) << after.error;
}

TEST_F(ServerTest, listen_reports_a_port_already_in_use) {
  auto port = start(echo());
  Server other{ioc_.get_executor(), options_, echo()};
  auto result = other.listen("127.0.0.1:" + std::to_string(port));
  EXPECT_FALSE(result.has_value());
}

TEST_F(ServerTest, listen_reports_an_invalid_address) {
  Server server{ioc_.get_executor(), options_, echo()};
  EXPECT_FALSE(server.listen("no-port-here").has_value());
  EXPECT_EQ(server.port(), 0);
}

TEST_F(ServerTest, listen_twice_is_an_error) {
  auto port = start(echo());
  EXPECT_NE(port, 0);
  EXPECT_FALSE(server_->listen("127.0.0.1:0").has_value());
  EXPECT_EQ(server_->port(), port);
}

TEST_F(ServerTest, a_restarted_server_rebinds_its_port_at_once) {
  auto port = start(echo());
  RawResponse response;
  std::optional<std::string> after;
  auto body = [&]() -> net::awaitable<void> {
    RawConnection c{ioc_.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    // The server closes first, so its side of the connection sits in TIME_WAIT: only SO_REUSEADDR lets the
    // next process bind the port now.
    response = co_await c.request("GET", "/", {}, {}, /*keep_alive=*/false);
    after = co_await c.wait_closed();
    c.close();
  };
  test::run_task(ioc_, body());
  ASSERT_EQ(response.status, 200) << response.error;
  ASSERT_TRUE(after.has_value());
  server_->stop();
  test::drain(ioc_);
  server_.reset();

  Server restarted{ioc_.get_executor(), options_, echo()};
  auto rebound = restarted.listen("127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(rebound.has_value()) << rebound.error().message();
  EXPECT_EQ(*rebound, port);
  restarted.stop();
  test::drain(ioc_);
}


/// HTTPS: the server's own self-signed certificate is the client's CA, and a second self-signed certificate is
/// both a client certificate and the CA the server trusts for clients.
class TlsServerTest : public ServerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    server_cert_ = (dir_->path() / "server.pem").string();
    server_key_ = (dir_->path() / "server.key").string();
    client_cert_ = (dir_->path() / "client.pem").string();
    client_key_ = (dir_->path() / "client.key").string();
    certs_ok_ = test::make_self_signed_cert(server_cert_, server_key_) &&
                test::make_self_signed_cert(client_cert_, client_key_);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(certs_ok_) << "the openssl CLI could not create test certificates";
    options_.tls_cert_file = server_cert_;
    options_.tls_key_file = server_key_;
  }

  /// Sends one request with a fresh libcurl client (so no TLS session is reused between calls).
  Response send(std::string url, TlsOptions tls = {}) {
    Response out;
    auto body = [&]() -> net::awaitable<void> {
      Client client{ioc_.get_executor()};
      Request request;
      request.method = "POST";
      request.url = std::move(url);
      request.body = "payload";
      request.tls = std::move(tls);
      request.timeout = 5s;
      out = co_await client.send(std::move(request));
    };
    test::run_task(ioc_, body());
    return out;
  }
  static std::string https(std::uint16_t port) { return "https://127.0.0.1:" + std::to_string(port) + "/alerts"; }

  static inline test::TempDir* dir_ = nullptr;
  static inline std::string server_cert_, server_key_, client_cert_, client_key_;
  static inline bool certs_ok_ = false;
};

TEST_F(TlsServerTest, serves_https_to_a_client_that_trusts_its_certificate) {
  auto port = start(echo());
  auto response = send(https(port), TlsOptions{server_cert_, {}, {}});
  ASSERT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "POST /alerts payload");
  EXPECT_EQ(calls_, 1);
}

TEST_F(TlsServerTest, a_client_that_does_not_trust_the_certificate_fails) {
  auto port = start(echo());
  // The client certificate is a CA that did not sign the server's certificate.
  auto response = send(https(port), TlsOptions{client_cert_, {}, {}});
  EXPECT_TRUE(response.transport_failed());
  EXPECT_EQ(response.error, TransportError::tls) << response.error_text;
  EXPECT_EQ(calls_, 0);
}

TEST_F(TlsServerTest, plain_http_to_a_tls_port_fails_and_https_still_works) {
  auto port = start(echo());
  auto plain = send("http://127.0.0.1:" + std::to_string(port) + "/alerts");
  EXPECT_TRUE(plain.transport_failed()) << "status " << plain.status;
  EXPECT_EQ(calls_, 0);

  auto secure = send(https(port), TlsOptions{server_cert_, {}, {}});
  EXPECT_EQ(secure.status, 200) << secure.error_text;
  EXPECT_EQ(calls_, 1);
}

TEST_F(TlsServerTest, required_client_certificate_must_be_signed_by_the_client_ca) {
  options_.tls_client_ca_file = client_cert_;
  options_.tls_require_client_cert = true;
  auto port = start(echo());

  auto without = send(https(port), TlsOptions{server_cert_, {}, {}});
  EXPECT_TRUE(without.transport_failed()) << "status " << without.status;

  // A valid certificate, but not from the client CA.
  auto untrusted = send(https(port), TlsOptions{server_cert_, server_cert_, server_key_});
  EXPECT_TRUE(untrusted.transport_failed()) << "status " << untrusted.status;
  EXPECT_EQ(calls_, 0);

  auto with = send(https(port), TlsOptions{server_cert_, client_cert_, client_key_});
  ASSERT_FALSE(with.transport_failed()) << with.error_text;
  EXPECT_EQ(with.status, 200);
  EXPECT_EQ(calls_, 1);
}

TEST_F(TlsServerTest, optional_client_certificate_allows_clients_without_one) {
  options_.tls_client_ca_file = client_cert_;
  auto port = start(echo());
  auto without = send(https(port), TlsOptions{server_cert_, {}, {}});
  EXPECT_EQ(without.status, 200) << without.error_text;
  auto untrusted = send(https(port), TlsOptions{server_cert_, server_cert_, server_key_});
  EXPECT_TRUE(untrusted.transport_failed()) << "a presented certificate is still verified";
  EXPECT_EQ(calls_, 1);
}

TEST_F(TlsServerTest, listen_fails_with_a_message_for_unusable_tls_files) {
  const auto garbage = dir_->write("garbage.key", "not a PEM key\n").string();
  struct Case {
    std::string name, cert, key, ca;
    bool require;
  };
  const std::vector<Case> cases{
      {"bad key file", server_cert_, garbage, {}, false},
      {"missing cert file", (dir_->path() / "missing.pem").string(), server_key_, {}, false},
      {"key of another certificate", server_cert_, client_key_, {}, false},
      {"bad client CA", server_cert_, server_key_, garbage, true},
      {"cert without key", server_cert_, {}, {}, false},
      {"require without client CA", server_cert_, server_key_, {}, true},
  };
  for (const auto& c : cases) {
    ServerOptions options;
    options.tls_cert_file = c.cert;
    options.tls_key_file = c.key;
    options.tls_client_ca_file = c.ca;
    options.tls_require_client_cert = c.require;
    Server server{ioc_.get_executor(), options, echo()};
    auto result = server.listen("127.0.0.1:0");
    ASSERT_FALSE(result.has_value()) << c.name;
    EXPECT_FALSE(result.error().message().empty()) << c.name;
    EXPECT_EQ(server.port(), 0) << c.name;
  }
}

TEST_F(TlsServerTest, stop_closes_tls_connections_with_a_pending_handler) {
  bool entered = false;
  auto port = start([&](ServerRequest) -> net::awaitable<ServerResponse> {
    entered = true;
    net::steady_timer forever{co_await net::this_coro::executor, 60s};
    co_await forever.async_wait(net::use_awaitable);
    co_return ServerResponse{};
  });
  Response response;
  auto body = [&]() -> net::awaitable<void> {
    net::co_spawn(
        co_await net::this_coro::executor,
        [&]() -> net::awaitable<void> {
          while (!entered) co_await test::sleep_for(10ms);
          EXPECT_EQ(server_->open_connections(), 1U);
          server_->stop();
        },
        net::detached);
    Client client{ioc_.get_executor()};
    Request request;
    request.url = https(port);
    request.tls.ca_file = server_cert_;
    request.timeout = 10s;
    response = co_await client.send(std::move(request));
  };
  test::run_task(ioc_, body());
  EXPECT_TRUE(entered);
  EXPECT_TRUE(response.transport_failed()) << "status " << response.status;
  test::drain(ioc_);
  EXPECT_EQ(server_->open_connections(), 0U);
}

}  // namespace
}  // namespace vesagent::http
