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

struct ServerRequest {
  std::string method;  ///< "POST"
  std::string target;  ///< path and query as received, e.g. "/eventListener/v7"
  Headers headers;     ///< names lower-cased
  std::string body;
  std::string remote;  ///< "127.0.0.1:54321"
  std::string header(std::string_view lower_name) const;
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  Headers headers;  ///< extra headers, e.g. WWW-Authenticate
  /// Close the TCP connection without writing any response (simulates a broken collector).
  bool drop_connection = false;
};

using Handler = std::function<boost::asio::awaitable<ServerResponse>(ServerRequest)>;

struct ServerOptions {
  std::size_t body_limit = 10 * 1024 * 1024;  ///< larger bodies get 413
  std::chrono::milliseconds read_timeout{30000};   ///< header + body of one request
  std::chrono::milliseconds idle_timeout{120000};  ///< keep-alive between requests
  std::string server_name = "ves-agent";
};

class Server {
 public:
  Server(boost::asio::any_io_executor executor, ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds "host:port" ("127.0.0.1:0" picks a free port, "[::1]:8080", "localhost:9095") with SO_REUSEADDR
  /// and starts accepting. Returns the bound port or the bind error.
  Result<std::uint16_t> listen(std::string_view host_port);
  /// Stops accepting and closes every open connection; pending handlers are cancelled.
  void stop();
  std::uint16_t port() const;
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vesagent::http
