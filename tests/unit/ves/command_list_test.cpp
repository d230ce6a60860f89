#include "vesagent/ves/command_list.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vesagent::ves {
namespace {

using Type = Command::Type;

TEST(CommandListTest, collector_text_bodies_carry_no_commands_and_no_error) {
  for (const char* body : {"", "   \r\n", "Accepted", "Successfully send event", "I'm good"}) {
    CommandListParse r = parse_command_list(body);
    EXPECT_TRUE(r.commands.empty()) << body;
    EXPECT_TRUE(r.error.empty()) << body << ": " << r.error;
  }
}

TEST(CommandListTest, json_without_a_command_list_carries_no_commands) {
  for (const char* body : {"{}", R"({"requestError":{"ServiceException":{"messageId":"SVC0002"}}})", "[1,2]",
                           R"({"commandList":null})", R"({"commandList":[]})"}) {
    CommandListParse r = parse_command_list(body);
    EXPECT_TRUE(r.commands.empty()) << body;
    EXPECT_TRUE(r.error.empty()) << body << ": " << r.error;
  }
}

TEST(CommandListTest, parses_every_ves5_command_type) {
  // The VES 5.4.1 spec's response sample (schema spelling), as the EVEL test collector sends it.
  CommandListParse r = parse_command_list(R"({
    "commandList": [
      {"commandType": "heartbeatIntervalChange", "heartbeatInterval": 30},
      {"commandType": "measurementIntervalChange", "measurementInterval": 60},
      {"commandType": "provideThrottlingState"},
      {"commandType": "throttlingSpecification",
       "eventDomainThrottleSpecification": {"eventDomain": "fault", "suppressedFieldNames": ["alarmInterfaceA"]}}
    ]})");
  EXPECT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.commands.size(), 4U);
  EXPECT_EQ(r.commands[0].type, Type::heartbeat_interval_change);
  EXPECT_EQ(r.commands[0].interval_seconds, 30);
  EXPECT_EQ(r.commands[0].raw_type, "heartbeatIntervalChange");
  EXPECT_EQ(r.commands[1].type, Type::measurement_interval_change);
  EXPECT_EQ(r.commands[1].interval_seconds, 60);
  EXPECT_EQ(r.commands[2].type, Type::provide_throttling_state);
  EXPECT_EQ(r.commands[3].type, Type::throttling_specification);
  EXPECT_EQ(r.commands[3].raw_type, "throttlingSpecification");
}

TEST(CommandListTest, parses_the_vespa_simulator_reply) {
  // ves-simu encodes with Go's json.Encoder (tab indent, trailing newline), spells throttling with "ll", and
  // drops a zero interval ("omitempty"), which means "back to the default".
  const std::string body =
      "{\n"
      "\t\"commandList\": [\n"
      "\t\t{\n\t\t\t\"commandType\": \"heartbeatIntervalChange\",\n\t\t\t\"heartbeatInterval\": 45\n\t\t},\n"
      "\t\t{\n\t\t\t\"commandType\": \"measurementIntervalChange\"\n\t\t},\n"
      "\t\t{\n\t\t\t\"commandType\": \"throttllingSpecification\",\n"
      "\t\t\t\"eventDomainThrottleSpecification\": {\n\t\t\t\t\"eventDomain\": \"fault\"\n\t\t\t}\n\t\t}\n"
      "\t]\n"
      "}\n";
  CommandListParse r = parse_command_list(body);
  EXPECT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.commands.size(), 3U);
  EXPECT_EQ(r.commands[0].type, Type::heartbeat_interval_change);
  EXPECT_EQ(r.commands[0].interval_seconds, 45);
  EXPECT_EQ(r.commands[1].type, Type::measurement_interval_change);
  EXPECT_EQ(r.commands[1].interval_seconds, 0);
  EXPECT_EQ(r.commands[2].type, Type::throttling_specification);
  EXPECT_EQ(r.commands[2].raw_type, "throttllingSpecification");
}

TEST(CommandListTest, accepts_the_older_command_entry_form) {
  CommandListParse r = parse_command_list(
      R"({"commandList":[{"command":{"commandType":"measurementIntervalChange","measurementInterval":600}},
                         {"command":{"commandType":"heartbeatIntervalChange","heartbeatInterval":90}}]})");
  EXPECT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.commands.size(), 2U);
  EXPECT_EQ(r.commands[0].type, Type::measurement_interval_change);
  EXPECT_EQ(r.commands[0].interval_seconds, 600);
  EXPECT_EQ(r.commands[1].type, Type::heartbeat_interval_change);
  EXPECT_EQ(r.commands[1].interval_seconds, 90);
}

TEST(CommandListTest, intervals_may_be_numeric_strings_or_whole_floats) {
  CommandListParse r = parse_command_list(
      R"({"commandList":[{"commandType":"heartbeatIntervalChange","heartbeatInterval":"120"},
                         {"commandType":"heartbeatIntervalChange","heartbeatInterval":" 15 "},
                         {"commandType":"measurementIntervalChange","measurementInterval":300.0},
                         {"commandType":"heartbeatIntervalChange","heartbeatInterval":0}]})");
  EXPECT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.commands.size(), 4U);
  EXPECT_EQ(r.commands[0].interval_seconds, 120);
  EXPECT_EQ(r.commands[1].interval_seconds, 15);
  EXPECT_EQ(r.commands[2].interval_seconds, 300);
  EXPECT_EQ(r.commands[3].interval_seconds, 0);
}

TEST(CommandListTest, bad_intervals_are_errors_but_good_commands_survive) {
  struct Case {
    const char* interval;
    const char* needle;
  };
  for (const Case& c : {Case{"-5", "negative"}, Case{"\"-5\"", "negative"}, Case{"\"abc\"", "not an integer"},
                        Case{"\"\"", "not an integer"}, Case{"12.5", "whole number"}, Case{"true", "not a number"},
                        Case{"{}", "not a number"}, Case{"99999999999", "out of range"},
                        Case{"18446744073709551615", "out of range"},
                        Case{"\"99999999999999999999\"", "not an integer"},
                        Case{"1e300", "whole number"}}) {
    const std::string body =
        std::string(R"({"commandList":[{"commandType":"heartbeatIntervalChange","heartbeatInterval":)") + c.interval +
        R"(},{"commandType":"measurementIntervalChange","measurementInterval":60}]})";
    CommandListParse r = parse_command_list(body);
    EXPECT_NE(r.error.find(c.needle), std::string::npos) << c.interval << ": " << r.error;
    EXPECT_NE(r.error.find("commandList[0]"), std::string::npos) << r.error;
    ASSERT_EQ(r.commands.size(), 1U) << c.interval;
    EXPECT_EQ(r.commands[0].type, Type::measurement_interval_change);
    EXPECT_EQ(r.commands[0].interval_seconds, 60);
  }
}

TEST(CommandListTest, unknown_command_types_are_reported_not_fatal) {
  CommandListParse r = parse_command_list(R"({"commandList":[{"commandType":"rebootNow"},
                                                             {"commandType":"provideThrottlingState"}]})");
  EXPECT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.commands.size(), 2U);
  EXPECT_EQ(r.commands[0].type, Type::unknown);
  EXPECT_EQ(r.commands[0].raw_type, "rebootNow");
  EXPECT_EQ(r.commands[1].type, Type::provide_throttling_state);
}

TEST(CommandListTest, malformed_entries_are_errors) {
  CommandListParse r = parse_command_list(
      R"({"commandList":[42, {"heartbeatInterval":5}, {"commandType":7}, {"command":"x"},
                         {"commandType":"heartbeatIntervalChange","heartbeatInterval":10}]})");
  ASSERT_EQ(r.commands.size(), 1U);
  EXPECT_EQ(r.commands[0].interval_seconds, 10);
  for (const char* needle : {"commandList[0]: not an object", "commandList[1]: commandType is missing",
                             "commandList[2]: commandType is missing", "commandList[3]: not an object"}) {
    EXPECT_NE(r.error.find(needle), std::string::npos) << needle << " in " << r.error;
  }
}

TEST(CommandListTest, broken_json_is_an_error) {
  for (const char* body : {R"({"commandList": [)", "{not json}", "[", "{\"commandList\":[\"\xff\"]}"}) {
    CommandListParse r = parse_command_list(body);
    EXPECT_TRUE(r.commands.empty()) << body;
    EXPECT_FALSE(r.error.empty()) << body;
  }
  CommandListParse r = parse_command_list(R"({"commandList":{"commandType":"provideThrottlingState"}})");
  EXPECT_TRUE(r.commands.empty());
  EXPECT_EQ(r.error, "commandList is not an array");
}

TEST(CommandListTest, tolerates_a_byte_order_mark) {
  CommandListParse r =
      parse_command_list("\xEF\xBB\xBF{\"commandList\":[{\"commandType\":\"provideThrottlingState\"}]}");
  EXPECT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.commands.size(), 1U);
}

TEST(CommandListTest, survives_deeply_nested_input) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  CommandListParse r = parse_command_list(deep);
  EXPECT_TRUE(r.commands.empty());
  const std::string deep_object = "{\"commandList\":[{\"x\":" + std::string(100000, '[') + std::string(100000, ']') +
                                  ",\"commandType\":\"provideThrottlingState\"}]}";
  r = parse_command_list(deep_object);
  ASSERT_EQ(r.commands.size(), 1U) << r.error;
}

}  // namespace
}  // namespace vesagent::ves
