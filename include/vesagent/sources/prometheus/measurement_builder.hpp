#pragma once
/// The rule -> field mapper: turns the samples of one measurement window into VES measurement events, one per
/// vmId. Each sample of a rule is placed by the rule's target; record elements (cpuUsageArray[...], ...) are
/// identified by vmId, array and the values of the rule's key labels (cpuIdentifier, vmIdentifier, ...), so
/// several rules fill the same element when those match (VESPA's behaviour: MemoryUsed and MemoryFree of one VM
/// end in one memoryUsageArray element).
///
/// A sample that cannot be placed (NaN, no vmId, a missing label, an unknown templated target, a second value for
/// the same field, a fraction for an integer field) is skipped and the reason returned, so one bad series never
/// spoils the rest. An element that lacks a required field is dropped at finish() and reported: the agent never
/// invents a value (VESPA sent a fake memoryFree: 0).
///
/// Pure and Asio-free. Memory: one entry per element; the samples themselves are not kept.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vesagent/config/config.hpp"
#include "vesagent/core/event.hpp"
#include "vesagent/sources/prometheus/query_response.hpp"
#include "vesagent/sources/prometheus/rule_set.hpp"

namespace vesagent::sources::prometheus {

/// Why a sample was not used. The names are metric label values.
enum class SkipReason : std::uint8_t {
  not_finite,     ///< NaN, +Inf, -Inf (JSON cannot carry them) or not a number at all
  missing_vm_id,  ///< the vmId template names a label the series lacks, or renders empty
  missing_label,  ///< a key label, object_name, object_instance or object_keys template names an absent label
  bad_target,     ///< a templated target rendered to something that is not a field of this VES version
  bad_value,      ///< a fraction for an integer field, or a state label outside its allowed values
  duplicate,      ///< another series already set this field of this element (add a key label to tell them apart)
};
inline constexpr std::size_t kSkipReasons = 6;
std::string_view to_string(SkipReason r) noexcept;

/// Header values shared by every event of the agent.
struct HeaderSettings {
  std::string event_name;  ///< <domainAbbreviation>_<nfNamingCode>_Measurements
  std::string reporting_entity_name;
  std::string reporting_entity_id;
  std::string nf_naming_code;
  std::string default_vm_id;  ///< sourceName for rules without any vmId (VESPA: event.vnfName)
  std::vector<config::NfcNamingCode> nfc_naming_codes;  ///< vmId -> nfcNamingCode
};

/// Builds HeaderSettings from the configuration (eventName per VESPA: domainAbbreviation + "_" + nfNamingCode +
/// "_Measurements"; an empty nfNamingCode falls back to event.vnfName, then "ves-agent", as the heartbeat does).
HeaderSettings header_settings(const config::Config& config);

/// An element dropped at finish() because no rule filled one of its required fields.
struct DroppedElement {
  std::string array;          ///< core name, e.g. "memoryUsageArray"
  std::string missing_field;  ///< the first required field it lacks
  std::size_t count = 0;
};

class MeasurementBuilder {
 public:
  /// `rules` must outlive the builder. The window is [window_start_us, window_end_us]; `interval_seconds` is
  /// what {{.interval}} renders and measurementInterval says.
  MeasurementBuilder(const RuleSet& rules, std::int64_t window_start_us, std::int64_t window_end_us,
                     std::int64_t interval_seconds, std::string default_vm_id);

  /// Places one sample of `rule`. On a skip, returns the reason and sets `detail` to a short explanation
  /// (e.g. "label \"cpu\" is missing") suitable for a log line.
  std::optional<SkipReason> add(const CompiledRule& rule, const Sample& sample, std::string& detail);

  /// The events, one per vmId in vmId order, without eventId (the caller allocates it). Elements missing a
  /// required field are removed and summarized in `dropped`; a vmId left with nothing is not sent.
  std::vector<core::Event> finish(const HeaderSettings& header, std::vector<DroppedElement>& dropped);

  std::size_t vm_count() const { return vms_.size(); }

 private:
  struct Vm {
    std::string vm_id;
    core::MeasurementBody body;
    std::unordered_map<std::string, std::size_t> records;  ///< element key -> index in body.records
    std::unordered_map<std::string, std::size_t> objects;  ///< objectName -> index in body.additional_objects
    std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> instances;  ///< object+keys -> indices
  };
  Vm& vm(const std::string& vm_id);
  const ResolvedTarget* resolve(const CompiledRule& rule, const std::string& rendered, std::string& detail);

  const RuleSet& rules_;
  std::int64_t window_start_us_;
  std::int64_t window_end_us_;
  std::int64_t interval_seconds_;
  std::string default_vm_id_;
  std::vector<std::unique_ptr<Vm>> vms_;
  std::unordered_map<std::string, std::size_t> vm_index_;
  /// Templated targets resolved so far, per rule index (a failure is cached as nullopt with its reason).
  std::vector<std::unordered_map<std::string, std::pair<std::optional<ResolvedTarget>, std::string>>> dynamic_;
  // Scratch buffers reused for every sample.
  std::string vm_id_;
  std::string target_;
  std::string key_;
  std::vector<std::string> key_values_;
  std::string text_;
  std::string error_;  ///< why the last template render failed
};

/// A Prometheus sample value as a measurement value: an integer literal that fits stays an int64 (precision and
/// type kept), anything else finite a double; nullopt for NaN, infinities and text that is not a number.
std::optional<core::FieldValue> parse_sample_value(std::string_view text);

}  // namespace vesagent::sources::prometheus
