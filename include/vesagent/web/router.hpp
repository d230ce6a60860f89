#pragma once
/// Answers the requests of the agent's own HTTP endpoint; web::Endpoint puts it behind an http::Server.
///
///   GET /metrics    Prometheus text exposition format 0.0.4: the app's metrics and every service's, written
///                   fresh on each scrape (pull model, telemetry::MetricsWriter)
///   GET /-/healthy  200 while the process serves requests (Prometheus/Alertmanager convention)
///   GET /-/ready    200 once the agent is ready to work, else 503 with the reason
///   GET <page>      every core::StatusPage a service returns (JSON)
///   GET /           a small HTML index of the above
///   other paths 404, other methods 405 (Allow: GET, HEAD); HEAD is answered by http::Server from the GET answer.
///
/// Kept apart from the socket so that routing is unit-tested without one. Threading: the agent's loop only.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "vesagent/core/service.hpp"
#include "vesagent/http/server.hpp"

namespace vesagent::telemetry {
class MetricsWriter;
}

namespace vesagent::web {

/// What the endpoint shows; the app provides each part. Every callback runs on the loop, per request.
struct Providers {
  /// Writes every metric of the agent for one scrape.
  std::function<void(telemetry::MetricsWriter&)> write_metrics;
  /// The status pages of the running services.
  std::function<std::vector<core::StatusPage>()> status_pages;
  /// Empty when ready; otherwise why not ("starting", "stopping", "not the cluster leader yet", ...).
  std::function<std::string()> not_ready_reason;
};

/// Requests answered, by handler ("/metrics", "/-/ready", "status", "other", ...) and status code.
struct RouterStats {
  std::map<std::pair<std::string, int>, std::uint64_t> requests;
  std::uint64_t count(const std::string& handler, int status) const {
    auto it = requests.find({handler, status});
    return it == requests.end() ? 0 : it->second;
  }
};

class Router {
 public:
  explicit Router(Providers providers);

  http::ServerResponse handle(const http::ServerRequest& request);

  /// The router's own metrics (vesagent_web_requests_total); part of the /metrics answer.
  void write_metrics(telemetry::MetricsWriter& out) const;
  const RouterStats& stats() const { return stats_; }

  /// Content-Type of /metrics: the text format version Prometheus negotiates.
  static constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  http::ServerResponse route(const http::ServerRequest& request, std::string& handler);
  http::ServerResponse index(const std::vector<core::StatusPage>& pages) const;

  Providers providers_;
  RouterStats stats_;
};

}  // namespace vesagent::web
