#include "vesagent/publish/collector_endpoint.hpp"
#include "vesagent/http/peer_settings.hpp"

#include <algorithm>

namespace vesagent::publish {

namespace {

std::string base_url(const config::CollectorConfig& c, ves::Version version) {
  std::string url = c.secure ? "https://" : "http://";
  // A literal IPv6 address needs brackets in a URL.
  const bool ipv6 = c.fqdn.find(':') != std::string::npos && c.fqdn.front() != '[';
  url += ipv6 ? "[" + c.fqdn + "]" : c.fqdn;
  url += ":" + std::to_string(c.port);
  std::string root = c.server_root;
  while (!root.empty() && root.front() == '/') root.erase(0, 1);
  while (!root.empty() && root.back() == '/') root.pop_back();
  if (!root.empty()) url += "/" + root;
  url += "/eventListener/v" + std::to_string(static_cast<int>(version));
  if (!c.topic.empty()) url += "/" + c.topic;
  return url;
}

std::string excerpt(const std::string& body) {
  std::string s = body.substr(0, 300);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

Delivery to_delivery(const http::Response& resp, std::size_t events, const CollectorEndpoint& endpoint) {
  Delivery d;
  d.status = resp.status;
  const std::string location = resp.header("location");
  const std::string key = endpoint.config_key();
  Verdict v = classify(Answer{resp.status, resp.error, resp.error_text, resp.body, location, events},
                       Origin{key, endpoint.url()});
  d.outcome = v.outcome;
  d.reason = std::move(v.reason);
  if (resp.transport_failed()) {
    d.error = resp.error_text;
  } else if (d.outcome != Outcome::delivered) {
    d.error = excerpt(resp.body);
  }
  return d;
}

}  // namespace

std::string event_url(const config::CollectorConfig& c, ves::Version version) { return base_url(c, version); }
std::string batch_url(const config::CollectorConfig& c, ves::Version version) {
  return base_url(c, version) + "/eventBatch";
}
std::string throttling_state_url(const config::CollectorConfig& c, ves::Version version) {
  config::CollectorConfig without_topic = c;
  without_topic.topic.clear();
  return base_url(without_topic, version) + "/clientThrottlingState";
}

CollectorEndpoint::CollectorEndpoint(std::string name, http::Client& client, const config::CollectorConfig& config,
                                     ves::Version version)
    : name_(std::move(name)),
      client_(client),
      config_(config),
      event_url_(event_url(config, version)),
      batch_url_(batch_url(config, version)),
      throttling_state_url_(throttling_state_url(config, version)) {}

http::Request CollectorEndpoint::base_request() const {
  http::Request r;
  r.user = config_.user;
  r.password = config_.password;
  http::apply_peer_settings(config_.tls, r);
  r.connect_timeout = config_.connect_timeout;
  r.timeout = config_.timeout;
  return r;
}

Batch make_batch(const std::deque<outbox::Entry>& entries, std::size_t n) {
  Batch b;
  b.events = n;
  if (n == 1) {
    b.body = ves::wrap_single(entries.front().json);
    return b;
  }
  b.body = ves::wrap_batch(n, [&](std::size_t i) -> std::string_view { return entries[i].json; });
  return b;
}

boost::asio::awaitable<Delivery> CollectorEndpoint::post(Batch batch) {
  http::Request req = base_request();
  req.method = "POST";
  // No X-MinorVersion: the ONAP collector answers 400 to any value it does not expect.
  req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  req.url = batch.events == 1 ? event_url_ : batch_url_;
  const std::size_t events = batch.events;
  req.body = std::move(batch.body);
  http::Response resp = co_await client_.send(std::move(req));
  Delivery d = to_delivery(resp, events, *this);
  if (d.outcome == Outcome::delivered) {
    // The ONAP collector answers text ("Accepted"); only a JSON body can carry a commandList.
    auto parsed = ves::parse_command_list(resp.body);
    d.commands = std::move(parsed.commands);
    if (!parsed.error.empty()) d.error = "unreadable commandList: " + parsed.error;
  }
  co_return d;
}

boost::asio::awaitable<Delivery> CollectorEndpoint::post_throttling_state(std::string body) {
  http::Request req = base_request();
  req.method = "POST";
  req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  req.url = throttling_state_url_;
  req.body = std::move(body);
  http::Response resp = co_await client_.send(std::move(req));
  co_return to_delivery(resp, 1, *this);
}

boost::asio::awaitable<Delivery> CollectorEndpoint::probe() {
  http::Request req = base_request();
  req.method = "POST";
  req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  req.url = batch_url_;
  req.body = R"({"eventList":[]})";
  // A probe must not hold up fail-back for a whole request timeout: a healthy collector answers it at once.
  req.timeout = config_.connect_timeout + std::chrono::seconds(2);
  http::Response resp = co_await client_.send(std::move(req));
  co_return to_delivery(resp, 0, *this);
}

}  // namespace vesagent::publish
