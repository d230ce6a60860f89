#include "vesagent/web/router.hpp"

#include <spdlog/spdlog.h>

#include <exception>

#include "vesagent/telemetry/logging.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::web {

namespace {

/// The path without its query string: Prometheus may append ?name[]=... parameters to a scrape.
std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

http::ServerResponse text(int status, std::string body) {
  http::ServerResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

Router::Router(Providers providers) : providers_(std::move(providers)) {}

http::ServerResponse Router::handle(const http::ServerRequest& request) {
  std::string handler = "other";
  http::ServerResponse response;
  try {
    response = route(request, handler);
  } catch (const std::exception& e) {
    // A provider failing must not take the endpoint down: one log line, a 500, the next scrape tries again.
    telemetry::logger("web")->error("msg=\"Cannot answer request\" path={} error={}",
                                    telemetry::logfmt_value(path_of(request.target)),
                                    telemetry::logfmt_value(e.what()));
    response = text(500, "internal error: " + std::string(e.what()) + "\n");
  }
  ++stats_.requests[{handler, response.status}];
  return response;
}

http::ServerResponse Router::route(const http::ServerRequest& request, std::string& handler) {
  const std::string_view path = path_of(request.target);
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = text(405, "method not allowed; use GET\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path == "/metrics") {
    handler = "/metrics";
    telemetry::MetricsWriter out;
    if (providers_.write_metrics) providers_.write_metrics(out);
    write_metrics(out);
    http::ServerResponse r;
    r.content_type = kMetricsContentType;
    r.body = out.text();
    return r;
  }
  if (path == "/-/healthy") {
    handler = "/-/healthy";
    return text(200, "ves-agent is Healthy.\n");
  }
  if (path == "/-/ready") {
    handler = "/-/ready";
    std::string reason = providers_.not_ready_reason ? providers_.not_ready_reason() : std::string{};
    if (reason.empty()) return text(200, "ves-agent is Ready.\n");
    return text(503, "Service Unavailable: " + reason + "\n");
  }
  std::vector<core::StatusPage> pages = providers_.status_pages ? providers_.status_pages() : std::vector<core::StatusPage>{};
  if (path == "/") {
    handler = "/";
    return index(pages);
  }
  for (const auto& page : pages) {
    if (page.path != path) continue;
    handler = "status";
    http::ServerResponse r;
    r.content_type = "application/json";
    r.body = page.render_json ? page.render_json() : std::string("{}");
    return r;
  }
  return text(404, "not found; see / for the list of pages\n");
}

http::ServerResponse Router::index(const std::vector<core::StatusPage>& pages) const {
  std::string body =
      "<!DOCTYPE html>\n<html><head><title>ves-agent</title></head><body>\n<h1>ves-agent</h1>\n<ul>\n"
      "<li><a href=\"/metrics\">/metrics</a>: Prometheus metrics</li>\n"
      "<li><a href=\"/-/healthy\">/-/healthy</a>: liveness</li>\n"
      "<li><a href=\"/-/ready\">/-/ready</a>: readiness</li>\n";
  for (const auto& page : pages) {
    body += "<li><a href=\"" + html_escape(page.path) + "\">" + html_escape(page.path) + "</a>: " +
            html_escape(page.description) + "</li>\n";
  }
  body += "</ul>\n</body></html>\n";
  http::ServerResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

void Router::write_metrics(telemetry::MetricsWriter& out) const {
  for (const auto& [key, count] : stats_.requests) {
    const std::string code = std::to_string(key.second);
    out.counter("vesagent_web_requests_total", "Requests answered by the agent's own HTTP endpoint.",
                static_cast<double>(count), {{"handler", key.first}, {"code", code}});
  }
}

}  // namespace vesagent::web
