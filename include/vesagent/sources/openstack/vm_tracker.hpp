#pragma once
/// The VM status -> VES fault logic of one cloud, with no I/O: the service feeds it the servers Nova lists, and
/// it hands fault observations (and stateChange events) to the correlation stage. The stage keeps the identity of
/// every fault (eventId, sequence, startEpochMicrosec), persisted under the key `vm/<server id>/status/<cloud>`,
/// so a restart neither raises a fault twice nor forgets to clear it.
///
///   healthy -> fault status      raise (sequence 1, startEpochMicrosec = the server's `updated` time)
///   fault   -> other fault status update (same eventId, sequence + 1, the new status' severity)
///   fault   -> healthy            clear (same eventId, sequence + 1, NORMAL)
///   fault   -> DELETED / missing  clear, unless DELETED is a fault status (then raise/update to it)
///   unwatched (filters)          clear
///
/// Threading: one executor; not thread-safe.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "vesagent/config/config.hpp"
#include "vesagent/core/correlator.hpp"
#include "vesagent/core/event.hpp"
#include "vesagent/sources/openstack/nova_servers.hpp"

namespace vesagent::sources::openstack {

/// What the tracker needs from the configuration.
struct TrackerSettings {
  std::string cloud;
  std::vector<std::pair<std::string, core::Severity>> fault_statuses;  ///< upper-case status -> severity
  std::string alarm_condition = "vmStatusFault";
  std::string event_source_type = "virtualMachine";
  bool state_change_events = false;
  std::string nf_naming_code;
  std::string reporting_entity_name;
  std::string reporting_entity_id;
  std::unordered_map<std::string, std::string> nfc_naming_codes;  ///< VM name -> nfcNamingCode

  static TrackerSettings from_config(const config::Config& config, std::string cloud);
};

/// A VM the agent currently holds in a fault state (the status page).
struct HeldFault {
  std::string server_id;
  std::string server_name;
  std::string status;
  std::string project_id;
  std::int64_t since_us = 0;  ///< startEpochMicrosec of the fault
  std::string event_id;
  core::Severity severity = core::Severity::major;
  std::int64_t sequence = 0;
};

/// Counts of what the tracker emitted (metrics).
struct TrackerStats {
  std::uint64_t raises = 0;
  std::uint64_t updates = 0;
  std::uint64_t clears = 0;
  std::uint64_t state_changes = 0;
};

class VmTracker {
 public:
  /// `correlator` decides the faults and gives stateChange events their eventIds; it must outlive the tracker.
  VmTracker(TrackerSettings settings, core::Correlator& correlator);

  /// The fault store key of one VM of `cloud`.
  static std::string fault_key(std::string_view cloud, std::string_view server_id);

  /// A server as Nova listed it (full or changes-since).
  void observe(const Server& server, std::string_view project_name, std::int64_t now_us);
  /// The server is listed but no filter watches it (any more): clear its fault and forget it.
  void unwatch(const Server& server, std::int64_t now_us);

  /// A full listing starts: every server of it must then be passed to mark_seen() (watched or not).
  void begin_full_listing();
  void mark_seen(const std::string& server_id);
  /// The full listing ended completely: VMs known here or holding an active fault of this cloud in the store
  /// that were not listed are gone (deleted while nobody looked, e.g. while the agent was down).
  void end_full_listing(std::int64_t now_us);

  std::vector<HeldFault> held_faults() const;
  std::size_t vm_count() const { return vms_.size(); }
  std::size_t faults_active() const { return faults_active_; }
  const TrackerStats& stats() const { return stats_; }
  const TrackerSettings& settings() const { return settings_; }
  std::optional<core::Severity> severity_for(std::string_view status) const;

 private:
  struct Vm {
    std::string name;
    std::string status;
    std::string project_id;
    bool in_fault = false;
    std::int64_t since_us = 0;
    std::string event_id;
    core::Severity severity = core::Severity::major;
    std::int64_t sequence = 0;
  };

  void apply(const Server& server, std::string_view project_name, Vm* vm, bool first_sighting, std::int64_t now_us);
  /// Hands one observation of `server`'s fault to the correlator, with the texts of its events.
  core::FaultVerdict decide(const core::FaultObservation& o, const Server& server, std::string_view project_name,
                            std::string problem, std::string clear_problem, std::int64_t now_us);
  core::Event fault_event(const Server& server, std::string_view project_name, std::string specific_problem,
                          std::int64_t now_us) const;
  core::Event state_change_event(const Server& server, std::string_view old_status, std::int64_t now_us) const;
  void set_in_fault(Vm& vm, bool in_fault);

  TrackerSettings settings_;
  core::Correlator& correlator_;
  std::string key_suffix_;  ///< "/status/<cloud>"
  std::unordered_map<std::string, Vm> vms_;
  std::unordered_set<std::string> seen_;
  bool listing_ = false;
  std::size_t faults_active_ = 0;
  TrackerStats stats_;
};

/// Nova status -> VES stateChange state: ACTIVE inService; BUILD, REBUILD, REBOOT, HARD_REBOOT, MIGRATING,
/// RESIZE, VERIFY_RESIZE, REVERT_RESIZE, PASSWORD maintenance; everything else outOfService.
core::EntityState entity_state_for(std::string_view status);

}  // namespace vesagent::sources::openstack
