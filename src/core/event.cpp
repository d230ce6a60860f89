#include "vesagent/core/event.hpp"

namespace vesagent::core {

std::string_view to_string(Domain d) noexcept {
  switch (d) {
    case Domain::fault: return "fault";
    case Domain::heartbeat: return "heartbeat";
    case Domain::measurement: return "measurement";
    case Domain::state_change: return "stateChange";  // sources/openstack
  }
  return "other";
}

std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::critical: return "CRITICAL";
    case Severity::major: return "MAJOR";
    case Severity::minor: return "MINOR";
    case Severity::warning: return "WARNING";
    case Severity::normal: return "NORMAL";
  }
  return "NORMAL";
}

std::string_view to_string(Priority p) noexcept {
  switch (p) {
    case Priority::high: return "High";
    case Priority::medium: return "Medium";
    case Priority::normal: return "Normal";
    case Priority::low: return "Low";
  }
  return "Normal";
}

std::optional<Severity> parse_severity(std::string_view s) noexcept {
  if (s == "CRITICAL") return Severity::critical;
  if (s == "MAJOR") return Severity::major;
  if (s == "MINOR") return Severity::minor;
  if (s == "WARNING") return Severity::warning;
  if (s == "NORMAL") return Severity::normal;
  return std::nullopt;
}

Priority priority_for(Severity s) noexcept {
  switch (s) {
    case Severity::critical: return Priority::high;
    case Severity::major: return Priority::medium;
    case Severity::minor:
    case Severity::warning: return Priority::low;
    case Severity::normal: return Priority::normal;
  }
  return Priority::normal;
}

}  // namespace vesagent::core
