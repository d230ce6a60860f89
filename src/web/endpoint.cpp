#include "vesagent/web/endpoint.hpp"

#include <boost/asio/awaitable.hpp>

#include <spdlog/spdlog.h>

#include "vesagent/http/server.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace vesagent::web {

namespace {

http::ServerOptions server_options(const config::WebConfig& c) {
  http::ServerOptions o;
  // Scrapes and probes are small GETs: a small body limit and short timeouts keep a stuck client cheap.
  o.body_limit = 64 * 1024;
  o.read_timeout = std::chrono::seconds(10);
  o.idle_timeout = std::chrono::seconds(120);
  o.tls_cert_file = c.tls_cert_file;
  o.tls_key_file = c.tls_key_file;
  o.tls_client_ca_file = c.tls_client_ca_file;
  o.tls_require_client_cert = c.tls_require_client_cert;
  return o;
}

}  // namespace

Endpoint::Endpoint(boost::asio::any_io_executor executor, const config::WebConfig& config, Providers providers)
    : config_(config),
      router_(std::make_shared<Router>(std::move(providers))),
      running_(std::make_shared<bool>(false)) {
  // The handler owns the router and the running flag, so a request the loop still holds after stop() (or after
  // the Endpoint is gone) neither dangles nor calls a provider.
  auto handler = [router = router_, running = running_](http::ServerRequest request)
      -> boost::asio::awaitable<http::ServerResponse> {
    if (!*running) {
      http::ServerResponse r;
      r.status = 503;
      r.body = "stopping\n";
      co_return r;
    }
    co_return router->handle(request);
  };
  server_ = std::make_unique<http::Server>(std::move(executor), server_options(config_), std::move(handler));
}

Endpoint::~Endpoint() { stop(); }

Result<std::uint16_t> Endpoint::start() {
  auto port = server_->listen(config_.listen_address);
  if (port) {
    *running_ = true;
    telemetry::logger("web")->info("msg=\"Web endpoint listening\" address={} port={} tls={}",
                                   telemetry::logfmt_value(config_.listen_address), *port,
                                   config_.tls_cert_file.empty() ? "off" : "on");
  }
  return port;
}

void Endpoint::stop() {
  *running_ = false;
  if (server_) server_->stop();
}

std::uint16_t Endpoint::port() const { return server_->port(); }

}  // namespace vesagent::web
