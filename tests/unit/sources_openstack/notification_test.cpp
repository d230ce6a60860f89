// Nova versioned notifications: the oslo envelope and the instance/service parsers, over the 305 messages recorded
// from a real Nova (tests/data/openstack/notifications, README.md there).
#include "vesagent/sources/openstack/notification.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_util.hpp"
#include "vesagent/sources/openstack/keystone_token.hpp"
#include "vesagent/sources/openstack/nova_servers.hpp"

namespace vesagent::sources::openstack {
namespace {

using nlohmann::json;
using testing::fixture;

struct Captured {
  json record;       ///< one line of capture.jsonl
  std::string body;  ///< the AMQP body as received
};

const std::vector<Captured>& capture() {
  static const std::vector<Captured> all = [] {
    std::vector<Captured> out;
    std::istringstream in(fixture("notifications/capture.jsonl"));
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      Captured c;
      c.record = json::parse(line);
      c.body = c.record.at("body").get<std::string>();
      out.push_back(std::move(c));
    }
    return out;
  }();
  return all;
}

/// index.tsv rows by seq: column name -> value ("-" = none).
std::map<int, std::map<std::string, std::string>> index_rows() {
  std::map<int, std::map<std::string, std::string>> rows;
  std::istringstream in(fixture("notifications/index.tsv"));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> names;
  {
    std::istringstream h(line);
    for (std::string f; std::getline(h, f, '\t');) names.push_back(f);
  }
  while (std::getline(in, line)) {
    std::istringstream r(line);
    std::map<std::string, std::string> row;
    std::size_t i = 0;
    for (std::string f; std::getline(r, f, '\t') && i < names.size(); ++i) row[names[i]] = f == "-" ? "" : f;
    rows[std::stoi(row["seq"])] = row;
  }
  return rows;
}

Notification parse_seq(int seq) {
  const auto& c = capture().at(static_cast<std::size_t>(seq - 1));
  EXPECT_EQ(c.record.at("seq").get<int>(), seq);
  std::string why;
  auto n = parse_notification(c.body, &why);
  EXPECT_TRUE(n) << why;
  return n ? *n : Notification{};
}

Notification first_of(const std::string& event_type) {
  for (const auto& c : capture()) {
    auto n = parse_notification(c.body);
    if (n && n->envelope.event_type == event_type) return *n;
  }
  ADD_FAILURE() << "no " << event_type << " in the capture";
  return {};
}

TEST(NotificationTest, every_recorded_message_parses_and_matches_the_capture_index) {
  const auto rows = index_rows();
  ASSERT_EQ(capture().size(), 305u);
  std::size_t instances = 0, services = 0, others = 0;
  for (const auto& c : capture()) {
    const int seq = c.record.at("seq").get<int>();
    const auto& row = rows.at(seq);
    std::string why;
    auto n = parse_notification(c.body, &why);
    ASSERT_TRUE(n) << "seq " << seq << ": " << why;
    EXPECT_EQ(n->envelope.version, "2.0");
    EXPECT_EQ(n->envelope.event_type, row.at("event_type")) << seq;
    EXPECT_EQ(n->envelope.message_id, row.at("message_id")) << seq;
    EXPECT_EQ(n->envelope.publisher_id, row.at("publisher_id")) << seq;
    EXPECT_EQ(n->envelope.timestamp_us, *parse_iso8601_us(row.at("oslo_timestamp"))) << seq;
    // The routing key is <topic>.<priority in lower case>.
    std::string priority = n->envelope.priority;
    for (auto& ch : priority) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    EXPECT_EQ(row.at("routing_key"), "versioned_notifications." + priority) << seq;
    if (n->instance) {
      ++instances;
      EXPECT_FALSE(n->service);
      EXPECT_EQ(n->instance->uuid, row.at("uuid")) << seq;
      EXPECT_EQ(n->instance->vm_state, row.at("state")) << seq;
      EXPECT_EQ(n->instance->power_state, row.at("power_state")) << seq;
      EXPECT_EQ(n->instance->task_state, row.at("task_state")) << seq;
      EXPECT_EQ(n->instance->host, row.at("host")) << seq;
      EXPECT_EQ(n->instance->timestamp_us, n->envelope.timestamp_us);
      EXPECT_NE(n->instance->status(), "UNKNOWN") << seq << " " << n->instance->vm_state;
      if (!n->instance->power_state.empty()) {
        EXPECT_GE(n->instance->power_state_code(), 0) << seq;
      }
    } else if (n->service) {
      ++services;
      EXPECT_EQ(n->service->id, row.at("uuid")) << seq;
      EXPECT_EQ(n->service->binary, row.at("name")) << seq;
      EXPECT_EQ(n->service->disabled, row.at("state") == "disabled") << seq;
      EXPECT_EQ(n->service->host, "oslab-compute");
    } else {
      ++others;
      EXPECT_TRUE(n->envelope.event_type.rfind("scheduler.", 0) == 0 ||
                  n->envelope.event_type.rfind("flavor.", 0) == 0)
          << n->envelope.event_type;
    }
  }
  EXPECT_EQ(services, 6u);   // service.create x4, service.update x2
  EXPECT_EQ(others, 19u);    // scheduler.select_destinations x16, flavor.create x3
  EXPECT_EQ(instances, 280u);
}

TEST(NotificationTest, instance_update_carries_the_state_transition_and_audit_period) {
  const Notification n = parse_seq(149);
  ASSERT_TRUE(n.instance);
  const auto& i = *n.instance;
  EXPECT_EQ(i.event_type, "instance.update");
  EXPECT_EQ(i.action, "update");
  EXPECT_EQ(i.phase, Phase::none);
  EXPECT_TRUE(i.has_state_update);
  EXPECT_EQ(i.old_state, "active");
  EXPECT_EQ(i.vm_state, "active");
  EXPECT_EQ(i.old_task_state, "shelving");
  EXPECT_EQ(i.new_task_state, "shelving_image_uploading");
  EXPECT_EQ(i.display_name, "scn-20261207T184750Z-1");
  EXPECT_EQ(i.tenant_id, "099dcc15087c46b5add3c602028bc86a");
  EXPECT_EQ(i.flavor, "m1.tiny");
  EXPECT_GT(i.audit_period_beginning_us, 0);
  EXPECT_GT(i.audit_period_ending_us, i.audit_period_beginning_us);
  EXPECT_GT(i.created_at_us, 0);
  EXPECT_FALSE(i.fault);
}

TEST(NotificationTest, power_off_end_gives_the_status_polling_sees) {
  const Notification n = first_of("instance.power_off.end");
  ASSERT_TRUE(n.instance);
  EXPECT_EQ(n.instance->action, "power_off");
  EXPECT_EQ(n.instance->phase, Phase::end);
  EXPECT_EQ(n.instance->vm_state, "stopped");
  EXPECT_EQ(n.instance->power_state, "shutdown");
  EXPECT_EQ(n.instance->power_state_code(), 4);
  EXPECT_EQ(n.instance->status(), "SHUTOFF");
  EXPECT_TRUE(n.instance->task_state.empty());
  EXPECT_FALSE(n.instance->initiated_by_nova);
  EXPECT_FALSE(n.instance->fault);
  const Notification start = first_of("instance.power_off.start");
  EXPECT_EQ(start.instance->phase, Phase::start);
  EXPECT_EQ(start.instance->task_state, "powering-off");
  EXPECT_EQ(start.instance->status(), "ACTIVE");  // the old status stays while the task runs, as in the REST API
}

TEST(NotificationTest, each_action_end_maps_to_its_rest_status) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"instance.create.end", "ACTIVE"},   {"instance.pause.end", "PAUSED"},
      {"instance.unpause.end", "ACTIVE"},  {"instance.suspend.end", "SUSPENDED"},
      {"instance.resume.end", "ACTIVE"},   {"instance.power_on.end", "ACTIVE"},
      {"instance.shelve.end", "SHELVED"},  {"instance.shelve_offload.end", "SHELVED_OFFLOADED"},
      {"instance.unshelve.end", "ACTIVE"}, {"instance.rescue.end", "RESCUE"},
      {"instance.unrescue.end", "ACTIVE"}, {"instance.delete.end", "DELETED"},
      {"instance.reboot.end", "ACTIVE"}};
  for (const auto& [type, status] : expected) {
    const Notification n = first_of(type);
    ASSERT_TRUE(n.instance) << type;
    EXPECT_EQ(n.instance->status(), status) << type;
    EXPECT_EQ(n.instance->phase, Phase::end) << type;
  }
  EXPECT_GT(first_of("instance.delete.end").instance->deleted_at_us, 0);
  EXPECT_EQ(first_of("instance.reboot.start").instance->status(), "REBOOT");
}

TEST(NotificationTest, out_of_band_power_off_is_marked_as_nova_acting_by_itself) {
  // The oob-shutdown action: Nova's power sync stops the server, with no initiating user.
  bool seen = false;
  for (const auto& c : capture()) {
    auto n = parse_notification(c.body);
    if (n && n->instance && n->envelope.event_type == "instance.power_off.end" && n->instance->initiated_by_nova) {
      seen = true;
      EXPECT_EQ(n->instance->status(), "SHUTOFF");
    }
  }
  EXPECT_TRUE(seen);
}

TEST(NotificationTest, create_error_carries_the_fault) {
  const Notification n = parse_seq(261);
  ASSERT_TRUE(n.instance);
  EXPECT_EQ(n.envelope.priority, "ERROR");
  EXPECT_EQ(n.instance->action, "create");
  EXPECT_EQ(n.instance->phase, Phase::error);
  ASSERT_TRUE(n.instance->fault);
  EXPECT_EQ(n.instance->fault->exception, "NovaException");
  EXPECT_EQ(n.instance->fault->message, "oslab fake driver: spawn failure requested by metadata");
  EXPECT_EQ(n.instance->fault->function_name, "spawn");
}

TEST(NotificationTest, build_failure_names_the_instance_by_instance_uuid) {
  const Notification n = parse_seq(248);
  ASSERT_TRUE(n.instance);
  EXPECT_EQ(n.instance->uuid, "8b18c372-33b6-4eb9-9049-4811b7d9dac7");
  EXPECT_EQ(n.instance->action, "build_instances");
  EXPECT_EQ(n.instance->phase, Phase::error);
  EXPECT_EQ(n.instance->status(), "ERROR");
  EXPECT_EQ(n.instance->tenant_id, "099dcc15087c46b5add3c602028bc86a");
  ASSERT_TRUE(n.instance->fault);
  // The scheduler raised it in another process: oslo.messaging names the class with a _Remote suffix.
  EXPECT_EQ(n.instance->fault->exception, "NoValidHost_Remote");
  EXPECT_FALSE(n.instance->fault->message.empty());
}

TEST(NotificationTest, service_update_gives_the_compute_host_state) {
  const Notification off = parse_seq(245);
  ASSERT_TRUE(off.service);
  EXPECT_EQ(off.service->binary, "nova-compute");
  EXPECT_EQ(off.service->host, "oslab-compute");
  EXPECT_TRUE(off.service->disabled);
  EXPECT_EQ(off.service->disabled_reason, "maintenance");
  EXPECT_FALSE(off.service->forced_down);
  EXPECT_FALSE(off.service->up.has_value());
  EXPECT_FALSE(off.service->down());
  EXPECT_GT(off.service->last_seen_up_us, 0);
  EXPECT_EQ(off.service->updated_us, off.envelope.timestamp_us);
  const Notification on = parse_seq(246);
  ASSERT_TRUE(on.service);
  EXPECT_FALSE(on.service->disabled);
  EXPECT_TRUE(on.service->disabled_reason.empty());
}

TEST(NotificationTest, unwrapped_oslo_1_0_message_parses_like_the_wrapped_one) {
  const auto& c = capture().at(148);  // seq 149
  const json wrapped = json::parse(c.body);
  const std::string inner = wrapped.at("oslo.message").get<std::string>();
  std::string why;
  auto n = parse_notification(inner, &why);
  ASSERT_TRUE(n) << why;
  EXPECT_EQ(n->envelope.version, "1.0");
  const Notification w = parse_seq(149);
  ASSERT_TRUE(n->instance);
  EXPECT_EQ(n->instance->uuid, w.instance->uuid);
  EXPECT_EQ(n->instance->new_task_state, w.instance->new_task_state);
  EXPECT_EQ(n->envelope.timestamp_us, w.envelope.timestamp_us);
}

TEST(NotificationTest, unreadable_messages_are_refused_with_the_reason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"oslo.version":"2.0","oslo.message":{"event_type":"x"}})", "oslo.message is not a string"},
      {R"({"oslo.version":"2.0","oslo.message":"{broken"})", "oslo.message is not JSON"},
      {R"({"oslo.version":"2.0","oslo.message":"{\"payload\":{}}"})", "no event_type"},
      {R"({"event_type":"instance.update","payload":{"state":"active"}})", "no payload.nova_object.data"},
      {R"({"event_type":"instance.update","payload":{"nova_object.data":{"state":"active"}}})", "no instance uuid"},
      {R"({"event_type":"service.update","payload":{"nova_object.data":{"host":"h"}}})", "no host or binary"},
  };
  for (const auto& [body, reason] : cases) {
    std::string why;
    auto n = parse_notification(body, &why);
    EXPECT_FALSE(n) << body;
    EXPECT_NE(why.find(reason), std::string::npos) << body << " -> " << why;
  }
  // An event type the agent does not use is no error.
  auto other = parse_notification(R"({"event_type":"keypair.import.end","payload":{}})");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->instance);
  EXPECT_FALSE(other->service);
}

TEST(NovaStatusTest, matches_the_rest_api_for_every_recorded_server) {
  for (const char* name : {"active", "shutoff", "paused", "suspended", "build", "error-novalidhost",
                           "error-spawn-failure", "error-resetstate", "active-after-resetstate"}) {
    const std::string body = fixture(std::string("server-") + name + ".admin.v2.79.json");
    const json doc = json::parse(body);
    const json& s = doc.at("server");
    const std::string task = s.at("OS-EXT-STS:task_state").is_null() ? "" : s.at("OS-EXT-STS:task_state").get<std::string>();
    EXPECT_EQ(nova_status(s.at("OS-EXT-STS:vm_state").get<std::string>(), task), s.at("status").get<std::string>())
        << name;
  }
  EXPECT_EQ(nova_status("active", "rebooting_hard"), "HARD_REBOOT");
  EXPECT_EQ(nova_status("resized", ""), "VERIFY_RESIZE");
  EXPECT_EQ(nova_status("stopped", "resize_migrating"), "RESIZE");
  EXPECT_EQ(nova_status("soft-delete", ""), "SOFT_DELETED");
  EXPECT_EQ(nova_status("nonsense", ""), "UNKNOWN");
  EXPECT_EQ(power_state_code("crashed"), 6);
  EXPECT_EQ(power_state_code("suspended"), 7);
  EXPECT_EQ(power_state_code(""), -1);
}

}  // namespace
}  // namespace vesagent::sources::openstack
