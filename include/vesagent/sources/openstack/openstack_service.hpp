#pragma once
/// The OpenStack source: one coroutine per configured cloud polls Keystone v3 + Nova (full listings, then
/// changes-since, with a periodic full resync) and turns VM statuses into VES faults (VmTracker), optionally
/// stateChange events. A cloud that is down or slow never delays another one. See src/sources/openstack/README.md.
///
/// Threading: everything on ServiceContext::executor; no method blocks. Lifetime: the ServiceContext's members
/// (client, fault store, sink) must outlive the service and its coroutines (the App guarantees it); the service may
/// be destroyed while coroutines are still finishing after stop(): they keep their own state alive.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/config/loader.hpp"
#include "vesagent/core/service.hpp"
#include "vesagent/sources/service_context.hpp"
#include "vesagent/sources/openstack/credentials.hpp"

namespace vesagent::sources::openstack {

class CloudPoller;

/// Per-cloud numbers (also written as metrics).
struct CloudStatus {
  std::string name;
  std::uint64_t full_polls = 0;
  std::uint64_t incremental_polls = 0;
  std::uint64_t failed_polls = 0;
  std::uint64_t authentications = 0;
  std::uint64_t malformed_servers = 0;
  std::int64_t last_success_us = 0;  ///< wall clock of the last complete poll, 0 = never
  double last_poll_seconds = 0;
  std::string last_error;            ///< empty when the last poll succeeded
  std::size_t vms = 0;
  std::size_t faults_active = 0;
};

class OpenStackService final : public core::Service {
 public:
  /// `env` is the environment to take OS_* variables from (tests pass their own).
  OpenStackService(const sources::ServiceContext& context, Environment env);
  ~OpenStackService() override;

  std::string_view name() const override { return "openstack"; }
  Result<void> start(std::string& error) override;
  void stop() override;
  void reload() override;
  void write_metrics(telemetry::MetricsWriter& out) const override;
  /// /api/v1/openstack/faults: per cloud, the VMs held in a fault state.
  std::vector<core::StatusPage> status_pages() const override;

  /// The status page body: {"clouds":[{"name", "lastSuccess", "lastError", "vms", "faults":[{"serverId",
  /// "serverName", "status", "severity", "since", "eventId", "sequence", "projectId"}]}]}.
  std::string render_faults_json() const;
  std::vector<CloudStatus> cloud_status() const;

 private:
  sources::ServiceContext context_;
  Environment env_;
  std::vector<std::shared_ptr<CloudPoller>> clouds_;
  std::shared_ptr<std::size_t> once_remaining_;
};

/// nullptr when openstack.clouds is empty (the source is off).
std::unique_ptr<core::Service> make_service(const sources::ServiceContext& context);

/// Source-specific checks for --check-config, start-up and reload (app::check_sources): every cloud's credentials
/// resolve (clouds.yaml found and holding the entry, auth URL, user/password or application credential).
void check_config(config::LoadResult& result);

}  // namespace vesagent::sources::openstack
