#include "vesagent/outbox/outbox.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "../../support/temp_dir.hpp"
#include "vesagent/outbox/segment_format.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::outbox {
namespace {

namespace fs = std::filesystem;
using core::Domain;
using std::chrono::milliseconds;

Entry event(Domain domain, int n, std::size_t pad = 0) {
  Entry e;
  e.domain = domain;
  e.event_id = std::string(core::to_string(domain)) + "-" + std::to_string(n);
  e.json = R"({"commonEventHeader":{"eventId":")" + e.event_id + R"(","sequence":)" + std::to_string(n) +
           R"(},"pad":")" + std::string(pad, 'x') + R"("})";
  return e;
}

std::vector<fs::path> segment_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& f : fs::directory_iterator(dir)) {
    if (f.path().extension() == ".seg") out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// A copy of the outbox directory as it is on disk right now: opening it is what a restart after SIGKILL at this
/// instant would see (the Outbox destructor's final write never happens for the copy).
fs::path crash_copy(const fs::path& dir, const fs::path& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  for (const auto& f : segment_files(dir)) fs::copy_file(f, to / f.filename());
  return to;
}

class OutboxTest : public ::testing::Test {
 protected:
  Options options(const fs::path& dir) {
    Options o;
    o.directory = dir;
    o.clock = [this] { return now_us; };
    return o;
  }

  std::unique_ptr<Outbox> open(Options o, std::string* warnings = nullptr) {
    auto box = std::make_unique<Outbox>(ioc.get_executor(), std::move(o));
    std::string w;
    auto r = box->open(w);
    EXPECT_TRUE(r) << w;
    if (warnings) *warnings = w;
    settle();
    return box;
  }

  /// Runs the loop until every write, read and timer of the outbox is done.
  void settle() {
    ioc.restart();
    ioc.run();
  }

  /// Acknowledges everything, reading entries back from disk as the window drains; returns what was "sent".
  std::vector<Entry> drain(Outbox& box) {
    std::vector<Entry> sent;
    for (int guard = 0; guard < 100000 && !box.empty(); ++guard) {
      // Only wait for the read-back when nothing is ready (settle() would also wait out the ack timer).
      while (box.entries().empty() && !box.empty()) {
        ioc.restart();
        ioc.run_one_for(milliseconds(100));
      }
      const auto& ready = box.entries();
      if (ready.empty()) continue;
      sent.insert(sent.end(), ready.begin(), ready.end());
      box.ack(ready.back().seq);
    }
    settle();
    return sent;
  }

  boost::asio::io_context ioc;
  test::TempDir tmp;
  std::int64_t now_us = 1'700'000'000'000'000;
};

TEST_F(OutboxTest, replays_unacknowledged_entries_in_order_with_the_same_bytes_after_a_restart) {
  const auto dir = tmp.path() / "outbox";
  std::vector<Entry> pushed;
  {
    auto box = open(options(dir));
    for (int i = 1; i <= 100; ++i) {
      Entry e = event(i % 3 == 0 ? Domain::fault : Domain::measurement, i);
      pushed.push_back(e);
      box->push(std::move(e));
    }
    settle();
    box->ack(box->entries()[29].seq);  // the first 30 were delivered
    settle();
    EXPECT_EQ(box->size(), 70U);
  }
  std::string warnings;
  auto box = open(options(dir), &warnings);
  EXPECT_EQ(warnings, "");
  EXPECT_EQ(box->size(), 70U);
  EXPECT_EQ(box->stats().replayed, 70U);
  const auto sent = drain(*box);
  ASSERT_EQ(sent.size(), 70U);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].event_id, pushed[i + 30].event_id);
    EXPECT_EQ(sent[i].json, pushed[i + 30].json);
    EXPECT_EQ(sent[i].domain, pushed[i + 30].domain);
  }
  // Seqs keep growing across restarts, so acknowledgements never confuse old and new entries.
  box->push(event(Domain::fault, 101));
  EXPECT_GT(box->entries().back().seq, sent.back().seq);
}

TEST_F(OutboxTest, a_crash_before_the_ack_is_on_disk_sends_the_same_entries_again) {
  const auto dir = tmp.path() / "outbox";
  auto box = open(options(dir));
  for (int i = 1; i <= 5; ++i) box->push(event(Domain::fault, i));
  settle();
  const auto before = crash_copy(dir, tmp.path() / "before-ack");
  box->ack(box->entries()[2].seq);
  settle();  // the acknowledgement is written after a short delay
  const auto after = crash_copy(dir, tmp.path() / "after-ack");

  auto replay_before = open(options(before));
  EXPECT_EQ(replay_before->size(), 5U);  // at least once: delivered but not acknowledged on disk -> again
  auto replay_after = open(options(after));
  ASSERT_EQ(replay_after->size(), 2U);
  EXPECT_EQ(replay_after->entries()[0].event_id, "fault-4");
}

TEST_F(OutboxTest, durability_is_reported_only_after_the_group_commit) {
  const auto dir = tmp.path() / "outbox";
  auto box = open(options(dir));
  for (int i = 1; i <= 3; ++i) box->push(event(Domain::fault, i));
  int calls = 0;
  bool durable = false;
  box->when_durable([&](bool ok) {
    ++calls;
    durable = ok;
  });
  EXPECT_EQ(calls, 0);  // nothing written yet: the commit runs on the loop and the I/O thread
  const auto copy_before = crash_copy(dir, tmp.path() / "before");
  settle();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(durable);
  // Whatever was reported durable is on disk.
  auto replay = open(options(crash_copy(dir, tmp.path() / "after")));
  EXPECT_EQ(replay->size(), 3U);
  // Already durable: at once.
  box->when_durable([&](bool ok) { calls += ok ? 10 : 100; });
  EXPECT_EQ(calls, 11);
  // One group commit for the three pushes (plus the segment header written at open).
  EXPECT_LE(box->stats().group_commits, 2U);

  bool awaited = false;
  box->push(event(Domain::fault, 4));
  boost::asio::co_spawn(
      ioc, [&]() -> boost::asio::awaitable<void> { awaited = co_await box->wait_durable(); }, boost::asio::detached);
  settle();
  EXPECT_TRUE(awaited);
}

// ---- StateLog: another component's state in the same group commit (one fdatasync per webhook commit) ----

/// Records what the outbox hands to a state owner.
struct StateOwner {
  std::vector<std::string> replayed;
  std::vector<std::string> written;
  int syncs = 0;
  bool sync_ok = true;
  StateLog log() {
    StateLog l;
    l.replay = [this](std::string_view t) { replayed.emplace_back(t); };
    l.written = [this](std::string_view t) { written.emplace_back(t); };
    l.make_durable = [this] {
      ++syncs;
      return sync_ok;
    };
    return l;
  }
};

TEST_F(OutboxTest, state_is_handed_over_once_on_disk_before_the_waiters_and_comes_back_after_a_crash) {
  const auto dir = tmp.path() / "outbox";
  StateOwner owner;
  auto box = std::make_unique<Outbox>(ioc.get_executor(), options(dir));
  box->set_state_log(owner.log());
  std::string w;
  ASSERT_TRUE(box->open(w)) << w;
  settle();
  box->push(event(Domain::fault, 1));
  box->push_state("decision-1\n");
  std::vector<std::string> order;
  box->when_durable([&](bool ok) {
    EXPECT_TRUE(ok);
    order.push_back("durable with " + std::to_string(owner.written.size()) + " written");
  });
  EXPECT_TRUE(owner.written.empty());  // not on disk yet: the owner must not write it anywhere
  const auto before = crash_copy(dir, tmp.path() / "before");
  settle();
  ASSERT_EQ(owner.written, std::vector<std::string>{"decision-1\n"});
  EXPECT_EQ(order, std::vector<std::string>{"durable with 1 written"});
  EXPECT_EQ(box->stats().state_records, 1U);

  // A crash after the commit: the state comes back with its event, in log order.
  StateOwner after_crash;
  auto replay = std::make_unique<Outbox>(ioc.get_executor(), options(crash_copy(dir, tmp.path() / "after")));
  replay->set_state_log(after_crash.log());
  ASSERT_TRUE(replay->open(w)) << w;
  EXPECT_EQ(w, "");
  EXPECT_EQ(after_crash.replayed, std::vector<std::string>{"decision-1\n"});
  EXPECT_EQ(replay->size(), 1U);
  // Before the commit: neither the event nor its decisions.
  StateOwner early;
  auto replay_early = std::make_unique<Outbox>(ioc.get_executor(), options(before));
  replay_early->set_state_log(early.log());
  ASSERT_TRUE(replay_early->open(w)) << w;
  EXPECT_TRUE(early.replayed.empty());
  EXPECT_EQ(replay_early->size(), 0U);
}

TEST_F(OutboxTest, a_segment_holding_state_is_deleted_only_after_the_owner_synced_it) {
  const auto dir = tmp.path() / "outbox";
  StateOwner owner;
  auto o = options(dir);
  o.segment_bytes = 4096;  // a few events per segment
  auto box = std::make_unique<Outbox>(ioc.get_executor(), o);
  box->set_state_log(owner.log());
  std::string w;
  ASSERT_TRUE(box->open(w)) << w;
  owner.sync_ok = false;  // the owner's disk fails
  for (int i = 1; i <= 40; ++i) {
    box->push(event(Domain::fault, i, 200));
    box->push_state("decision-" + std::to_string(i) + "\n");
  }
  settle();
  const std::size_t segments = segment_files(dir).size();
  ASSERT_GT(segments, 3U);
  drain(*box);  // every event delivered
  EXPECT_GT(owner.syncs, 0);
  EXPECT_EQ(segment_files(dir).size(), segments);  // kept: the decisions live only here
  // After a restart the decisions come back, all of them, in order.
  box.reset();
  StateOwner again;
  again.sync_ok = false;
  box = std::make_unique<Outbox>(ioc.get_executor(), o);
  box->set_state_log(again.log());
  ASSERT_TRUE(box->open(w)) << w;
  ASSERT_EQ(again.replayed.size(), 40U);
  EXPECT_EQ(again.replayed.front(), "decision-1\n");
  EXPECT_EQ(again.replayed.back(), "decision-40\n");
  EXPECT_EQ(box->size(), 0U);
  // Once the owner can sync, the delivered segments go.
  box.reset();
  StateOwner healthy;
  box = std::make_unique<Outbox>(ioc.get_executor(), o);
  box->set_state_log(healthy.log());
  ASSERT_TRUE(box->open(w)) << w;
  settle();
  EXPECT_EQ(healthy.syncs, 1);  // one sync covers every segment
  EXPECT_EQ(segment_files(dir).size(), 1U);  // the new one
}

TEST_F(OutboxTest, fsync_always_and_never_deliver_the_same_entries) {
  for (auto policy : {FsyncPolicy::always, FsyncPolicy::never}) {
    const auto dir = tmp.path() / (policy == FsyncPolicy::always ? "always" : "never");
    {
      auto o = options(dir);
      o.fsync = policy;
      auto box = open(o);
      for (int i = 1; i <= 20; ++i) box->push(event(Domain::fault, i));
      bool durable = false;
      box->when_durable([&](bool ok) { durable = ok; });
      settle();
      EXPECT_TRUE(durable);
      if (policy == FsyncPolicy::always) {
        EXPECT_GE(box->stats().group_commits, 20U);  // one write + fdatasync per event
        EXPECT_GE(box->stats().fsyncs, 20U);
      } else {
        EXPECT_EQ(box->stats().fsyncs, 0U);
      }
    }
    auto replay = open(options(dir));
    EXPECT_EQ(replay->size(), 20U);
  }
}

TEST_F(OutboxTest, keeps_only_a_window_in_memory_and_reads_the_rest_back_in_order) {
  const auto dir = tmp.path() / "outbox";
  auto o = options(dir);
  o.memory_bytes = 64 << 10;
  o.segment_bytes = 256 << 10;
  std::vector<std::string> ids;
  {
    auto box = open(o);
    for (int i = 1; i <= 2000; ++i) {
      Entry e = event(i % 10 == 0 ? Domain::fault : Domain::measurement, i, 400);
      ids.push_back(e.event_id);
      box->push(std::move(e));
    }
    settle();
    EXPECT_EQ(box->size(), 2000U);
    EXPECT_LT(box->entries().size(), 200U);  // about 64 KiB of ~500-byte events
    EXPECT_GT(box->segment_count(), 3U);
    const auto sent = drain(*box);
    ASSERT_EQ(sent.size(), 2000U);
    for (std::size_t i = 0; i < sent.size(); ++i) ASSERT_EQ(sent[i].event_id, ids[i]) << i;
    EXPECT_TRUE(box->empty());
    // Fully acknowledged segments are deleted; the current one stays.
    EXPECT_EQ(box->segment_count(), 1U);
    EXPECT_EQ(segment_files(dir).size(), 1U);
  }
  auto replay = open(o);
  EXPECT_TRUE(replay->empty());
}

TEST_F(OutboxTest, a_large_queue_left_by_a_previous_run_is_read_back_in_order) {
  const auto dir = tmp.path() / "outbox";
  auto o = options(dir);
  // Windows larger than one read (1 MiB) and segments larger than the window.
  o.memory_bytes = 4 << 20;
  o.segment_bytes = 3 << 20;
  const int n = 40000;
  {
    auto box = open(o);
    for (int i = 1; i <= n; ++i) box->push(event(i % 10 == 0 ? Domain::fault : Domain::measurement, i, 500));
    settle();
  }
  auto box = open(o);
  ASSERT_EQ(box->size(), static_cast<std::size_t>(n));
  const auto sent = drain(*box);
  ASSERT_EQ(sent.size(), static_cast<std::size_t>(n));
  for (int i = 1; i <= n; ++i) {
    const Entry expected = event(i % 10 == 0 ? Domain::fault : Domain::measurement, i, 500);
    ASSERT_EQ(sent[static_cast<std::size_t>(i - 1)].event_id, expected.event_id);
    ASSERT_EQ(sent[static_cast<std::size_t>(i - 1)].json, expected.json);
  }
  EXPECT_EQ(box->segment_count(), 1U);
}

TEST_F(OutboxTest, a_torn_tail_is_cut_reported_and_counted_and_the_rest_is_kept) {
  const auto dir = tmp.path() / "outbox";
  {
    auto box = open(options(dir));
    for (int i = 1; i <= 10; ++i) box->push(event(Domain::fault, i));
    settle();
  }
  auto files = segment_files(dir);
  ASSERT_EQ(files.size(), 1U);
  // The records end where the preallocated zeros begin (a record ends with its JSON's closing brace).
  std::string bytes;
  {
    std::ifstream in(files.back(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto size = bytes.find_last_not_of('\0') + 1;
  EXPECT_EQ(bytes.size() % (1U << 20), 0U);  // preallocated in whole MiB
  fs::resize_file(files.back(), size - 7);  // the last record's write was interrupted

  std::string warnings;
  {
    auto box = open(options(dir), &warnings);
    EXPECT_NE(warnings.find("torn"), std::string::npos) << warnings;
    EXPECT_EQ(box->stats().corrupt_records, 1U);
    EXPECT_GT(box->stats().corrupt_bytes, 0U);
    ASSERT_EQ(box->size(), 9U);
    EXPECT_EQ(box->entries().back().event_id, "fault-9");
    telemetry::MetricsWriter metrics;
    box->write_metrics(metrics);
    EXPECT_NE(metrics.text().find("vesagent_outbox_corrupt_records_total 1"), std::string::npos) << metrics.text();
    EXPECT_NE(metrics.text().find("vesagent_outbox_events 9"), std::string::npos);
    box->push(event(Domain::fault, 11));
    settle();
  }
  // The cut was made on disk: the next start finds no damage, and what was appended after it is there.
  auto box = open(options(dir), &warnings);
  EXPECT_EQ(warnings, "");
  EXPECT_EQ(box->stats().corrupt_records, 0U);
  EXPECT_EQ(box->size(), 10U);
  EXPECT_EQ(box->entries().back().event_id, "fault-11");
}

TEST_F(OutboxTest, corruption_in_the_middle_loses_only_the_damaged_record) {
  const auto dir = tmp.path() / "outbox";
  {
    auto box = open(options(dir));
    for (int i = 1; i <= 10; ++i) box->push(event(Domain::fault, i));
    settle();
  }
  const auto file = segment_files(dir).back();
  std::string data = test::read_text(file);
  const auto at = data.find("fault-5\",\"sequence");  // inside the JSON of the fifth record
  ASSERT_NE(at, std::string::npos);
  data[at] = 'F';
  std::ofstream(file, std::ios::binary | std::ios::trunc) << data;

  std::string warnings;
  auto box = open(options(dir), &warnings);
  EXPECT_NE(warnings.find("damaged"), std::string::npos) << warnings;
  EXPECT_EQ(box->stats().corrupt_records, 1U);
  const auto sent = drain(*box);
  std::vector<std::string> ids;
  for (const auto& e : sent) ids.push_back(e.event_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"fault-1", "fault-2", "fault-3", "fault-4", "fault-6", "fault-7",
                                           "fault-8", "fault-9", "fault-10"}));
}

TEST_F(OutboxTest, refuse_policy_drops_oldest_measurements_first_and_never_faults) {
  const auto dir = tmp.path() / "outbox";
  auto o = options(dir);
  const auto record = segment::event_record_bytes(event(Domain::fault, 10).event_id.size(),
                                                  event(Domain::fault, 10).json.size());
  o.max_bytes = record * 10;  // about ten events
  auto box = open(o);
  box->push(event(Domain::fault, 1));
  for (int i = 10; i < 30; ++i) box->push(event(Domain::measurement, i));
  box->push(event(Domain::fault, 2));
  EXPECT_LE(box->bytes(), o.max_bytes);
  std::vector<std::string> ids;
  for (const auto& e : box->entries()) ids.push_back(e.event_id);
  // The two faults and the youngest measurements are left.
  ASSERT_GE(ids.size(), 3U);
  EXPECT_EQ(ids.front(), "fault-1");
  EXPECT_EQ(ids.back(), "fault-2");
  EXPECT_EQ(ids[1], "measurement-" + std::to_string(30 - static_cast<int>(ids.size()) + 2));
  EXPECT_EQ(box->stats().dropped_total(), 22U - ids.size());
  EXPECT_EQ((box->stats().dropped.at({"max_bytes", Domain::measurement})), 22U - ids.size());
  EXPECT_TRUE(box->accepting());

  // Faults alone fill the bound: they are all kept, and new webhook work is refused.
  for (int i = 3; i <= 12; ++i) box->push(event(Domain::fault, i));
  EXPECT_FALSE(box->accepting());
  std::size_t faults = 0;
  for (const auto& e : box->entries()) faults += e.domain == Domain::fault ? 1 : 0;
  EXPECT_EQ(faults, 12U);
  EXPECT_GT(box->stats().over_bound, 0U);
  telemetry::MetricsWriter metrics;
  box->write_metrics(metrics);
  EXPECT_NE(metrics.text().find("vesagent_outbox_accepting 0"), std::string::npos);
  EXPECT_NE(metrics.text().find("vesagent_outbox_dropped_events_total{reason=\"max_bytes\",domain=\"measurement\"}"),
            std::string::npos)
      << metrics.text();

  // Delivering makes room again.
  box->ack(box->entries()[5].seq);
  EXPECT_TRUE(box->accepting());
}

TEST_F(OutboxTest, drops_survive_a_restart) {
  const auto dir = tmp.path() / "outbox";
  auto o = options(dir);
  o.max_bytes = segment::event_record_bytes(20, 80) * 5;
  auto box = open(o);
  for (int i = 1; i <= 20; ++i) box->push(event(Domain::measurement, i));
  box->push(event(Domain::fault, 1));
  settle();
  const auto left = box->size();
  ASSERT_LT(left, 21U);
  auto replay = open(options(crash_copy(dir, tmp.path() / "copy")));
  EXPECT_EQ(replay->size(), left);
  EXPECT_EQ(replay->stats().dropped_total(), 0U);  // nothing dropped twice
}

TEST_F(OutboxTest, max_age_drops_old_measurements_and_refuses_while_an_old_fault_waits) {
  const auto dir = tmp.path() / "outbox";
  auto o = options(dir);
  o.max_age = std::chrono::hours(1);
  auto box = open(o);
  box->push(event(Domain::measurement, 1));
  box->push(event(Domain::fault, 1));
  now_us += 30LL * 60 * 1'000'000;
  box->push(event(Domain::measurement, 2));
  EXPECT_TRUE(box->accepting());
  EXPECT_EQ(box->size(), 3U);
  now_us += 45LL * 60 * 1'000'000;  // the first two are 75 minutes old
  EXPECT_FALSE(box->accepting());   // the old fault is kept, and holds off new webhook work
  std::vector<std::string> ids;
  for (const auto& e : box->entries()) ids.push_back(e.event_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"fault-1", "measurement-2"}));
  EXPECT_EQ((box->stats().dropped.at({"max_age", Domain::measurement})), 1U);
  EXPECT_GE(box->oldest_age(), std::chrono::minutes(75));
  box->ack(box->entries().front().seq);
  EXPECT_TRUE(box->accepting());
}

TEST_F(OutboxTest, drop_oldest_policy_drops_faults_too_and_keeps_accepting) {
  const auto dir = tmp.path() / "outbox";
  auto o = options(dir);
  o.overflow = OverflowPolicy::drop_oldest;
  o.max_bytes = segment::event_record_bytes(20, 80) * 5;
  auto box = open(o);
  for (int i = 1; i <= 20; ++i) box->push(event(Domain::fault, i));
  EXPECT_TRUE(box->accepting());
  EXPECT_LE(box->bytes(), o.max_bytes);
  EXPECT_EQ(box->entries().back().event_id, "fault-20");
  EXPECT_EQ((box->stats().dropped.at({"max_bytes", Domain::fault})), 20U - box->size());
  settle();
  auto replay = open(options(crash_copy(dir, tmp.path() / "copy")));
  EXPECT_EQ(replay->size(), box->size());
}

TEST_F(OutboxTest, a_second_agent_cannot_open_the_same_outbox) {
  const auto dir = tmp.path() / "outbox";
  auto first = open(options(dir));
  Outbox second(ioc.get_executor(), options(dir));
  std::string error;
  EXPECT_FALSE(second.open(error));
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
}

TEST_F(OutboxTest, memory_only_outbox_keeps_the_old_behaviour) {
  Outbox box(ioc.get_executor());
  std::string w;
  EXPECT_TRUE(box.open(w));
  box.push(event(Domain::heartbeat, 1));
  box.push(event(Domain::fault, 2));
  bool durable = false;
  box.when_durable([&](bool ok) { durable = ok; });
  EXPECT_TRUE(durable);
  EXPECT_EQ(box.size(), 2U);
  box.ack(box.entries().front().seq);
  EXPECT_EQ(box.size(), 1U);
  EXPECT_EQ(box.entries().front().event_id, "fault-2");
}

}  // namespace
}  // namespace vesagent::outbox
