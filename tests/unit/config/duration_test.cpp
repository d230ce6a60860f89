#include <gtest/gtest.h>

#include <chrono>

#include "vesagent/config/loader.hpp"

namespace vesagent::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

struct Accepted {
  const char* text;
  Duration expected;
};

TEST(DurationTest, parses_go_and_prometheus_forms) {
  const Accepted cases[] = {
      {"60s", seconds(60)},
      {"5m", minutes(5)},
      {"1h", hours(1)},
      {"1h30m", hours(1) + minutes(30)},
      {"500ms", milliseconds(500)},
      {"0s", Duration{0}},
      {"0", Duration{0}},
      {"300s", seconds(300)},
      {"1m30s", seconds(90)},
      {"2h45m10s500ms", hours(2) + minutes(45) + seconds(10) + milliseconds(500)},
      {"1.5s", milliseconds(1500)},
      {"0.5m", seconds(30)},
      {".5s", milliseconds(500)},
      {"1d", hours(24)},
      {"1w", hours(24 * 7)},
      {"30s1m", seconds(90)},  // Go accepts units in any order
      {"1.000s", seconds(1)},
  };
  for (const auto& c : cases) {
    auto d = parse_duration(c.text);
    ASSERT_TRUE(d.has_value()) << c.text;
    EXPECT_EQ(*d, c.expected) << c.text;
  }
}

TEST(DurationTest, rejects_numbers_without_units_signs_spaces_and_junk) {
  for (const char* text : {"", "60", "-5s", "+5s", "5 m", " 5m", "5m ", "abc", "5x", "s", "ms", ".s", "5.5.5s",
                           "1h-30m", "5M", "5S", "1.0001s", "0.5ms", "10us", "1e3s", "9999999999999999999s",
                           "99999999999999999w", "5m\n"}) {
    EXPECT_FALSE(parse_duration(text).has_value()) << '"' << text << '"';
  }
}

TEST(DurationTest, formats_to_the_shortest_form_that_parses_back) {
  EXPECT_EQ(format_duration(Duration{0}), "0s");
  EXPECT_EQ(format_duration(seconds(60)), "1m");
  EXPECT_EQ(format_duration(seconds(90)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(format_duration(hours(26)), "26h");
  for (auto d : {milliseconds(1), milliseconds(999), milliseconds(61'001), milliseconds(86'400'000)}) {
    auto back = parse_duration(format_duration(d));
    ASSERT_TRUE(back.has_value()) << format_duration(d);
    EXPECT_EQ(*back, d);
  }
}

}  // namespace
}  // namespace vesagent::config
