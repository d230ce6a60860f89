#pragma once
/// Nova versioned notifications as they arrive over AMQP: the oslo.messaging envelope, then the notification.
/// Pure functions, no I/O, fuzzed (tests/fuzz/openstack_notification_fuzz.cpp). What a real Nova sends is
/// recorded in tests/data/openstack/notifications (README.md there).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vesagent/core/error.hpp"
#include "vesagent/sources/openstack/compute_services.hpp"

namespace vesagent::sources::openstack {

/// The oslo.messaging envelope of one message, with the notification's header fields.
struct OsloEnvelope {
  std::string version;       ///< "2.0" (oslo.message holds the notification as a JSON string), or "1.0" (unwrapped)
  std::string message;       ///< the notification as JSON text
  std::string message_id;    ///< oslo's uuid4; an at-least-once redelivery repeats it
  std::string publisher_id;  ///< "<binary>:<host>" (see the data README for what it does not always mean)
  std::string event_type;    ///< "instance.power_off.end", "service.update", ...
  std::string priority;      ///< INFO, WARN, ERROR, ...
  std::int64_t timestamp_us = 0;  ///< `timestamp` ("2026-12-07 18:47:56.317047", UTC); 0 when absent
};

/// Splits one AMQP body into envelope and notification header. Fails (with `why`) when the body is not a JSON
/// object, oslo.message is not a string holding a JSON object, or there is no event_type.
Result<OsloEnvelope> parse_oslo_envelope(std::string_view body, std::string* why = nullptr);

enum class Phase { none, start, end, error };

/// ExceptionPayload: why an action failed (instance.*.error, compute_task.*.error).
struct NotificationFault {
  std::string exception;  ///< exception class, e.g. NoValidHost, NovaException
  std::string message;    ///< exception_message
  std::string module_name;
  std::string function_name;
};

/// An instance.* (or compute_task.*, which names the instance by instance_uuid) notification.
struct InstanceNotification {
  std::string uuid;        ///< the server id
  std::string event_type;  ///< as sent
  std::string action;      ///< "update", "power_off", "create", "build_instances", ...
  Phase phase = Phase::none;
  std::string vm_state;     ///< `state`: building, active, stopped, paused, suspended, rescued, shelved, error, ...
  std::string power_state;  ///< pending, running, paused, shutdown, crashed, suspended (strings, unlike the REST API)
  std::string task_state;   ///< empty = null
  bool has_state_update = false;  ///< instance.update: the four fields below are set
  std::string old_state;
  std::string old_task_state;
  std::string new_task_state;
  std::string host;  ///< empty before scheduling and while shelved_offloaded
  std::string node;
  std::string tenant_id;  ///< the project
  std::string user_id;
  std::string display_name;
  std::string availability_zone;
  std::string flavor;  ///< flavor name
  std::vector<std::pair<std::string, std::string>> metadata;  ///< string values only
  std::vector<std::string> tags;
  std::optional<NotificationFault> fault;  ///< *.error
  bool initiated_by_nova = false;  ///< no action_initiator_user: Nova acted by itself (power sync, periodic task)
  std::int64_t timestamp_us = 0;   ///< the envelope's timestamp: the event time to use (updated_at can lag)
  std::int64_t updated_at_us = 0;
  std::int64_t created_at_us = 0;
  std::int64_t launched_at_us = 0;
  std::int64_t terminated_at_us = 0;
  std::int64_t deleted_at_us = 0;
  std::int64_t audit_period_beginning_us = 0;
  std::int64_t audit_period_ending_us = 0;

  /// The status the REST API shows for this vm_state and task_state (what polling sees): ACTIVE, SHUTOFF,
  /// ERROR, REBOOT, ... See nova_status().
  std::string status() const;
  /// The REST API's number for power_state (running = 1, shutdown = 4, ...), -1 when unknown.
  int power_state_code() const;
};

/// One notification. Exactly one of `instance` and `service` is set for the kinds the agent uses; neither for
/// the others (flavor.*, scheduler.*, ...), which are to be acknowledged and ignored.
struct Notification {
  OsloEnvelope envelope;
  std::optional<InstanceNotification> instance;
  /// service.create / service.update / service.delete: `up` is nullopt (notifications carry no state);
  /// updated_us is the envelope's timestamp.
  std::optional<ComputeService> service;
};

/// Parses one AMQP body. Fails (with `why`) when the envelope is unreadable (parse_oslo_envelope) or an
/// instance.* / service.* notification lacks what identifies it (payload.nova_object.data with uuid / host and
/// binary). Unknown event types are not an error.
Result<Notification> parse_notification(std::string_view body, std::string* why = nullptr);

/// Nova's REST `status` for a vm_state and task_state (nova/api/openstack/common.py's state map): for example
/// active + rebooting = REBOOT, stopped = SHUTOFF, rescued = RESCUE. UNKNOWN for a vm_state Nova does not have.
std::string nova_status(std::string_view vm_state, std::string_view task_state);

/// The REST API's number of a notification power_state string; -1 when unknown.
int power_state_code(std::string_view power_state);

}  // namespace vesagent::sources::openstack
