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

struct TlsOptions {
  std::string ca_file;      ///< empty = system store
  std::string client_cert;  ///< PEM file
  std::string client_key;   ///< PEM file
  bool insecure_skip_verify = false;
};

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
};

/// Transport failure classes; `none` when an HTTP status was received.
enum class TransportError { none, connect, timeout, tls, resolve, send_recv, cancelled, other };

struct Response {
  int status = 0;  ///< 0 when no HTTP response was received
  Headers headers; ///< names lower-cased
  std::string body;
  TransportError error = TransportError::none;
  std::string error_text;  ///< curl's message for transport errors

  bool transport_failed() const { return error != TransportError::none; }
  /// First header value with this (lower-case) name, or empty.
  std::string header(std::string_view lower_name) const;
};

class Client {
 public:
  explicit Client(boost::asio::any_io_executor executor);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Performs one request. Honors the awaiting coroutine's cancellation slot (the transfer is aborted and the
  /// Response has error == cancelled). Never throws for network problems: they come back in Response.
  boost::asio::awaitable<Response> send(Request request);

  /// Transfers in flight, for tests and metrics.
  std::size_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vesagent::http
