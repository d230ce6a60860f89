#include "cloud_poller.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "vesagent/core/clock.hpp"
#include "vesagent/http/peer_settings.hpp"
#include "vesagent/core/wait_durable.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace vesagent::sources::openstack {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

auto logger() { return telemetry::logger("openstack"); }

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

/// The query of Nova's next link, applied to our own compute URL: Nova builds links from its own idea of its
/// address (osapi_compute_link_prefix), which is often not the address the agent reaches it by.
std::string next_page_url(const std::string& compute_url, const std::string& next_link) {
  auto q = next_link.find('?');
  if (q == std::string::npos) return {};
  return compute_url + "/servers/detail" + next_link.substr(q);
}

std::string marker_of(const std::string& url) {
  auto p = url.find("marker=");
  if (p == std::string::npos) return {};
  auto end = url.find('&', p);
  return url.substr(p + 7, end == std::string::npos ? std::string::npos : end - p - 7);
}

}  // namespace

CloudPoller::CloudPoller(const sources::ServiceContext& context, ResolvedCloud cloud,
                         const config::OpenStackConfig& section, TrackerSettings settings)
    : context_(context),
      cloud_(std::move(cloud)),
      timeout_(section.timeout),
      overlap_(section.changes_since_overlap),
      renew_before_(section.token_renew_before),
      backoff_max_(section.retry_backoff_max),
      page_size_(section.page_size),
      microversion_(section.microversion),
      filter_(cloud_.filters),
      tracker_(std::move(settings), *context.correlator),
      timer_(context.executor),
      tick_(cloud_.interval) {
  status_.name = cloud_.name;
  filter_due_.assign(filter_.size(), Clock::time_point{});
  for (std::size_t i = 0; i < filter_.size(); ++i) {
    const auto iv = filter_.interval(i);
    if (iv.count() > 0) {
      filter_intervals_ = filter_intervals_ || iv != cloud_.interval;
      tick_ = std::min(tick_, iv);
    }
  }
}

void CloudPoller::start(std::function<void()> on_once_done) {
  running_ = true;
  auto self = shared_from_this();
  asio::co_spawn(context_.executor, run(),
                 asio::bind_cancellation_slot(cancel_.slot(), [self, on_once_done = std::move(on_once_done)](
                                                                  std::exception_ptr error) {
                   self->running_ = false;
                   if (error) {
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       if (!self->stopped_) {
                         logger()->error("msg=\"OpenStack poller ended by an error\" cloud={} error={}",
                                         telemetry::logfmt_value(self->cloud_.name),
                                         telemetry::logfmt_value(e.what()));
                       }
                     } catch (...) {
                     }
                   }
                   if (self->context_.once && on_once_done) on_once_done();
                 }));
}

void CloudPoller::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  if (running_) cancel_.emit(asio::cancellation_type::terminal);
}

CloudStatus CloudPoller::status() const {
  CloudStatus s = status_;
  s.vms = tracker_.vm_count();
  s.faults_active = tracker_.faults_active();
  return s;
}

std::string CloudPoller::project_name(const std::string& id) const {
  if (id == token_project_id_) return token_project_name_;
  auto it = project_names_.find(id);
  return it == project_names_.end() ? std::string{} : it->second;
}

http::Request CloudPoller::base_request(std::string method, std::string url) const {
  http::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.timeout = timeout_;
  r.connect_timeout = std::min<milliseconds>(timeout_, milliseconds(10000));
  http::apply_peer_settings(cloud_.tls, r);
  r.accept_gzip = true;
  r.headers.emplace_back("Accept", "application/json");
  return r;
}

void CloudPoller::fail(const std::string& type, const std::string& message) {
  ++errors_[type];
  status_.last_error = type + ": " + message;
  // One warning per failure streak; repeats at debug so a long outage does not flood the log.
  if (failure_streak_ == 0) {
    logger()->warn("msg=\"OpenStack poll failed\" cloud={} error_type={} error={}",
                   telemetry::logfmt_value(cloud_.name), type, telemetry::logfmt_value(message));
  } else {
    logger()->debug("msg=\"OpenStack poll failed again\" cloud={} error_type={} error={} streak={}",
                    telemetry::logfmt_value(cloud_.name), type, telemetry::logfmt_value(message), failure_streak_);
  }
}

asio::awaitable<bool> CloudPoller::authenticate() {
  token_.clear();
  http::Request req = base_request("POST", cloud_.auth_url + "/auth/tokens");
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = auth_request_body(cloud_.auth);
  const std::int64_t sent_us = core::now_epoch_us();
  http::Response resp = co_await context_.client->send(std::move(req));
  if (stopped_) co_return false;
  ++status_.authentications;
  if (resp.transport_failed()) {
    fail("transport", "Keystone " + cloud_.auth_url + ": " + std::string(http::to_string(resp.error)) + " " +
                          resp.error_text);
    co_return false;
  }
  if (resp.status != 201 && resp.status != 200) {
    // The body says why (never echoes the password); 401 means the credentials are wrong.
    std::string why = error_message(resp.body);
    fail(resp.status == 401 ? "auth" : "http",
         "Keystone answered " + std::to_string(resp.status) + (why.empty() ? "" : ": " + why));
    co_return false;
  }
  std::string token = resp.header("x-subject-token");
  std::string why;
  auto parsed = parse_token(resp.body, &why);
  if (token.empty() || !parsed) {
    fail("parse", token.empty() ? "Keystone answer has no X-Subject-Token" : "Keystone token: " + why);
    co_return false;
  }
  std::string compute = cloud_.compute_endpoint;
  if (compute.empty()) {
    auto found = find_endpoint(*parsed, "compute", cloud_.interface, cloud_.region);
    if (!found) {
      fail("catalog", "no compute endpoint with interface " + cloud_.interface +
                          (cloud_.region.empty() ? std::string{} : " in region " + cloud_.region) +
                          " in the token's catalog");
      co_return false;
    }
    compute = *found;
  }
  // Renew before expiry by the token's own lifetime (issued_at -> expires_at), measured on our clock from when we
  // asked: immune to a clock difference between Keystone and the agent.
  const std::int64_t lifetime =
      parsed->issued_at_us > 0 ? parsed->expires_at_us - parsed->issued_at_us : parsed->expires_at_us - sent_us;
  const std::int64_t margin =
      std::min<std::int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(renew_before_).count(),
                             lifetime / 2);
  token_renew_at_us_ = sent_us + std::max<std::int64_t>(lifetime - margin, 0);
  token_ = std::move(token);
  compute_url_ = std::move(compute);
  token_project_id_ = parsed->project_id;
  token_project_name_ = parsed->project_name;
  logger()->debug("msg=\"Keystone token obtained\" cloud={} project={} compute={} lifetime_s={}",
                  telemetry::logfmt_value(cloud_.name), telemetry::logfmt_value(parsed->project_name),
                  telemetry::logfmt_value(compute_url_), lifetime / 1000000);
  co_return true;
}

asio::awaitable<std::optional<http::Response>> CloudPoller::get(const std::string& url, const char* what) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (token_.empty() && !co_await authenticate()) co_return std::nullopt;
    http::Request req = base_request("GET", url);
    req.headers.emplace_back("X-Auth-Token", token_);
    req.headers.emplace_back("OpenStack-API-Version", "compute " + microversion_);
    req.headers.emplace_back("X-OpenStack-Nova-API-Version", microversion_);
    http::Response resp = co_await context_.client->send(std::move(req));
    if (stopped_) co_return std::nullopt;
    if (resp.transport_failed()) {
      fail("transport", std::string(what) + ": " + std::string(http::to_string(resp.error)) + " " + resp.error_text);
      co_return std::nullopt;
    }
    if (resp.status == 401 && attempt == 0) {
      // Expired or revoked before we expected: one fresh token, then give up until the next poll.
      logger()->info("msg=\"Token rejected; re-authenticating\" cloud={}", telemetry::logfmt_value(cloud_.name));
      token_.clear();
      continue;
    }
    if (resp.status < 200 || resp.status >= 300) {
      std::string why = error_message(resp.body);
      fail(resp.status == 401 ? "auth" : "http",
           std::string(what) + " answered " + std::to_string(resp.status) + (why.empty() ? "" : ": " + why));
      co_return std::nullopt;
    }
    co_return resp;
  }
  co_return std::nullopt;
}

asio::awaitable<void> CloudPoller::fetch_projects() {
  if (projects_forbidden_) co_return;
  http::Request req = base_request("GET", cloud_.auth_url + "/projects");
  req.headers.emplace_back("X-Auth-Token", token_);
  http::Response resp = co_await context_.client->send(std::move(req));
  if (stopped_ || resp.transport_failed()) co_return;
  if (resp.status == 403 || resp.status == 401) {
    // Not an admin: names are only known for the token's own project.
    projects_forbidden_ = true;
    logger()->info("msg=\"Keystone does not list projects for this user; project names are known only for the "
                   "token's own project\" cloud={} status={}",
                   telemetry::logfmt_value(cloud_.name), resp.status);
    co_return;
  }
  if (resp.status != 200) co_return;
  auto doc = nlohmann::json::parse(resp.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("projects") || !doc["projects"].is_array()) {
    ++errors_["parse"];
    co_return;
  }
  std::unordered_map<std::string, std::string> names;
  for (const auto& p : doc["projects"]) {
    if (!p.is_object()) continue;
    auto id = p.find("id");
    auto name = p.find("name");
    if (id != p.end() && id->is_string() && name != p.end() && name->is_string()) {
      names.emplace(id->get<std::string>(), name->get<std::string>());
    }
  }
  project_names_ = std::move(names);
}

void CloudPoller::process(const Server& server, bool full, std::int64_t now_us) {
  const std::string pname = project_name(server.tenant_id);
  if (!filter_.watched(server, pname)) {
    tracker_.unwatch(server, now_us);
    pending_.erase(server.id);
    return;
  }
  if (full || !filter_intervals_) {
    pending_.erase(server.id);
    tracker_.observe(server, pname, now_us);
    return;
  }
  tracker_.mark_seen(server.id);
  pending_[server.id] = server;  // evaluated when one of its filters is due (after the listing)
}

asio::awaitable<CloudPoller::Outcome> CloudPoller::poll(bool full) {
  const auto started = Clock::now();
  if (!token_.empty() && core::now_epoch_us() >= token_renew_at_us_) token_.clear();
  if (token_.empty() && !co_await authenticate()) co_return Outcome::failed;
  // Project names for filters and events; refreshed with every full listing (one request; skipped for good when
  // Keystone refuses it to a non-admin).
  if (full) co_await fetch_projects();
  if (stopped_) co_return Outcome::failed;

  std::string url = compute_url_ + "/servers/detail?";
  if (cloud_.all_tenants) url += "all_tenants=1&";
  if (!full) url += "changes-since=" + url_encode(since_) + "&";
  url += "limit=" + std::to_string(page_size_);

  std::int64_t server_time_us = 0;
  if (full) tracker_.begin_full_listing();
  std::string last_marker;
  std::size_t pages = 0, servers = 0;
  while (!url.empty()) {
    auto resp = co_await get(url, full ? "Nova servers/detail" : "Nova servers/detail changes-since");
    if (!resp) {
      // A rejected changes-since (400) heals by a full listing.
      if (!full) need_full_ = true;
      co_return Outcome::failed;
    }
    if (server_time_us == 0) {
      // The time Nova compares changes-since against: its own Date header when it sends one, else our clock
      // (the overlap absorbs a modest difference).
      auto date = parse_http_date_us(resp->header("date"));
      server_time_us = date ? *date : core::now_epoch_us();
    }
    std::string why;
    auto page = parse_servers_page(resp->body, &why);
    if (!page) {
      fail("parse", "Nova servers/detail: " + why);
      co_return Outcome::failed;
    }
    ++pages;
    if (page->skipped > 0) {
      status_.malformed_servers += page->skipped;
      errors_["malformed_server"] += page->skipped;
      logger()->warn("msg=\"Nova listed servers without id or status; skipped\" cloud={} count={}",
                     telemetry::logfmt_value(cloud_.name), page->skipped);
    }
    const std::int64_t now_us = core::now_epoch_us();
    for (const auto& s : page->servers) process(s, full, now_us);
    servers += page->servers.size();
    // Nova gives a next link on every full page, even the last (then the next page is empty).
    if (page->servers.empty() || page->next_url.empty()) break;
    std::string next = next_page_url(compute_url_, page->next_url);
    std::string marker = marker_of(next);
    if (next.empty() || marker.empty() || marker == last_marker) {
      fail("parse", "Nova servers_links next does not advance: " + page->next_url);
      co_return Outcome::failed;
    }
    last_marker = std::move(marker);
    url = std::move(next);
  }
  const std::int64_t now_us = core::now_epoch_us();
  if (full) {
    tracker_.end_full_listing(now_us);
    last_full_ = started;
    need_full_ = false;
  }
  // Servers whose filters are due now; the others wait for their filter's interval.
  if (filter_intervals_ && !pending_.empty()) {
    const auto now = Clock::now();
    std::vector<bool> due(filter_.size());
    for (std::size_t i = 0; i < filter_.size(); ++i) due[i] = now >= filter_due_[i];
    for (auto it = pending_.begin(); it != pending_.end();) {
      const std::string pname = project_name(it->second.tenant_id);
      bool ready = false;
      for (std::size_t i = 0; i < filter_.size() && !ready; ++i) ready = due[i] && filter_.matches(i, it->second, pname);
      if (ready) {
        tracker_.observe(it->second, pname, now_us);
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    for (std::size_t i = 0; i < filter_.size(); ++i) {
      if (due[i]) filter_due_[i] = now + (filter_.interval(i).count() > 0 ? filter_.interval(i) : cloud_.interval);
    }
  }
  since_ = format_iso8601(server_time_us - std::chrono::duration_cast<std::chrono::microseconds>(overlap_).count());
  // The poll counts as done once its events and fault decisions are durable (the correlation stage's commit).
  if (!co_await core::wait_committed(*context_.correlator, context_.executor)) {
    logger()->warn("msg=\"Events of this poll are not durable yet; they stay queued\" cloud={}",
                   telemetry::logfmt_value(cloud_.name));
  }
  if (full) {
    ++status_.full_polls;
  } else {
    ++status_.incremental_polls;
  }
  status_.last_success_us = now_us;
  status_.last_poll_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  status_.last_error.clear();
  if (failure_streak_ > 0) {
    logger()->info("msg=\"OpenStack polling works again\" cloud={} failed_polls={}",
                   telemetry::logfmt_value(cloud_.name), failure_streak_);
  }
  logger()->debug("msg=\"OpenStack poll done\" cloud={} kind={} pages={} servers={} faults_active={} seconds={:.3f}",
                  telemetry::logfmt_value(cloud_.name), full ? "full" : "incremental", pages, servers,
                  tracker_.faults_active(), status_.last_poll_seconds);
  co_return Outcome::ok;
}

asio::awaitable<void> CloudPoller::run() {
  logger()->info("msg=\"Polling OpenStack cloud\" cloud={} auth_url={} credentials={} interval_ms={} "
                 "full_resync_ms={} all_tenants={}",
                 telemetry::logfmt_value(cloud_.name), telemetry::logfmt_value(cloud_.auth_url),
                 telemetry::logfmt_value(cloud_.source), cloud_.interval.count(),
                 cloud_.full_resync_interval.count(), cloud_.all_tenants);
  while (!stopped_) {
    const bool full = need_full_ || since_.empty() || Clock::now() - last_full_ >= cloud_.full_resync_interval;
    Outcome outcome = co_await poll(full);
    if (stopped_) break;
    milliseconds wait = tick_;
    if (outcome == Outcome::failed) {
      ++status_.failed_polls;
      ++failure_streak_;
      // Back off: the interval, doubled per consecutive failure, up to retryBackoffMax.
      milliseconds backoff = tick_;
      for (int i = 1; i < failure_streak_ && backoff < backoff_max_; ++i) backoff *= 2;
      wait = std::min(backoff, std::max(backoff_max_, tick_));
    } else {
      failure_streak_ = 0;
    }
    if (context_.once) break;
    timer_.expires_after(wait);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace vesagent::sources::openstack
