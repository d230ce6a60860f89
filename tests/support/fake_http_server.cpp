#include "support/fake_http_server.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <type_traits>
#include <unordered_set>

namespace vesagent::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using TlsStream = asio::ssl::stream<tcp::socket>;
using namespace asio::experimental::awaitable_operators;

constexpr std::size_t kBodyLimit = 64 * 1024 * 1024;

tcp::socket& lowest(tcp::socket& s) { return s; }
tcp::socket& lowest(TlsStream& s) { return s.next_layer(); }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A failing test server must fail the test loudly, not vanish.
void rethrow(const std::exception_ptr& e) {
  if (e) std::rethrow_exception(e);
}

}  // namespace

std::string FakeRequest::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

struct FakeHttpServer::State {
  State(asio::any_io_executor ex, Handler h)
      : executor(std::move(ex)),
        handler(std::move(h)),
        acceptor(executor, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        port(acceptor.local_endpoint().port()) {}

  asio::any_io_executor executor;
  Handler handler;
  tcp::acceptor acceptor;
  std::uint16_t port;  // kept after stop() closes the acceptor
  std::unique_ptr<asio::ssl::context> tls;
  std::size_t accepted = 0;
  std::unordered_set<tcp::socket*> open;  // sockets of live sessions, closed by stop()
  std::vector<FakeRequest> requests;

  static asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    for (;;) {
      auto [ec, socket] = co_await state->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (!state->acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
        continue;
      }
      const std::size_t number = ++state->accepted;
      if (state->tls) {
        asio::co_spawn(state->executor, serve(state, TlsStream(std::move(socket), *state->tls), number), rethrow);
      } else {
        asio::co_spawn(state->executor, serve(state, std::move(socket), number), rethrow);
      }
    }
  }

  template <class Stream>
  static asio::awaitable<void> serve(std::shared_ptr<State> state, Stream stream, std::size_t number) {
    tcp::socket& socket = lowest(stream);
    state->open.insert(&socket);
    // Also runs when the frame is destroyed with the io_context.
    struct Unregister {
      State& s;
      tcp::socket* p;
      ~Unregister() { s.open.erase(p); }
    } unregister{*state, &socket};

    if constexpr (std::is_same_v<Stream, TlsStream>) {
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
    }
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kBodyLimit);
      auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (read_ec) break;
      const auto& message = parser.get();
      FakeRequest request;
      request.method = std::string(message.method_string().data(), message.method_string().size());
      request.target = std::string(message.target().data(), message.target().size());
      for (const auto& field : message) {
        request.headers.emplace_back(lower(std::string_view(field.name_string().data(), field.name_string().size())),
                                     std::string(field.value().data(), field.value().size()));
      }
      request.body = message.body();
      request.connection = number;
      state->requests.push_back(request);

      const FakeResponse answer = state->handler(request);
      if (answer.close_without_answer) break;
      if (answer.never_answer || answer.delay.count() > 0) {
        asio::steady_timer timer(state->executor);
        timer.expires_after(answer.never_answer ? std::chrono::hours(24) : answer.delay);
        // Readable before we answer means the client hung up (or stop() closed the socket).
        auto winner = co_await (timer.async_wait(asio::as_tuple(asio::use_awaitable)) ||
                                socket.async_wait(tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable)));
        if (winner.index() == 1) break;
      }
      http::response<http::string_body> response;
      response.version(message.version());
      response.result(static_cast<unsigned>(answer.status));
      for (const auto& [name, value] : answer.headers) response.set(name, value);
      response.body() = answer.body;
      response.keep_alive(message.keep_alive());
      response.prepare_payload();
      auto [write_ec, write_n] = co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
      if (write_ec || !response.keep_alive()) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
};

FakeHttpServer::FakeHttpServer(boost::asio::any_io_executor executor, Handler handler, FakeTlsOptions tls)
    : state_(std::make_shared<State>(std::move(executor), std::move(handler))) {
  if (!tls.cert_file.empty()) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    context->use_certificate_chain_file(tls.cert_file);
    context->use_private_key_file(tls.key_file, asio::ssl::context::pem);
    if (!tls.client_ca_file.empty()) {
      context->load_verify_file(tls.client_ca_file);
      context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
    state_->tls = std::move(context);
  }
  asio::co_spawn(state_->executor, State::accept_loop(state_), rethrow);
}

FakeHttpServer::~FakeHttpServer() { stop(); }

void FakeHttpServer::stop() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  // Each session removes itself from `open` when it ends; closing only queues their completions.
  for (tcp::socket* socket : state_->open) socket->close(ignored);
}

std::uint16_t FakeHttpServer::port() const { return state_->port; }

std::string FakeHttpServer::url(std::string_view path) const {
  return std::string(state_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::size_t FakeHttpServer::connections_accepted() const { return state_->accepted; }

std::size_t FakeHttpServer::open_connections() const { return state_->open.size(); }

const std::vector<FakeRequest>& FakeHttpServer::requests() const { return state_->requests; }

bool make_self_signed_cert(const std::string& cert_file, const std::string& key_file) {
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
      " -keyout '" + key_file + "' -out '" + cert_file + "' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

}  // namespace vesagent::test
