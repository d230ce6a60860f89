#include "vesagent/state/id_allocator.hpp"

#include <gtest/gtest.h>

#include <set>

#include "support/temp_dir.hpp"

namespace vesagent::state {
namespace {

TEST(IdAllocatorTest, numbers_increase_and_never_repeat_across_restarts) {
  test::TempDir dir;
  const auto file = dir.path() / "event-counter";
  std::set<std::uint64_t> seen;
  for (int run = 0; run < 3; ++run) {
    IdAllocator ids(file, 4);
    ASSERT_TRUE(ids.open()) << ids.last_error();
    std::uint64_t previous = 0;
    for (int i = 0; i < 10; ++i) {  // crosses block boundaries
      auto id = ids.next();
      ASSERT_TRUE(id);
      EXPECT_GT(*id, previous);
      previous = *id;
      EXPECT_TRUE(seen.insert(*id).second) << "repeated id " << *id;
    }
  }
}

TEST(IdAllocatorTest, a_crash_skips_the_unused_block_rest) {
  test::TempDir dir;
  const auto file = dir.path() / "event-counter";
  std::uint64_t last = 0;
  {
    IdAllocator ids(file, 100);
    ASSERT_TRUE(ids.open());
    last = *ids.next();  // "crash": the object goes away without any shutdown step
  }
  IdAllocator again(file, 100);
  ASSERT_TRUE(again.open());
  EXPECT_GT(*again.next(), last);
}

TEST(IdAllocatorTest, corrupt_file_is_an_error_naming_the_file) {
  test::TempDir dir;
  const auto file = dir.write("event-counter", "not a number\n");
  IdAllocator ids(file);
  EXPECT_FALSE(ids.open());
  EXPECT_NE(ids.last_error().find(file.string()), std::string::npos);
}

TEST(IdAllocatorTest, unwritable_directory_is_an_error) {
  IdAllocator ids("/proc/vesagent-no-such-dir/event-counter");
  EXPECT_FALSE(ids.open());
  EXPECT_FALSE(ids.last_error().empty());
}

}  // namespace
}  // namespace vesagent::state
