#pragma once
/// Alertmanager's webhook payload (version "4", as Alertmanager 0.25 sends it) and its parser.
///
/// Only what the fault mapping needs is kept: groupLabels, commonLabels and commonAnnotations are skipped,
/// since every alert carries its own complete label and annotation sets.
/// Pure functions, no shared state: safe on any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::sources::alertmanager {

/// Each alert carries its own status: one payload can mix both under a top-level "firing".
enum class AlertStatus { firing, resolved };

std::string_view to_string(AlertStatus status) noexcept;  ///< "firing" / "resolved"

/// One alert of a notification.
struct Alert {
  AlertStatus status = AlertStatus::firing;
  core::NameValues labels;       ///< in payload order (Alertmanager sorts them by name)
  core::NameValues annotations;  ///< in payload order
  std::int64_t starts_at_us = 0; ///< µs since the Unix epoch
  std::int64_t ends_at_us = 0;   ///< 0 for Go's zero time 0001-01-01T00:00:00Z (what a firing alert carries)
  std::string fingerprint;       ///< Alertmanager's 16-hex-digit label-set hash; empty when absent
  std::string generator_url;

  /// The value of a label / annotation, or nullptr when absent.
  const std::string* label(std::string_view name) const noexcept;
  const std::string* annotation(std::string_view name) const noexcept;
};

/// One webhook notification.
struct Payload {
  std::string version;   ///< "4"; another value is accepted (and logged at debug by the webhook)
  std::string receiver;
  std::string status;    ///< the group's status; each alert has its own
  std::string group_key;
  std::string external_url;
  std::int64_t truncated_alerts = 0;  ///< alerts left out by max_alerts
  std::vector<Alert> alerts;
};

/// Parses a webhook body. Rejects (errc::invalid_json) anything that is not JSON, not an object, has no `alerts`
/// array, or has an alert that is not an object, lacks status/labels/startsAt, has a status other than
/// firing/resolved, a label or annotation that is not a string, or a timestamp that is not RFC 3339. `why` then
/// receives one line naming the culprit, e.g. `alerts[1].status: expected "firing" or "resolved", got "pending"`
/// (no control characters, at most ~200 bytes, so it can go into a log line and a 400 body as it is).
/// Unknown keys are ignored, whatever they hold, up to 1000 levels of nesting (deeper is refused). Duplicate keys
/// keep the last value, as Go's decoder does. A JSON syntax error gives `invalid JSON at byte N: ...` (1-based).
Result<Payload> parse_payload(std::string_view body, std::string& why);

/// RFC 3339 (`2026-11-26T03:58:23.664Z`, `...T05:58:23+02:00`, any number of fraction digits, truncated to µs)
/// to µs since the Unix epoch. Go's zero time (0001-01-01T00:00:00Z) gives 0. nullopt when malformed or out of
/// range (month 13, 25:00, second 60, ...).
std::optional<std::int64_t> parse_rfc3339_us(std::string_view text) noexcept;

}  // namespace vesagent::sources::alertmanager
