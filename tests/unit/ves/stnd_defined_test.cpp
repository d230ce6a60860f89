// Faults as 3GPP Fault Supervision notifications in VES 7.2.1 stndDefined events: the lifecycle mapping, and every
// body the encoder produces checked by tests/support/validate_stnd.py against the VES 7.2.1 schema (envelope) and
// the collector's faultMnS.yaml (data), plus the agent-side conventions (--strict).
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "support/temp_dir.hpp"
#include "vesagent/ves/encode.hpp"

namespace vesagent::ves {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace vesagent::ves::test;

EncodeContext stnd_context() {
  EncodeContext ctx{Version::v7, "UTC+00:00"};
  ctx.fault_format = FaultFormat::stnd_defined;
  return ctx;
}

std::string encode_ok(const core::Event& e, const EncodeContext& ctx) {
  std::string why;
  auto r = encode_event(e, ctx, &why);
  EXPECT_TRUE(r.has_value()) << why;
  return r.has_value() ? *r : std::string{};
}

json encode_json(const core::Event& e, const EncodeContext& ctx = stnd_context()) {
  return json::parse(encode_ok(e, ctx));
}

/// The severity change between fault_raise() and fault_clear().
core::Event fault_change() {
  core::Event e = fault_raise();
  e.sequence = 2;
  e.last_epoch_us += 300'000'000;
  std::get<core::FaultBody>(e.body).severity = core::Severity::major;
  return e;
}

core::Event fault_clear_after_change() {
  core::Event e = fault_clear();
  e.sequence = 3;
  return e;
}

bool has_null(const json& j) {
  if (j.is_null()) return true;
  if (j.is_structured()) {
    for (const auto& item : j) {
      if (has_null(item)) return true;
    }
  }
  return false;
}

struct StndRun {
  int exit_code = -1;
  std::string output;
};

StndRun run_validate_stnd(const std::vector<fs::path>& files) {
  StndRun run;
  const auto script = vesagent::test::data_dir().parent_path() / "support" / "validate_stnd.py";
  std::string cmd = "/usr/bin/python3 '" + script.string() + "' --strict";
  for (const auto& f : files) cmd += " '" + f.string() + "'";
  cmd += " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  const int status = ::pclose(pipe);
  if (status != -1 && (status & 0x7f) == 0) run.exit_code = (status >> 8) & 0xff;
  return run;
}

int count_lines(const std::string& output, const std::string& prefix) {
  int n = 0;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    if (output.compare(start, prefix.size(), prefix) == 0) ++n;
    start = end + 1;
  }
  return n;
}

TEST(StndDefinedTest, raise_change_clear_become_new_changed_cleared_with_one_alarm_id) {
  const json raised = encode_json(fault_raise());
  const json changed = encode_json(fault_change());
  const json cleared = encode_json(fault_clear_after_change());
  const std::string base = std::string(kDefaultFaultMnsSchemaUrl) + "#/components/schemas/";
  struct Expect {
    const json* event;
    const char* type;
    const char* schema;
    const char* severity;
  };
  for (const Expect& x : {Expect{&raised, "notifyNewAlarm", "NotifyNewAlarm", "CRITICAL"},
                          Expect{&changed, "notifyChangedAlarm", "NotifyChangedAlarm", "MAJOR"},
                          Expect{&cleared, "notifyClearedAlarm", "NotifyClearedAlarm", "CLEARED"}}) {
    const json& e = *x.event;
    SCOPED_TRACE(x.type);
    EXPECT_FALSE(e.contains("faultFields"));
    EXPECT_EQ(e["commonEventHeader"]["domain"], "stndDefined");
    EXPECT_EQ(e["commonEventHeader"]["stndDefinedNamespace"], "3GPP-FaultSupervision");
    EXPECT_EQ(e["commonEventHeader"]["eventId"], "fault0000000007");
    const json& sdf = e["stndDefinedFields"];
    EXPECT_EQ(sdf["stndDefinedFieldsVersion"], "1.0");
    EXPECT_EQ(sdf["schemaReference"], base + x.schema);
    EXPECT_EQ(sdf["data"]["notificationType"], x.type);
    EXPECT_EQ(sdf["data"]["perceivedSeverity"], x.severity);
    EXPECT_EQ(sdf["data"]["alarmId"], "fault0000000007");
    EXPECT_EQ(sdf["data"]["probableCause"], "HostCpuHigh");
    EXPECT_TRUE(sdf["data"]["notificationId"].is_number_integer());
    EXPECT_FALSE(has_null(e));
  }
  EXPECT_EQ(raised["stndDefinedFields"]["data"]["specificProblem"], "CPU usage above 90% for 5 minutes");
  EXPECT_EQ(raised["stndDefinedFields"]["data"]["additionalText"], "CPU usage above 90% for 5 minutes");
  EXPECT_EQ(raised["stndDefinedFields"]["data"]["additionalInformation"]["instance"], "compute-node-07:9100");
  EXPECT_EQ(raised["stndDefinedFields"]["data"]["href"],
            "http://ves-agent-node1/3GPPManagement/FaultSupervisionMnS/ManagedElement=compute-node-07");
  std::set<std::int64_t> ids;
  for (const json* e : {&raised, &changed, &cleared}) {
    ids.insert((*e)["stndDefinedFields"]["data"]["notificationId"].get<std::int64_t>());
  }
  EXPECT_EQ(ids.size(), 3U) << "each notification has its own notificationId";
}

TEST(StndDefinedTest, notification_id_is_stable_for_a_resent_event_and_below_2_pow_53) {
  const json a = encode_json(fault_raise());
  const json b = encode_json(fault_raise());
  EXPECT_EQ(a["stndDefinedFields"]["data"]["notificationId"], b["stndDefinedFields"]["data"]["notificationId"]);
  core::Event other = fault_raise();
  other.event_id = "fault0000000008";
  EXPECT_NE(encode_json(other)["stndDefinedFields"]["data"]["notificationId"],
            a["stndDefinedFields"]["data"]["notificationId"]);
  EXPECT_LT(a["stndDefinedFields"]["data"]["notificationId"].get<std::int64_t>(), std::int64_t{1} << 53);
}

TEST(StndDefinedTest, event_time_is_rfc3339_utc_of_last_epoch) {
  core::Event e = fault_raise();
  e.last_epoch_us = 1'700'000'000'123'456;
  EXPECT_EQ(encode_json(e)["stndDefinedFields"]["data"]["eventTime"], "2023-11-14T22:13:20.123456Z");
}

TEST(StndDefinedTest, schema_url_is_configurable_and_alarm_type_label_overrides_the_default) {
  EncodeContext ctx = stnd_context();
  ctx.stnd_schema_url = "https://forge.3gpp.org/rep/sa5/data-models/blob/REL-16/OpenAPI/faultMnS.yaml";
  core::Event e = fault_raise();
  std::get<core::FaultBody>(e.body).additional_information.emplace_back("alarmType", "EQUIPMENT_ALARM");
  const json j = encode_json(e, ctx);
  EXPECT_EQ(j["stndDefinedFields"]["schemaReference"], ctx.stnd_schema_url + "#/components/schemas/NotifyNewAlarm");
  EXPECT_EQ(j["stndDefinedFields"]["data"]["alarmType"], "EQUIPMENT_ALARM");
  EXPECT_EQ(encode_json(fault_raise())["stndDefinedFields"]["data"]["alarmType"], "QUALITY_OF_SERVICE_ALARM");
}

TEST(StndDefinedTest, other_domains_and_the_ves_format_are_unchanged) {
  EXPECT_EQ(encode_json(heartbeat())["commonEventHeader"]["domain"], "heartbeat");
  EXPECT_EQ(encode_json(fault_raise(), EncodeContext{})["commonEventHeader"]["domain"], "fault");
}

TEST(StndDefinedTest, refused_on_ves5) {
  EncodeContext ctx = stnd_context();
  ctx.version = Version::v5;
  std::string why;
  EXPECT_FALSE(encode_event(fault_raise(), ctx, &why).has_value());
  EXPECT_NE(why.find("VES 7.2.1"), std::string::npos) << why;
}

TEST(StndDefinedTest, every_encoded_notification_passes_the_collectors_checks_and_the_negative_controls_fail) {
  vesagent::test::TempDir dir;
  const EncodeContext ctx = stnd_context();
  std::vector<fs::path> good;
  const std::vector<std::pair<std::string, core::Event>> singles = {
      {"raise", fault_raise()},           {"change", fault_change()},
      {"clear", fault_clear()},           {"clear_after_change", fault_clear_after_change()},
      {"minimal", fault_minimal()},       {"odd_strings", fault_odd_strings()}};
  for (const auto& [name, event] : singles) {
    good.push_back(dir.write(name + ".json", wrap_single(encode_ok(event, ctx))));
  }
  std::vector<std::string> batch;
  for (const auto& [name, event] : singles) batch.push_back(encode_ok(event, ctx));
  good.push_back(dir.write("batch.json", wrap_batch(batch)));

  const StndRun ok = run_validate_stnd(good);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(count_lines(ok.output, "OK  202"), static_cast<int>(good.size())) << ok.output;

  // The validator really looks: a wrong spelling, a null, a lower-case severity and a wrong URL are refused.
  const std::string raised = wrap_single(encode_ok(fault_raise(), ctx));
  auto broken = [&](const std::string& name, const std::string& from, const std::string& to) {
    std::string text = raised;
    const auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos) text.replace(pos, from.size(), to);
    return dir.write(name, text);
  };
  const std::vector<fs::path> bad = {
      broken("bad_type.json", "\"notifyNewAlarm\"", "\"notifyAlarmListRebuilt\""),
      broken("bad_null.json", "\"alarmType\":\"QUALITY_OF_SERVICE_ALARM\"", "\"alarmType\":null"),
      broken("bad_severity.json", "\"perceivedSeverity\":\"CRITICAL\"", "\"perceivedSeverity\":\"critical\""),
      broken("bad_url.json", "SA88-Rel16/OpenAPI/faultMnS.yaml#", "SA88-Rel16/OpenAPI/FaultMnS.yaml#"),
      broken("bad_header.json", "\"stndDefinedNamespace\":\"3GPP-FaultSupervision\",", "")};
  const StndRun ko = run_validate_stnd(bad);
  EXPECT_EQ(ko.exit_code, 1) << ko.output;
  EXPECT_EQ(count_lines(ko.output, "BAD"), static_cast<int>(bad.size())) << ko.output;
}

}  // namespace
}  // namespace vesagent::ves
