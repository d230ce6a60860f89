// The FaultStore hooks clustering relies on: changes are handed to the listener at persist(), and a new leader's
// replace_all() installs the cluster's copy (durably, without echoing it back), so it clears what the old leader
// raised with the same eventId and the next sequence.
#include <gtest/gtest.h>

#include <vector>

#include "support/temp_dir.hpp"
#include "vesagent/state/fault_store.hpp"

namespace vesagent::cluster {
namespace {

using state::FaultAction;
using state::FaultRecord;
using state::FaultStore;

constexpr std::int64_t kT0 = 1'700'000'000'000'000;

FaultStore::Options options(const test::TempDir& dir, const char* name) {
  FaultStore::Options o;
  o.directory = dir.path() / name;
  o.fsync = false;
  o.clock = [] { return kT0 + 60'000'000; };
  return o;
}

TEST(FaultStoreHookTest, persist_hands_every_change_to_the_listener_once) {
  test::TempDir dir;
  FaultStore store(options(dir, "a"));
  std::string error;
  ASSERT_TRUE(store.open(error)) << error;
  std::vector<std::vector<FaultRecord>> calls;
  store.set_change_listener([&](const std::vector<FaultRecord>& r) { calls.push_back(r); });
  store.on_firing("am/1", kT0, core::Severity::major, kT0);
  store.on_firing("am/2", kT0, core::Severity::minor, kT0);
  store.on_firing("am/1", kT0, core::Severity::critical, kT0);  // update of the same key: one record
  ASSERT_TRUE(store.persist(error)) << error;
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].size(), 2u);
  for (const auto& r : calls[0]) {
    if (r.key == "am/1") {
      EXPECT_EQ(r.sequence, 2);
      EXPECT_EQ(r.severity, core::Severity::critical);
    }
  }
  ASSERT_TRUE(store.persist(error)) << error;
  EXPECT_EQ(calls.size(), 1u);  // nothing new
  store.on_resolved("am/2", kT0, kT0 + 1);
  ASSERT_TRUE(store.compact(error)) << error;  // compaction hands over pending changes too
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].at(0).key, "am/2");
  EXPECT_FALSE(calls[1].at(0).active());
}

TEST(FaultStoreHookTest, replace_all_continues_the_old_leaders_fault_and_survives_a_restart) {
  test::TempDir dir;
  // The old leader raised it...
  FaultStore old_leader(options(dir, "old"));
  std::string error;
  ASSERT_TRUE(old_leader.open(error)) << error;
  auto raised = old_leader.on_firing("am/x", kT0, core::Severity::major, kT0);
  ASSERT_EQ(raised.action, FaultAction::raise);
  const auto cluster_copy = old_leader.records();

  // ... the new leader had stale local state of its own and takes the cluster's copy.
  {
    FaultStore store(options(dir, "new"));
    ASSERT_TRUE(store.open(error)) << error;
    store.on_firing("am/stale", kT0, core::Severity::minor, kT0);
    ASSERT_TRUE(store.persist(error));
    int echoed = 0;
    store.set_change_listener([&](const std::vector<FaultRecord>&) { ++echoed; });
    ASSERT_TRUE(store.replace_all(cluster_copy, error)) << error;
    EXPECT_EQ(echoed, 0);  // the cluster's own state is not written back to it
    EXPECT_FALSE(store.find("am/stale"));
    EXPECT_EQ(store.active_count(), 1u);
  }
  FaultStore store(options(dir, "new"));  // restart: the replaced state is on disk
  ASSERT_TRUE(store.open(error)) << error;
  auto clear = store.on_resolved("am/x", kT0, kT0 + 1);
  EXPECT_EQ(clear.action, FaultAction::clear);
  EXPECT_EQ(clear.record.event_id, raised.record.event_id);
  EXPECT_EQ(clear.record.sequence, 2);
  EXPECT_FALSE(store.find("am/stale"));
}

}  // namespace
}  // namespace vesagent::cluster
