#include "vesagent/sources/openstack/vm_tracker.hpp"

#include <unistd.h>

#include <algorithm>
#include <climits>

namespace vesagent::sources::openstack {

namespace {

constexpr std::string_view kDeleted = "DELETED";

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

TrackerSettings TrackerSettings::from_config(const config::Config& config, std::string cloud) {
  TrackerSettings s;
  s.cloud = std::move(cloud);
  for (const auto& [status, severity] : config.openstack.fault_statuses) {
    if (auto sev = core::parse_severity(severity)) s.fault_statuses.emplace_back(status, *sev);
  }
  s.alarm_condition = config.openstack.alarm_condition;
  s.event_source_type = config.openstack.event_source_type;
  s.state_change_events = config.openstack.state_change_events;
  s.nf_naming_code = config.event.nf_naming_code;
  s.reporting_entity_name = config.event.reporting_entity_name;
  if (s.reporting_entity_name.empty()) s.reporting_entity_name = host_name();
  s.reporting_entity_id = config.event.reporting_entity_id;
  for (const auto& code : config.event.nfc_naming_codes) {
    for (const auto& vnfc : code.vnfcs) s.nfc_naming_codes.emplace(vnfc, code.type);
  }
  return s;
}

core::EntityState entity_state_for(std::string_view status) {
  if (status == "ACTIVE") return core::EntityState::in_service;
  static constexpr std::string_view kMaintenance[] = {"BUILD",  "REBUILD",       "REBOOT",        "HARD_REBOOT",
                                                      "MIGRATING", "RESIZE",     "VERIFY_RESIZE", "REVERT_RESIZE",
                                                      "PASSWORD"};
  for (auto m : kMaintenance) {
    if (status == m) return core::EntityState::maintenance;
  }
  return core::EntityState::out_of_service;
}

VmTracker::VmTracker(TrackerSettings settings, core::Correlator& correlator)
    : settings_(std::move(settings)),
      correlator_(correlator),
      key_suffix_("/status/" + settings_.cloud) {}

std::string VmTracker::fault_key(std::string_view cloud, std::string_view server_id) {
  std::string key;
  key.reserve(3 + server_id.size() + 8 + cloud.size());
  key.append("vm/").append(server_id).append("/status/").append(cloud);
  return key;
}

std::optional<core::Severity> VmTracker::severity_for(std::string_view status) const {
  for (const auto& [s, sev] : settings_.fault_statuses) {
    if (s == status) return sev;
  }
  return std::nullopt;
}

void VmTracker::set_in_fault(Vm& vm, bool in_fault) {
  if (vm.in_fault == in_fault) return;
  vm.in_fault = in_fault;
  if (in_fault) {
    ++faults_active_;
  } else {
    --faults_active_;
  }
}

void VmTracker::observe(const Server& server, std::string_view project_name, std::int64_t now_us) {
  if (listing_) seen_.insert(server.id);
  auto it = vms_.find(server.id);
  if (it == vms_.end()) {
    // A server deleted before we ever saw it is of no interest unless DELETED is a fault status.
    if (server.status == kDeleted && !severity_for(kDeleted)) {
      Vm gone;
      apply(server, project_name, &gone, true, now_us);  // clears a fault persisted before a restart
      return;
    }
    it = vms_.emplace(server.id, Vm{}).first;
    apply(server, project_name, &it->second, true, now_us);
  } else {
    apply(server, project_name, &it->second, false, now_us);
  }
  if (server.status == kDeleted && !it->second.in_fault) {
    vms_.erase(it);
  }
}

core::FaultVerdict VmTracker::decide(const core::FaultObservation& o, const Server& server,
                                     std::string_view project_name, std::string problem, std::string clear_problem,
                                     std::int64_t now_us) {
  return correlator_.observe(o, [&](const core::FaultIdentity&, core::FaultEventKind kind) {
    switch (kind) {
      case core::FaultEventKind::raise_or_update: return fault_event(server, project_name, problem, now_us);
      case core::FaultEventKind::clear: return fault_event(server, project_name, clear_problem, now_us);
      case core::FaultEventKind::superseded: break;
    }
    return fault_event(server, project_name, "VM fault superseded", now_us);
  });
}

void VmTracker::apply(const Server& server, std::string_view project_name, Vm* vm, bool first_sighting,
                      std::int64_t now_us) {
  const std::string previous = vm->status;
  const std::string key = fault_key(settings_.cloud, server.id);
  const std::string name = server.name.empty() ? server.id : server.name;
  vm->name = server.name;
  vm->project_id = server.tenant_id;
  const auto severity = severity_for(server.status);
  if (severity) {
    core::FaultObservation o;
    o.key = key;
    o.severity = *severity;
    o.at_us = now_us;
    if (!first_sighting && vm->in_fault) {
      // Fault to fault: an update, even at the same severity (SHUTOFF -> PAUSED); nothing for the same status.
      if (previous == server.status && vm->severity == *severity) {
        vm->status = server.status;
        return;
      }
      o.kind = core::FaultObservation::Kind::changed;
    } else {
      // Healthy before, or first seen since start: the stage decides between a raise and "already raised"
      // (persisted before a restart). A new episode starts when the server entered the status (Nova's `updated`),
      // and always after a closed one of the same VM.
      o.kind = core::FaultObservation::Kind::firing;
      o.episode_start_us = server.updated_us;
      o.next_episode_after_close = true;
    }
    std::string problem = "VM " + name + " is " + server.status;
    if (!server.fault_message.empty()) problem += ": " + server.fault_message;
    const auto v = decide(o, server, project_name, std::move(problem), {}, now_us);
    if (v.superseded) ++stats_.clears;
    if (v.action == core::FaultAction::raise) ++stats_.raises;
    if (v.action == core::FaultAction::update) ++stats_.updates;
    if (v.identity.active() && !v.identity.event_id.empty()) {
      set_in_fault(*vm, true);
      vm->since_us = v.identity.start_epoch_us;
      vm->event_id = v.identity.event_id;
      vm->severity = v.identity.severity;
      vm->sequence = v.identity.sequence;
    }
  } else if (vm->in_fault || first_sighting) {
    // first_sighting: a fault persisted before a restart may be waiting for this recovery.
    core::FaultObservation o;
    o.kind = core::FaultObservation::Kind::resolved;
    o.key = key;
    o.at_us = now_us;
    std::string problem = server.status == kDeleted ? "VM " + name + " was deleted"
                                                    : "VM " + name + " is " + server.status + " again";
    const auto v = decide(o, server, project_name, {}, std::move(problem), now_us);
    if (v.action == core::FaultAction::clear) ++stats_.clears;
    set_in_fault(*vm, false);
  }
  if (settings_.state_change_events && !first_sighting && !previous.empty() && previous != server.status) {
    correlator_.submit(state_change_event(server, previous, now_us));
    ++stats_.state_changes;
  }
  vm->status = server.status;
}

void VmTracker::unwatch(const Server& server, std::int64_t now_us) {
  if (listing_) seen_.insert(server.id);
  auto it = vms_.find(server.id);
  const bool known = it != vms_.end();
  if (!known || it->second.in_fault) {
    core::FaultObservation o;
    o.kind = core::FaultObservation::Kind::resolved;
    const std::string key = fault_key(settings_.cloud, server.id);
    o.key = key;
    o.at_us = now_us;
    const auto v = decide(o, server, {}, {},
                          "VM " + (server.name.empty() ? server.id : server.name) + " is no longer watched", now_us);
    if (v.action == core::FaultAction::clear) ++stats_.clears;
  }
  if (known) {
    set_in_fault(it->second, false);
    vms_.erase(it);
  }
}

void VmTracker::begin_full_listing() {
  seen_.clear();
  seen_.reserve(vms_.size() + 16);
  listing_ = true;
}

void VmTracker::mark_seen(const std::string& server_id) {
  if (listing_) seen_.insert(server_id);
}

void VmTracker::end_full_listing(std::int64_t now_us) {
  if (!listing_) return;
  listing_ = false;
  std::vector<Server> gone;
  for (const auto& [id, vm] : vms_) {
    if (seen_.count(id) != 0) continue;
    if (vm.status == kDeleted) continue;  // a DELETED fault kept on purpose
    Server s;
    s.id = id;
    s.name = vm.name;
    s.tenant_id = vm.project_id;
    s.status = std::string(kDeleted);
    gone.push_back(std::move(s));
  }
  // Faults persisted before a restart for VMs that are no longer listed at all.
  correlator_.for_each_active("vm/", [&](const core::FaultIdentity& r) {
    if (!r.key.ends_with(key_suffix_)) return;
    std::string id = r.key.substr(3, r.key.size() - 3 - key_suffix_.size());
    if (seen_.count(id) != 0 || vms_.count(id) != 0) return;
    Server s;
    s.id = std::move(id);
    s.status = std::string(kDeleted);
    gone.push_back(std::move(s));
  });
  seen_.clear();
  for (auto& s : gone) {
    s.updated_us = now_us;
    observe(s, {}, now_us);
  }
}

std::vector<HeldFault> VmTracker::held_faults() const {
  std::vector<HeldFault> out;
  out.reserve(faults_active_);
  for (const auto& [id, vm] : vms_) {
    if (!vm.in_fault) continue;
    HeldFault h;
    h.server_id = id;
    h.server_name = vm.name;
    h.status = vm.status;
    h.project_id = vm.project_id;
    h.since_us = vm.since_us;
    h.event_id = vm.event_id;
    h.severity = vm.severity;
    h.sequence = vm.sequence;
    out.push_back(std::move(h));
  }
  std::sort(out.begin(), out.end(), [](const HeldFault& a, const HeldFault& b) {
    return a.since_us != b.since_us ? a.since_us < b.since_us : a.server_id < b.server_id;
  });
  return out;
}

core::Event VmTracker::fault_event(const Server& server, std::string_view project_name, std::string specific_problem,
                                   std::int64_t now_us) const {
  core::Event e;
  e.domain = core::Domain::fault;
  e.last_epoch_us = now_us;
  e.event_name = "Fault_";
  if (!settings_.nf_naming_code.empty()) e.event_name.append(settings_.nf_naming_code).append("_");
  e.event_name.append(settings_.alarm_condition);
  e.source_name = server.name.empty() ? server.id : server.name;
  e.source_id = server.id;
  e.reporting_entity_name = settings_.reporting_entity_name;
  e.reporting_entity_id = settings_.reporting_entity_id;
  e.nf_naming_code = settings_.nf_naming_code;
  if (auto it = settings_.nfc_naming_codes.find(e.source_name); it != settings_.nfc_naming_codes.end()) {
    e.nfc_naming_code = it->second;
  }
  core::FaultBody f;
  f.alarm_condition = settings_.alarm_condition;
  f.specific_problem = std::move(specific_problem);  // (severity: the stage's, stamped after this)
  f.event_source_type = settings_.event_source_type;
  f.vf_status = "Active";
  auto& info = f.additional_information;
  info.reserve(11);
  info.emplace_back("cloud", settings_.cloud);
  info.emplace_back("status", server.status);
  info.emplace_back("project", project_name.empty() ? server.tenant_id : std::string(project_name));
  info.emplace_back("projectId", server.tenant_id);
  info.emplace_back("host", server.host);
  info.emplace_back("flavor", server.flavor);
  info.emplace_back("vmState", server.vm_state);
  info.emplace_back("powerState", server.power_state >= 0 ? std::to_string(server.power_state) : std::string{});
  info.emplace_back("taskState", server.task_state);
  if (!server.availability_zone.empty()) info.emplace_back("availabilityZone", server.availability_zone);
  if (!server.fault_message.empty()) info.emplace_back("faultMessage", server.fault_message);
  e.body = std::move(f);
  return e;
}

core::Event VmTracker::state_change_event(const Server& server, std::string_view old_status,
                                          std::int64_t now_us) const {
  core::Event e;
  e.domain = core::Domain::state_change;
  e.key = "vm/" + server.id + "/state";
  e.event_name = "StateChange_";
  if (!settings_.nf_naming_code.empty()) e.event_name.append(settings_.nf_naming_code).append("_");
  e.event_name.append("vmStatusChange");
  e.source_name = server.name.empty() ? server.id : server.name;
  e.source_id = server.id;
  e.reporting_entity_name = settings_.reporting_entity_name;
  e.reporting_entity_id = settings_.reporting_entity_id;
  e.nf_naming_code = settings_.nf_naming_code;
  e.priority = core::Priority::normal;
  e.sequence = 0;
  e.start_epoch_us = server.updated_us > 0 ? std::min(server.updated_us, now_us) : now_us;
  e.last_epoch_us = now_us;
  core::StateChangeBody b;
  b.old_state = entity_state_for(old_status);
  b.new_state = entity_state_for(server.status);
  b.state_interface = server.id;
  b.additional_fields = {{"cloud", settings_.cloud},
                         {"oldStatus", std::string(old_status)},
                         {"newStatus", server.status},
                         {"vmState", server.vm_state},
                         {"taskState", server.task_state},
                         {"projectId", server.tenant_id}};
  e.body = std::move(b);
  return e;
}

}  // namespace vesagent::sources::openstack
