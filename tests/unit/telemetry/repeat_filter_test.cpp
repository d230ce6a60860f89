// RepeatFilter: a failure repeating every few milliseconds writes a handful of lines per minute, and its count.
#include "vesagent/telemetry/repeat_filter.hpp"

#include <gtest/gtest.h>

namespace vesagent::telemetry {
namespace {

using namespace std::chrono_literals;
using Clock = RepeatFilter::Clock;

TEST(RepeatFilterTest, writes_a_burst_then_holds_back_and_reports_the_count_with_the_next_line_written) {
  RepeatFilter f(3, 60s);
  const auto t0 = Clock::time_point{} + 1000s;
  for (int i = 0; i < 3; ++i) {
    auto d = f.check("k", "line", 4, t0 + std::chrono::milliseconds(i));
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.repeated, 1u);
  }
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(f.check("k", "line", 4, t0 + 1s).write);
  EXPECT_EQ(f.suppressed_total(), 100u);
  // Next window: written again, carrying the 100 held back plus itself.
  auto d = f.check("k", "line", 4, t0 + 61s);
  EXPECT_TRUE(d.write);
  EXPECT_EQ(d.repeated, 101u);
  EXPECT_EQ(f.check("k", "line", 4, t0 + 62s).repeated, 1u);
}

TEST(RepeatFilterTest, different_keys_are_independent) {
  RepeatFilter f(1, 60s);
  const auto t0 = Clock::time_point{} + 1000s;
  EXPECT_TRUE(f.check("a", "x", 4, t0).write);
  EXPECT_FALSE(f.check("a", "x", 4, t0).write);
  EXPECT_TRUE(f.check("b", "x", 4, t0).write);
}

TEST(RepeatFilterTest, a_window_that_ends_with_lines_held_back_reports_the_last_one_once) {
  RepeatFilter f(1, 10s);
  const auto t0 = Clock::time_point{} + 1000s;
  f.check("k", "first", 3, t0);
  f.check("k", "second", 3, t0 + 1s);
  f.check("k", "third", 3, t0 + 2s);
  EXPECT_TRUE(f.take_expired(t0 + 5s).empty());  // window still open
  auto held = f.take_expired(t0 + 11s);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].line, "third");
  EXPECT_EQ(held[0].repeated, 2u);
  EXPECT_EQ(held[0].level, 3);
  EXPECT_TRUE(f.take_expired(t0 + 30s).empty());  // reported once
}

TEST(RepeatFilterTest, take_all_reports_held_lines_whose_window_is_still_open) {
  RepeatFilter f(1, 1h);
  const auto now = Clock::now();
  f.check("k", "a", 4, now);
  f.check("k", "b", 4, now);
  auto held = f.take_all();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].repeated, 1u);
}

TEST(RepeatFilterTest, many_distinct_keys_do_not_grow_without_bound) {
  RepeatFilter f(1, 1s, 10);
  const auto t0 = Clock::time_point{} + 1000s;
  for (int i = 0; i < 10; ++i) f.check("busy" + std::to_string(i), "x", 4, t0);
  for (int i = 0; i < 10; ++i) f.check("busy" + std::to_string(i), "x", 4, t0);  // each holds one back
  // Table full of keys with something to report: a new key is let through rather than tracked.
  EXPECT_TRUE(f.check("new", "x", 4, t0).write);
  EXPECT_TRUE(f.check("new", "x", 4, t0).write);
  // Once reported, quiet keys are forgotten and new ones are tracked again.
  EXPECT_EQ(f.take_expired(t0 + 2s).size(), 10u);
  EXPECT_TRUE(f.check("new2", "x", 4, t0 + 5s).write);
  EXPECT_FALSE(f.check("new2", "x", 4, t0 + 5s).write);
}

TEST(RepeatFilterTest, the_key_is_the_msg_sentence_not_the_values) {
  EXPECT_EQ(RepeatFilter::message_of(R"(msg="Collector rejected event; kept" event_id=7)"),
            R"(msg="Collector rejected event; kept")");
  EXPECT_EQ(RepeatFilter::message_of(R"(msg="say \"hi\" now" k=v)"), R"(msg="say \"hi\" now")");
  EXPECT_EQ(RepeatFilter::message_of("msg=Stopped undelivered=0"), "msg=Stopped");
  EXPECT_EQ(RepeatFilter::message_of("free text"), "free text");
}

}  // namespace
}  // namespace vesagent::telemetry
