#include "vesagent/sources/openstack/openstack_service.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "cloud_poller.hpp"
#include "vesagent/config/config.hpp"
#include "vesagent/telemetry/logging.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::sources::openstack {

OpenStackService::OpenStackService(const sources::ServiceContext& context, Environment env)
    : context_(context), env_(std::move(env)) {}

OpenStackService::~OpenStackService() {
  for (auto& c : clouds_) c->stop();
}

Result<void> OpenStackService::start(std::string& error) {
  if (context_.config == nullptr || context_.client == nullptr || context_.correlator == nullptr) {
    error = "the OpenStack source needs a configuration, an HTTP client and the fault store";
    return make_error_code(errc::invalid_config);
  }
  const auto& section = context_.config->openstack;
  std::vector<std::shared_ptr<CloudPoller>> clouds;
  for (const auto& c : section.clouds) {
    auto resolved = resolve_cloud(c, section, env_, error);
    if (!resolved) return resolved.error();
    clouds.push_back(std::make_shared<CloudPoller>(context_, std::move(*resolved), section,
                                                   TrackerSettings::from_config(*context_.config, c.name)));
  }
  clouds_ = std::move(clouds);
  once_remaining_ = std::make_shared<std::size_t>(clouds_.size());
  for (auto& c : clouds_) {
    c->start([remaining = once_remaining_, done = context_.once_done, this_name = std::string(name())] {
      if (*remaining == 0) return;
      if (--*remaining == 0 && done) done(this_name);
    });
  }
  if (context_.once && clouds_.empty() && context_.once_done) context_.once_done(name());
  return {};
}

void OpenStackService::stop() {
  for (auto& c : clouds_) c->stop();
}

void OpenStackService::reload() {
  // Credentials, filters and intervals may all have changed: restart the pollers. What they knew about VM states
  // is rebuilt by the next full listing; the persisted fault state keeps raises and clears exact meanwhile.
  stop();
  std::string error;
  if (auto r = start(error); !r) {
    telemetry::logger("openstack")->error("msg=\"OpenStack polling not restarted after reload\" error={}",
                                          telemetry::logfmt_value(error));
  }
}

std::vector<CloudStatus> OpenStackService::cloud_status() const {
  std::vector<CloudStatus> out;
  for (const auto& c : clouds_) out.push_back(c->status());
  return out;
}

void OpenStackService::write_metrics(telemetry::MetricsWriter& out) const {
  for (const auto& c : clouds_) {
    const CloudStatus s = c->status();
    const std::string& cloud = s.name;
    out.counter("vesagent_openstack_polls_total", "OpenStack polls that completed, by kind.",
                static_cast<double>(s.full_polls), {{"cloud", cloud}, {"kind", "full"}});
    out.counter("vesagent_openstack_polls_total", "OpenStack polls that completed, by kind.",
                static_cast<double>(s.incremental_polls), {{"cloud", cloud}, {"kind", "incremental"}});
    out.counter("vesagent_openstack_failed_polls_total", "OpenStack polls that failed.",
                static_cast<double>(s.failed_polls), {{"cloud", cloud}});
    for (const auto& [type, n] : c->errors()) {
      out.counter("vesagent_openstack_errors_total", "OpenStack errors by type (transport, http, auth, parse, "
                  "catalog, malformed_server).",
                  static_cast<double>(n), {{"cloud", cloud}, {"error_type", type}});
    }
    out.counter("vesagent_openstack_authentications_total", "Keystone token requests.",
                static_cast<double>(s.authentications), {{"cloud", cloud}});
    out.gauge("vesagent_openstack_poll_duration_seconds", "Duration of the last successful poll.",
              s.last_poll_seconds, {{"cloud", cloud}});
    out.gauge("vesagent_openstack_last_success_timestamp_seconds",
              "Unix time of the last successful poll (0 = never).", static_cast<double>(s.last_success_us) / 1e6,
              {{"cloud", cloud}});
    out.gauge("vesagent_openstack_vms", "VMs the agent knows in this cloud.", static_cast<double>(s.vms),
              {{"cloud", cloud}});
    out.gauge("vesagent_openstack_faults_active", "VMs held in a fault state.", static_cast<double>(s.faults_active),
              {{"cloud", cloud}});
    const TrackerStats& t = c->tracker_stats();
    for (const auto& [kind, n] : {std::pair<const char*, std::uint64_t>{"raise", t.raises},
                                  {"update", t.updates},
                                  {"clear", t.clears},
                                  {"state_change", t.state_changes}}) {
      out.counter("vesagent_openstack_events_total", "Events produced from VM states, by kind.",
                  static_cast<double>(n), {{"cloud", cloud}, {"kind", kind}});
    }
  }
}

std::string OpenStackService::render_faults_json() const {
  using nlohmann::json;
  json clouds = json::array();
  for (const auto& c : clouds_) {
    const CloudStatus s = c->status();
    json faults = json::array();
    for (const auto& f : c->tracker().held_faults()) {
      faults.push_back({{"serverId", f.server_id},
                        {"serverName", f.server_name},
                        {"status", f.status},
                        {"severity", core::to_string(f.severity)},
                        {"since", format_iso8601(f.since_us)},
                        {"sinceEpochMicrosec", f.since_us},
                        {"eventId", f.event_id},
                        {"sequence", f.sequence},
                        {"projectId", f.project_id}});
    }
    clouds.push_back({{"name", s.name},
                      {"lastSuccess", s.last_success_us > 0 ? json(format_iso8601(s.last_success_us)) : json(nullptr)},
                      {"lastError", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
                      {"vms", s.vms},
                      {"faultsActive", s.faults_active},
                      {"faults", std::move(faults)}});
  }
  return json{{"clouds", std::move(clouds)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<core::StatusPage> OpenStackService::status_pages() const {
  core::StatusPage page;
  page.path = "/api/v1/openstack/faults";
  page.description = "Per OpenStack cloud, the VMs the agent holds in a fault state (status, since, eventId).";
  page.render_json = [this] { return render_faults_json(); };
  return {std::move(page)};
}

std::unique_ptr<core::Service> make_service(const sources::ServiceContext& context) {
  if (context.config == nullptr || context.config->openstack.clouds.empty()) return nullptr;
  return std::make_unique<OpenStackService>(context, current_environment());
}

void check_config(config::LoadResult& result) {
  const auto env = current_environment();
  const auto& section = result.config.openstack;
  for (std::size_t i = 0; i < section.clouds.size(); ++i) {
    std::string error;
    if (!resolve_cloud(section.clouds[i], section, env, error)) {
      config::Diagnostic d;
      d.path = "openstack.clouds[" + std::to_string(i) + "]";
      d.origin = config::Origin::file;
      d.line = section.clouds[i].line;
      d.message = error;
      result.errors.push_back(std::move(d));
    }
  }
}

}  // namespace vesagent::sources::openstack
