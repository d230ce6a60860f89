#include "vesagent/http/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <array>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/fake_http_server.hpp"
#include "support/proxy_daemons.hpp"
#include "support/temp_dir.hpp"

namespace vesagent::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using test::FakeHttpServer;
using test::FakeRequest;
using test::FakeResponse;

// "hello gzip " * 100, gzip-compressed (python3: gzip.compress(b"hello gzip " * 100, mtime=0)).
const unsigned char kGzipped[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9,
                                  0xc9, 0x57, 0x48, 0xaf, 0xca, 0x2c, 0x50, 0xc8, 0x18, 0x65, 0x8e, 0x32, 0x47, 0x99,
                                  0xa3, 0x4c, 0x72, 0x99, 0x00, 0x4c, 0x56, 0xd7, 0x0f, 0x4c, 0x04, 0x00, 0x00};

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

// Polls `condition` until it holds or `limit` passes; the result says which.
asio::awaitable<bool> eventually(std::function<bool()> condition, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) co_return false;
    co_await sleep_for(5ms);
  }
  co_return true;
}

// Runs `body` on `ioc` until it returns, with a watchdog so a hung test fails instead of blocking ctest.
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

// A port where nothing listens: bind one, then close it.
std::uint16_t closed_port(asio::io_context& ioc) {
  asio::ip::tcp::acceptor acceptor(ioc, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

Request get(std::string url) {
  Request r;
  r.url = std::move(url);
  return r;
}

/// Sends `request` twice, one after the other, on one Client (the second may reuse the first's connection).
std::vector<Response> send_twice(asio::io_context& ioc, const Request& request) {
  Client client(ioc.get_executor());
  std::vector<Response> responses;
  run(ioc, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 2; ++i) responses.push_back(co_await client.send(request));
  }());
  return responses;
}

// A name other than localhost that /etc/hosts maps to 127.0.0.1 (so the name goes through the resolver, and
// "localhost" special-casing cannot hide a problem), or empty.
std::string loopback_alias() {
  std::istringstream hosts(test::read_text("/etc/hosts"));
  std::string line;
  while (std::getline(hosts, line)) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string address, name;
    if (!(words >> address) || address != "127.0.0.1") continue;
    while (words >> name) {
      if (name != "localhost" && !name.ends_with(".localhost")) return name;
    }
  }
  return {};
}

FakeResponse ok(std::string body = "ok") {
  FakeResponse r;
  r.body = std::move(body);
  return r;
}

constexpr const char* kProxyVariables[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                           "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};

// The client honors proxy variables (the feature under test below). A developer's or CI machine's proxy would
// swallow the loopback requests of every other test, so the binary starts without them.
class NoProxyEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    for (const char* name : kProxyVariables) ::unsetenv(name);
  }
};
[[maybe_unused]] const auto* const kNoProxyEnvironment = ::testing::AddGlobalTestEnvironment(new NoProxyEnvironment);

// Sets environment variables for one scope.
class ScopedEnv {
 public:
  explicit ScopedEnv(std::vector<std::pair<std::string, std::string>> vars) : vars_(std::move(vars)) {
    for (const auto& [name, value] : vars_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : vars_) ::unsetenv(name.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

// A raw TCP server for what FakeHttpServer cannot do (chunked or close-delimited bodies, closing an idle
// keep-alive connection, CONNECT tunnels, IPv6): each accepted connection runs `script` with its socket and its
// 1-based number. State is shared with the coroutines, so destroying the server while they wait is safe.
class ScriptedServer {
 public:
  using Script = std::function<asio::awaitable<void>(asio::ip::tcp::socket&, std::size_t connection)>;

  ScriptedServer(asio::io_context& ioc, Script script,
                 const asio::ip::address& address = asio::ip::address_v4::loopback())
      : state_(std::make_shared<State>(ioc, address, std::move(script))) {
    asio::co_spawn(ioc, accept_loop(state_), asio::detached);
  }
  ~ScriptedServer() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (const auto& weak : state_->sockets) {
      if (const auto socket = weak.lock()) socket->close(ignored);
    }
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::uint16_t port() const { return state_->port; }
  std::size_t connections_accepted() const { return state_->accepted; }

 private:
  struct State {
    State(asio::io_context& ioc, const asio::ip::address& address, Script s)
        : acceptor(ioc, asio::ip::tcp::endpoint(address, 0)), port(acceptor.local_endpoint().port()),
          script(std::move(s)) {}
    asio::ip::tcp::acceptor acceptor;
    std::uint16_t port;
    Script script;
    std::size_t accepted = 0;
    std::vector<std::weak_ptr<asio::ip::tcp::socket>> sockets;
  };

  static asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    for (;;) {
      auto [ec, socket] = co_await state->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      auto shared = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
      state->sockets.push_back(shared);
      const std::size_t number = ++state->accepted;
      asio::co_spawn(
          state->acceptor.get_executor(),
          [](std::shared_ptr<State> s, std::shared_ptr<asio::ip::tcp::socket> sock,
             std::size_t n) -> asio::awaitable<void> { co_await s->script(*sock, n); }(state, shared, number),
          asio::detached);
    }
  }

  std::shared_ptr<State> state_;
};

using RawRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Reads one request; nullopt when the client closed the connection (or sent garbage).
asio::awaitable<std::optional<RawRequest>> read_request(asio::ip::tcp::socket& socket,
                                                        boost::beast::flat_buffer& buffer) {
  RawRequest request;
  auto [ec, n] =
      co_await boost::beast::http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return std::nullopt;
  co_return request;
}

asio::awaitable<bool> write_text(asio::ip::tcp::socket& socket, std::string text) {
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(text), asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

// Copies bytes from `from` to `to` until either side closes, then closes both (half of a CONNECT tunnel).
asio::awaitable<void> pump(std::shared_ptr<asio::ip::tcp::socket> from, std::shared_ptr<asio::ip::tcp::socket> to) {
  std::array<char, 16384> data{};
  for (;;) {
    auto [rec, n] = co_await from->async_read_some(asio::buffer(data), asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    auto [wec, w] = co_await asio::async_write(*to, asio::buffer(data.data(), n), asio::as_tuple(asio::use_awaitable));
    if (wec) break;
  }
  boost::system::error_code ignored;
  from->close(ignored);
  to->close(ignored);
}

// What a scripted CONNECT proxy saw.
struct TunnelLog {
  std::vector<std::string> targets;
  std::vector<std::string> proxy_authorizations;
};

// A CONNECT proxy: answers `refuse_status` if non-zero, else tunnels to 127.0.0.1:<port of the CONNECT target>.
ScriptedServer::Script connect_proxy(asio::io_context& ioc, TunnelLog& log, int refuse_status = 0) {
  return [&ioc, &log, refuse_status](asio::ip::tcp::socket& client, std::size_t) -> asio::awaitable<void> {
    boost::beast::flat_buffer buffer;
    auto request = co_await read_request(client, buffer);
    if (!request || request->method() != boost::beast::http::verb::connect) co_return;
    const std::string target(request->target());
    log.targets.push_back(target);
    log.proxy_authorizations.emplace_back((*request)[boost::beast::http::field::proxy_authorization]);
    if (refuse_status != 0) {
      co_await write_text(client, "HTTP/1.1 " + std::to_string(refuse_status) +
                                      " Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
      co_return;
    }
    auto upstream = std::make_shared<asio::ip::tcp::socket>(ioc);
    const auto port = static_cast<std::uint16_t>(std::stoi(target.substr(target.rfind(':') + 1)));
    auto [ec] = co_await upstream->async_connect({asio::ip::address_v4::loopback(), port},
                                                 asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    co_await write_text(client, "HTTP/1.1 200 Connection established\r\n\r\n");
    auto downstream = std::make_shared<asio::ip::tcp::socket>(std::move(client));
    asio::co_spawn(ioc, pump(upstream, downstream), asio::detached);
    co_await pump(downstream, upstream);
  };
}

class ClientTest : public ::testing::Test {
 protected:
  asio::io_context ioc_{1};
};

TEST_F(ClientTest, get_round_trips_headers_and_body) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.headers = {{"X-Reply-Header", "Yes"}, {"Content-Type", "text/plain"}};
    r.body = "hello";
    return r;
  });
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request;
    request.url = server.url("/api/v1/query?query=up");
    request.headers = {{"X-Test", "1"}, {"Accept", "application/json"}};
    response = co_await client.send(request);
  }());

  EXPECT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello");
  EXPECT_EQ(response.header("x-reply-header"), "Yes");
  EXPECT_EQ(response.header("content-type"), "text/plain");
  EXPECT_EQ(response.header("content-length"), "5");
  EXPECT_GT(response.total_time.count(), 0);
  ASSERT_EQ(server.requests().size(), 1u);
  const FakeRequest& seen = server.requests()[0];
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/api/v1/query?query=up");
  EXPECT_EQ(seen.header("x-test"), "1");
  EXPECT_EQ(seen.header("accept"), "application/json");
  EXPECT_EQ(seen.body, "");
}

TEST_F(ClientTest, post_delivers_large_binary_body_without_expect_continue_and_gets_202) {
  static constexpr char kChunk[] = "{\"event\":\0\x01\xff}";
  const std::string body = repeat(std::string(kChunk, sizeof kChunk - 1), 160000);  // 2 MB, with NULs
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.status = 202;
    r.body = "Accepted";
    return r;
  });
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request;
    request.method = "POST";
    request.url = server.url("/eventListener/v7");
    request.headers = {{"Content-Type", "application/json"}, {"X-MinorVersion", "2"}};
    request.body = body;
    response = co_await client.send(request);
  }());

  EXPECT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.body, "Accepted");
  ASSERT_EQ(server.requests().size(), 1u);
  const FakeRequest& seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/eventListener/v7");
  EXPECT_EQ(seen.header("content-type"), "application/json");
  EXPECT_EQ(seen.header("x-minorversion"), "2");
  EXPECT_EQ(seen.header("expect"), "");
  EXPECT_EQ(seen.header("content-length"), std::to_string(body.size()));
  EXPECT_TRUE(seen.body == body) << "body differs, sizes " << seen.body.size() << " vs " << body.size();
}

TEST_F(ClientTest, body_without_content_type_is_not_labelled_as_a_form_and_custom_methods_work) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) { return ok(); });
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request;
    request.method = "PUT";
    request.url = server.url("/thing");
    request.body = "raw";
    response = co_await client.send(request);
  }());
  EXPECT_EQ(response.status, 200) << response.error_text;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "PUT");
  EXPECT_EQ(server.requests()[0].body, "raw");
  EXPECT_EQ(server.requests()[0].header("content-type"), "");
}

TEST_F(ClientTest, server_error_status_passes_through_as_http_response) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.status = 500;
    r.body = "boom";
    return r;
  });
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> { response = co_await client.send(get(server.url())); }());
  EXPECT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.error, TransportError::none);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, "boom");
}

TEST_F(ClientTest, refused_connection_is_a_connect_error) {
  Client client(ioc_.get_executor());
  Response response;
  const auto port = closed_port(ioc_);
  run(ioc_, [&]() -> asio::awaitable<void> {
    response = co_await client.send(get("http://127.0.0.1:" + std::to_string(port) + "/"));
  }());
  EXPECT_EQ(response.error, TransportError::connect) << response.error_text;
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.error_text.empty());
  EXPECT_EQ(to_string(response.error), "connect");
}

TEST_F(ClientTest, server_closing_without_answer_is_a_send_recv_error) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.close_without_answer = true;
    return r;
  });
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> { response = co_await client.send(get(server.url())); }());
  EXPECT_EQ(response.error, TransportError::send_recv) << response.error_text;
  EXPECT_EQ(response.status, 0);
}

TEST_F(ClientTest, unsupported_scheme_is_rejected_without_network) {
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> {
    response = co_await client.send(get("file:///etc/passwd"));
  }());
  EXPECT_EQ(response.error, TransportError::other);
  EXPECT_EQ(response.body, "");
}

TEST_F(ClientTest, host_names_resolve_through_the_asynchronous_resolver) {
  const std::string alias = loopback_alias();
  if (alias.empty()) GTEST_SKIP() << "/etc/hosts has no alias of 127.0.0.1 besides localhost";
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) { return ok("resolved"); });
  Client client(ioc_.get_executor());
  std::vector<Response> responses;
  run(ioc_, [&]() -> asio::awaitable<void> {
    // Twice: the second reuses the pooled connection.
    for (int i = 0; i < 2; ++i) {
      responses.push_back(co_await client.send(get("http://" + alias + ":" + std::to_string(server.port()) + "/")));
    }
  }());
  ASSERT_EQ(responses.size(), 2u);
  for (const Response& r : responses) EXPECT_EQ(r.body, "resolved") << alias << ": " << r.error_text;
}

TEST_F(ClientTest, server_that_never_answers_times_out) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.never_answer = true;
    return r;
  });
  Client client(ioc_.get_executor());
  Response response;
  bool server_saw_close = false;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request;
    request.url = server.url();
    request.timeout = 300ms;
    response = co_await client.send(request);
    server_saw_close = co_await eventually([&] { return server.open_connections() == 0; });
  }());
  EXPECT_EQ(response.error, TransportError::timeout) << response.error_text;
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(server_saw_close);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(ClientTest, many_concurrent_requests_complete_on_one_thread) {
  constexpr int kRequests = 200;
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest& request) {
    FakeResponse r;
    r.delay = 20ms;  // keeps them overlapping
    r.body = request.target;
    return r;
  });
  Client client(ioc_.get_executor());
  int succeeded = 0;
  int completed = 0;
  std::size_t peak_in_flight = 0;
  const auto test_thread = std::this_thread::get_id();
  bool all_on_test_thread = true;
  run(ioc_, [&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    for (int i = 0; i < kRequests; ++i) {
      asio::co_spawn(
          executor,
          [&, i]() -> asio::awaitable<void> {
            const std::string target = "/r/" + std::to_string(i);
            const Response r = co_await client.send(get(server.url(target)));
            if (r.status == 200 && r.body == target) ++succeeded;
            all_on_test_thread = all_on_test_thread && std::this_thread::get_id() == test_thread;
            ++completed;
          },
          asio::detached);
    }
    co_await eventually([&] {
      peak_in_flight = std::max(peak_in_flight, client.in_flight());
      return completed == kRequests;
    }, 15s);
  }());
  EXPECT_EQ(completed, kRequests);
  EXPECT_EQ(succeeded, kRequests);
  EXPECT_TRUE(all_on_test_thread);
  EXPECT_GT(peak_in_flight, 1u);
  EXPECT_GT(server.connections_accepted(), 1u);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(ClientTest, sequential_requests_reuse_one_connection) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) { return ok(); });
  Client client(ioc_.get_executor());
  int succeeded = 0;
  run(ioc_, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 20; ++i) {
      Request request = get(server.url());
      request.method = "POST";
      request.body = "x";
      const Response r = co_await client.send(request);
      if (r.status == 200) ++succeeded;
    }
  }());
  EXPECT_EQ(succeeded, 20);
  EXPECT_EQ(server.requests().size(), 20u);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(ClientTest, idle_pooled_connection_holds_no_work_so_the_loop_can_finish) {
  // The server runs on its own io_context so that, once it has answered, it can be frozen with the pooled
  // connection still open while the client's loop runs alone.
  asio::io_context server_ioc{1};
  FakeHttpServer server(server_ioc.get_executor(), [](const FakeRequest&) { return ok(); });
  Client client(ioc_.get_executor());
  std::optional<Response> response;
  asio::co_spawn(
      ioc_, [&]() -> asio::awaitable<void> { response = co_await client.send(get(server.url())); }, asio::detached);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!response && std::chrono::steady_clock::now() < deadline) {
    server_ioc.poll();
    ioc_.poll();
  }
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->error_text;
  EXPECT_EQ(server.open_connections(), 1u);  // kept alive for reuse
  // Returns at once only when the client's loop has nothing to wait for.
  ioc_.run_for(10s);
  EXPECT_TRUE(ioc_.stopped()) << "the idle client still had work pending 10 s after its last request";
}

TEST_F(ClientTest, basic_auth_credentials_arrive_in_authorization_header) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest& request) {
    FakeResponse r;
    r.status = request.header("authorization") == "Basic YWdlbnQ6czNjcmV0OndpdGg6Y29sb25z" ? 200 : 401;
    return r;
  });
  Client client(ioc_.get_executor());
  Response with_auth;
  Response without_auth;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request = get(server.url());
    request.user = "agent";
    request.password = "s3cret:with:colons";
    with_auth = co_await client.send(request);
    without_auth = co_await client.send(get(server.url()));
  }());
  EXPECT_EQ(with_auth.status, 200) << with_auth.error_text;
  EXPECT_EQ(without_auth.status, 401) << without_auth.error_text;
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].header("authorization"), "");
}

TEST_F(ClientTest, gzip_response_is_decoded_only_when_accept_gzip) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest& request) {
    FakeResponse r;
    if (request.header("accept-encoding").find("gzip") != std::string::npos) {
      r.headers = {{"Content-Encoding", "gzip"}};
      r.body.assign(reinterpret_cast<const char*>(kGzipped), sizeof kGzipped);
    } else {
      r.body = "identity";
    }
    return r;
  });
  Client client(ioc_.get_executor());
  Response gzipped;
  Response plain;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request = get(server.url());
    request.accept_gzip = true;
    gzipped = co_await client.send(request);
    plain = co_await client.send(get(server.url()));
  }());
  EXPECT_FALSE(gzipped.transport_failed()) << gzipped.error_text;
  EXPECT_EQ(gzipped.body, repeat("hello gzip ", 100));
  EXPECT_EQ(gzipped.header("content-encoding"), "gzip");
  EXPECT_EQ(plain.body, "identity");
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0].header("accept-encoding"), "gzip");
  EXPECT_EQ(server.requests()[1].header("accept-encoding"), "");
}

TEST_F(ClientTest, cancellation_slot_aborts_in_flight_request_and_closes_connection) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.delay = 5s;
    return r;
  });
  Client client(ioc_.get_executor());
  std::optional<Response> response;
  bool answered_promptly = false;
  bool server_saw_close = false;
  run(ioc_, [&]() -> asio::awaitable<void> {
    asio::cancellation_signal signal;
    asio::co_spawn(co_await asio::this_coro::executor, client.send(get(server.url())),
                   asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, Response r) {
                     if (!e) response = std::move(r);
                   }));
    co_await eventually([&] { return server.requests().size() == 1; });
    co_await sleep_for(100ms);
    signal.emit(asio::cancellation_type::terminal);
    answered_promptly = co_await eventually([&] { return response.has_value(); }, 2s);
    server_saw_close = co_await eventually([&] { return server.open_connections() == 0; }, 2s);
  }());
  ASSERT_TRUE(answered_promptly);
  EXPECT_EQ(response->error, TransportError::cancelled);
  EXPECT_EQ(response->status, 0);
  EXPECT_TRUE(server_saw_close);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(ClientTest, partial_and_total_cancellation_abort_the_request_too) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.delay = 5s;
    return r;
  });
  Client client(ioc_.get_executor());
  std::vector<Response> responses;
  run(ioc_, [&]() -> asio::awaitable<void> {
    std::size_t sent = 0;
    for (const auto type : {asio::cancellation_type::partial, asio::cancellation_type::total}) {
      ++sent;
      std::optional<Response> response;
      asio::cancellation_signal signal;
      asio::co_spawn(co_await asio::this_coro::executor, client.send(get(server.url())),
                     asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, Response r) {
                       if (!e) response = std::move(r);
                     }));
      co_await eventually([&] { return server.requests().size() == sent; });
      signal.emit(type);
      co_await eventually([&] { return response.has_value(); }, 2s);
      if (response) responses.push_back(std::move(*response));
    }
  }());
  ASSERT_EQ(responses.size(), 2u);
  for (const Response& r : responses) EXPECT_EQ(r.error, TransportError::cancelled) << r.error_text;
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(ClientTest, losing_an_awaitable_operator_race_cancels_the_request) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.delay = 5s;
    return r;
  });
  Client client(ioc_.get_executor());
  std::size_t winner = 99;
  bool server_saw_close = false;
  std::size_t in_flight_after = 99;
  run(ioc_, [&]() -> asio::awaitable<void> {
    auto result = co_await (client.send(get(server.url())) || sleep_for(200ms));
    winner = result.index();
    in_flight_after = client.in_flight();
    server_saw_close = co_await eventually([&] { return server.open_connections() == 0; }, 2s);
  }());
  EXPECT_EQ(winner, 1u);
  EXPECT_EQ(in_flight_after, 0u);
  EXPECT_TRUE(server_saw_close);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(ClientTest, destroying_client_completes_in_flight_requests_as_cancelled) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.delay = 5s;
    return r;
  });
  auto client = std::make_unique<Client>(ioc_.get_executor());
  std::vector<Response> responses;
  bool all_answered = false;
  bool server_saw_close = false;
  run(ioc_, [&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    for (int i = 0; i < 3; ++i) {
      asio::co_spawn(executor, client->send(get(server.url())), [&](std::exception_ptr e, Response r) {
        if (!e) responses.push_back(std::move(r));
      });
    }
    co_await eventually([&] { return server.requests().size() == 3; });
    client.reset();
    all_answered = co_await eventually([&] { return responses.size() == 3; }, 2s);
    server_saw_close = co_await eventually([&] { return server.open_connections() == 0; }, 2s);
  }());
  ASSERT_TRUE(all_answered);
  for (const Response& r : responses) EXPECT_EQ(r.error, TransportError::cancelled);
  EXPECT_TRUE(server_saw_close);
}

TEST_F(ClientTest, http_proxy_from_environment_receives_the_request) {
  // The fake server plays the proxy: the client sends it the absolute URL and never resolves the target host itself.
  FakeHttpServer proxy(ioc_.get_executor(), [](const FakeRequest&) { return ok("via proxy"); });
  const ScopedEnv env({{"http_proxy", proxy.url("")}});
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> {
    response = co_await client.send(get("http://collector.invalid:8080/eventListener/v7"));
  }());
  EXPECT_EQ(response.status, 200) << response.error_text;
  EXPECT_EQ(response.body, "via proxy");
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(proxy.requests()[0].target, "http://collector.invalid:8080/eventListener/v7");
}

TEST_F(ClientTest, no_proxy_from_environment_bypasses_the_proxy) {
  FakeHttpServer proxy(ioc_.get_executor(), [](const FakeRequest&) { return ok("via proxy"); });
  FakeHttpServer direct(ioc_.get_executor(), [](const FakeRequest&) { return ok("direct"); });
  const ScopedEnv env({{"http_proxy", proxy.url("")}, {"no_proxy", "127.0.0.1"}});
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> { response = co_await client.send(get(direct.url())); }());
  EXPECT_EQ(response.body, "direct") << response.error_text;
  EXPECT_TRUE(proxy.requests().empty());
}

TEST_F(ClientTest, explicit_proxy_option_is_used) {
  FakeHttpServer proxy(ioc_.get_executor(), [](const FakeRequest&) { return ok("via proxy"); });
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request = get("http://prometheus.invalid:9090/api/v1/query");
    request.proxy = proxy.url("");
    response = co_await client.send(request);
  }());
  EXPECT_EQ(response.body, "via proxy") << response.error_text;
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(proxy.requests()[0].target, "http://prometheus.invalid:9090/api/v1/query");
}

TEST_F(ClientTest, send_started_after_client_is_destroyed_returns_cancelled) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) { return ok(); });
  auto client = std::make_unique<Client>(ioc_.get_executor());
  asio::awaitable<Response> pending = client->send(get(server.url()));
  client.reset();
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> { response = co_await std::move(pending); }());
  EXPECT_EQ(response.error, TransportError::cancelled);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ClientTest, pooled_connection_the_server_closed_while_idle_is_replaced) {
  bool first_closed = false;
  ScriptedServer server(ioc_, [&](asio::ip::tcp::socket& socket, std::size_t n) -> asio::awaitable<void> {
    boost::beast::flat_buffer buffer;
    while (co_await read_request(socket, buffer)) {
      co_await write_text(socket, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nconn-" + std::to_string(n));
      if (n == 1) {
        // Like a server whose keep-alive timeout expires: close the kept-alive connection while it is idle.
        socket.close();
        first_closed = true;
        co_return;
      }
    }
  });
  Client client(ioc_.get_executor());
  Response first, second;
  run(ioc_, [&]() -> asio::awaitable<void> {
    first = co_await client.send(get("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
    co_await eventually([&] { return first_closed; });
    co_await sleep_for(20ms);  // let the FIN arrive
    second = co_await client.send(get("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
  }());
  EXPECT_EQ(first.body, "conn-1") << first.error_text;
  EXPECT_EQ(second.status, 200) << second.error_text;
  EXPECT_EQ(second.body, "conn-2");
  EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(ClientTest, reused_connection_failing_before_any_response_byte_is_retried_once_on_a_new_connection) {
  // The server takes the second request on the first connection and then drops it without answering (a
  // keep-alive timeout racing our request): the client must resend it on a new connection.
  int requests_on_first = 0;
  FakeHttpServer server(ioc_.get_executor(), [&](const FakeRequest& request) {
    FakeResponse r = ok("answer-" + std::to_string(request.connection));
    if (request.connection == 1 && ++requests_on_first == 2) r.close_without_answer = true;
    return r;
  });
  Client client(ioc_.get_executor());
  Response first, second;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request = get(server.url("/post"));
    request.method = "POST";
    request.body = "payload";
    first = co_await client.send(request);
    second = co_await client.send(request);
  }());
  EXPECT_EQ(first.body, "answer-1") << first.error_text;
  EXPECT_FALSE(second.transport_failed()) << second.error_text;
  EXPECT_EQ(second.body, "answer-2");
  EXPECT_EQ(server.connections_accepted(), 2u);
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[2].body, "payload");
}

TEST_F(ClientTest, fresh_connection_failing_is_not_retried) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.close_without_answer = true;
    return r;
  });
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> { response = co_await client.send(get(server.url())); }());
  EXPECT_EQ(response.error, TransportError::send_recv) << response.error_text;
  EXPECT_EQ(server.requests().size(), 1u);  // a request that reached the server may have been processed
}

TEST_F(ClientTest, chunked_response_body_is_reassembled_and_the_connection_reused) {
  ScriptedServer server(ioc_, [](asio::ip::tcp::socket& socket, std::size_t) -> asio::awaitable<void> {
    boost::beast::flat_buffer buffer;
    while (co_await read_request(socket, buffer)) {
      co_await write_text(socket,
                          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                          "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    }
  });
  const auto responses = send_twice(ioc_, get("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
  ASSERT_EQ(responses.size(), 2u);
  for (const Response& r : responses) {
    EXPECT_FALSE(r.transport_failed()) << r.error_text;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello world");
    EXPECT_EQ(r.header("content-type"), "text/plain");
  }
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(ClientTest, http_1_0_body_delimited_by_close_is_read_to_the_end) {
  const std::string body = repeat("0123456789abcdef", 8192);  // 128 KiB, several reads
  ScriptedServer server(ioc_, [&](asio::ip::tcp::socket& socket, std::size_t) -> asio::awaitable<void> {
    boost::beast::flat_buffer buffer;
    if (!co_await read_request(socket, buffer)) co_return;
    co_await write_text(socket, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body);
    socket.close();
  });
  const auto responses = send_twice(ioc_, get("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
  ASSERT_EQ(responses.size(), 2u);
  for (const Response& r : responses) {
    EXPECT_FALSE(r.transport_failed()) << r.error_text;
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body == body) << "body of " << r.body.size() << " bytes, expected " << body.size();
  }
  EXPECT_EQ(server.connections_accepted(), 2u);  // such a connection cannot be reused
}

TEST_F(ClientTest, truncated_body_keeps_the_status_and_is_a_send_recv_error) {
  ScriptedServer server(ioc_, [](asio::ip::tcp::socket& socket, std::size_t) -> asio::awaitable<void> {
    boost::beast::flat_buffer buffer;
    if (!co_await read_request(socket, buffer)) co_return;
    co_await write_text(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..");
    socket.close();
  });
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> {
    response = co_await client.send(get("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
  }());
  EXPECT_EQ(response.error, TransportError::send_recv) << response.error_text;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");
}

TEST_F(ClientTest, response_body_announced_over_256_mib_fails_before_anything_is_buffered) {
  ScriptedServer server(ioc_, [](asio::ip::tcp::socket& socket, std::size_t) -> asio::awaitable<void> {
    boost::beast::flat_buffer buffer;
    if (!co_await read_request(socket, buffer)) co_return;
    co_await write_text(socket, "HTTP/1.1 200 OK\r\nContent-Length: 300000000\r\n\r\nxxxxxxxx");
    // Keep the connection open: the client must give up on its own, not wait for more.
    co_await sleep_for(3s);
  });
  Client client(ioc_.get_executor());
  Response r;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request = get("http://127.0.0.1:" + std::to_string(server.port()) + "/");
    request.timeout = 2s;
    r = co_await client.send(request);
  }());
  EXPECT_EQ(r.error, TransportError::other) << r.error_text;
  EXPECT_NE(r.error_text.find("256 MiB"), std::string::npos) << r.error_text;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(ClientTest, interim_100_continue_is_skipped) {
  ScriptedServer server(ioc_, [](asio::ip::tcp::socket& socket, std::size_t) -> asio::awaitable<void> {
    boost::beast::flat_buffer buffer;
    if (!co_await read_request(socket, buffer)) co_return;
    co_await write_text(socket, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok");
  });
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request = get("http://127.0.0.1:" + std::to_string(server.port()) + "/");
    request.method = "POST";
    request.body = "{}";
    response = co_await client.send(request);
  }());
  EXPECT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.body, "ok");
}

TEST_F(ClientTest, ipv6_loopback_literal_url_works) {
  std::optional<ScriptedServer> server;
  std::string host_header;
  try {
    server.emplace(ioc_, [&](asio::ip::tcp::socket& socket, std::size_t) -> asio::awaitable<void> {
      boost::beast::flat_buffer buffer;
      auto request = co_await read_request(socket, buffer);
      if (!request) co_return;
      host_header = std::string((*request)[boost::beast::http::field::host]);
      co_await write_text(socket, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nv6ok");
    }, asio::ip::address_v6::loopback());
  } catch (const boost::system::system_error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  Client client(ioc_.get_executor());
  Response response;
  const std::string authority = "[::1]:" + std::to_string(server->port());
  run(ioc_, [&]() -> asio::awaitable<void> { response = co_await client.send(get("http://" + authority + "/v6")); }());
  EXPECT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.body, "v6ok");
  EXPECT_EQ(host_header, authority);
}

TEST_F(ClientTest, refused_connection_names_the_address_in_the_error_text) {
  Client client(ioc_.get_executor());
  Response response;
  const auto port = closed_port(ioc_);
  run(ioc_, [&]() -> asio::awaitable<void> {
    response = co_await client.send(get("http://127.0.0.1:" + std::to_string(port) + "/"));
  }());
  EXPECT_EQ(response.error, TransportError::connect);
  EXPECT_NE(response.error_text.find("127.0.0.1 port " + std::to_string(port)), std::string::npos)
      << response.error_text;
}

TEST(ClientLifetimeTest, stopping_the_loop_with_a_request_in_flight_frees_everything) {
  std::weak_ptr<int> frame_alive;
  bool completed = false;
  {
    asio::io_context ioc{1};
    FakeHttpServer server(ioc.get_executor(), [](const FakeRequest&) {
      FakeResponse r;
      r.never_answer = true;
      return r;
    });
    Client client(ioc.get_executor());
    auto token = std::make_shared<int>(0);
    frame_alive = token;
    asio::co_spawn(
        ioc,
        [&client, &server, token = std::move(token)]() -> asio::awaitable<void> {
          co_await client.send(get(server.url()));
        },
        [&](std::exception_ptr) { completed = true; });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (server.requests().empty() && std::chrono::steady_clock::now() < deadline) ioc.run_for(10ms);
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(client.in_flight(), 1u);
    ioc.stop();
    // Client, server, then io_context go out of scope with the request still in flight; ASan checks for leaks.
  }
  EXPECT_FALSE(completed);
  EXPECT_TRUE(frame_alive.expired()) << "the suspended send() coroutine frame was not destroyed";
}

// --- HTTPS ------------------------------------------------------------------------------------------------------

class ClientTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    server_cert_ = (dir_->path() / "server.pem").string();
    server_key_ = (dir_->path() / "server.key").string();
    client_cert_ = (dir_->path() / "client.pem").string();
    client_key_ = (dir_->path() / "client.key").string();
    certs_ok_ = test::make_self_signed_cert(server_cert_, server_key_) &&
                test::make_self_signed_cert(client_cert_, client_key_);
  }
  static void TearDownTestSuite() { dir_.reset(); }

  void SetUp() override { ASSERT_TRUE(certs_ok_) << "openssl could not create test certificates"; }

  // One HTTPS request to `server` with `tls`.
  Response fetch(FakeHttpServer& server, TlsOptions tls) {
    Client client(ioc_.get_executor());
    Response response;
    run(ioc_, [&]() -> asio::awaitable<void> {
      Request request = get(server.url("/secure"));
      request.tls = tls;
      response = co_await client.send(request);
    }());
    return response;
  }

  static FakeResponse secure_ok(const FakeRequest&) { return ok("secret"); }

  static test::FakeTlsOptions server_tls() {
    test::FakeTlsOptions tls;
    tls.cert_file = server_cert_;
    tls.key_file = server_key_;
    return tls;
  }
  static test::FakeTlsOptions mutual_tls() {
    test::FakeTlsOptions tls = server_tls();
    tls.client_ca_file = client_cert_;
    return tls;
  }
  static TlsOptions trusting() {
    TlsOptions tls;
    tls.ca_file = server_cert_;
    return tls;
  }
  static TlsOptions insecure() {
    TlsOptions tls;
    tls.insecure_skip_verify = true;
    return tls;
  }
  static TlsOptions with_client_cert() {
    TlsOptions tls = trusting();
    tls.client_cert = client_cert_;
    tls.client_key = client_key_;
    return tls;
  }

  asio::io_context ioc_{1};
  static inline std::unique_ptr<test::TempDir> dir_;
  static inline std::string server_cert_, server_key_, client_cert_, client_key_;
  static inline bool certs_ok_ = false;
};

TEST_F(ClientTlsTest, https_succeeds_with_server_cert_as_ca_file) {
  FakeHttpServer server(ioc_.get_executor(), secure_ok, server_tls());
  const Response response = fetch(server, trusting());
  EXPECT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "secret");
}

TEST_F(ClientTlsTest, https_with_untrusted_self_signed_cert_is_a_tls_error) {
  FakeHttpServer server(ioc_.get_executor(), secure_ok, server_tls());
  const Response response = fetch(server, {});  // system store does not know our cert
  EXPECT_EQ(response.error, TransportError::tls) << response.error_text;
  // Says what went wrong in OpenSSL's words, for the operator reading the log.
  EXPECT_NE(response.error_text.find("self-signed certificate"), std::string::npos) << response.error_text;
  EXPECT_EQ(response.status, 0);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ClientTlsTest, https_insecure_skip_verify_accepts_untrusted_cert) {
  FakeHttpServer server(ioc_.get_executor(), secure_ok, server_tls());
  const Response response = fetch(server, insecure());
  EXPECT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.body, "secret");
}

TEST_F(ClientTlsTest, server_requiring_client_cert_refuses_client_without_one) {
  FakeHttpServer server(ioc_.get_executor(), secure_ok,
                        mutual_tls());
  const Response response = fetch(server, trusting());
  // With TLS 1.3 the refusal is an alert read after the client's handshake; it still counts as a TLS error.
  EXPECT_EQ(response.error, TransportError::tls) << response.error_text;
  EXPECT_EQ(response.status, 0);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ClientTlsTest, server_requiring_client_cert_accepts_client_cert_and_key) {
  FakeHttpServer server(ioc_.get_executor(), secure_ok,
                        mutual_tls());
  const Response response =
      fetch(server, with_client_cert());
  EXPECT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "secret");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(ClientTlsTest, https_through_a_proxy_tunnels_with_connect_and_sends_proxy_credentials) {
  FakeHttpServer server(ioc_.get_executor(), secure_ok, server_tls());
  TunnelLog log;
  ScriptedServer proxy(ioc_, connect_proxy(ioc_, log));
  const ScopedEnv env({{"https_proxy", "http://agent:pa%40ss@127.0.0.1:" + std::to_string(proxy.port())}});
  const Response response = fetch(server, trusting());
  EXPECT_FALSE(response.transport_failed()) << response.error_text;
  EXPECT_EQ(response.body, "secret");
  ASSERT_EQ(log.targets.size(), 1u);
  EXPECT_EQ(log.targets[0], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(log.proxy_authorizations[0], "Basic YWdlbnQ6cGFAc3M=");  // agent:pa@ss
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/secure");  // origin-form inside the tunnel
  EXPECT_EQ(server.requests()[0].header("proxy-authorization"), "");  // never leaks to the origin
}

TEST_F(ClientTlsTest, proxy_refusing_connect_is_a_connect_error) {
  FakeHttpServer server(ioc_.get_executor(), secure_ok, server_tls());
  TunnelLog log;
  ScriptedServer proxy(ioc_, connect_proxy(ioc_, log, 407));
  Client client(ioc_.get_executor());
  Response response;
  run(ioc_, [&]() -> asio::awaitable<void> {
    Request request = get(server.url("/secure"));
    request.tls = trusting();
    request.proxy = "127.0.0.1:" + std::to_string(proxy.port());  // no scheme: http, as with curl
    response = co_await client.send(request);
  }());
  EXPECT_EQ(response.error, TransportError::connect) << response.error_text;
  EXPECT_NE(response.error_text.find("407"), std::string::npos) << response.error_text;
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(log.targets.size(), 1u);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ClientTlsTest, https_connection_is_reused_with_the_same_options_only) {
  FakeHttpServer server(ioc_.get_executor(), secure_ok, server_tls());
  Client client(ioc_.get_executor());
  std::vector<Response> responses;
  run(ioc_, [&]() -> asio::awaitable<void> {
    for (const TlsOptions& tls : {trusting(), trusting(), insecure()}) {
      Request request = get(server.url("/secure"));
      request.tls = tls;
      responses.push_back(co_await client.send(request));
    }
  }());
  for (const Response& r : responses) EXPECT_EQ(r.body, "secret") << r.error_text;
  EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(ClientTlsTest, unreadable_ca_file_is_a_tls_error_naming_the_file) {
  FakeHttpServer server(ioc_.get_executor(), secure_ok, server_tls());
  TlsOptions tls;
  tls.ca_file = (dir_->path() / "missing.pem").string();
  const Response response = fetch(server, tls);
  EXPECT_EQ(response.error, TransportError::tls);
  EXPECT_NE(response.error_text.find("missing.pem"), std::string::npos) << response.error_text;
}


// ---- Real proxies (squid, dante-server) on loopback, a test PKI, redirects, streamed bodies ----

class RealProxyTest : public ClientTest {
 protected:
  Response fetch(Request request) {
    Client client(ioc_.get_executor());
    Response response;
    run(ioc_, [&]() -> asio::awaitable<void> { response = co_await client.send(std::move(request)); }());
    return response;
  }
};

// Skips when the proxy's Debian package is not installed; a daemon that is there but does not start fails.
#define REQUIRE_RUNNING(daemon)                                            \
  if (!(daemon).installed()) GTEST_SKIP() << (daemon).problem();           \
  ASSERT_TRUE((daemon).running()) << (daemon).problem()

TEST_F(RealProxyTest, squid_carries_an_http_get_named_by_http_proxy) {
  test::ProxyDaemon squid(test::ProxyDaemon::Kind::squid);
  REQUIRE_RUNNING(squid);
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest& r) { return ok("metrics for " + r.target); });
  const ScopedEnv env({{"http_proxy", squid.url()}});
  const Response response = fetch(get(server.url("/api/v1/query?query=up")));
  EXPECT_EQ(response.status, 200) << response.error_text;
  EXPECT_EQ(response.body, "metrics for /api/v1/query?query=up");
  // squid forwarded it (its access log names the request) and added its Via header.
  EXPECT_TRUE(squid.log_shows("GET " + server.url("/api/v1/query"))) << squid.log();
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_NE(server.requests()[0].header("via").find("squid"), std::string::npos);
}

TEST_F(RealProxyTest, squid_tunnels_https_with_connect_for_a_collector_post) {
  test::TestPki pki;
  ASSERT_TRUE(pki.ok());
  test::ProxyDaemon squid(test::ProxyDaemon::Kind::squid);
  REQUIRE_RUNNING(squid);
  FakeHttpServer collector(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse r;
    r.status = 202;
    return r;
  }, test::FakeTlsOptions{pki.path("server.pem"), pki.path("server.key"), {}});
  Request request = get(collector.url("/eventListener/v7"));
  request.method = "POST";
  request.body = R"({"event":{}})";
  request.headers.emplace_back("Content-Type", "application/json");
  request.proxy = squid.url();
  request.tls.ca_file = pki.path("ca.pem");
  const Response response = fetch(request);
  EXPECT_EQ(response.status, 202) << response.error_text;
  EXPECT_TRUE(squid.log_shows("CONNECT 127.0.0.1:" + std::to_string(collector.port()))) << squid.log();
  ASSERT_EQ(collector.requests().size(), 1u);
  EXPECT_EQ(collector.requests()[0].body, R"({"event":{}})");
}

TEST_F(RealProxyTest, dante_carries_http_and_https_named_by_all_proxy_socks5_and_socks5h) {
  test::TestPki pki;
  ASSERT_TRUE(pki.ok());
  test::ProxyDaemon dante(test::ProxyDaemon::Kind::dante);
  REQUIRE_RUNNING(dante);
  FakeHttpServer plain(ioc_.get_executor(), [](const FakeRequest&) { return ok("plain"); });
  FakeHttpServer secure(ioc_.get_executor(), [](const FakeRequest&) { return ok("secure"); },
                        test::FakeTlsOptions{pki.path("server.pem"), pki.path("server.key"), {}});
  {
    const ScopedEnv env({{"ALL_PROXY", dante.url()}});
    EXPECT_EQ(fetch(get(plain.url())).body, "plain");
    Request request = get(secure.url());
    request.tls.ca_file = pki.path("ca.pem");
    const Response response = fetch(request);
    EXPECT_EQ(response.body, "secure") << response.error_text;
  }
  {
    // socks5h: the proxy resolves "localhost"; the certificate names it too.
    const ScopedEnv env({{"ALL_PROXY", dante.url(true)}});
    Request request = get("https://localhost:" + std::to_string(secure.port()) + "/");
    request.tls.ca_file = pki.path("ca.pem");
    const Response response = fetch(request);
    EXPECT_EQ(response.body, "secure") << response.error_text;
  }
  EXPECT_EQ(plain.requests().size(), 1u);
  EXPECT_EQ(secure.requests().size(), 2u);
  // Every connection went through dante: it logged them (one line per client connection it served).
  EXPECT_TRUE(dante.log_shows("pass")) << dante.log();
}

TEST_F(RealProxyTest, no_proxy_wins_over_the_proxy_from_the_environment_and_the_request) {
  test::ProxyDaemon dante(test::ProxyDaemon::Kind::dante);
  REQUIRE_RUNNING(dante);
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) { return ok("direct"); });
  const auto dead_proxy = "http://127.0.0.1:" + std::to_string(closed_port(ioc_));
  {
    // The environment's NO_PROXY exempts the host from the environment's proxy and from Request::proxy.
    const ScopedEnv env({{"ALL_PROXY", dead_proxy}, {"NO_PROXY", "127.0.0.1"}});
    EXPECT_EQ(fetch(get(server.url())).body, "direct");
    Request request = get(server.url());
    request.proxy = dead_proxy;
    EXPECT_EQ(fetch(request).body, "direct");
  }
  {
    // Request::no_proxy (a peer's noProxy key) replaces the environment's list.
    const ScopedEnv env({{"ALL_PROXY", dead_proxy}, {"NO_PROXY", "127.0.0.1"}});
    Request request = get(server.url());
    request.no_proxy = "prometheus.example.org";
    const Response via_dead = fetch(request);
    EXPECT_EQ(via_dead.error, TransportError::connect) << via_dead.error_text;
    request.proxy = dante.url();
    EXPECT_EQ(fetch(request).body, "direct");  // reached through dante this time
  }
  {
    const ScopedEnv env({{"ALL_PROXY", dante.url()}, {"NO_PROXY", "*.example.org,10.0.0.0/8"}});
    EXPECT_EQ(fetch(get(server.url())).body, "direct");  // not excluded: went through dante
  }
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST_F(RealProxyTest, squid_refusing_the_target_and_an_unreachable_socks_proxy_are_connect_errors) {
  test::ProxyDaemon squid(test::ProxyDaemon::Kind::squid);
  REQUIRE_RUNNING(squid);
  const auto port = closed_port(ioc_);
  Request via_squid = get("https://127.0.0.1:" + std::to_string(port) + "/");
  via_squid.proxy = squid.url();
  const Response refused = fetch(via_squid);
  EXPECT_EQ(refused.error, TransportError::connect) << refused.error_text;
  Request via_socks = get("http://127.0.0.1:" + std::to_string(port) + "/");
  via_socks.proxy = "socks5://127.0.0.1:" + std::to_string(closed_port(ioc_));
  const Response no_proxy = fetch(via_socks);
  EXPECT_EQ(no_proxy.error, TransportError::connect) << no_proxy.error_text;
}

class PkiTest : public RealProxyTest {
 protected:
  static void SetUpTestSuite() { pki_ = new test::TestPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(pki_->ok()); }
  static std::string path(const std::string& name) { return pki_->path(name); }

  Response fetch_from(const std::string& cert, TlsOptions tls, bool require_client_cert = false) {
    FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) { return ok("secure"); },
                          test::FakeTlsOptions{path(cert + ".pem"), path(cert + ".key"),
                                               require_client_cert ? path("ca.pem") : std::string()});
    Request request = get(server.url());
    request.tls = std::move(tls);
    return fetch(request);
  }

  static inline test::TestPki* pki_ = nullptr;
};

TEST_F(PkiTest, the_test_ca_is_trusted_as_a_file_as_pem_content_and_as_a_hashed_directory) {
  TlsOptions file;
  file.ca_file = path("ca.pem");
  EXPECT_EQ(fetch_from("server", file).body, "secure");
  TlsOptions content;
  content.ca_pem = test::read_text(path("ca.pem"));
  const Response with_pem = fetch_from("server", content);
  EXPECT_EQ(with_pem.body, "secure") << with_pem.error_text;
  TlsOptions directory;
  directory.ca_path = path("capath");
  // The system bundle stays in use besides the directory; only the directory holds the test CA.
  const Response with_path = fetch_from("server", directory);
  EXPECT_EQ(with_path.body, "secure") << with_path.error_text;
  EXPECT_EQ(fetch_from("server", {}).error, TransportError::tls);  // the system store does not know the test CA
}

TEST_F(PkiTest, a_certificate_revoked_by_the_crl_file_is_refused) {
  TlsOptions tls;
  tls.ca_file = path("ca.pem");
  tls.crl_file = path("crl.pem");
  const Response good = fetch_from("server", tls);
  EXPECT_EQ(good.body, "secure") << good.error_text;
  const Response revoked = fetch_from("revoked", tls);
  EXPECT_EQ(revoked.error, TransportError::tls);
  EXPECT_NE(revoked.error_text.find("revoked"), std::string::npos) << revoked.error_text;
  tls.crl_file.clear();
  EXPECT_EQ(fetch_from("revoked", tls).body, "secure");  // without the CRL it would be trusted
}

TEST_F(PkiTest, encrypted_and_pkcs12_client_keys_authenticate_with_their_password) {
  TlsOptions tls;
  tls.ca_file = path("ca.pem");
  EXPECT_EQ(fetch_from("server", tls, true).error, TransportError::tls);  // no client certificate
  tls.client_cert = path("client.pem");
  tls.client_key = path("client-encrypted.key");
  tls.client_key_password = test::TestPki::kPassword;
  const Response encrypted = fetch_from("server", tls, true);
  EXPECT_EQ(encrypted.body, "secure") << encrypted.error_text;
  tls.client_key_password = "wrong";
  EXPECT_EQ(fetch_from("server", tls, true).error, TransportError::tls);

  TlsOptions p12;
  p12.ca_file = path("ca.pem");
  p12.client_cert = path("client.p12");  // the name says PKCS#12
  p12.client_key_password = test::TestPki::kPassword;
  const Response bundle = fetch_from("server", p12, true);
  EXPECT_EQ(bundle.body, "secure") << bundle.error_text;
}

TEST_F(RealProxyTest, post_follows_307_and_308_with_method_and_body_but_returns_other_redirects) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest& r) {
    FakeResponse response;
    if (r.target == "/temporary" || r.target == "/permanent" || r.target == "/moved") {
      response.status = r.target == "/temporary" ? 307 : r.target == "/permanent" ? 308 : 301;
      response.headers.emplace_back("Location", "/eventListener/v7");
      return response;
    }
    response.status = 202;
    response.body = r.method + " " + r.body;
    return response;
  });
  for (const std::string target : {"/temporary", "/permanent", "/moved"}) {
    Request request = get(server.url(target));
    request.method = "POST";
    request.body = "{\"event\":1}";
    const Response response = fetch(request);
    ASSERT_FALSE(response.transport_failed()) << target << ": " << response.error_text;
    if (target == "/moved") {
      EXPECT_EQ(response.status, 301);  // for the caller to judge; not turned into a GET
      EXPECT_EQ(response.header("location"), "/eventListener/v7");
    } else {
      EXPECT_EQ(response.status, 202) << target;
      EXPECT_EQ(response.body, "POST {\"event\":1}") << target;
    }
  }
  // GETs follow any redirect.
  const Response moved = fetch(get(server.url("/moved")));
  EXPECT_EQ(moved.status, 202);
  EXPECT_EQ(moved.body, "GET ");
}

TEST_F(RealProxyTest, redirect_loops_stop_after_five_hops) {
  FakeHttpServer server(ioc_.get_executor(), [](const FakeRequest&) {
    FakeResponse response;
    response.status = 302;
    response.headers.emplace_back("Location", "/again");
    return response;
  });
  const Response response = fetch(get(server.url("/")));
  EXPECT_EQ(response.error, TransportError::other) << response.error_text;
  EXPECT_EQ(server.requests().size(), 6u);
}

TEST_F(RealProxyTest, a_body_reader_gets_the_answer_in_pieces_instead_of_response_body) {
  const std::string big(3 * 1024 * 1024, 'x');
  FakeHttpServer server(ioc_.get_executor(), [&](const FakeRequest&) { return ok(big); });
  std::string streamed;
  std::size_t pieces = 0;
  Request request = get(server.url());
  request.on_body = [&](std::string_view piece) {
    streamed.append(piece);
    ++pieces;
    return true;
  };
  const Response response = fetch(request);
  EXPECT_EQ(response.status, 200) << response.error_text;
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(streamed, big);
  EXPECT_GT(pieces, 1u);

  request.on_body = [](std::string_view) { return false; };
  const Response refused = fetch(request);
  EXPECT_EQ(refused.error, TransportError::other);
  EXPECT_NE(refused.error_text.find("refused by its reader"), std::string::npos) << refused.error_text;
}

}  // namespace
}  // namespace vesagent::http
