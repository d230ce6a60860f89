// eventIds per domain: their spelling, their own number spaces, and the single counter of earlier versions as
// the floor, so an upgraded agent never repeats an eventId it sent before.
#include "vesagent/correlate/event_ids.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace vesagent::correlate {
namespace {

TEST(EventIdsTest, spellings_follow_vespa_and_the_earlier_versions) {
  EXPECT_EQ(EventIds::format(core::Domain::heartbeat, 42), "heartbeat0000000042");
  EXPECT_EQ(EventIds::format(core::Domain::measurement, 42), "Measurements0000000042");
  EXPECT_EQ(EventIds::format(core::Domain::state_change, 42), "stateChange42");
}

TEST(EventIdsTest, the_earlier_single_counter_is_the_floor_of_every_domain) {
  test::TempDir dir;
  std::ofstream(dir.path() / "event-counter") << "7001\n";
  EventIds ids(dir.path());
  std::string error;
  ASSERT_TRUE(ids.open(error)) << error;
  EXPECT_EQ(*ids.next(core::Domain::heartbeat, error), "heartbeat0000007001");
  EXPECT_EQ(*ids.next(core::Domain::measurement, error), "Measurements0000007001");
  EXPECT_EQ(*ids.next(core::Domain::heartbeat, error), "heartbeat0000007002");
  EXPECT_FALSE(ids.next(core::Domain::fault, error).has_value());
  EXPECT_NE(error.find("fault"), std::string::npos);
}

TEST(EventIdsTest, an_unwritable_directory_is_an_error_naming_the_file) {
  EventIds ids("/proc/version-is-not-a-directory");
  std::string error;
  EXPECT_FALSE(ids.open(error).has_value());
  EXPECT_NE(error.find("event-counter"), std::string::npos);
}

}  // namespace
}  // namespace vesagent::correlate
