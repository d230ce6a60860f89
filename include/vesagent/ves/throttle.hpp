#pragma once
/// VES 5.4.1 event throttling: the collector's throttlingSpecification commands name, per event domain, optional
/// fields of the domain block (faultFields, measurementsForVfScalingFields, ...) and name/value pairs inside a
/// name/value field that the agent must not send. The specification in force is kept here, applied to encoded
/// events, reported for provideThrottlingState, and persisted so that it survives a restart.
///
/// Rules (VES 5.4.1 "Commands Toward Event Source Clients"): throttling is off for every domain by default; a
/// domain's state changes only when a specification for that domain arrives; that specification replaces the
/// domain's lists, and a list it does not carry is discarded. Required fields are never suppressed.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"

namespace vesagent::ves {

/// suppressedNvPairs: names to drop inside the name/value field `field_name` (e.g. alarmAdditionalInformation).
struct SuppressedNvPairs {
  std::string field_name;
  std::vector<std::string> names;
  bool operator==(const SuppressedNvPairs&) const = default;
};

/// eventDomainThrottleSpecification.
struct DomainThrottle {
  std::string event_domain;  ///< commonEventHeader.domain as sent on the wire ("fault", "measurementsForVfScaling")
  std::vector<std::string> suppressed_field_names;
  std::vector<SuppressedNvPairs> suppressed_nv_pairs;
  /// Suppresses nothing: throttling for the domain is off.
  bool empty() const noexcept { return suppressed_field_names.empty() && suppressed_nv_pairs.empty(); }
  bool operator==(const DomainThrottle&) const = default;
};

/// Reads an eventDomainThrottleSpecification JSON object. False with `error` naming the problem when it is not
/// an object or has no string eventDomain; entries of the wrong type inside the lists are skipped and reported in
/// `error` while the rest is kept (the function still returns true then).
bool parse_domain_throttle(std::string_view json_object, DomainThrottle& out, std::string& error);

/// Reads `{"eventThrottlingState":{"eventThrottlingMode":...,"eventDomainThrottleSpecificationList":[...]}}` (the
/// provideThrottlingState body, also the persisted form). False with `error` when the text is not such a document.
bool parse_throttling_state(std::string_view text, std::vector<DomainThrottle>& out, std::string& error);

class Throttle {
 public:
  /// `file` keeps the state across restarts; empty = in memory only.
  explicit Throttle(std::filesystem::path file = {});

  /// Reads the persisted state. A missing file is the default state (no throttling). An unreadable or damaged
  /// file leaves throttling off and returns an error naming the file.
  Result<void> load(std::string& error);

  /// Applies one throttlingSpecification and persists the result. When persisting fails the new state is in
  /// force all the same and the error says so.
  Result<void> apply(const DomainThrottle& spec, std::string& error);

  bool throttled() const noexcept { return !specs_.empty(); }
  /// The specifications in force, one per domain, in order of arrival.
  const std::vector<DomainThrottle>& specs() const noexcept { return specs_; }

  /// Removes from an encoded event (a bare VES event object, as the encoder writes it) what the specification of
  /// its commonEventHeader.domain suppresses. Returns true when something was removed. Leaves the text alone when
  /// nothing applies (the usual case costs one lookup) or when it is not a VES event.
  bool suppress(std::string& encoded_event) const;

  /// The provideThrottlingState request body: {"eventThrottlingState":{"eventThrottlingMode":"normal"|"throttled",
  /// "eventDomainThrottleSpecificationList":[...]}} (the list only when throttled).
  std::string state_body() const;

 private:
  std::filesystem::path file_;
  std::vector<DomainThrottle> specs_;
};

}  // namespace vesagent::ves
