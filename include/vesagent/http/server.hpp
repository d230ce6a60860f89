#pragma once
/// Inbound HTTP (Beast): a listener plus one coroutine per connection, handing each complete request to a
/// handler coroutine. Used by the collector simulator now, and by the Alertmanager webhook and /metrics later.
///
/// Threading: everything runs on the executor given to the constructor (the agent's single event loop).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "vesagent/core/error.hpp"
#include "vesagent/http/client.hpp"  // Headers

namespace vesagent::http {

/// One complete HTTP request handed to the Handler.
struct ServerRequest {
  std::string method;  ///< "POST"
  std::string target;  ///< path and query as received, e.g. "/eventListener/v7"
  Headers headers;     ///< names lower-cased
  std::string body;
  std::string remote;  ///< "127.0.0.1:54321"
  /// First value of the header with this (lower-case) name, or empty.
  std::string header(std::string_view lower_name) const;
};

/// What the Handler answers; the Server adds Server, Content-Length and Connection headers.
struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  Headers headers;  ///< extra headers, e.g. WWW-Authenticate
  /// Close the TCP connection without writing any response (simulates a broken collector).
  bool drop_connection = false;
};

/// Produces the response for one request. It runs on the server's executor and may suspend (timers, I/O).
/// Server::stop() cancels it (terminal cancellation), and so does the client closing its connection while it
/// runs; a handler that waits must therefore use cancellable operations. An exception it throws is logged and
/// answered 500. A HEAD request gets the response's headers and Content-Length without its body.
/// The media type of a Content-Type value: lower-cased, without parameters or surrounding blanks
/// ("Application/JSON; charset=utf-8" -> "application/json").
std::string media_type(std::string_view content_type);

using Handler = std::function<boost::asio::awaitable<ServerResponse>(ServerRequest)>;

/// Limits and identity of a Server. Timeouts bound how long a slow or silent client can hold a connection.
struct ServerOptions {
  std::size_t body_limit = 10 * 1024 * 1024;       ///< larger bodies get 413
  std::chrono::milliseconds read_timeout{30000};   ///< header + body of one request; also each response write
  std::chrono::milliseconds idle_timeout{120000};  ///< keep-alive between requests
  std::string server_name = "ves-agent";
  /// TLS is on when both are set: PEM certificate (chain) and its private key. TLS 1.2 is the minimum.
  std::string tls_cert_file;
  std::string tls_key_file;
  /// PEM bundle of CAs that client certificates must chain to; a client that presents a certificate is then
  /// verified. Empty = client certificates are neither requested nor checked.
  std::string tls_client_ca_file;
  /// Refuse the handshake of a client without a valid certificate (needs tls_client_ca_file).
  bool tls_require_client_cert = false;
  /// Cancel a running handler when its client closes the connection (a watch on the socket per request). A server
  /// whose handlers bound their own waits can turn it off: the watch costs about a tenth of the instructions of a
  /// small request (the webhook, issue 8). Off, a handler always runs to its end and its answer is then dropped.
  bool cancel_on_client_close = true;
};

/// A listen address split into host and port. An empty host means every interface.
struct ListenAddress {
  std::string host;  ///< "127.0.0.1", "::1", "localhost"; brackets removed; empty for ":8080"
  std::uint16_t port = 0;
};

/// Splits "host:port", "[v6]:port" or ":port". Rejects a missing or out-of-range port and an unbracketed IPv6
/// address. Does not resolve the host.
Result<ListenAddress> parse_listen_address(std::string_view host_port);

/// Accepts TCP connections and serves HTTP/1.1 on them.
///
/// Lifetime: the listener and the per-connection coroutines share ownership of the server's internal state, so
/// destroying a Server (which calls stop()) is safe while the loop still has its coroutines queued. The Handler
/// (and whatever it captures) must stay valid until the loop has run those coroutines to their end after stop(),
/// or until the io_context is destroyed.
class Server {
 public:
  Server(boost::asio::any_io_executor executor, ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds "host:port" ("127.0.0.1:0" picks a free port, "[::1]:8080", "localhost:9095", ":8080" = every
  /// interface) with SO_REUSEADDR and starts accepting. The host is resolved synchronously: call this before
  /// the loop serves traffic. Returns the bound port or the bind error. Callable once per Server.
  /// With TLS options set, the certificate, key and client CA are loaded here, once: a file that cannot be
  /// read or parsed, or a key that does not match the certificate, is logged with the file name and returned
  /// as the OpenSSL error (its message() is OpenSSL's reason), and nothing is bound.
  Result<std::uint16_t> listen(std::string_view host_port);
  /// Stops accepting and closes every open connection; pending handlers are cancelled.
  void stop();
  /// The bound port, 0 before listen().
  std::uint16_t port() const;
  /// Connections currently being served.
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vesagent::http
