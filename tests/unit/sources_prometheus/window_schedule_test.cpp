#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "vesagent/sources/prometheus/window_marks.hpp"
#include "vesagent/sources/prometheus/window_schedule.hpp"

namespace vesagent::sources::prometheus {
namespace {

constexpr std::int64_t kMin5 = 300000;
constexpr std::int64_t kT = 1795665900000;  // a multiple of 5 minutes

TEST(WindowScheduleTest, windows_end_on_wall_clock_multiples_after_the_settle_delay) {
  EXPECT_EQ(settle_delay_ms(kMin5), 5000);
  EXPECT_EQ(settle_delay_ms(5000), 1000);
  EXPECT_EQ(latest_window_end(kT + 4999, kMin5), kT - kMin5);  // still settling
  EXPECT_EQ(latest_window_end(kT + 5000, kMin5), kT);
  EXPECT_EQ(latest_window_end(kT + 299999, kMin5), kT);
  EXPECT_EQ(next_collection_time(kT, kMin5), kT + kMin5 + 5000);
  EXPECT_EQ(next_collection_time(kT + 1234, kMin5), kT + kMin5 + 5000);
}

TEST(WindowScheduleTest, first_start_collects_only_the_latest_window) {
  auto plan = plan_windows(std::nullopt, kT, kMin5, 3600000);
  EXPECT_EQ(plan.ends, std::vector<std::int64_t>{kT});
  EXPECT_EQ(plan.expired, 0);
}

TEST(WindowScheduleTest, nothing_to_do_when_the_latest_window_was_delivered) {
  EXPECT_TRUE(plan_windows(kT, kT, kMin5, 3600000).ends.empty());
  EXPECT_TRUE(plan_windows(kT + kMin5, kT, kMin5, 3600000).ends.empty());  // clock stepped back
}

TEST(WindowScheduleTest, a_gap_is_back_filled_oldest_first_without_repeating_the_delivered_window) {
  auto plan = plan_windows(kT - 3 * kMin5, kT, kMin5, 3600000);
  EXPECT_EQ(plan.ends, (std::vector<std::int64_t>{kT - 2 * kMin5, kT - kMin5, kT}));
  EXPECT_EQ(plan.expired, 0);
}

TEST(WindowScheduleTest, back_fill_stops_at_max_buffering_duration) {
  // Down for 2 h with 1 h of buffering: the 12 newest windows (1 h) are collected, 12 older ones expire.
  auto plan = plan_windows(kT - 24 * kMin5, kT, kMin5, 3600000);
  ASSERT_EQ(plan.ends.size(), 12u);
  EXPECT_EQ(plan.ends.front(), kT - 11 * kMin5);
  EXPECT_EQ(plan.ends.back(), kT);
  EXPECT_EQ(plan.expired, 12);  // the windows ending kT-23*5min .. kT-12*5min
  // Each of the 24 windows after the delivered one is either collected or expired, none twice.
  EXPECT_EQ(static_cast<std::int64_t>(plan.ends.size()) + plan.expired, 24);
}

TEST(WindowScheduleTest, zero_buffering_collects_only_the_latest_window) {
  auto plan = plan_windows(kT - 5 * kMin5, kT, kMin5, 0);
  EXPECT_EQ(plan.ends, std::vector<std::int64_t>{kT});
  EXPECT_EQ(plan.expired, 4);
}

TEST(WindowScheduleTest, a_new_interval_realigns_after_the_last_delivered_window) {
  // Delivered up to kT with 5 min; the collector asks for 60 s: next windows end on the next minutes.
  const std::int64_t latest = latest_window_end(kT + 3 * 60000 + 30000, 60000);
  auto plan = plan_windows(kT, latest, 60000, 3600000);
  EXPECT_EQ(plan.ends, (std::vector<std::int64_t>{kT + 60000, kT + 120000, kT + 180000}));
}

TEST(WindowMarksTest, the_mark_survives_a_new_store_object_and_a_missing_file_means_none) {
  vesagent::test::TempDir dir;
  std::string error;
  FileWindowMarks first(dir.path() / "prometheus-window.json");
  auto none = first.load(error);
  ASSERT_TRUE(none.has_value()) << error;
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(first.store(kT, error).has_value()) << error;
  ASSERT_TRUE(first.store(kT + kMin5, error).has_value()) << error;
  FileWindowMarks second(dir.path() / "prometheus-window.json");
  auto loaded = second.load(error);
  ASSERT_TRUE(loaded.has_value()) << error;
  EXPECT_EQ(loaded->value(), kT + kMin5);
}

TEST(WindowMarksTest, a_corrupt_file_is_an_error_naming_it) {
  vesagent::test::TempDir dir;
  auto path = dir.write("prometheus-window.json", "{\"lastWindowEndMs\":");
  FileWindowMarks marks(path);
  std::string error;
  EXPECT_FALSE(marks.load(error).has_value());
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
}

}  // namespace
}  // namespace vesagent::sources::prometheus
