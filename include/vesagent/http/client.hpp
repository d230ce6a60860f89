#pragma once
/// Outbound HTTP for every peer (collectors, Prometheus, Keystone, Nova): libcurl's multi-socket API driven by
/// the Asio event loop. One CURLM per Client; its sockets are watched by Asio and its timeout is an Asio timer,
/// so a request never blocks the loop and there is no thread per request. libcurl brings keep-alive, the system
/// CA store, client certificates, HTTPS_PROXY/NO_PROXY and gzip.
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
  /// Proxy URL, e.g. "http://proxy:3128". Empty = libcurl's default: http_proxy / HTTPS_PROXY / NO_PROXY from
  /// the environment (NO_PROXY is honored either way).
  std::string proxy;
};

/// Transport failure classes; `none` when an HTTP status was received.
enum class TransportError { none, connect, timeout, tls, resolve, send_recv, cancelled, other };

/// Stable lower-case name ("connect", "send_recv", ...), e.g. for an `error_type` metric label.
std::string_view to_string(TransportError error) noexcept;

/// The outcome of one request. Check transport_failed() first: a transfer that broke after the status line
/// arrived (e.g. a truncated body) keeps that status but reports the transport error.
struct Response {
  int status = 0;  ///< 0 when no HTTP response was received
  Headers headers; ///< names lower-cased
  std::string body;
  TransportError error = TransportError::none;
  std::string error_text;  ///< curl's message for transport errors
  std::chrono::microseconds total_time{0};  ///< name resolution to last byte, as measured by libcurl

  bool transport_failed() const { return error != TransportError::none; }
  /// First header value with this (lower-case) name, or empty.
  std::string header(std::string_view lower_name) const;
};

/// An HTTP client: one libcurl multi handle whose connections are reused across send() calls.
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
