// VES 5.4.1 throttling: parsing throttlingSpecification commands, suppressing exactly the named fields and
// name/value pairs of real encoder output, the provideThrottlingState body, and persistence across restarts.
#include "vesagent/ves/throttle.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "fixtures.hpp"
#include "support/temp_dir.hpp"
#include "support/ves_validator.hpp"
#include "vesagent/ves/command_list.hpp"
#include "vesagent/ves/encode.hpp"

namespace vesagent::ves {
namespace {

using json = nlohmann::json;
using namespace vesagent::ves::test;

const EncodeContext kV5{Version::v5, ""};

std::string encode_v5(const core::Event& e) {
  std::string why;
  auto r = encode_event(e, kV5, &why);
  EXPECT_TRUE(r.has_value()) << why;
  return r.has_value() ? *r : std::string{};
}

DomainThrottle spec_from_command(const std::string& spec_json) {
  CommandListParse r = parse_command_list(
      R"({"commandList":[{"commandType":"throttlingSpecification","eventDomainThrottleSpecification":)" + spec_json +
      "}]}");
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.commands.size(), 1U);
  return r.commands.empty() ? DomainThrottle{} : r.commands.front().throttle;
}

TEST(ThrottleTest, command_list_carries_the_domain_specification) {
  const DomainThrottle d = spec_from_command(
      R"({"eventDomain":"fault","suppressedFieldNames":["alarmInterfaceA","eventCategory"],
          "suppressedNvPairsList":[{"nvPairFieldName":"alarmAdditionalInformation",
                                    "suppressedNvPairNames":["instance"]}]})");
  EXPECT_EQ(d.event_domain, "fault");
  EXPECT_EQ(d.suppressed_field_names, (std::vector<std::string>{"alarmInterfaceA", "eventCategory"}));
  ASSERT_EQ(d.suppressed_nv_pairs.size(), 1U);
  EXPECT_EQ(d.suppressed_nv_pairs[0].field_name, "alarmAdditionalInformation");
  EXPECT_EQ(d.suppressed_nv_pairs[0].names, (std::vector<std::string>{"instance"}));
}

TEST(ThrottleTest, a_specification_without_a_domain_is_dropped_and_reported) {
  for (const char* body :
       {R"({"commandList":[{"commandType":"throttlingSpecification"}]})",
        R"({"commandList":[{"commandType":"throttlingSpecification","eventDomainThrottleSpecification":[]}]})",
        R"({"commandList":[{"commandType":"throttlingSpecification",
                            "eventDomainThrottleSpecification":{"suppressedFieldNames":["x"]}}]})"}) {
    CommandListParse r = parse_command_list(body);
    EXPECT_TRUE(r.commands.empty()) << body;
    EXPECT_NE(r.error.find("commandList[0]"), std::string::npos) << r.error;
  }
}

TEST(ThrottleTest, suppresses_exactly_the_named_fields_and_pairs_of_the_named_domain) {
  Throttle t;
  std::string error;
  ASSERT_TRUE(t.apply(spec_from_command(R"({"eventDomain":"fault","suppressedFieldNames":["alarmInterfaceA"],
      "suppressedNvPairsList":[{"nvPairFieldName":"alarmAdditionalInformation",
                                    "suppressedNvPairNames":["instance"]}]})"),
                      error));
  const std::string original = encode_v5(fault_raise());
  std::string fault = original;
  EXPECT_TRUE(t.suppress(fault));
  json before = json::parse(original);
  json after = json::parse(fault);
  // Exactly what was named is gone; everything else is as the encoder wrote it.
  before["faultFields"].erase("alarmInterfaceA");
  auto& info = before["faultFields"]["alarmAdditionalInformation"];
  for (auto it = info.begin(); it != info.end();) {
    it = (*it)["name"] == "instance" ? info.erase(it) : it + 1;
  }
  EXPECT_EQ(after, before);
  EXPECT_EQ(after["faultFields"]["alarmAdditionalInformation"].size(), 2U);

  // Another domain is untouched, byte for byte.
  std::string hb = encode_v5(heartbeat_with_fields());
  const std::string hb_before = hb;
  EXPECT_FALSE(t.suppress(hb));
  EXPECT_EQ(hb, hb_before);
}

TEST(ThrottleTest, required_fields_are_never_suppressed_and_the_result_still_validates) {
  Throttle t;
  std::string error;
  ASSERT_TRUE(t.apply(spec_from_command(
                          R"({"eventDomain":"fault","suppressedFieldNames":["eventSeverity","specificProblem","eventCategory"]})"),
                      error));
  std::string fault = encode_v5(fault_raise());
  EXPECT_TRUE(t.suppress(fault));
  const json j = json::parse(fault);
  EXPECT_TRUE(j["faultFields"].contains("eventSeverity"));
  EXPECT_TRUE(j["faultFields"].contains("specificProblem"));
  EXPECT_FALSE(j["faultFields"].contains("eventCategory"));

  vesagent::test::TempDir dir;
  auto run = vesagent::test::run_ves_validator(5, {dir.write("throttled.json", wrap_single(fault))});
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST(ThrottleTest, a_new_specification_replaces_the_domains_lists_and_an_empty_one_ends_throttling) {
  Throttle t;
  std::string error;
  ASSERT_TRUE(t.apply(spec_from_command(R"({"eventDomain":"fault","suppressedFieldNames":["alarmInterfaceA"]})"), error));
  ASSERT_TRUE(t.apply(spec_from_command(R"({"eventDomain":"measurementsForVfScaling","suppressedFieldNames":["cpuUsageArray"]})"),
                      error));
  ASSERT_TRUE(t.apply(spec_from_command(R"({"eventDomain":"fault","suppressedFieldNames":["eventCategory"]})"), error));
  std::string fault = encode_v5(fault_raise());
  t.suppress(fault);
  EXPECT_TRUE(json::parse(fault)["faultFields"].contains("alarmInterfaceA")) << "the old list was replaced";
  EXPECT_FALSE(json::parse(fault)["faultFields"].contains("eventCategory"));

  ASSERT_TRUE(t.apply(spec_from_command(R"({"eventDomain":"fault"})"), error));
  ASSERT_EQ(t.specs().size(), 1U);
  EXPECT_EQ(t.specs()[0].event_domain, "measurementsForVfScaling");
  std::string m = encode_v5(measurement(Version::v5));
  EXPECT_TRUE(t.suppress(m));
  EXPECT_FALSE(json::parse(m)["measurementsForVfScalingFields"].contains("cpuUsageArray"));
}

TEST(ThrottleTest, state_body_follows_the_provide_throttling_state_operation) {
  Throttle t;
  EXPECT_EQ(json::parse(t.state_body()), json::parse(R"({"eventThrottlingState":{"eventThrottlingMode":"normal"}})"));
  std::string error;
  ASSERT_TRUE(t.apply(spec_from_command(R"({"eventDomain":"fault","suppressedFieldNames":["alarmInterfaceA"],
      "suppressedNvPairsList":[{"nvPairFieldName":"alarmAdditionalInformation","suppressedNvPairNames":["a","b"]}]})"),
                      error));
  EXPECT_EQ(json::parse(t.state_body()), json::parse(R"({"eventThrottlingState":{"eventThrottlingMode":"throttled",
      "eventDomainThrottleSpecificationList":[{"eventDomain":"fault","suppressedFieldNames":["alarmInterfaceA"],
      "suppressedNvPairsList":[{"nvPairFieldName":"alarmAdditionalInformation","suppressedNvPairNames":["a","b"]}]}]}})"));
}

TEST(ThrottleTest, state_survives_a_restart_and_a_damaged_file_leaves_throttling_off) {
  vesagent::test::TempDir dir;
  const auto file = dir.path() / "throttling-state.json";
  std::string error;
  {
    Throttle t(file);
    ASSERT_TRUE(t.load(error)) << error;
    EXPECT_FALSE(t.throttled());
    ASSERT_TRUE(t.apply(spec_from_command(R"({"eventDomain":"fault","suppressedFieldNames":["alarmInterfaceA"]})"),
                        error))
        << error;
  }
  {
    Throttle t(file);
    ASSERT_TRUE(t.load(error)) << error;
    ASSERT_EQ(t.specs().size(), 1U);
    EXPECT_EQ(t.specs()[0].suppressed_field_names, (std::vector<std::string>{"alarmInterfaceA"}));
    std::string fault = encode_v5(fault_raise());
    EXPECT_TRUE(t.suppress(fault));
    // Ending the domain's throttling is persisted too.
    ASSERT_TRUE(t.apply(spec_from_command(R"({"eventDomain":"fault"})"), error));
  }
  {
    Throttle t(file);
    ASSERT_TRUE(t.load(error)) << error;
    EXPECT_FALSE(t.throttled());
  }
  std::ofstream(file) << "{\"eventThrottlingState\":";
  Throttle t(file);
  error.clear();
  EXPECT_FALSE(t.load(error));
  EXPECT_NE(error.find(file.string()), std::string::npos) << error;
  EXPECT_FALSE(t.throttled());
}

}  // namespace
}  // namespace vesagent::ves
