#pragma once
/// Alert -> VES fault mapping (alertManager.faults). The defaults reproduce ONAP-VESPA's mapping so its users can
/// switch; see src/sources/alertmanager/README.md for the field table.
///
/// Immutable after construction: safe to share between threads.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vesagent/config/config.hpp"
#include "vesagent/core/event.hpp"
#include "vesagent/sources/alertmanager/payload.hpp"
#include "vesagent/core/correlator.hpp"

namespace vesagent::sources::alertmanager {

/// Prometheus' label-set fingerprint (FNV-1a 64 over the labels sorted by name, 0xff after every name and value)
/// as 16 lower-case hex digits: what Alertmanager puts in `fingerprint`, so a payload without one still maps to
/// the key Alertmanager would have given it.
std::string label_fingerprint(const core::NameValues& labels);

/// Builds the fault Events of one alert. The identity (eventId, sequence, startEpochMicrosec) is the one the
/// correlation stage decided; everything else comes from the alert and the configuration.
class FaultMapper {
 public:
  explicit FaultMapper(const config::Config& config);

  /// Correlation key: "am/" + fingerprint (computed with label_fingerprint() when the payload has none). The
  /// fingerprint covers every label, the alert name included (VESPA's key left it out, so two alerts on one VM
  /// shared a fault and one clear was lost).
  std::string key(const Alert& alert) const;

  /// severityMap[lower-case severity label], else defaultSeverity (logged at debug).
  core::Severity severity(const Alert& alert) const;

  /// A raise or an update of `record`'s fault: eventSeverity record.severity, priority from it,
  /// lastEpochMicrosec = max(now_us, startEpochMicrosec).
  core::Event fault_event(const Alert& alert, const core::FaultIdentity& record, std::int64_t now_us) const;

  /// The clear of `record`'s fault: eventSeverity NORMAL, priority Normal, lastEpochMicrosec = max(end_us,
  /// startEpochMicrosec); alarmCondition (and so eventName) and specificProblem from the clearAlertName and
  /// clearDescription annotations when present (VESPA).
  core::Event clear_event(const Alert& alert, const core::FaultIdentity& record, std::int64_t end_us) const;

 private:
  core::Event make_event(const Alert& alert, const core::FaultIdentity& record, bool clear) const;
  core::NameValues additional_information(const Alert& alert) const;

  config::AlertFaultsConfig faults_;
  std::vector<std::pair<std::string, core::Severity>> severity_map_;  ///< lower-case label value -> severity
  core::Severity default_severity_ = core::Severity::major;
  std::string nf_naming_code_;
  std::string reporting_entity_name_;
  std::string reporting_entity_id_;
  std::unordered_map<std::string, std::string> nfc_naming_codes_;  ///< VM name (sourceName) -> nfcNamingCode
};

}  // namespace vesagent::sources::alertmanager
