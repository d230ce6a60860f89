#include "vesagent/http/server.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/consign.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <charconv>
#include <exception>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "text.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace vesagent::http {
namespace {

using detail::to_lower;

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using namespace boost::asio::experimental::awaitable_operators;

constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);
/// How long an error reply may wait for the client to stop sending before the socket is closed anyway.
constexpr std::chrono::milliseconds kLingerLimit{2000};
/// Bytes read and discarded after an error reply (so the reply is not destroyed by a TCP reset).
constexpr std::size_t kLingerBytes = 1024 * 1024;
/// Pause after a failed accept (e.g. EMFILE) so a persistent failure does not spin the loop.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

std::shared_ptr<spdlog::logger> logger() { return telemetry::logger("http"); }

/// logfmt-quotes a value that comes from the network or the OS.
std::string q(std::string_view value) { return telemetry::logfmt_value(value); }

std::string endpoint_text(const tcp::endpoint& ep) {
  auto address = ep.address();
  std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(ep.port());
}

bool is_http_parse_error(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

/// What stop() needs of a connection, whatever its stream type.
struct SessionBase {
  virtual ~SessionBase() = default;
  /// Closes the TCP socket under any TLS layer, so every pending operation completes.
  virtual void close() = 0;
  net::cancellation_signal cancel;
};

/// One accepted connection over a plain or a TLS stream. Owned by its coroutine frame (and, until that
/// completes, by the completion handler via consign); the server only keeps a weak reference so stop() can
/// reach it.
template <class Stream>
struct Session final : SessionBase {
  template <class... Args>
  explicit Session(Args&&... args) : stream(std::forward<Args>(args)...) {}
  void close() override { beast::get_lowest_layer(stream).close(); }
  Stream stream;
};

}  // namespace

std::string media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return detail::to_lower(type);
}

std::string ServerRequest::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

Result<ListenAddress> parse_listen_address(std::string_view host_port) {
  const auto invalid = make_error_code(errc::invalid_config);
  ListenAddress out;
  std::string_view port_text;
  if (!host_port.empty() && host_port.front() == '[') {
    auto close = host_port.find(']');
    if (close == std::string_view::npos || close + 1 >= host_port.size() || host_port[close + 1] != ':') {
      return invalid;
    }
    out.host = std::string(host_port.substr(1, close - 1));
    if (out.host.empty()) return invalid;
    port_text = host_port.substr(close + 2);
  } else {
    auto colon = host_port.rfind(':');
    if (colon == std::string_view::npos) return invalid;
    out.host = std::string(host_port.substr(0, colon));
    // A bare IPv6 address ("::1:8080") is ambiguous: the port must be separated by brackets.
    if (out.host.find(':') != std::string::npos) return invalid;
    port_text = host_port.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5) return invalid;
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) return invalid;
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

namespace {

/// Everything the listener and the sessions share. Server::Impl is this under the name the header declares.
struct State {
  State(net::any_io_executor ex, ServerOptions opts, Handler h)
      : executor(std::move(ex)), options(std::move(opts)), handler(std::move(h)), acceptor(executor) {}

  net::any_io_executor executor;
  ServerOptions options;
  Handler handler;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  bool stopped = false;
  std::uint64_t next_session_id = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<SessionBase>> sessions;
  /// Set by listen() when TLS is configured; every session's ssl_stream refers to it.
  std::optional<net::ssl::context> tls;
};

using ImplPtr = std::shared_ptr<State>;

/// Answers a request the server could not hand to the handler (413, 400).
bhttp::response<bhttp::string_body> error_reply(const State& impl, bhttp::status status, std::string body) {
  bhttp::response<bhttp::string_body> res{status, 11};
  res.set(bhttp::field::server, impl.options.server_name);
  res.set(bhttp::field::content_type, "text/plain");
  res.keep_alive(false);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

/// Closes a connection after an error reply. The client may still be sending (e.g. the rest of a body that is
/// over the limit): closing with unread data makes the kernel send a reset, which can destroy the reply before
/// the client reads it. So shut down our side, read and discard for a bounded time, then close.
net::awaitable<void> close_lingering(beast::tcp_stream& stream) {
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (!ec) {
    std::array<char, 4096> sink{};
    std::size_t discarded = 0;
    stream.expires_after(kLingerLimit);
    while (discarded < kLingerBytes) {
      auto [read_ec, n] = co_await stream.async_read_some(net::buffer(sink), kNoThrow);
      if (read_ec) break;
      discarded += n;
    }
  }
  stream.close();
}

ServerRequest to_server_request(bhttp::request<bhttp::string_body>&& req, const std::string& remote) {
  ServerRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    out.headers.emplace_back(to_lower(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.remote = remote;
  return out;
}

/// Appends a header value with CR and LF replaced by spaces: a handler's text must not split the response.
void append_header_value(std::string& out, std::string_view value) {
  for (char c : value) out += (c == '\r' || c == '\n') ? ' ' : c;
}

/// The whole response, status line to body, in one string. The answer to every request goes through here, so
/// it is written by hand instead of through Beast's serializer: that one walks a buffer sequence of every field
/// (about 20,000 instructions for a 110-byte answer, the largest single cost of a one-alert webhook request).
/// It follows Beast's rules: "Connection: close" when an HTTP/1.1 connection ends, "Connection: keep-alive" when
/// an HTTP/1.0 one stays, no Content-Length or body for 1xx, 204 and 304, and a HEAD answer carries the body's
/// length without the body.
std::string serialize_response(const State& impl, const ServerResponse& r, unsigned version, bool keep_alive,
                               bool head) {
  // Beast serializes any three-digit code; an out-of-range one would produce an invalid status line.
  const unsigned status = r.status >= 100 && r.status <= 999 ? static_cast<unsigned>(r.status) : 500U;
  const bool bodyless = status / 100 == 1 || status == 204 || status == 304;
  std::string out;
  out.reserve(128 + r.body.size());
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  out.append(reason.data(), reason.size());
  out += "\r\nServer: ";
  append_header_value(out, impl.options.server_name);
  if (!r.content_type.empty()) {
    out += "\r\nContent-Type: ";
    append_header_value(out, r.content_type);
  }
  for (const auto& [name, value] : r.headers) {
    out += "\r\n";
    append_header_value(out, name);
    out += ": ";
    append_header_value(out, value);
  }
  if (version == 10 && keep_alive) out += "\r\nConnection: keep-alive";
  if (version != 10 && !keep_alive) out += "\r\nConnection: close";
  if (!bodyless) {
    out += "\r\nContent-Length: ";
    out += std::to_string(r.body.size());
  }
  out += "\r\n\r\n";
  if (!bodyless && !head) out += r.body;
  return out;
}

/// What the handler produced: a response, or the text of the exception it threw.
struct HandlerOutcome {
  std::optional<ServerResponse> response;
  std::string error;
};

/// Never throws: awaitable_operators' || waits for the first branch that *succeeds*, so a throwing handler
/// would otherwise wait for the peer-close watch.
net::awaitable<HandlerOutcome> run_handler(const Handler& handler, ServerRequest request) {
  HandlerOutcome out;
  try {
    out.response = co_await handler(std::move(request));
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  co_return out;
}

/// Completes when the peer closes (EOF or reset) while a handler runs. Bytes a client pipelines meanwhile are
/// left in the socket for the next request; the watch then just waits to be cancelled. A client that only
/// half-closes after its request also counts as gone (nginx does the same); libcurl and the usual HTTP
/// libraries never half-close.
net::awaitable<void> watch_peer_close(tcp::socket& socket) {
  for (;;) {
    auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, kNoThrow);
    if (ec) co_return;
    std::array<char, 1> probe{};
    error_code peek_ec;
    const auto n = socket.receive(net::buffer(probe), tcp::socket::message_peek, peek_ec);
    if (peek_ec == net::error::would_block) continue;
    if (peek_ec || n == 0) co_return;
    net::steady_timer until_cancelled{socket.get_executor(), std::chrono::steady_clock::time_point::max()};
    co_await until_cancelled.async_wait(kNoThrow);
    co_return;
  }
}

template <class Stream>
net::awaitable<void> serve(ImplPtr impl, std::shared_ptr<Session<Stream>> session) {
  auto& stream = session->stream;
  // Timeouts, socket options and closing act on the TCP layer, under TLS if any.
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
  const auto& options = impl->options;
  error_code ep_ec;
  const std::string remote = endpoint_text(tcp_layer.socket().remote_endpoint(ep_ec));
  beast::flat_buffer buffer;

  if constexpr (std::is_same_v<Stream, TlsStream>) {
    // The handshake counts as reading the request: a client that connects and stays silent is dropped.
    tcp_layer.expires_after(options.read_timeout);
    auto [hs_ec] = co_await stream.async_handshake(net::ssl::stream_base::server, kNoThrow);
    if (hs_ec) {
      if (!impl->stopped) {
        // Plain HTTP to this port, an untrusted or missing client certificate, or a scanner.
        logger()->info("msg=\"TLS handshake failed.\" remote={} reason={}", remote, q(hs_ec.message()));
      }
      tcp_layer.close();
      co_return;
    }
  }
  bool first = true;

  while (!impl->stopped) {
    // Between keep-alive requests the idle timeout applies; once bytes arrive the read timeout does.
    if (!first && buffer.size() == 0) {
      tcp_layer.expires_after(options.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
      if (ec) {
        logger()->debug("msg=\"Connection closed while idle.\" remote={} reason={}", remote, q(ec.message()));
        break;
      }
      buffer.commit(n);
    }
    first = false;

    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(options.body_limit);
    tcp_layer.expires_after(options.read_timeout);
    auto [hdr_ec, hdr_n] = co_await bhttp::async_read_header(stream, buffer, parser, kNoThrow);
    error_code ec = hdr_ec;
    if (!ec && parser.get()[bhttp::field::expect] == "100-continue" && !parser.is_done()) {
      // curl sends "Expect: 100-continue" for larger bodies and waits a second for this before sending them.
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
      auto [w_ec, w_n] = co_await bhttp::async_write(stream, cont, kNoThrow);
      ec = w_ec;
    }
    if (!ec) {
      auto [body_ec, body_n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
      ec = body_ec;
    }
    if (ec) {
      if (impl->stopped) break;
      if (ec == bhttp::error::body_limit) {
        logger()->info("msg=\"Rejected a request over the body limit.\" remote={} limit={}", remote,
                       options.body_limit);
        auto res = error_reply(*impl, bhttp::status::payload_too_large, "Request body too large\n");
        co_await bhttp::async_write(stream, res, kNoThrow);
        co_await close_lingering(tcp_layer);
      } else if (ec == bhttp::error::end_of_stream || ec == net::error::eof) {
        logger()->debug("msg=\"Connection closed by the client.\" remote={}", remote);
      } else if (ec == beast::error::timeout) {
        logger()->debug("msg=\"Request read timed out.\" remote={}", remote);
      } else if (is_http_parse_error(ec)) {
        logger()->info("msg=\"Rejected a malformed request.\" remote={} reason={}", remote, q(ec.message()));
        auto res = error_reply(*impl, bhttp::status::bad_request, "Bad request\n");
        co_await bhttp::async_write(stream, res, kNoThrow);
        co_await close_lingering(tcp_layer);
      } else {
        logger()->debug("msg=\"Request read failed.\" remote={} reason={}", remote, q(ec.message()));
      }
      break;
    }

    auto request = parser.release();
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    const std::string method(request.method_string());
    const std::string target(request.target());

    // The handler may take long (simulated delays); no read deadline may fire meanwhile. If the client gives up
    // and closes, the handler is cancelled so a never-answering handler does not pin the socket forever (unless
    // the server's handlers bound their waits themselves: cancel_on_client_close).
    tcp_layer.expires_never();
    std::variant<HandlerOutcome, std::monostate> outcome;
    if (options.cancel_on_client_close) {
      outcome = co_await (run_handler(impl->handler, to_server_request(std::move(request), remote)) ||
                          watch_peer_close(tcp_layer.socket()));
    } else {
      outcome.emplace<0>(co_await run_handler(impl->handler, to_server_request(std::move(request), remote)));
    }
    if (impl->stopped) break;
    if (outcome.index() == 1) {
      logger()->debug("msg=\"Client closed the connection before the answer.\" method={} target={} remote={}",
                      q(method), q(target), remote);
      break;
    }
    auto& handled = std::get<0>(outcome);
    ServerResponse response;
    if (handled.response) {
      response = std::move(*handled.response);
    } else {
      logger()->error("msg=\"Handler failed; answering 500.\" method={} target={} remote={} error={}", q(method),
                      q(target), remote, q(handled.error));
      response.status = 500;
      response.body = "Internal Server Error\n";
    }
    if (response.drop_connection) {
      logger()->debug("msg=\"Connection dropped by the handler.\" method={} target={} remote={}", q(method), q(target),
                      remote);
      break;
    }

    const std::string answer = serialize_response(*impl, response, version, keep_alive, method == "HEAD");
    tcp_layer.expires_after(options.read_timeout);
    auto [write_ec, write_n] = co_await net::async_write(stream, net::buffer(answer), kNoThrow);
    if (write_ec) {
      logger()->debug("msg=\"Response write failed.\" remote={} reason={}", remote, q(write_ec.message()));
      break;
    }
    if (!keep_alive) {
      error_code ignored;
      // Under TLS this skips close_notify: the response has a Content-Length, so the client knows it is whole.
      tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ignored);
      break;
    }
  }
  tcp_layer.close();
}

void start_session(const ImplPtr& impl, tcp::socket socket) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  // watch_peer_close() peeks synchronously after readiness; non-blocking mode guarantees that cannot block.
  socket.non_blocking(true, ec);
  std::shared_ptr<SessionBase> session;
  net::awaitable<void> task;
  if (impl->tls) {
    auto tls_session = std::make_shared<Session<TlsStream>>(std::move(socket), *impl->tls);
    task = serve(impl, tls_session);
    session = std::move(tls_session);
  } else {
    auto plain_session = std::make_shared<Session<PlainStream>>(std::move(socket));
    task = serve(impl, plain_session);
    session = std::move(plain_session);
  }
  const auto id = impl->next_session_id++;
  impl->sessions.emplace(id, session);
  auto done = [impl, id](std::exception_ptr e) {
    impl->sessions.erase(id);
    if (e) {
      // serve() catches everything it expects; this is a broken invariant, not bad input.
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        logger()->error("msg=\"Session ended with an exception.\" error={}", q(ex.what()));
      }
    }
  };
  auto slot = session->cancel.slot();
  // consign keeps the Session (and its cancellation_signal) alive until the completion handler has run.
  net::co_spawn(impl->executor, std::move(task),
                net::bind_cancellation_slot(slot, net::consign(std::move(done), session)));
}

net::awaitable<void> accept_loop(ImplPtr impl) {
  while (!impl->stopped) {
    auto [ec, socket] = co_await impl->acceptor.async_accept(kNoThrow);
    if (impl->stopped || !impl->acceptor.is_open()) break;
    if (ec) {
      logger()->warn("msg=\"Accept failed.\" port={} reason={}", impl->port, q(ec.message()));
      net::steady_timer pause{impl->executor, kAcceptRetryDelay};
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    start_session(impl, std::move(socket));
  }
}

/// Logs which TLS file failed and why; returns the error for listen().
error_code tls_failure(std::string_view what, const std::string& file, error_code ec) {
  logger()->error("msg=\"Cannot load the TLS {}.\" file={} reason={}", what, q(file), q(ec.message()));
  return ec;
}

/// The OpenSSL error queue's oldest entry as an error_code (invalid_config if the queue is empty).
error_code last_openssl_error() {
  const auto code = ::ERR_get_error();
  ::ERR_clear_error();
  if (code == 0) return make_error_code(errc::invalid_config);
  return {static_cast<int>(code), net::error::get_ssl_category()};
}

/// Builds the server's TLS context from the options; nothing when TLS is off.
error_code make_tls_context(const ServerOptions& options, std::optional<net::ssl::context>& out) {
  const bool has_cert = !options.tls_cert_file.empty();
  const bool has_key = !options.tls_key_file.empty();
  if (!has_cert && !has_key) {
    if (!options.tls_client_ca_file.empty() || options.tls_require_client_cert) {
      logger()->error("msg=\"TLS client certificate options need a server certificate and key.\"");
      return make_error_code(errc::invalid_config);
    }
    return {};
  }
  if (!has_cert || !has_key) {
    logger()->error("msg=\"TLS needs both a certificate file and a key file.\" cert={} key={}",
                    q(options.tls_cert_file), q(options.tls_key_file));
    return make_error_code(errc::invalid_config);
  }
  if (options.tls_require_client_cert && options.tls_client_ca_file.empty()) {
    logger()->error("msg=\"Requiring TLS client certificates needs a client CA file.\"");
    return make_error_code(errc::invalid_config);
  }

  net::ssl::context ctx{net::ssl::context::tls_server};
  ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                  net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                  net::ssl::context::single_dh_use);
  if (::SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1) {
    return tls_failure("protocol settings", options.tls_cert_file, last_openssl_error());
  }
  // An encrypted key would make OpenSSL prompt on the terminal and block the loop; fail instead.
  ctx.set_password_callback([](std::size_t, net::ssl::context::password_purpose) { return std::string(); });
  error_code ec;
  ctx.use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec) return tls_failure("certificate", options.tls_cert_file, ec);
  ctx.use_private_key_file(options.tls_key_file, net::ssl::context::pem, ec);
  if (ec) return tls_failure("private key", options.tls_key_file, ec);
  if (::SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    return tls_failure("private key (it does not match the certificate)", options.tls_key_file,
                       last_openssl_error());
  }
  if (!options.tls_client_ca_file.empty()) {
    ctx.load_verify_file(options.tls_client_ca_file, ec);
    if (ec) return tls_failure("client CA", options.tls_client_ca_file, ec);
    // Naming the accepted CAs in the certificate request lets a client with several certificates pick one.
    if (auto* names = ::SSL_load_client_CA_file(options.tls_client_ca_file.c_str())) {
      ::SSL_CTX_set_client_CA_list(ctx.native_handle(), names);
    }
    ::ERR_clear_error();
    auto mode = net::ssl::verify_peer;
    if (options.tls_require_client_cert) mode |= net::ssl::verify_fail_if_no_peer_cert;
    ctx.set_verify_mode(mode);
  }
  out.emplace(std::move(ctx));
  return {};
}

}  // namespace

struct Server::Impl : State {
  using State::State;
};

Server::Server(net::any_io_executor executor, ServerOptions options, Handler handler)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), std::move(handler))) {}

Server::~Server() { stop(); }

Result<std::uint16_t> Server::listen(std::string_view host_port) {
  if (impl_->stopped || impl_->acceptor.is_open()) return make_error_code(net::error::already_open);
  auto address = parse_listen_address(host_port);
  if (!address) return address.error();
  if (auto tls_ec = make_tls_context(impl_->options, impl_->tls)) return tls_ec;

  std::vector<tcp::endpoint> candidates;
  error_code ec;
  if (address->host.empty()) {
    // ":port": every interface. Dual-stack "::" covers IPv4 too where IPv6 exists; 0.0.0.0 otherwise.
    candidates.emplace_back(net::ip::address_v6::any(), address->port);
    candidates.emplace_back(net::ip::address_v4::any(), address->port);
  } else {
    tcp::resolver resolver{impl_->executor};
    auto results = resolver.resolve(address->host, std::to_string(address->port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec) return ec;
    for (const auto& entry : results) candidates.push_back(entry.endpoint());
    if (candidates.empty()) return make_error_code(net::error::host_not_found);
  }

  error_code last_ec;
  for (const auto& endpoint : candidates) {
    tcp::acceptor acceptor{impl_->executor};
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && address->host.empty() && endpoint.address().is_v6()) {
      acceptor.set_option(net::ip::v6_only(false), ec);
    }
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      last_ec = ec;
      continue;
    }
    impl_->port = acceptor.local_endpoint().port();
    impl_->acceptor = std::move(acceptor);
    logger()->debug("msg=\"Listening.\" address={} port={} tls={}", q(endpoint.address().to_string()), impl_->port,
                    impl_->tls ? "on" : "off");
    net::co_spawn(impl_->executor, accept_loop(impl_), [](std::exception_ptr e) {
      if (e) logger()->error("msg=\"Listener ended with an exception.\"");
    });
    return impl_->port;
  }
  return last_ec;
}

void Server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  error_code ec;
  impl_->acceptor.close(ec);
  // Collect first: cancellation handlers may run code that touches the registry.
  std::vector<std::shared_ptr<SessionBase>> open;
  for (auto& [id, weak] : impl_->sessions) {
    if (auto session = weak.lock()) open.push_back(std::move(session));
  }
  for (auto& session : open) {
    session->cancel.emit(net::cancellation_type::terminal);
    session->close();
  }
}

std::uint16_t Server::port() const { return impl_->port; }

std::size_t Server::open_connections() const { return impl_->sessions.size(); }

}  // namespace vesagent::http
