#pragma once
/// Outbound HTTP for every peer (collectors, Prometheus, etcd, Keystone, Nova): an HTTP/1.1 client on
/// Boost.Beast coroutines, so a request never blocks the loop and there is no thread per request (only name
/// resolution runs getaddrinfo on Asio's resolver thread). It brings keep-alive connection pooling, TLS with the
/// system CA store and client certificates (OpenSSL, set up on the first https request only), http_proxy /
/// HTTPS_PROXY / NO_PROXY with CONNECT tunnels, and gzip. It replaced libcurl, whose Debian build loads ~30
/// shared libraries (about 8 MB of idle RSS).
///
/// Threading: a Client and its requests live on one executor (the agent's single event loop).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vesagent::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// TLS settings of one request. A pooled connection is only reused by requests with the same settings.
struct TlsOptions {
  std::string ca_file;      ///< empty = system store
  std::string client_cert;  ///< PEM file
  std::string client_key;   ///< PEM file
  bool insecure_skip_verify = false;
};

/// One outbound request. send() takes it by value: the body lives as long as the transfer.
struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::string user;      ///< basic auth when non-empty
  std::string password;
  TlsOptions tls;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{30000};  ///< whole request
  bool accept_gzip = false;  ///< send Accept-Encoding and decode transparently
  /// Proxy URL, e.g. "http://user:password@proxy:3128" (http proxies only; no scheme = http, no port = 1080, as
  /// in curl). Empty = from the environment: http_proxy for http URLs, https_proxy / HTTPS_PROXY for https, then
  /// all_proxy / ALL_PROXY. no_proxy / NO_PROXY (host suffixes, `*`, IP addresses and CIDR ranges) is honored
  /// either way. https goes through the proxy with CONNECT; TLS runs end to end inside the tunnel.
  std::string proxy;
};

/// Transport failure classes; `none` when an HTTP status was received.
enum class TransportError { none, connect, timeout, tls, resolve, send_recv, cancelled, other };

/// Stable lower-case name ("connect", "send_recv", ...), e.g. for an `error_type` metric label.
std::string_view to_string(TransportError error) noexcept;

/// The outcome of one request. Check transport_failed() first: a transfer that broke after the response header
/// arrived (e.g. a truncated body) keeps that status but reports the transport error (and an empty body).
/// Error classes: refused/unreachable = connect (also a proxy refusing CONNECT); name lookup = resolve; deadline
/// = timeout; handshake, certificate or TLS alert = tls; the peer closing or resetting, or an answer that is
/// not HTTP/1.x = send_recv; a body over 256 MiB, a header over 64 KiB, a corrupt gzip body, a bad URL = other.
struct Response {
  int status = 0;  ///< 0 when no HTTP response was received
  Headers headers; ///< names lower-cased
  std::string body;
  TransportError error = TransportError::none;
  std::string error_text;  ///< short human message for transport errors, e.g. "connection refused (127.0.0.1:9)"
  std::chrono::microseconds total_time{0};  ///< from send() starting (name resolution) to the last byte

  bool transport_failed() const { return error != TransportError::none; }
  /// First header value with this (lower-case) name, or empty.
  std::string header(std::string_view lower_name) const;
};

/// An HTTP client whose connections are reused across send() calls: up to 8 idle connections per (scheme, host,
/// port, TLS options, proxy), closed after ~60 s idle. A pooled connection the server closed is noticed when it
/// is taken; if a reused connection still fails before any byte of the response arrived, the request is sent
/// again once on a new connection (the server never processed it). Idle connections hold no pending operation,
/// so io_context::run() can return.
///
/// Lifetime: destroy the Client before its io_context. Destroying it with transfers in flight aborts them:
/// each awaiting send() later resumes (when the executor runs) with error == cancelled and never touches the
/// Client again; if the io_context is destroyed instead of run, those coroutine frames are simply destroyed.
class Client {
 public:
  explicit Client(boost::asio::any_io_executor executor);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Performs one request. Honors the awaiting coroutine's cancellation slot, any cancellation type (the transfer
  /// is aborted, its connection closed, and the Response has error == cancelled). Never throws for network
  /// problems: they come back in Response. If the Client is destroyed before the returned awaitable starts, it
  /// completes with error == cancelled.
  boost::asio::awaitable<Response> send(Request request);

  /// Transfers in flight, for tests and metrics.
  std::size_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vesagent::http
