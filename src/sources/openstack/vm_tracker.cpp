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

VmTracker::VmTracker(TrackerSettings settings, state::FaultStore& store, std::function<std::string()> next_event_id)
    : settings_(std::move(settings)),
      store_(store),
      next_event_id_(std::move(next_event_id)),
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

void VmTracker::observe(const Server& server, std::string_view project_name, std::int64_t now_us,
                        std::vector<core::Event>& out) {
  if (listing_) seen_.insert(server.id);
  auto it = vms_.find(server.id);
  if (it == vms_.end()) {
    // A server deleted before we ever saw it is of no interest unless DELETED is a fault status.
    if (server.status == kDeleted && !severity_for(kDeleted)) {
      Vm gone;
      apply(server, project_name, &gone, true, now_us, out);  // clears a fault persisted before a restart
      return;
    }
    it = vms_.emplace(server.id, Vm{}).first;
    apply(server, project_name, &it->second, true, now_us, out);
  } else {
    apply(server, project_name, &it->second, false, now_us, out);
  }
  if (server.status == kDeleted && !it->second.in_fault) {
    vms_.erase(it);
  }
}

void VmTracker::apply(const Server& server, std::string_view project_name, Vm* vm, bool first_sighting,
                      std::int64_t now_us, std::vector<core::Event>& out) {
  const std::string previous = vm->status;
  const std::string key = fault_key(settings_.cloud, server.id);
  vm->name = server.name;
  vm->project_id = server.tenant_id;
  const auto severity = severity_for(server.status);
  if (severity) {
    state::FaultDecision d;
    if (!first_sighting && vm->in_fault) {
      if (previous != server.status || vm->severity != *severity) d = store_.on_changed(key, *severity);
    } else {
      // Healthy before, or first seen since start: the store decides between a raise and "already raised"
      // (persisted before a restart). A new episode starts when the server entered the status (Nova's `updated`),
      // and always after a closed one of the same VM (the store ignores observations of older episodes).
      std::int64_t episode = 0;
      auto existing = store_.find(key);
      if (!existing || !existing->active()) {
        episode = std::max<std::int64_t>(server.updated_us > 0 ? server.updated_us : now_us, 1);
        if (existing) episode = std::max(episode, existing->episode_start_us + 1);
      }
      d = store_.on_firing(key, episode, *severity, now_us);
    }
    if (d.superseded) {
      out.push_back(fault_event(server, project_name, *d.superseded, true, "VM fault superseded", now_us));
      ++stats_.clears;
    }
    if (d.action == state::FaultAction::raise || d.action == state::FaultAction::update) {
      std::string problem = "VM " + (server.name.empty() ? server.id : server.name) + " is " + server.status;
      if (!server.fault_message.empty()) problem += ": " + server.fault_message;
      out.push_back(fault_event(server, project_name, d.record, false, std::move(problem), now_us));
      if (d.action == state::FaultAction::raise) {
        ++stats_.raises;
      } else {
        ++stats_.updates;
      }
    }
    if (d.record.active() && !d.record.event_id.empty()) {
      set_in_fault(*vm, true);
      vm->since_us = d.record.start_epoch_us;
      vm->event_id = d.record.event_id;
      vm->severity = d.record.severity;
      vm->sequence = d.record.sequence;
    }
  } else if (vm->in_fault || first_sighting) {
    // first_sighting: a fault persisted before a restart may be waiting for this recovery.
    state::FaultDecision d = store_.on_resolved(key, 0, now_us);
    if (d.action == state::FaultAction::clear) {
      std::string name = server.name.empty() ? server.id : server.name;
      std::string problem = server.status == kDeleted ? "VM " + name + " was deleted"
                                                      : "VM " + name + " is " + server.status + " again";
      out.push_back(fault_event(server, project_name, d.record, true, std::move(problem), now_us));
      ++stats_.clears;
    }
    set_in_fault(*vm, false);
  }
  if (settings_.state_change_events && !first_sighting && !previous.empty() && previous != server.status) {
    out.push_back(state_change_event(server, previous, now_us));
    ++stats_.state_changes;
  }
  vm->status = server.status;
}

void VmTracker::unwatch(const Server& server, std::int64_t now_us, std::vector<core::Event>& out) {
  if (listing_) seen_.insert(server.id);
  auto it = vms_.find(server.id);
  const bool known = it != vms_.end();
  if (!known || it->second.in_fault) {
    state::FaultDecision d = store_.on_resolved(fault_key(settings_.cloud, server.id), 0, now_us);
    if (d.action == state::FaultAction::clear) {
      out.push_back(fault_event(server, {}, d.record, true,
                                "VM " + (server.name.empty() ? server.id : server.name) + " is no longer watched",
                                now_us));
      ++stats_.clears;
    }
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

void VmTracker::end_full_listing(std::int64_t now_us, std::vector<core::Event>& out) {
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
  store_.for_each_active("vm/", [&](const state::FaultRecord& r) {
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
    observe(s, {}, now_us, out);
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

core::Event VmTracker::fault_event(const Server& server, std::string_view project_name,
                                   const state::FaultRecord& record, bool clear, std::string specific_problem,
                                   std::int64_t now_us) const {
  core::Event e;
  e.domain = core::Domain::fault;
  e.key = record.key;
  e.event_id = record.event_id;
  e.sequence = record.sequence;
  e.start_epoch_us = record.start_epoch_us;
  e.last_epoch_us = std::max(now_us, record.start_epoch_us);
  e.priority = clear ? core::Priority::normal : core::priority_for(record.severity);
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
  f.specific_problem = std::move(specific_problem);
  f.severity = clear ? core::Severity::normal : record.severity;
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
  e.event_id = next_event_id_ ? next_event_id_() : std::string{};
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
