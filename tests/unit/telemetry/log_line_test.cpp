// Log lines as an operator's journalctl, grep and a JSON log shipper see them.
#include "vesagent/telemetry/log_line.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "vesagent/telemetry/logging.hpp"

namespace vesagent::telemetry {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

const auto kTime = std::chrono::system_clock::time_point{} + 1714564800s + 123ms;  // 2024-05-01T12:00:00.123Z

TEST(LogLineTest, logfmt_has_timestamp_level_component_then_the_message) {
  auto line = format_log_line({kTime, "warn", "publish", R"(msg="Failing over" from=primary)"}, LogFormat::logfmt,
                              false);
  EXPECT_EQ(line, "ts=2024-05-01T12:00:00.123Z level=warn component=publish msg=\"Failing over\" from=primary\n");
}

TEST(LogLineTest, under_journald_no_timestamp_and_a_syslog_priority_prefix) {
  auto line = format_log_line({kTime, "error", "app", "msg=Boom"}, LogFormat::logfmt, true);
  EXPECT_EQ(line, "<3>level=error component=app msg=Boom\n");
  EXPECT_EQ(format_log_line({kTime, "info", "app", "msg=x"}, LogFormat::json, true),
            "<6>{\"level\":\"info\",\"component\":\"app\",\"msg\":\"x\"}\n");
}

TEST(LogLineTest, json_turns_every_logfmt_pair_into_a_field_with_escaping) {
  auto line = format_log_line(
      {kTime, "info", "webhook", R"(msg="Alert \"HighCpu\" raised" event_id=fault1 path=C:\x detail="a\nb")"},
      LogFormat::json, false);
  EXPECT_EQ(line,
            "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"level\":\"info\",\"component\":\"webhook\","
            "\"msg\":\"Alert \\\"HighCpu\\\" raised\",\"event_id\":\"fault1\",\"path\":\"C:\\\\x\","
            "\"detail\":\"a\\nb\"}\n");
}

TEST(LogLineTest, text_that_is_not_logfmt_becomes_the_message) {
  auto pairs = parse_logfmt("plain words here");
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].first, "msg");
  EXPECT_EQ(pairs[0].second, "plain words here");
  EXPECT_EQ(parse_logfmt(R"(msg="unterminated)")[0].second, R"(msg="unterminated)");
  // A payload key that would duplicate the line's own fields is left out of the JSON object.
  auto line = format_log_line({kTime, "info", "app", "level=fake msg=x"}, LogFormat::json, true);
  EXPECT_EQ(line, "<6>{\"level\":\"info\",\"component\":\"app\",\"msg\":\"x\"}\n");
}

TEST(LogLineTest, control_characters_are_escaped_in_json) {
  auto line = format_log_line({kTime, "info", "c", std::string_view("msg=\"a\x01z\"")}, LogFormat::json, true);
  EXPECT_THAT(line, HasSubstr("a\\u0001z"));
}

TEST(LogLineTest, journal_stream_must_match_stderr_itself) {
  ::setenv("JOURNAL_STREAM", "1:1", 1);  // inherited from a parent, but stderr is something else
  EXPECT_FALSE(stderr_is_journal());
  ::setenv("JOURNAL_STREAM", "garbage", 1);
  EXPECT_FALSE(stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
}

TEST(LogLineTest, logfmt_value_quotes_only_when_needed) {
  EXPECT_EQ(logfmt_value("plain"), "plain");
  EXPECT_EQ(logfmt_value("two words"), "\"two words\"");
  EXPECT_EQ(logfmt_value(""), "\"\"");
  EXPECT_EQ(logfmt_value("a\"b"), "\"a\\\"b\"");
  // What logfmt_value writes, parse_logfmt reads back.
  auto pairs = parse_logfmt("k=" + logfmt_value("x = \"y\"\nz"));
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].second, "x = \"y\"\nz");
}

}  // namespace
}  // namespace vesagent::telemetry
