#pragma once
/// The agent's own HTTP endpoint (the `web` section): a web::Router behind an http::Server on
/// web.listenAddress, optionally with TLS. See router.hpp for the paths.
///
/// Lifetime and threading: runs on the executor given to the constructor (the agent's loop). The Providers'
/// callbacks are only called between start() and stop(), so what they capture may be destroyed right after stop().
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>

#include "vesagent/config/web_config.hpp"
#include "vesagent/core/error.hpp"
#include "vesagent/web/router.hpp"

namespace vesagent::http {
class Server;
}

namespace vesagent::web {

class Endpoint {
 public:
  Endpoint(boost::asio::any_io_executor executor, const config::WebConfig& config, Providers providers);
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  /// Binds web.listenAddress ("127.0.0.1:0" picks a free port) and starts serving. Returns the port or the bind
  /// (or TLS file) error. Resolves the host synchronously: call it before the loop serves traffic. Callable once.
  Result<std::uint16_t> start();
  /// Closes the listener and every connection; idempotent.
  void stop();

  std::uint16_t port() const;
  const Router& router() const { return *router_; }

 private:
  config::WebConfig config_;
  std::shared_ptr<Router> router_;     ///< shared with requests still queued on the loop after stop()
  std::shared_ptr<bool> running_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace vesagent::web
