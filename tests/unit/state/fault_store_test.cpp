#include "vesagent/state/fault_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "fault_fixture_ops.hpp"
#include "snapshot_text.hpp"
#include "support/temp_dir.hpp"

namespace vesagent::state {
namespace {

using core::Severity;
using test_support::snapshot_as_text;
namespace fs = std::filesystem;

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kT0 = 1'700'000'000'000'000;  // an alert's startsAt, in µs
constexpr std::int64_t kE1 = kT0;                    // first episode
constexpr std::int64_t kE2 = kT0 + 10 * kMinute;     // a later episode of the same alert

/// A store in a temporary directory with an injectable clock; reopen() simulates a restart.
struct Harness {
  test::TempDir dir;
  std::int64_t now = kT0 + kMinute;
  UnknownResolvePolicy policy = UnknownResolvePolicy::send;
  std::uint64_t compact_min_bytes = 1U << 20;
  std::string warning;
  std::unique_ptr<FaultStore> store;

  FaultStore::Options options() {
    FaultStore::Options o;
    o.directory = dir.path() / "faults";
    o.fsync = false;
    o.unknown_resolve = policy;
    o.clock = [this] { return now; };
    o.compact_min_bytes = compact_min_bytes;
    return o;
  }
  FaultStore& open() {
    store.reset();  // the old one goes away first, as in a crash: nothing is persisted on the way out
    store = std::make_unique<FaultStore>(options());
    auto r = store->open(warning);
    EXPECT_TRUE(r) << warning;
    return *store;
  }
  void persist() {
    std::string error;
    ASSERT_TRUE(store->persist(error)) << error;
    EXPECT_EQ(error, "");
  }
  fs::path journal() { return dir.path() / "faults" / "faults.journal"; }
  fs::path snapshot() { return dir.path() / "faults" / "faults.snapshot"; }
};

void expect_same(const FaultRecord& a, const FaultRecord& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.event_id, b.event_id);
  EXPECT_EQ(a.episode_start_us, b.episode_start_us);
  EXPECT_EQ(a.start_epoch_us, b.start_epoch_us);
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.severity, b.severity);
  EXPECT_EQ(a.closed_at_us, b.closed_at_us);
}

// ---- lifecycle rules ---------------------------------------------------------------------------------------------

TEST(FaultStoreTest, first_firing_raises_with_sequence_1_and_the_episode_start) {
  Harness h;
  auto& s = h.open();
  auto d = s.on_firing("am/a", kE1, Severity::major, h.now);
  EXPECT_EQ(d.action, FaultAction::raise);
  EXPECT_EQ(d.record.key, "am/a");
  EXPECT_EQ(d.record.event_id, FaultStore::make_event_id("am/a", kE1));
  EXPECT_EQ(d.record.sequence, 1);
  EXPECT_EQ(d.record.start_epoch_us, kE1);
  EXPECT_EQ(d.record.episode_start_us, kE1);
  EXPECT_EQ(d.record.severity, Severity::major);
  EXPECT_TRUE(d.record.active());
  EXPECT_FALSE(d.superseded);
  EXPECT_FALSE(d.unknown_resolve);
  EXPECT_EQ(s.active_count(), 1U);
  EXPECT_EQ(s.closed_count(), 0U);
}

TEST(FaultStoreTest, repeated_firing_of_the_same_episode_emits_nothing) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  for (int i = 0; i < 3; ++i) {
    auto d = s.on_firing("am/a", kE1, Severity::major, h.now + i * kMinute);
    EXPECT_EQ(d.action, FaultAction::none);
    EXPECT_EQ(d.record.sequence, 1);
  }
  EXPECT_EQ(s.active_count(), 1U);
}

TEST(FaultStoreTest, severity_change_updates_the_same_event_id_with_the_next_sequence) {
  Harness h;
  auto& s = h.open();
  auto raised = s.on_firing("am/a", kE1, Severity::warning, h.now);
  auto d = s.on_firing("am/a", kE1, Severity::critical, h.now);
  EXPECT_EQ(d.action, FaultAction::update);
  EXPECT_EQ(d.record.event_id, raised.record.event_id);
  EXPECT_EQ(d.record.start_epoch_us, kE1);
  EXPECT_EQ(d.record.sequence, 2);
  EXPECT_EQ(d.record.severity, Severity::critical);
  EXPECT_EQ(s.on_firing("am/a", kE1, Severity::critical, h.now).action, FaultAction::none);
  EXPECT_EQ(s.on_firing("am/a", kE1, Severity::minor, h.now).record.sequence, 3);
}

TEST(FaultStoreTest, resolve_clears_with_the_raise_identity_and_the_next_sequence) {
  Harness h;
  auto& s = h.open();
  auto raised = s.on_firing("am/a", kE1, Severity::major, h.now);
  s.on_firing("am/a", kE1, Severity::critical, h.now);  // sequence 2
  auto d = s.on_resolved("am/a", kE1, kE1 + 5 * kMinute);
  EXPECT_EQ(d.action, FaultAction::clear);
  EXPECT_EQ(d.record.event_id, raised.record.event_id);
  EXPECT_EQ(d.record.start_epoch_us, kE1);
  EXPECT_EQ(d.record.sequence, 3);
  EXPECT_EQ(d.record.closed_at_us, kE1 + 5 * kMinute);
  EXPECT_FALSE(d.record.active());
  EXPECT_FALSE(d.unknown_resolve);
  EXPECT_EQ(s.active_count(), 0U);
  EXPECT_EQ(s.closed_count(), 1U);
}

TEST(FaultStoreTest, resolve_without_end_time_closes_at_now) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  h.now += kMinute;
  EXPECT_EQ(s.on_resolved("am/a", kE1, 0).record.closed_at_us, h.now);
}

TEST(FaultStoreTest, repeated_resolve_is_idempotent) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  ASSERT_EQ(s.on_resolved("am/a", kE1, kE1 + kMinute).action, FaultAction::clear);
  for (int i = 0; i < 3; ++i) {  // Alertmanager re-sends resolved alerts for ~15 minutes
    auto d = s.on_resolved("am/a", kE1, kE1 + kMinute);
    EXPECT_EQ(d.action, FaultAction::none);
    EXPECT_FALSE(d.unknown_resolve);
    EXPECT_EQ(d.record.sequence, 2);
  }
}

TEST(FaultStoreTest, late_firing_retry_after_its_resolve_is_ignored) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  s.on_resolved("am/a", kE1, kE1 + kMinute);
  auto d = s.on_firing("am/a", kE1, Severity::major, h.now);
  EXPECT_EQ(d.action, FaultAction::none);
  EXPECT_EQ(s.active_count(), 0U);
}

TEST(FaultStoreTest, stale_firing_of_an_older_episode_is_ignored) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE2, Severity::major, h.now);
  EXPECT_EQ(s.on_firing("am/a", kE1, Severity::critical, h.now).action, FaultAction::none);
  EXPECT_EQ(s.find("am/a")->episode_start_us, kE2);
  s.on_resolved("am/a", kE2, kE2 + kMinute);
  EXPECT_EQ(s.on_firing("am/a", kE1, Severity::major, h.now).action, FaultAction::none);  // newer one is closed
  EXPECT_EQ(s.active_count(), 0U);
}

TEST(FaultStoreTest, stale_resolve_of_an_older_episode_never_clears_a_newer_active_one) {
  Harness h;
  auto& s = h.open();
  auto raised = s.on_firing("am/a", kE2, Severity::major, h.now);
  auto d = s.on_resolved("am/a", kE1, kE1 + kMinute);
  EXPECT_EQ(d.action, FaultAction::none);
  EXPECT_FALSE(d.superseded);
  EXPECT_FALSE(d.unknown_resolve);
  auto kept = s.find("am/a");
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->active());
  EXPECT_EQ(kept->event_id, raised.record.event_id);
  EXPECT_EQ(s.on_resolved("am/a", kE2, kE2 + kMinute).action, FaultAction::clear);
}

TEST(FaultStoreTest, newer_episode_raises_and_clears_the_older_active_one) {
  Harness h;
  auto& s = h.open();
  auto first = s.on_firing("am/a", kE1, Severity::major, h.now);
  s.on_firing("am/a", kE1, Severity::critical, h.now);  // sequence 2
  auto d = s.on_firing("am/a", kE2, Severity::minor, h.now);
  EXPECT_EQ(d.action, FaultAction::raise);
  EXPECT_EQ(d.record.event_id, FaultStore::make_event_id("am/a", kE2));
  EXPECT_NE(d.record.event_id, first.record.event_id);
  EXPECT_EQ(d.record.sequence, 1);
  EXPECT_EQ(d.record.start_epoch_us, kE2);
  ASSERT_TRUE(d.superseded);
  EXPECT_EQ(d.superseded->event_id, first.record.event_id);
  EXPECT_EQ(d.superseded->start_epoch_us, kE1);
  EXPECT_EQ(d.superseded->sequence, 3);
  EXPECT_FALSE(d.superseded->active());
  EXPECT_EQ(s.active_count(), 1U);
  EXPECT_EQ(s.on_resolved("am/a", kE1, kE1 + kMinute).action, FaultAction::none);  // old resolve arrives late
}

TEST(FaultStoreTest, new_episode_after_a_clear_gets_a_new_event_id) {
  Harness h;
  auto& s = h.open();
  auto first = s.on_firing("am/a", kE1, Severity::major, h.now);
  s.on_resolved("am/a", kE1, kE1 + kMinute);
  auto d = s.on_firing("am/a", kE2, Severity::major, h.now);
  EXPECT_EQ(d.action, FaultAction::raise);
  EXPECT_FALSE(d.superseded);
  EXPECT_NE(d.record.event_id, first.record.event_id);
  EXPECT_EQ(d.record.sequence, 1);
}

TEST(FaultStoreTest, unknown_resolve_with_send_policy_clears_once_with_sequence_2) {
  Harness h;
  auto& s = h.open();
  auto d = s.on_resolved("am/lost", kE1, kE1 + kMinute);
  EXPECT_EQ(d.action, FaultAction::clear);
  EXPECT_TRUE(d.unknown_resolve);
  EXPECT_EQ(d.record.event_id, FaultStore::make_event_id("am/lost", kE1));
  EXPECT_EQ(d.record.sequence, 2);
  EXPECT_EQ(d.record.start_epoch_us, kE1);
  EXPECT_EQ(d.record.closed_at_us, kE1 + kMinute);
  auto again = s.on_resolved("am/lost", kE1, kE1 + kMinute);
  EXPECT_EQ(again.action, FaultAction::none);
  EXPECT_FALSE(again.unknown_resolve);  // logged once
  EXPECT_EQ(s.closed_count(), 1U);
  EXPECT_EQ(s.on_firing("am/lost", kE1, Severity::major, h.now).action, FaultAction::none);
}

TEST(FaultStoreTest, unknown_resolve_with_drop_policy_sends_nothing_and_flags_it_once) {
  Harness h;
  h.policy = UnknownResolvePolicy::drop;
  auto& s = h.open();
  auto d = s.on_resolved("am/lost", kE1, kE1 + kMinute);
  EXPECT_EQ(d.action, FaultAction::none);
  EXPECT_TRUE(d.unknown_resolve);
  auto again = s.on_resolved("am/lost", kE1, kE1 + kMinute);
  EXPECT_EQ(again.action, FaultAction::none);
  EXPECT_FALSE(again.unknown_resolve);
  EXPECT_EQ(s.active_count(), 0U);
}

TEST(FaultStoreTest, resolve_of_a_newer_episode_is_unknown_and_ends_the_older_active_one) {
  Harness h;
  auto& s = h.open();
  auto first = s.on_firing("am/a", kE1, Severity::major, h.now);
  auto d = s.on_resolved("am/a", kE2, kE2 + kMinute);
  EXPECT_TRUE(d.unknown_resolve);
  EXPECT_EQ(d.action, FaultAction::clear);
  EXPECT_EQ(d.record.event_id, FaultStore::make_event_id("am/a", kE2));
  ASSERT_TRUE(d.superseded);
  EXPECT_EQ(d.superseded->event_id, first.record.event_id);
  EXPECT_EQ(d.superseded->sequence, 2);
  EXPECT_EQ(s.active_count(), 0U);
  EXPECT_EQ(s.on_resolved("am/a", kE1, kE1 + kMinute).action, FaultAction::none);  // its own resolve, late
}

TEST(FaultStoreTest, resolve_of_a_newer_episode_with_drop_policy_still_ends_the_older_active_one) {
  Harness h;
  h.policy = UnknownResolvePolicy::drop;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  auto d = s.on_resolved("am/a", kE2, kE2 + kMinute);
  EXPECT_EQ(d.action, FaultAction::none);
  EXPECT_TRUE(d.unknown_resolve);
  ASSERT_TRUE(d.superseded);
  EXPECT_EQ(s.active_count(), 0U);
}

TEST(FaultStoreTest, episode_zero_means_the_active_episode_or_now) {
  Harness h;
  auto& s = h.open();
  auto d = s.on_firing("vm/x/down", 0, Severity::major, h.now);
  EXPECT_EQ(d.action, FaultAction::raise);
  EXPECT_EQ(d.record.start_epoch_us, h.now);
  EXPECT_EQ(d.record.event_id, FaultStore::make_event_id("vm/x/down", h.now));
  EXPECT_EQ(s.on_firing("vm/x/down", 0, Severity::major, h.now + kMinute).action, FaultAction::none);
  auto cleared = s.on_resolved("vm/x/down", 0, 0);
  EXPECT_EQ(cleared.action, FaultAction::clear);
  EXPECT_EQ(cleared.record.event_id, d.record.event_id);
  EXPECT_EQ(s.on_resolved("vm/x/down", 0, 0).action, FaultAction::none);
  auto next = s.on_firing("vm/x/down", 0, Severity::major, h.now + 2 * kMinute);
  EXPECT_EQ(next.action, FaultAction::raise);
  EXPECT_NE(next.record.event_id, d.record.event_id);
  auto unknown = s.on_resolved("vm/never", 0, 0);
  EXPECT_EQ(unknown.action, FaultAction::none);
  EXPECT_TRUE(unknown.unknown_resolve);
}

TEST(FaultStoreTest, keys_are_independent) {
  Harness h;
  auto& s = h.open();
  auto a = s.on_firing("am/a", kE1, Severity::major, h.now);
  auto b = s.on_firing("am/b", kE1, Severity::major, h.now);
  EXPECT_EQ(b.action, FaultAction::raise);
  EXPECT_NE(a.record.event_id, b.record.event_id);
  s.on_resolved("am/a", kE1, kE1 + kMinute);
  EXPECT_TRUE(s.find("am/b")->active());
  EXPECT_FALSE(s.find("am/c"));
}

// ---- retention ---------------------------------------------------------------------------------------------------

TEST(FaultStoreTest, closed_faults_are_forgotten_after_the_retention_at_open) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/old", kE1, Severity::major, h.now);
  s.on_firing("am/recent", kE1, Severity::major, h.now);
  s.on_firing("am/active", kE1, Severity::major, h.now);
  s.on_resolved("am/old", kE1, h.now);
  s.on_resolved("am/recent", kE1, h.now + 30 * kMinute);
  h.persist();
  h.now += 60 * kMinute;  // retention is 1 h: "old" is exactly at the limit, kept
  h.open();
  EXPECT_TRUE(h.store->find("am/old"));
  h.now += kSecond;
  auto& later = h.open();
  EXPECT_FALSE(later.find("am/old"));
  EXPECT_TRUE(later.find("am/recent"));
  EXPECT_TRUE(later.find("am/active"));  // active faults never expire
  h.now += 10 * 60 * kMinute;
  auto& much_later = h.open();
  EXPECT_FALSE(much_later.find("am/recent"));
  EXPECT_TRUE(much_later.find("am/active"));
  EXPECT_EQ(much_later.active_count(), 1U);
  EXPECT_EQ(much_later.closed_count(), 0U);
  // Once forgotten, a late resolve is unknown again, i.e. the retention bounds idempotency.
  EXPECT_TRUE(much_later.on_resolved("am/old", kE1, h.now).unknown_resolve);
}

TEST(FaultStoreTest, compaction_forgets_expired_closed_faults) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/old", kE1, Severity::major, h.now);
  s.on_resolved("am/old", kE1, h.now);
  s.on_firing("am/active", kE1, Severity::major, h.now);
  h.persist();
  h.now += 2 * 60 * kMinute;
  std::string error;
  ASSERT_TRUE(s.compact(error)) << error;
  EXPECT_FALSE(s.find("am/old"));
  EXPECT_EQ(s.closed_count(), 0U);
  EXPECT_EQ(s.active_count(), 1U);
  h.now = kT0;  // even a clock that went back does not bring it back: it is gone from disk
  auto& reopened = h.open();
  EXPECT_FALSE(reopened.find("am/old"));
  EXPECT_TRUE(reopened.find("am/active"));
}

// ---- persistence -------------------------------------------------------------------------------------------------

TEST(FaultStoreTest, persisted_records_survive_a_restart) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  s.on_firing("am/a", kE1, Severity::critical, h.now);
  s.on_firing("am/b", kE2, Severity::warning, h.now);
  s.on_firing("am/c", kE1, Severity::minor, h.now);
  s.on_resolved("am/c", kE1, kE1 + kMinute);
  const auto a = *s.find("am/a");
  const auto b = *s.find("am/b");
  const auto c = *s.find("am/c");
  h.persist();
  auto& r = h.open();
  EXPECT_EQ(h.warning, "");
  EXPECT_EQ(r.active_count(), 2U);
  EXPECT_EQ(r.closed_count(), 1U);
  expect_same(*r.find("am/a"), a);
  expect_same(*r.find("am/b"), b);
  expect_same(*r.find("am/c"), c);
  // The restored state drives the next decisions: no re-raise, the clear continues the sequence.
  EXPECT_EQ(r.on_firing("am/a", kE1, Severity::critical, h.now).action, FaultAction::none);
  auto cleared = r.on_resolved("am/a", kE1, kE1 + kMinute);
  EXPECT_EQ(cleared.action, FaultAction::clear);
  EXPECT_EQ(cleared.record.sequence, 3);
  EXPECT_EQ(cleared.record.event_id, a.event_id);
  EXPECT_EQ(r.on_resolved("am/c", kE1, kE1 + kMinute).action, FaultAction::none);
}

TEST(FaultStoreTest, a_restart_without_persist_loses_only_the_unpersisted_changes) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  h.persist();
  s.on_firing("am/a", kE1, Severity::critical, h.now);
  s.on_firing("am/b", kE1, Severity::major, h.now);
  auto& r = h.open();  // no persist: a crash
  ASSERT_TRUE(r.find("am/a"));
  EXPECT_EQ(r.find("am/a")->sequence, 1);
  EXPECT_EQ(r.find("am/a")->severity, Severity::major);
  EXPECT_FALSE(r.find("am/b"));
}

TEST(FaultStoreTest, persist_with_nothing_changed_writes_nothing) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  h.persist();
  const auto size = fs::file_size(h.journal());
  s.on_firing("am/a", kE1, Severity::major, h.now);  // a repeat: no change
  h.persist();
  EXPECT_EQ(fs::file_size(h.journal()), size);
}

TEST(FaultStoreTest, persist_writes_one_line_per_changed_fault) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  h.persist();
  const auto before = test::read_text(h.journal());
  s.on_firing("am/a", kE1, Severity::critical, h.now);
  s.on_firing("am/a", kE1, Severity::minor, h.now);
  s.on_resolved("am/a", kE1, kE1 + kMinute);
  s.on_firing("am/b", kE1, Severity::major, h.now);
  s.on_firing("am/b", kE2, Severity::major, h.now);  // a new episode replaces the unpersisted one
  h.persist();
  const auto after = test::read_text(h.journal());
  ASSERT_EQ(after.substr(0, before.size()), before);  // append only
  EXPECT_EQ(std::count(after.begin() + static_cast<std::ptrdiff_t>(before.size()), after.end(), '\n'), 2);
}

TEST(FaultStoreTest, keys_with_tabs_newlines_and_backslashes_survive_a_restart) {
  Harness h;
  auto& s = h.open();
  const std::string key = "vm/a\tb\nc\\d\re\\t";
  auto raised = s.on_firing(key, kE1, Severity::major, h.now);
  s.on_firing("am/plain", kE1, Severity::major, h.now);
  h.persist();
  auto& r = h.open();
  EXPECT_EQ(h.warning, "");
  ASSERT_TRUE(r.find(key));
  expect_same(*r.find(key), raised.record);
  EXPECT_TRUE(r.find("am/plain"));
  EXPECT_EQ(r.active_count(), 2U);
}

TEST(FaultStoreTest, a_journal_cut_mid_line_keeps_the_earlier_records_and_warns) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  h.persist();
  s.on_firing("am/b", kE1, Severity::major, h.now);
  h.persist();
  fs::resize_file(h.journal(), fs::file_size(h.journal()) - 10);  // SIGKILL/power loss during the second write
  auto& r = h.open();
  EXPECT_NE(h.warning.find("torn"), std::string::npos) << h.warning;
  EXPECT_NE(h.warning.find("faults.journal"), std::string::npos) << h.warning;
  EXPECT_TRUE(r.find("am/a"));
  EXPECT_FALSE(r.find("am/b"));
  // The damage was cut: what is appended now is read back at the next start, without a warning.
  r.on_firing("am/c", kE1, Severity::major, h.now);
  h.persist();
  auto& again = h.open();
  EXPECT_EQ(h.warning, "");
  EXPECT_TRUE(again.find("am/a"));
  EXPECT_TRUE(again.find("am/c"));
}

TEST(FaultStoreTest, garbage_after_the_journal_is_cut_and_reported) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  s.on_firing("am/b", kE1, Severity::major, h.now);
  h.persist();
  std::ofstream(h.journal(), std::ios::app | std::ios::binary) << std::string("R\tam/x\t\0\0\0garbage\nmore\n", 24);
  auto& r = h.open();
  EXPECT_NE(h.warning.find("torn"), std::string::npos) << h.warning;
  EXPECT_TRUE(r.find("am/a"));
  EXPECT_TRUE(r.find("am/b"));
  EXPECT_FALSE(r.find("am/x"));
  r.on_resolved("am/a", kE1, kE1 + kMinute);
  h.persist();
  auto& again = h.open();
  EXPECT_EQ(h.warning, "");
  EXPECT_FALSE(again.find("am/a")->active());
}

TEST(FaultStoreTest, a_corrupt_journal_line_is_detected_by_its_checksum) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  h.persist();
  const auto first_size = fs::file_size(h.journal());
  s.on_firing("am/b", kE1, Severity::major, h.now);
  h.persist();
  s.on_firing("am/c", kE1, Severity::major, h.now);
  h.persist();
  // Flip one digit inside am/b's line: the line still parses as fields, only the checksum can tell.
  std::string text = test::read_text(h.journal());
  const auto pos = text.find("\t1\t", first_size);
  ASSERT_NE(pos, std::string::npos);
  text[pos + 1] = '7';
  std::ofstream(h.journal(), std::ios::trunc | std::ios::binary) << text;
  auto& r = h.open();
  EXPECT_NE(h.warning.find("checksum"), std::string::npos) << h.warning;
  EXPECT_TRUE(r.find("am/a"));
  EXPECT_FALSE(r.find("am/b"));
  EXPECT_FALSE(r.find("am/c"));  // nothing after a damaged line is trusted
}

TEST(FaultStoreTest, compaction_keeps_the_content_and_shrinks_the_journal) {
  Harness h;
  h.compact_min_bytes = 1;  // compact as soon as the journal outgrows the snapshot
  auto& s = h.open();
  for (int i = 0; i < 50; ++i) s.on_firing("am/" + std::to_string(i), kE1, Severity::major, h.now);
  for (int i = 0; i < 10; ++i) s.on_resolved("am/" + std::to_string(i), kE1, kE1 + kMinute);
  h.persist();
  ASSERT_TRUE(fs::exists(h.snapshot()));
  const auto journal_after_compaction = fs::file_size(h.journal());
  EXPECT_LT(journal_after_compaction, 100U);  // just its header
  EXPECT_GT(fs::file_size(h.snapshot()), 50U * 60U);
  s.on_firing("am/0", kE2, Severity::critical, h.now);  // one more change: appended, no compaction
  h.persist();
  EXPECT_GT(fs::file_size(h.journal()), journal_after_compaction);
  auto& r = h.open();
  EXPECT_EQ(h.warning, "");
  EXPECT_EQ(r.active_count(), 41U);
  EXPECT_EQ(r.closed_count(), 9U);
  EXPECT_EQ(r.find("am/0")->episode_start_us, kE2);
  EXPECT_EQ(r.find("am/0")->severity, Severity::critical);
  EXPECT_FALSE(r.find("am/5")->active());
  EXPECT_EQ(r.find("am/5")->sequence, 2);
}

TEST(FaultStoreTest, the_journal_stays_bounded_under_continuous_changes) {
  Harness h;
  h.compact_min_bytes = 2000;
  auto& s = h.open();
  std::uintmax_t largest = 0;
  bool shrank = false;
  for (int i = 0; i < 500; ++i) {
    s.on_firing("am/flapping", kE1, i % 2 == 0 ? Severity::critical : Severity::major, h.now);
    h.persist();
    const auto size = fs::file_size(h.journal());
    shrank = shrank || size < largest;
    largest = std::max(largest, size);
  }
  EXPECT_TRUE(shrank);
  EXPECT_LT(largest, 2000U + 200U);
  auto& r = h.open();
  EXPECT_EQ(r.find("am/flapping")->sequence, 500);
}

TEST(FaultStoreTest, explicit_compaction_includes_unpersisted_changes) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  std::string error;
  ASSERT_TRUE(s.compact(error)) << error;
  auto& r = h.open();
  EXPECT_TRUE(r.find("am/a"));
}

TEST(FaultStoreTest, a_journal_left_over_from_an_interrupted_compaction_is_ignored) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  h.persist();
  const auto old_journal = test::read_text(h.journal());  // says: am/a active
  s.on_resolved("am/a", kE1, kE1 + kMinute);
  std::string error;
  ASSERT_TRUE(s.compact(error)) << error;  // snapshot says: am/a closed
  // Crash after the snapshot's rename, before the new journal replaced the old one.
  std::ofstream(h.journal(), std::ios::trunc | std::ios::binary) << old_journal;
  auto& r = h.open();
  EXPECT_EQ(h.warning, "");
  ASSERT_TRUE(r.find("am/a"));
  EXPECT_FALSE(r.find("am/a")->active());
  r.on_firing("am/b", kE1, Severity::major, h.now);
  h.persist();
  auto& again = h.open();
  EXPECT_TRUE(again.find("am/b"));
  EXPECT_FALSE(again.find("am/a")->active());
}

TEST(FaultStoreTest, reads_files_of_format_version_1) {
  // Written by hand, checksums from Python's zlib.crc32: upgrades must keep reading what older agents wrote.
  Harness h;
  h.dir.write("faults/faults.snapshot",
              "H\tvesagent-faults\t1\tsnapshot\t3\tf4c18e33\n"
              "R\tam/a\\tb\tfault-x-1\t1700000000000000\t1700000000000000\t2\tCRITICAL\t0\t3d885462\n"
              "R\tam/closed\tfault-y-1\t1700000000000000\t1700000000000000\t3\tMINOR\t1700000100000000\t4f7f4cc2\n"
              "E\t2\t90057cf0\n");
  h.dir.write("faults/faults.journal",
              "H\tvesagent-faults\t1\tjournal\t3\tb3628388\n"
              "R\tam/a\\tb\tfault-x-1\t1700000000000000\t1700000000000000\t3\tWARNING\t0\t7e4541e8\n"
              "R\tam/new\tfault-z-2\t1700000200000000\t1700000200000000\t1\tMAJOR\t0\t702f4c7b\n");
  h.now = 1700000100000000 + kMinute;
  auto& s = h.open();
  EXPECT_EQ(h.warning, "");
  EXPECT_EQ(s.active_count(), 2U);
  EXPECT_EQ(s.closed_count(), 1U);
  auto a = s.find("am/a\tb");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->event_id, "fault-x-1");  // stored ids are kept as they are, never re-derived
  EXPECT_EQ(a->sequence, 3);            // the journal line wins over the snapshot's
  EXPECT_EQ(a->severity, Severity::warning);
  EXPECT_EQ(s.find("am/closed")->closed_at_us, 1700000100000000);
  EXPECT_EQ(s.find("am/new")->start_epoch_us, 1700000200000000);
  // Same content written back by this version: byte-identical lines (the snapshot is written in format version
  // 2 now, so its records are compared as the version 1 lines they stand for).
  std::string error;
  ASSERT_TRUE(s.compact(error)) << error;
  const auto snapshot = snapshot_as_text(h.snapshot());
  EXPECT_NE(snapshot.find(
                "R\tam/closed\tfault-y-1\t1700000000000000\t1700000000000000\t3\tMINOR\t1700000100000000\t4f7f4cc2\n"),
            std::string::npos)
      << snapshot;
}

TEST(FaultStoreTest, a_corrupt_snapshot_fails_open_with_the_file_name) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  std::string error;
  ASSERT_TRUE(s.compact(error)) << error;
  h.store.reset();
  std::string text = test::read_text(h.snapshot());
  text.resize(text.size() - 20);  // lost its end line
  std::ofstream(h.snapshot(), std::ios::trunc | std::ios::binary) << text;
  FaultStore r(h.options());
  EXPECT_FALSE(r.open(error));
  EXPECT_NE(error.find("faults.snapshot"), std::string::npos) << error;
}

TEST(FaultStoreTest, a_second_store_on_the_same_directory_is_refused) {
  Harness h;
  h.open();
  FaultStore other(h.options());
  std::string error;
  EXPECT_FALSE(other.open(error));
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
}

TEST(FaultStoreTest, open_fails_when_the_directory_cannot_be_created) {
  test::TempDir dir;
  dir.write("file", "x");
  FaultStore::Options o;
  o.directory = dir.path() / "file" / "faults";
  FaultStore s(o);
  std::string error;
  EXPECT_FALSE(s.open(error));
  EXPECT_NE(error.find("faults"), std::string::npos) << error;
}

TEST(FaultStoreTest, persist_before_open_fails) {
  test::TempDir dir;
  FaultStore::Options o;
  o.directory = dir.path();
  FaultStore s(o);
  s.on_firing("am/a", kE1, Severity::major, kT0);
  std::string error;
  EXPECT_FALSE(s.persist(error));
  EXPECT_FALSE(error.empty());
}

// ---- files written by older versions, shutdown checkpoint, large states --------------------------------------------

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<FaultRecord> sorted_records(const FaultStore& s) {
  auto r = s.records();
  std::sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return r;
}

TEST(FaultStoreTest, loads_a_state_directory_written_by_the_version_1_writer) {
  // tests/data/state/v1 was written by the FaultStore before the open() speed-up (see SOURCES.md there): the
  // same operations on a fresh store must give the same records, and writing them back must give the same lines.
  Harness h;
  fs::create_directories(h.dir.path() / "faults");
  for (const char* name : {"faults.snapshot", "faults.journal"}) {
    fs::copy_file(test::data_dir() / "state" / "v1" / name, h.dir.path() / "faults" / name);
  }
  const auto old_snapshot = test::read_text(h.snapshot());
  const auto old_journal = test::read_text(h.journal());
  ASSERT_FALSE(old_snapshot.empty());
  ASSERT_FALSE(old_journal.empty());
  h.now = fixture::kNow;
  auto& loaded = h.open();
  EXPECT_EQ(h.warning, "");
  EXPECT_EQ(loaded.active_count(), 234U);
  EXPECT_EQ(loaded.closed_count(), 85U);

  Harness fresh;
  fresh.now = fixture::kNow;
  auto& expected = fresh.open();
  fixture::snapshot_operations(expected);
  fixture::journal_operations(expected);
  const auto want = sorted_records(expected);
  const auto got = sorted_records(loaded);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) expect_same(got[i], want[i]);
  EXPECT_EQ(loaded.find(fixture::key(5))->key.find('\t'), 6U);  // "vm/tab\there/5": escapes were undone

  // The old files' final line per key (the journal's last, else the snapshot's) is exactly what this version
  // writes for that record.
  std::map<std::string, std::string> final_lines;
  for (const auto* text : {&old_snapshot, &old_journal}) {
    for (const auto& line : lines_of(*text)) {
      if (line.rfind("R\t", 0) == 0) final_lines[line.substr(2, line.find('\t', 2) - 2)] = line;
    }
  }
  std::string error;
  ASSERT_TRUE(loaded.compact(error)) << error;
  std::set<std::string> written;
  for (const auto& line : lines_of(snapshot_as_text(h.snapshot()))) {  // (format version 2 on disk now)
    if (line.rfind("R\t", 0) == 0) written.insert(line);
  }
  std::set<std::string> old_final;
  for (const auto& [key, line] : final_lines) old_final.insert(line);
  EXPECT_EQ(written, old_final);
}

TEST(FaultStoreTest, a_large_snapshot_loads_every_record) {
  Harness h;
  auto& s = h.open();
  std::map<std::string, FaultRecord> want;
  for (int i = 0; i < 20'000; ++i) {
    const auto key = (i % 1000 == 7 ? "vm/odd\t\\" : "am/") + std::to_string(i);
    auto d = s.on_firing(key, kE1 + i, i % 2 == 0 ? Severity::major : Severity::minor, h.now);
    if (i % 3 == 0) d = s.on_resolved(key, kE1 + i, kE1 + kMinute);
    want[key] = d.record;
  }
  std::string error;
  ASSERT_TRUE(s.compact(error)) << error;
  auto& r = h.open();
  EXPECT_EQ(h.warning, "");
  EXPECT_EQ(r.active_count() + r.closed_count(), want.size());
  for (const auto& [key, record] : want) {
    auto found = r.find(key);
    ASSERT_TRUE(found) << key;
    expect_same(*found, record);
  }
}

TEST(FaultStoreTest, the_last_journal_line_of_a_key_wins_among_many) {
  Harness h;
  auto& s = h.open();
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 3000; ++i) {
      const auto key = "am/" + std::to_string(i);
      if (round == 0) s.on_firing(key, kE1, Severity::major, h.now);
      if (round > 0 && i % (round + 1) == 0) s.on_changed(key, round % 2 == 0 ? Severity::minor : Severity::critical);
    }
    h.persist();  // one journal line per changed key and round
  }
  std::map<std::string, FaultRecord> want;
  for (int i = 0; i < 3000; ++i) want["am/" + std::to_string(i)] = *s.find("am/" + std::to_string(i));
  auto& r = h.open();
  EXPECT_EQ(h.warning, "");
  for (const auto& [key, record] : want) expect_same(*r.find(key), record);
  EXPECT_EQ(r.find("am/0")->sequence, 5);
}

TEST(FaultStoreTest, checkpoint_folds_the_journal_into_the_snapshot) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  h.persist();
  s.on_firing("am/b", kE1, Severity::minor, h.now);  // not persisted yet: checkpoint() persists it
  const auto b = *s.find("am/b");
  std::string error;
  ASSERT_TRUE(s.checkpoint(error)) << error;
  EXPECT_EQ(error, "");
  EXPECT_EQ(lines_of(test::read_text(h.journal())).size(), 1U);  // only its header: nothing left to replay
  const auto snapshot = snapshot_as_text(h.snapshot());
  EXPECT_NE(snapshot.find("\tam/a\t"), std::string::npos) << snapshot;
  EXPECT_NE(snapshot.find("\tam/b\t"), std::string::npos) << snapshot;
  auto& r = h.open();
  EXPECT_EQ(h.warning, "");
  EXPECT_EQ(r.active_count(), 2U);
  expect_same(*r.find("am/b"), b);
}

TEST(FaultStoreTest, checkpoint_with_nothing_in_the_journal_keeps_the_snapshot) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  std::string error;
  ASSERT_TRUE(s.checkpoint(error)) << error;
  const auto first = test::read_text(h.snapshot());
  ASSERT_TRUE(s.checkpoint(error)) << error;  // e.g. a second stop request
  EXPECT_EQ(test::read_text(h.snapshot()), first);  // same generation: not rewritten
}

TEST(FaultStoreTest, a_failed_checkpoint_compaction_keeps_the_changes_in_the_journal) {
  Harness h;
  auto& s = h.open();
  s.on_firing("am/a", kE1, Severity::major, h.now);
  // The snapshot's temporary file cannot be created: the compaction fails after the journal append succeeded.
  fs::create_directories(h.dir.path() / "faults" / "faults.snapshot.tmp");
  std::string error;
  ASSERT_TRUE(s.checkpoint(error));
  EXPECT_NE(error.find("not folded"), std::string::npos) << error;
  fs::remove(h.dir.path() / "faults" / "faults.snapshot.tmp");
  auto& r = h.open();
  EXPECT_EQ(h.warning, "");
  ASSERT_TRUE(r.find("am/a"));
  EXPECT_TRUE(r.find("am/a")->active());
}

TEST(FaultStoreTest, the_change_listener_gets_exactly_each_rounds_changes) {
  // persist() reuses the listener's vector between rounds: a smaller round must not hand over stale records.
  Harness h;
  auto& s = h.open();
  std::vector<std::vector<FaultRecord>> rounds;
  s.set_change_listener([&](const std::vector<FaultRecord>& changed) { rounds.push_back(changed); });
  s.on_firing("am/a", kE1, Severity::major, h.now);
  s.on_firing("am/b", kE1, Severity::major, h.now);
  s.on_firing("am/c", kE1, Severity::major, h.now);
  h.persist();
  s.on_firing("am/b", kE1, Severity::critical, h.now);
  h.persist();
  h.persist();  // nothing changed: no call
  ASSERT_EQ(rounds.size(), 2U);
  EXPECT_EQ(rounds[0].size(), 3U);
  ASSERT_EQ(rounds[1].size(), 1U);
  expect_same(rounds[1][0], *s.find("am/b"));
  EXPECT_EQ(rounds[1][0].sequence, 2);
}

// ---- event ids ---------------------------------------------------------------------------------------------------

// ---- durability shared with the outbox (one fdatasync per webhook commit) ----

/// The outbox's side of share_durability(), by hand: `pushed` holds what persist() handed over, in order.
struct SharedLog {
  std::vector<std::string> pushed;
  void attach(FaultStore& store) {
    store.share_durability([this](std::string lines) { pushed.push_back(std::move(lines)); });
  }
  /// The outbox wrote round `i` to disk.
  void written(FaultStore& store, std::size_t i) {
    std::string error;
    ASSERT_TRUE(store.append_written(pushed.at(i), error)) << error;
  }
};

TEST(FaultStoreSharedTest, persist_hands_the_lines_over_and_the_journal_gets_them_only_once_written) {
  Harness h;
  SharedLog log;
  auto& store = h.open();
  log.attach(store);
  EXPECT_TRUE(store.durability_shared());
  store.on_firing("am/a", kE1, Severity::major, h.now);
  store.on_firing("am/b", kE1, Severity::minor, h.now);
  const auto journal_before = fs::file_size(h.journal());
  h.persist();
  ASSERT_EQ(log.pushed.size(), 1U);
  EXPECT_EQ(std::count(log.pushed[0].begin(), log.pushed[0].end(), '\n'), 2);
  EXPECT_EQ(fs::file_size(h.journal()), journal_before);  // nothing on disk before the outbox has it
  log.written(store, 0);
  EXPECT_EQ(fs::file_size(h.journal()), journal_before + log.pushed[0].size());
  std::string error;
  ASSERT_TRUE(store.sync_journal(error)) << error;
  // A restart reads them from its own files.
  auto& again = h.open();
  ASSERT_TRUE(again.find("am/a"));
  EXPECT_TRUE(again.find("am/a")->active());
  EXPECT_EQ(again.find("am/b")->severity, Severity::minor);
}

TEST(FaultStoreSharedTest, a_compaction_writes_only_what_is_durable) {
  Harness h;
  h.compact_min_bytes = 1;  // compact at every append
  SharedLog log;
  auto& store = h.open();
  log.attach(store);
  store.on_firing("am/old", kE1, Severity::major, h.now);
  h.persist();
  log.written(store, 0);  // durable
  // In flight: handed to the outbox but not on disk; and pending: not even handed over.
  store.on_firing("am/inflight", kE1, Severity::major, h.now);
  store.on_firing("am/old", kE1, Severity::critical, h.now);  // an update of a durable fault
  h.persist();
  store.on_firing("am/pending", kE1, Severity::major, h.now);
  std::string error;
  ASSERT_TRUE(store.compact(error)) << error;
  {
    // The files after that compaction, as a crash right now would leave them.
    Harness copy;
    fs::copy(h.dir.path() / "faults", copy.dir.path() / "faults", fs::copy_options::recursive);
    fs::remove(copy.dir.path() / "faults" / "lock");
    auto& crashed = copy.open();
    ASSERT_TRUE(crashed.find("am/old"));
    EXPECT_EQ(crashed.find("am/old")->severity, Severity::major);  // the durable version, not the update
    EXPECT_FALSE(crashed.find("am/inflight"));  // its raise is not on disk: Alertmanager's retry must raise it
    EXPECT_FALSE(crashed.find("am/pending"));
  }
  // The decisions in memory are untouched, and the in-flight round lands in the journal once written.
  EXPECT_EQ(store.find("am/old")->severity, Severity::critical);
  EXPECT_EQ(store.active_count(), 3U);
  log.written(store, 1);
  h.persist();
  log.written(store, 2);
  ASSERT_TRUE(store.sync_journal(error)) << error;
  auto& again = h.open();
  EXPECT_EQ(again.find("am/old")->severity, Severity::critical);
  EXPECT_TRUE(again.find("am/inflight"));
  EXPECT_TRUE(again.find("am/pending"));
}

TEST(FaultStoreSharedTest, replayed_lines_apply_only_when_newer_than_the_files) {
  Harness h;
  SharedLog log;
  {
    auto& store = h.open();
    log.attach(store);
    store.on_firing("am/a", kE1, Severity::major, h.now);
    store.on_firing("am/b", kE1, Severity::major, h.now);
    h.persist();  // round 0: raise a, raise b
    store.on_resolved("am/a", kE1, h.now);
    h.persist();  // round 1: clear a
    log.written(store, 0);
    log.written(store, 1);
    std::string error;
    ASSERT_TRUE(store.sync_journal(error)) << error;
    store.on_firing("am/b", kE1, Severity::critical, h.now);
    h.persist();  // round 2: update b, never written to the journal (crash)
  }
  auto& store = h.open();
  EXPECT_EQ(store.find("am/b")->severity, Severity::major);
  // The outbox still holds all three rounds (its segment was not deleted): replayed oldest first.
  std::string warnings;
  EXPECT_EQ(store.replay_lines(log.pushed[0], warnings), 0U);  // older than the journal's clear of a
  EXPECT_EQ(store.replay_lines(log.pushed[1], warnings), 0U);  // the same as the journal
  EXPECT_EQ(store.replay_lines(log.pushed[2], warnings), 1U);  // newer: b's update
  EXPECT_EQ(store.replay_lines("garbage\n", warnings), 0U);
  EXPECT_NE(warnings.find("unreadable"), std::string::npos) << warnings;
  EXPECT_FALSE(store.find("am/a")->active());
  EXPECT_EQ(store.find("am/b")->severity, Severity::critical);
  EXPECT_EQ(store.find("am/b")->sequence, 2);
  // Replayed changes reach the store's own journal.
  std::string error;
  ASSERT_TRUE(store.sync_journal(error)) << error;
  EXPECT_EQ(h.open().find("am/b")->severity, Severity::critical);
}

TEST(FaultStoreTest, event_ids_are_stable_across_processes) {
  // Computed independently (FNV-1a 64 of "am/0123456789abcdef-1700000000123456"): a change here would give
  // every active fault a new eventId after an upgrade.
  EXPECT_EQ(FaultStore::make_event_id("am/0123456789abcdef", 1'700'000'000'123'456),
            "fault-81a0c872d2cc8588-1700000000");
}

TEST(FaultStoreTest, event_ids_differ_per_key_and_episode_and_have_no_whitespace) {
  std::set<std::string> ids;
  for (const char* key : {"am/a", "am/b", "vm/1/down", "a b"}) {
    for (std::int64_t e : {kE1, kE1 + 1, kE1 + kSecond, kE2}) {
      auto id = FaultStore::make_event_id(key, e);
      EXPECT_EQ(id, FaultStore::make_event_id(key, e));
      EXPECT_EQ(id.rfind("fault-", 0), 0U) << id;
      EXPECT_EQ(id.find_first_of(" \t\r\n"), std::string::npos) << id;
      ids.insert(id);
    }
  }
  EXPECT_EQ(ids.size(), 16U);
}

}  // namespace
}  // namespace vesagent::state
