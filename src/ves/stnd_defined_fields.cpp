#include "stnd_defined_fields.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace vesagent::ves::detail {
namespace {

constexpr std::array<std::string_view, 10> kAlarmTypes{
    "COMMUNICATIONS_ALARM",  "QUALITY_OF_SERVICE_ALARM", "PROCESSING_ERROR_ALARM",
    "EQUIPMENT_ALARM",       "ENVIRONMENTAL_ALARM",      "INTEGRITY_VIOLATION",
    "OPERATIONAL_VIOLATION", "PHYSICAL_VIOLATION",       "SECURITY_SERVICE_OR_MECHANISM_VIOLATION",
    "TIME_DOMAIN_VIOLATION"};
/// Alerts from monitoring are mostly a degradation of a service; an alert label `alarmType` overrides it.
constexpr std::string_view kDefaultAlarmType = "QUALITY_OF_SERVICE_ALARM";

std::string_view perceived_severity(core::Severity s) noexcept {
  switch (s) {
    case core::Severity::critical: return "CRITICAL";
    case core::Severity::major: return "MAJOR";
    case core::Severity::minor: return "MINOR";
    case core::Severity::warning: return "WARNING";
    case core::Severity::normal: return "CLEARED";
  }
  return "INDETERMINATE";
}

std::string_view alarm_type(const core::FaultBody& f) noexcept {
  std::string_view chosen = kDefaultAlarmType;
  for (const auto& [name, value] : f.additional_information) {
    if (name != "alarmType") continue;
    for (auto t : kAlarmTypes) {
      if (t == value) chosen = t;
    }
  }
  return chosen;
}

/// RFC 3986 percent-encoding of everything but unreserved characters, so href is a URI whatever the name holds.
void append_uri_component(std::string& out, std::string_view s) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
}

/// The alarmed object: the event's sourceName as a ManagedElement below the reporting entity.
std::string href_for(const core::Event& e) {
  std::string href = "http://";
  append_uri_component(href, e.reporting_entity_name);
  href += "/3GPPManagement/FaultSupervisionMnS/ManagedElement=";
  append_uri_component(href, e.source_name);
  return href;
}

std::string_view schema_name(AlarmNotification n) noexcept {
  switch (n) {
    case AlarmNotification::new_alarm: return "NotifyNewAlarm";
    case AlarmNotification::changed_alarm: return "NotifyChangedAlarm";
    case AlarmNotification::cleared_alarm: return "NotifyClearedAlarm";
  }
  return "NotifyNewAlarm";
}

/// The notificationType enum of faultMnS.yaml (the collector rejects other spellings).
std::string_view notification_type(AlarmNotification n) noexcept {
  switch (n) {
    case AlarmNotification::new_alarm: return "notifyNewAlarm";
    case AlarmNotification::changed_alarm: return "notifyChangedAlarm";
    case AlarmNotification::cleared_alarm: return "notifyClearedAlarm";
  }
  return "notifyNewAlarm";
}

}  // namespace

AlarmNotification notification_for(const core::Event& event, const core::FaultBody& fault) noexcept {
  if (fault.severity == core::Severity::normal) return AlarmNotification::cleared_alarm;
  if (event.sequence <= 1) return AlarmNotification::new_alarm;
  return AlarmNotification::changed_alarm;
}

std::int64_t notification_id(std::string_view event_id, std::int64_t sequence) noexcept {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64
  for (char c : event_id) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  // 43 bits of the hash, 10 of the sequence: 2^53 - 1 at most.
  constexpr std::uint64_t kHashBits = (std::uint64_t{1} << 43) - 1;
  const auto seq = static_cast<std::uint64_t>(sequence) & 0x3FF;
  return static_cast<std::int64_t>(((h & kHashBits) << 10) | seq);
}

std::string rfc3339_utc(std::int64_t epoch_us) {
  std::int64_t seconds = epoch_us / 1000000;
  std::int64_t micros = epoch_us % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --seconds;
  }
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];  // room for any int the fields can hold, so the compiler can prove no truncation
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(micros));
  return buf;
}

bool write_stnd_defined_fault(JsonWriter& w, const core::Event& event, const core::FaultBody& fault,
                              std::string_view schema_url, std::string& error) {
  if (fault.alarm_condition.empty()) {
    error = "stndDefinedFields.data.probableCause (faultFields.alarmCondition) is empty but required";
    return false;
  }
  const AlarmNotification kind = notification_for(event, fault);
  std::string reference(schema_url);
  reference += "#/components/schemas/";
  reference += schema_name(kind);
  const std::string href = href_for(event);

  w.key("stndDefinedFields");
  w.begin_object();
  w.member("schemaReference", reference);
  w.key("data");
  w.begin_object();
  // NotificationHeader
  w.member("href", href);
  w.member("uri", href);  // required instead of href by later 3GPP releases; harmless here
  w.member_int("notificationId", notification_id(event.event_id, event.sequence));
  w.member("notificationType", notification_type(kind));
  w.member("eventTime", rfc3339_utc(event.last_epoch_us));
  std::string system_dn = "ManagementNode=";
  system_dn += event.reporting_entity_name;
  w.member("systemDN", system_dn);
  // The alarm: one alarmId for every notification of the fault.
  w.member("alarmId", event.event_id);
  w.member("alarmType", alarm_type(fault));
  w.member("probableCause", fault.alarm_condition);
  w.member("perceivedSeverity", perceived_severity(fault.severity));
  switch (kind) {
    case AlarmNotification::new_alarm:
      w.optional_member("specificProblem", fault.specific_problem);
      w.optional_member("additionalText", fault.specific_problem);
      if (!fault.additional_information.empty()) {
        // AttributeNameValuePairSet: an object with at least one member; a repeated name keeps its last value.
        w.key("additionalInformation");
        w.begin_object();
        for (std::size_t i = 0; i < fault.additional_information.size(); ++i) {
          const auto& name = fault.additional_information[i].first;
          bool later = false;
          for (std::size_t j = i + 1; j < fault.additional_information.size() && !later; ++j) {
            later = fault.additional_information[j].first == name;
          }
          if (!later) w.member(name, fault.additional_information[i].second);
        }
        w.end_object();
      }
      break;
    case AlarmNotification::changed_alarm:
      break;
    case AlarmNotification::cleared_alarm:
      w.member("clearSystemId", event.reporting_entity_name);
      break;
  }
  w.end_object();
  w.member("stndDefinedFieldsVersion", "1.0");
  w.end_object();
  return true;
}

}  // namespace vesagent::ves::detail
