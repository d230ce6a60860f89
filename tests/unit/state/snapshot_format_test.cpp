// Format version 2 (the binary snapshot) and the compact in-memory record: what is written comes back exactly,
// damage is reported and never crashes, and state directories of format version 1 still load.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "fault_file_format.hpp"
#include "fault_fixture_ops.hpp"
#include "snapshot_text.hpp"
#include "support/temp_dir.hpp"
#include "vesagent/state/fault_store.hpp"

namespace vesagent::state {
namespace {

using core::Severity;
namespace fs = std::filesystem;

constexpr std::int64_t kT0 = 1'700'000'000'000'000;
constexpr std::int64_t kMinute = 60'000'000;

FaultStore::Options options_in(const fs::path& dir, std::int64_t now = kT0 + kMinute) {
  FaultStore::Options o;
  o.directory = dir;
  o.fsync = false;
  o.clock = [now] { return now; };
  return o;
}

std::vector<FaultRecord> sorted(std::vector<FaultRecord> r) {
  std::sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return r;
}

void expect_same(const std::vector<FaultRecord>& got, const std::vector<FaultRecord>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].key, want[i].key);
    EXPECT_EQ(got[i].event_id, want[i].event_id) << got[i].key;
    EXPECT_EQ(got[i].episode_start_us, want[i].episode_start_us) << got[i].key;
    EXPECT_EQ(got[i].start_epoch_us, want[i].start_epoch_us) << got[i].key;
    EXPECT_EQ(got[i].sequence, want[i].sequence) << got[i].key;
    EXPECT_EQ(got[i].severity, want[i].severity) << got[i].key;
    EXPECT_EQ(got[i].closed_at_us, want[i].closed_at_us) << got[i].key;
  }
}

FaultRecord record(std::string key, std::string event_id, std::int64_t episode, std::int64_t sequence,
                   Severity severity, std::int64_t closed_at) {
  FaultRecord r;
  r.key = std::move(key);
  r.event_id = std::move(event_id);
  r.episode_start_us = episode;
  r.start_epoch_us = episode - 5;
  r.sequence = sequence;
  r.severity = severity;
  r.closed_at_us = closed_at;
  return r;
}

/// Records that exercise every field: keys around the inline limit, escapes, foreign and derived eventIds,
/// negative and extreme numbers, every severity.
std::vector<FaultRecord> awkward_records() {
  std::vector<FaultRecord> r;
  r.push_back(record("am/0123456789abcdef", FaultStore::make_event_id("am/0123456789abcdef", kT0), kT0, 1,
                     Severity::critical, 0));
  r.push_back(record("am/12345678901234567", FaultStore::make_event_id("am/12345678901234567", kT0), kT0, 2,
                     Severity::major, 0));  // 20 characters: the longest inline key
  r.push_back(record("am/123456789012345678", "fault-x-1", kT0, 3, Severity::minor, kT0 + 1));  // 21: heap
  r.push_back(record("vm/6f1c4b0e-2a4f-4c59-9a43-0c0f3e2a9b11/status/region-one",
                     FaultStore::make_event_id("vm/6f1c4b0e-2a4f-4c59-9a43-0c0f3e2a9b11/status/region-one", -7),
                     -7, 4, Severity::warning, 0));  // negative episode: the id ends in "-0"
  r.push_back(record("vm/tab\there\n\r\\", "", kT0, 5, Severity::normal, 0));  // an empty eventId stays empty
  r.push_back(record("x", "fault-0123456789ABCDEF-1700000000", kT0, 6, Severity::major, 0));  // upper case
  r.push_back(record("y", "fault-0123456789abcdef-01700000000", kT0, 7, Severity::major, 0));  // leading zero
  r.push_back(record("z", "fault-0123456789abcdef-1700000001", kT0, 8, Severity::major, 0));  // other second
  r.push_back(record("w", "fault-0123456789abcdef-1700000000", kT0, INT64_MAX, Severity::major, INT64_MAX));
  return r;
}

// ---- eventIds kept as their hash ----

TEST(StoredEventIdTest, derived_ids_are_kept_as_a_hash_and_rebuilt_byte_for_byte) {
  for (const std::int64_t episode : {kT0, kT0 + 999'999, std::int64_t{0}, std::int64_t{-1}, std::int64_t{-2'000'001},
                                     INT64_MAX, INT64_MIN}) {
    const auto text = FaultStore::make_event_id("am/abc", episode);
    const auto id = detail::StoredEventId::from_text(text, episode);
    EXPECT_TRUE(id.is_canonical()) << text;
    EXPECT_EQ(id.str(episode), text);
  }
}

TEST(StoredEventIdTest, any_other_text_is_kept_as_it_is) {
  for (const std::string text : {"", "fault-x-1", "fault-0123456789ABCDEF-1700000000",
                                 "fault-0123456789abcdef-01700000000", "fault-0123456789abcdef-+1700000000",
                                 "fault-0123456789abcdef-1700000001", "fault-0123456789abcdef-", "xfault-0123456789abcdef-1",
                                 "fault-0123456789abcdef_1700000000", "fault-0123456789abcdef-1700000000 "}) {
    const auto id = detail::StoredEventId::from_text(text, kT0);
    EXPECT_FALSE(id.is_canonical()) << text;
    EXPECT_EQ(id.str(kT0), text);
    const auto copy = id;  // deep copy
    EXPECT_EQ(copy.str(kT0), text);
  }
}

// ---- the binary snapshot ----

TEST(SnapshotFormatTest, every_field_survives_compaction_and_reopen) {
  test::TempDir dir;
  const auto want = sorted(awkward_records());
  {
    FaultStore s(options_in(dir.path()));
    std::string error;
    ASSERT_TRUE(s.open(error)) << error;
    ASSERT_TRUE(s.replace_all(want, error)) << error;  // writes a snapshot
  }
  ASSERT_TRUE(detail::is_binary_snapshot(test::read_text(dir.path() / "faults.snapshot")));
  FaultStore r(options_in(dir.path()));
  std::string warning;
  ASSERT_TRUE(r.open(warning)) << warning;
  EXPECT_EQ(warning, "");
  expect_same(sorted(r.records()), want);
  EXPECT_EQ(r.active_count(), 7U);
}

TEST(SnapshotFormatTest, a_state_directory_of_format_version_1_loads_and_is_rewritten_identically) {
  // tests/data/state/v1: written by the text-format writer (see SOURCES.md there).
  test::TempDir dir;
  for (const char* name : {"faults.snapshot", "faults.journal"}) {
    fs::copy_file(test::data_dir() / "state" / "v1" / name, dir.path() / name);
  }
  std::vector<FaultRecord> from_v1;
  {
    FaultStore s(options_in(dir.path(), fixture::kNow));
    std::string error;
    ASSERT_TRUE(s.open(error)) << error;
    EXPECT_EQ(error, "");
    from_v1 = sorted(s.records());
    ASSERT_EQ(from_v1.size(), 319U);
    ASSERT_TRUE(s.checkpoint(error)) << error;  // folds the journal: a version 2 snapshot alone
  }
  ASSERT_TRUE(detail::is_binary_snapshot(test::read_text(dir.path() / "faults.snapshot")));
  FaultStore r(options_in(dir.path(), fixture::kNow));
  std::string warning;
  ASSERT_TRUE(r.open(warning)) << warning;
  EXPECT_EQ(warning, "");
  expect_same(sorted(r.records()), from_v1);
  EXPECT_EQ(r.active_count(), 234U);
  EXPECT_EQ(r.closed_count(), 85U);
}

/// A small binary snapshot (header, three records, end frame) written by a store, and its bytes.
std::string small_snapshot(const test::TempDir& dir) {
  FaultStore s(options_in(dir.path()));
  std::string error;
  EXPECT_TRUE(s.open(error)) << error;
  s.on_firing("am/a", kT0, Severity::major, kT0);
  s.on_firing("vm/a-rather-long-key-on-the-heap", kT0, Severity::minor, kT0);
  s.on_resolved("am/b", kT0, kT0 + 1);
  EXPECT_TRUE(s.compact(error)) << error;
  return test::read_text(dir.path() / "faults.snapshot");
}

TEST(SnapshotFormatTest, a_snapshot_cut_anywhere_fails_open_with_the_file_name_and_nothing_loaded) {
  test::TempDir dir;
  const std::string bytes = small_snapshot(dir);
  ASSERT_GT(bytes.size(), 100U);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    if (cut == 0) continue;  // an empty file: nothing to load (as with version 1)
    test::TempDir d;
    d.write("faults.snapshot", bytes.substr(0, cut));
    FaultStore s(options_in(d.path()));
    std::string error;
    EXPECT_FALSE(s.open(error)) << "cut at " << cut;
    EXPECT_NE(error.find("faults.snapshot"), std::string::npos) << error;
    EXPECT_EQ(s.active_count() + s.closed_count(), 0U);
  }
}

TEST(SnapshotFormatTest, every_damaged_byte_is_detected) {
  test::TempDir dir;
  const std::string bytes = small_snapshot(dir);
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    for (const unsigned char bit : {0x01, 0x80}) {
      std::string damaged = bytes;
      damaged[at] = static_cast<char>(static_cast<unsigned char>(damaged[at]) ^ bit);
      test::TempDir d;
      d.write("faults.snapshot", damaged);
      FaultStore s(options_in(d.path()));
      std::string error;
      EXPECT_FALSE(s.open(error)) << "byte " << at;
      EXPECT_NE(error.find("faults.snapshot"), std::string::npos) << error;
    }
  }
}

TEST(SnapshotFormatTest, a_later_format_version_is_refused_by_name) {
  test::TempDir dir;
  std::string out;
  detail::append_snapshot_header(out, 7);
  detail::finish_snapshot(out, 0);
  // Version field: after the magic, the frame header (8 bytes) and the kind + 3 zero bytes.
  const std::size_t version_at = detail::kSnapshotMagic.size() + detail::kFrameHeaderBytes + 4;
  ASSERT_EQ(out[version_at], '\x02');
  dir.write("faults.snapshot", out);
  {
    FaultStore s(options_in(dir.path()));
    std::string error;
    ASSERT_TRUE(s.open(error)) << error;  // an empty state of generation 7
  }
  out[version_at] = '\x03';
  // A well-formed frame of a later version: its checksum (over the length field and the body) is recomputed.
  const std::size_t frame = detail::kSnapshotMagic.size();
  const std::uint32_t crc = detail::crc32c(std::string_view(out).substr(frame + detail::kFrameHeaderBytes, 24),
                                           detail::crc32c(std::string_view(out).substr(frame, 4)));
  for (int i = 0; i < 4; ++i) out[frame + 4 + static_cast<std::size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xFFU);
  dir.write("faults.snapshot", out);
  FaultStore s(options_in(dir.path()));
  std::string error;
  EXPECT_FALSE(s.open(error));
  EXPECT_NE(error.find("format version 3"), std::string::npos) << error;
}

TEST(SnapshotFormatTest, the_generation_continues_across_the_format_change) {
  // A version 1 snapshot of generation 3 with its journal: the next snapshot is generation 4, and the journal
  // written with it belongs to it (a restart replays it).
  test::TempDir dir;
  dir.write("faults.snapshot",
            "H\tvesagent-faults\t1\tsnapshot\t3\tf4c18e33\n"
            "R\tam/a\\tb\tfault-x-1\t1700000000000000\t1700000000000000\t2\tCRITICAL\t0\t3d885462\n"
            "R\tam/closed\tfault-y-1\t1700000000000000\t1700000000000000\t3\tMINOR\t1700000100000000\t4f7f4cc2\n"
            "E\t2\t90057cf0\n");
  const std::int64_t now = 1700000100000000 + kMinute;
  {
    FaultStore s(options_in(dir.path(), now));
    std::string error;
    ASSERT_TRUE(s.open(error)) << error;
    ASSERT_TRUE(s.compact(error)) << error;
    s.on_firing("am/new", kT0, Severity::major, now);
    ASSERT_TRUE(s.persist(error)) << error;
  }
  EXPECT_EQ(test::read_text(dir.path() / "faults.journal").rfind("H\tvesagent-faults\t1\tjournal\t4\t", 0), 0U);
  FaultStore r(options_in(dir.path(), now));
  std::string warning;
  ASSERT_TRUE(r.open(warning)) << warning;
  EXPECT_EQ(warning, "");
  ASSERT_TRUE(r.find("am/a\tb"));
  EXPECT_EQ(r.find("am/a\tb")->event_id, "fault-x-1");
  EXPECT_EQ(r.find("am/closed")->closed_at_us, 1700000100000000);
  EXPECT_TRUE(r.find("am/new"));
  EXPECT_EQ(r.active_count(), 2U);
}

TEST(SnapshotFormatTest, checkpoint_rewrites_a_version_1_snapshot_even_with_an_empty_journal) {
  test::TempDir dir;
  fs::copy_file(test::data_dir() / "state" / "v1" / "faults.snapshot", dir.path() / "faults.snapshot");
  std::vector<FaultRecord> before;
  {
    FaultStore s(options_in(dir.path(), fixture::kNow));
    std::string error;
    ASSERT_TRUE(s.open(error)) << error;
    before = sorted(s.records());
    ASSERT_TRUE(s.checkpoint(error)) << error;
    EXPECT_EQ(error, "");
  }
  ASSERT_TRUE(detail::is_binary_snapshot(test::read_text(dir.path() / "faults.snapshot")));
  FaultStore r(options_in(dir.path(), fixture::kNow));
  std::string warning;
  ASSERT_TRUE(r.open(warning)) << warning;
  expect_same(sorted(r.records()), before);
  // And a second checkpoint with nothing changed leaves the version 2 snapshot alone.
  const auto bytes = test::read_text(dir.path() / "faults.snapshot");
  ASSERT_TRUE(r.checkpoint(warning)) << warning;
  EXPECT_EQ(test::read_text(dir.path() / "faults.snapshot"), bytes);
}

TEST(SnapshotFormatTest, many_faults_with_erasures_keep_every_record) {
  // Exercises the node pool: expired records are erased at compaction and their nodes reused by new faults.
  test::TempDir dir;
  std::int64_t now = kT0;
  auto o = options_in(dir.path());
  o.clock = [&now] { return now; };
  o.closed_retention = std::chrono::minutes(1);
  std::map<std::string, FaultRecord> want;
  {
    FaultStore s(o);
    std::string error;
    ASSERT_TRUE(s.open(error)) << error;
    for (int i = 0; i < 5000; ++i) {
      const auto key = (i % 10 == 0 ? "vm/a-key-longer-than-twenty-characters/" : "am/") + std::to_string(i);
      s.on_firing(key, kT0 + i, Severity::major, now);
      if (i % 2 == 0) s.on_resolved(key, kT0 + i, kT0 + i + 1);
    }
    now = kT0 + 10 * kMinute;
    ASSERT_TRUE(s.compact(error)) << error;  // the 2,500 closed ones expire
    EXPECT_EQ(s.closed_count(), 0U);
    for (int i = 5000; i < 8000; ++i) {
      const auto key = "am/" + std::to_string(i);
      want[key] = s.on_firing(key, now + i, Severity::minor, now).record;
    }
    for (int i = 1; i < 5000; i += 2) want["am/" + std::to_string(i)] = {};  // odd: still active
    for (auto& [key, r] : want) {
      if (r.key.empty()) r = *s.find(key);
    }
    ASSERT_TRUE(s.checkpoint(error)) << error;
  }
  FaultStore r(o);
  std::string warning;
  ASSERT_TRUE(r.open(warning)) << warning;
  EXPECT_EQ(r.active_count(), want.size());
  for (const auto& [key, record] : want) {
    auto found = r.find(key);
    ASSERT_TRUE(found) << key;
    EXPECT_EQ(found->event_id, record.event_id);
    EXPECT_EQ(found->sequence, record.sequence);
  }
}

}  // namespace
}  // namespace vesagent::state
