#include "vesagent/sources/openstack/notification.hpp"

#include <nlohmann/json.hpp>
#include <tuple>

#include "vesagent/sources/openstack/keystone_token.hpp"

namespace vesagent::sources::openstack {

namespace {

using nlohmann::json;

std::string str(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::int64_t time_us(const json& obj, const char* key) {
  auto t = parse_iso8601_us(str(obj, key));
  return t ? *t : 0;
}

/// The `nova_object.data` of a versioned object, or null.
const json* object_data(const json& obj) {
  if (!obj.is_object()) return nullptr;
  auto d = obj.find("nova_object.data");
  if (d == obj.end() || !d->is_object()) return nullptr;
  return &*d;
}

const json* object_data(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : object_data(*it);
}

std::optional<NotificationFault> fault_of(const json* data) {
  if (data == nullptr) return std::nullopt;
  NotificationFault f;
  f.exception = str(*data, "exception");
  f.message = str(*data, "exception_message");
  f.module_name = str(*data, "module_name");
  f.function_name = str(*data, "function_name");
  return f;
}

Phase phase_of(std::string_view last) {
  if (last == "start") return Phase::start;
  if (last == "end") return Phase::end;
  if (last == "error") return Phase::error;
  return Phase::none;
}

/// "instance.power_off.end" -> ("power_off", end); "instance.update" -> ("update", none).
std::pair<std::string, Phase> action_of(std::string_view event_type) {
  const auto first = event_type.find('.');
  std::string_view rest = first == std::string_view::npos ? std::string_view{} : event_type.substr(first + 1);
  const auto last = rest.rfind('.');
  if (last != std::string_view::npos) {
    const Phase p = phase_of(rest.substr(last + 1));
    if (p != Phase::none) return {std::string(rest.substr(0, last)), p};
  }
  return {std::string(rest), Phase::none};
}

bool parse_instance(const json& data, const OsloEnvelope& env, InstanceNotification& out, std::string& why) {
  out.uuid = str(data, "uuid");
  if (out.uuid.empty()) out.uuid = str(data, "instance_uuid");  // compute_task.*
  if (out.uuid.empty()) {
    why = env.event_type + " payload has no instance uuid";
    return false;
  }
  out.event_type = env.event_type;
  std::tie(out.action, out.phase) = action_of(env.event_type);
  out.timestamp_us = env.timestamp_us;
  out.vm_state = str(data, "state");
  out.power_state = str(data, "power_state");
  out.task_state = str(data, "task_state");
  if (const json* su = object_data(data, "state_update")) {
    out.has_state_update = true;
    out.old_state = str(*su, "old_state");
    out.old_task_state = str(*su, "old_task_state");
    out.new_task_state = str(*su, "new_task_state");
    if (out.vm_state.empty()) out.vm_state = str(*su, "state");
  }
  out.host = str(data, "host");
  out.node = str(data, "node");
  out.tenant_id = str(data, "tenant_id");
  out.user_id = str(data, "user_id");
  out.display_name = str(data, "display_name");
  out.availability_zone = str(data, "availability_zone");
  if (const json* fl = object_data(data, "flavor")) out.flavor = str(*fl, "name");
  if (auto m = data.find("metadata"); m != data.end() && m->is_object()) {
    for (auto it = m->begin(); it != m->end(); ++it) {
      if (it.value().is_string()) out.metadata.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  if (auto t = data.find("tags"); t != data.end() && t->is_array()) {
    for (const auto& tag : *t) {
      if (tag.is_string()) out.tags.push_back(tag.get<std::string>());
    }
  }
  out.fault = fault_of(object_data(data, "fault"));
  if (!out.fault) out.fault = fault_of(object_data(data, "reason"));  // compute_task.*.error
  if (auto r = data.find("request_spec"); r != data.end() && out.tenant_id.empty()) {
    if (const json* spec = object_data(*r)) out.tenant_id = str(*spec, "project_id");
  }
  out.initiated_by_nova = data.contains("action_initiator_user") && data["action_initiator_user"].is_null();
  out.updated_at_us = time_us(data, "updated_at");
  out.created_at_us = time_us(data, "created_at");
  out.launched_at_us = time_us(data, "launched_at");
  out.terminated_at_us = time_us(data, "terminated_at");
  out.deleted_at_us = time_us(data, "deleted_at");
  if (const json* ap = object_data(data, "audit_period")) {
    out.audit_period_beginning_us = time_us(*ap, "audit_period_beginning");
    out.audit_period_ending_us = time_us(*ap, "audit_period_ending");
  }
  return true;
}

bool parse_service(const json& data, const OsloEnvelope& env, ComputeService& out, std::string& why) {
  out.host = str(data, "host");
  out.binary = str(data, "binary");
  if (out.host.empty() || out.binary.empty()) {
    why = env.event_type + " payload has no host or binary";
    return false;
  }
  out.id = str(data, "uuid");
  out.zone = str(data, "availability_zone");
  if (auto d = data.find("disabled"); d != data.end() && d->is_boolean()) out.disabled = d->get<bool>();
  out.disabled_reason = str(data, "disabled_reason");
  if (auto f = data.find("forced_down"); f != data.end() && f->is_boolean()) out.forced_down = f->get<bool>();
  out.last_seen_up_us = time_us(data, "last_seen_up");
  out.updated_us = env.timestamp_us;
  return true;
}

}  // namespace

namespace {

/// The envelope and the parsed notification, each message's JSON parsed once (twice for 2.0: the body, then the
/// oslo.message string).
bool parse_envelope_and_doc(std::string_view body, OsloEnvelope& env, json& doc, std::string& why) {
  doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    why = "message body is not JSON";
    return false;
  }
  if (!doc.is_object()) {
    why = "message body is not a JSON object";
    return false;
  }
  if (auto inner = doc.find("oslo.message"); inner != doc.end()) {
    if (!inner->is_string()) {
      why = "oslo.message is not a string";
      return false;
    }
    env.version = str(doc, "oslo.version");
    if (env.version.empty()) env.version = "2.0";
    env.message = inner->get<std::string>();
    doc = json::parse(env.message, nullptr, false);
    if (doc.is_discarded()) {
      why = "oslo.message is not JSON";
      return false;
    }
    if (!doc.is_object()) {
      why = "oslo.message is not a JSON object";
      return false;
    }
  } else {
    env.version = "1.0";
    env.message = std::string(body);
  }
  env.event_type = str(doc, "event_type");
  if (env.event_type.empty()) {
    why = "notification has no event_type";
    return false;
  }
  env.message_id = str(doc, "message_id");
  env.publisher_id = str(doc, "publisher_id");
  env.priority = str(doc, "priority");
  if (auto t = parse_iso8601_us(str(doc, "timestamp"))) env.timestamp_us = *t;
  return true;
}

}  // namespace

Result<OsloEnvelope> parse_oslo_envelope(std::string_view body, std::string* why) {
  OsloEnvelope env;
  json doc;
  std::string reason;
  if (!parse_envelope_and_doc(body, env, doc, reason)) {
    if (why != nullptr) *why = std::move(reason);
    return make_error_code(errc::invalid_json);
  }
  return env;
}

Result<Notification> parse_notification(std::string_view body, std::string* why) {
  std::string reason;
  auto fail = [why, &reason]() -> Result<Notification> {
    if (why != nullptr) *why = std::move(reason);
    return make_error_code(errc::invalid_json);
  };
  Notification n;
  json doc;
  if (!parse_envelope_and_doc(body, n.envelope, doc, reason)) return fail();
  const std::string& type = n.envelope.event_type;
  const bool instance = type.rfind("instance.", 0) == 0 || type.rfind("compute_task.", 0) == 0;
  const bool service = type.rfind("service.", 0) == 0;
  if (!instance && !service) return n;
  const json* data = nullptr;
  if (auto p = doc.find("payload"); p != doc.end()) data = object_data(*p);
  if (data == nullptr) {
    reason = type + " has no payload.nova_object.data (not a versioned notification: set Nova's "
                    "notification_format to versioned or both)";
    return fail();
  }
  if (instance) {
    InstanceNotification i;
    if (!parse_instance(*data, n.envelope, i, reason)) return fail();
    n.instance = std::move(i);
  } else {
    ComputeService s;
    if (!parse_service(*data, n.envelope, s, reason)) return fail();
    n.service = std::move(s);
  }
  return n;
}

std::string nova_status(std::string_view vm, std::string_view task) {
  auto resize = [&] {
    return task == "resize_prep" || task == "resize_migrating" || task == "resize_migrated" || task == "resize_finish";
  };
  auto rebuild = [&] {
    return task == "rebuilding" || task == "rebuild_block_device_mapping" || task == "rebuild_spawning";
  };
  if (vm == "active") {
    if (task == "rebooting" || task == "reboot_pending" || task == "reboot_started") return "REBOOT";
    if (task == "rebooting_hard" || task == "reboot_pending_hard" || task == "reboot_started_hard") {
      return "HARD_REBOOT";
    }
    if (task == "updating_password") return "PASSWORD";
    if (rebuild()) return "REBUILD";
    if (task == "migrating") return "MIGRATING";
    if (resize()) return "RESIZE";
    return "ACTIVE";
  }
  if (vm == "building") return "BUILD";
  if (vm == "stopped") {
    if (resize()) return "RESIZE";
    if (rebuild()) return "REBUILD";
    return "SHUTOFF";
  }
  if (vm == "resized") return task == "resize_reverting" ? "REVERT_RESIZE" : "VERIFY_RESIZE";
  if (vm == "paused") return task == "migrating" ? "MIGRATING" : "PAUSED";
  if (vm == "suspended") return "SUSPENDED";
  if (vm == "rescued") return "RESCUE";
  if (vm == "error") return rebuild() ? "REBUILD" : "ERROR";
  if (vm == "deleted") return "DELETED";
  if (vm == "soft-delete" || vm == "soft_deleted") return "SOFT_DELETED";
  if (vm == "shelved") return "SHELVED";
  if (vm == "shelved_offloaded") return "SHELVED_OFFLOADED";
  return "UNKNOWN";
}

int power_state_code(std::string_view p) {
  if (p == "pending") return 0;
  if (p == "running") return 1;
  if (p == "paused") return 3;
  if (p == "shutdown") return 4;
  if (p == "crashed") return 6;
  if (p == "suspended") return 7;
  return -1;
}

std::string InstanceNotification::status() const { return nova_status(vm_state, task_state); }
int InstanceNotification::power_state_code() const { return openstack::power_state_code(power_state); }

}  // namespace vesagent::sources::openstack
