#pragma once
// Internal to vesagent_sources_openstack: one cloud's poll loop (token cache, Nova paging, changes-since, full
// resync, per-filter intervals, backoff) feeding a VmTracker.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vesagent/core/service.hpp"
#include "vesagent/sources/service_context.hpp"
#include "vesagent/http/client.hpp"
#include "vesagent/sources/openstack/credentials.hpp"
#include "vesagent/sources/openstack/openstack_service.hpp"
#include "vesagent/sources/openstack/server_filter.hpp"
#include "vesagent/sources/openstack/vm_tracker.hpp"

namespace vesagent::sources::openstack {

class CloudPoller : public std::enable_shared_from_this<CloudPoller> {
 public:
  CloudPoller(const sources::ServiceContext& context, ResolvedCloud cloud, const config::OpenStackConfig& section,
              TrackerSettings settings);

  /// co_spawns the loop; `on_once_done` runs after the first cycle in --once mode.
  void start(std::function<void()> on_once_done);
  /// Cancels the loop (it ends at its next await).
  void stop();

  const std::string& name() const { return cloud_.name; }
  CloudStatus status() const;
  const VmTracker& tracker() const { return tracker_; }
  const std::map<std::string, std::uint64_t>& errors() const { return errors_; }
  const TrackerStats& tracker_stats() const { return tracker_.stats(); }

 private:
  enum class Outcome { ok, failed };
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<Outcome> poll(bool full);
  boost::asio::awaitable<bool> authenticate();
  boost::asio::awaitable<void> fetch_projects();
  /// GET with the token; on 401 re-authenticates once and retries. nullopt = failed (already counted/logged).
  boost::asio::awaitable<std::optional<http::Response>> get(const std::string& url, const char* what);
  http::Request base_request(std::string method, std::string url) const;
  void fail(const std::string& type, const std::string& message);
  void process(const Server& server, bool full, std::int64_t now_us);
  std::string project_name(const std::string& id) const;

  sources::ServiceContext context_;
  ResolvedCloud cloud_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds overlap_;
  std::chrono::milliseconds renew_before_;
  std::chrono::milliseconds backoff_max_;
  int page_size_;
  std::string microversion_;
  ServerFilter filter_;
  VmTracker tracker_;
  boost::asio::steady_timer timer_;
  boost::asio::cancellation_signal cancel_;
  bool stopped_ = false;
  bool running_ = false;

  // Keystone
  std::string token_;
  std::int64_t token_renew_at_us_ = 0;
  std::string compute_url_;
  std::string token_project_id_, token_project_name_;
  std::unordered_map<std::string, std::string> project_names_;  ///< id -> name (admin's /v3/projects)
  bool projects_forbidden_ = false;

  // Nova
  std::string since_;  ///< changes-since of the next incremental poll; empty = next poll is full
  std::chrono::steady_clock::time_point last_full_{};
  bool need_full_ = true;
  /// Per-filter intervals: when each filter is next due, and servers waiting for one of their filters.
  bool filter_intervals_ = false;
  std::vector<std::chrono::steady_clock::time_point> filter_due_;
  std::unordered_map<std::string, Server> pending_;
  std::chrono::milliseconds tick_;

  // Status
  CloudStatus status_;
  std::map<std::string, std::uint64_t> errors_;  ///< error_type -> count
  int failure_streak_ = 0;
};

}  // namespace vesagent::sources::openstack
