// DeadLetterStore: records, filters, bounds and rotation, replay into the outbox (in order, each once, crash-safe
// removal), the lock, damage at open, and the old single-file format.
#include "vesagent/outbox/dead_letter_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>

#include "support/temp_dir.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::outbox {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

std::string event_json(const std::string& id, const std::string& domain = "fault") {
  return R"({"commonEventHeader":{"domain":")" + domain + R"(","eventId":")" + id +
         R"(","sequence":1,"startEpochMicrosec":1.5e15},"faultFields":{"alarmCondition":"x \"quoted\" ,\"event\":"}})";
}

std::size_t jsonl_files(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".jsonl" ? 1 : 0;
  return n;
}

/// Runs the loop until `flag` is set (the outbox's I/O thread reports back through it).
void run_until(asio::io_context& ioc, const bool& flag) {
  for (int i = 0; i < 1000 && !flag; ++i) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(flag);
}

struct DeadLetterStoreTest : ::testing::Test {
  test::TempDir dir;
  fs::path store_dir = dir.path() / "dead-letters";

  std::unique_ptr<DeadLetterStore> open(DeadLetterLimits limits = {}) {
    auto s = std::make_unique<DeadLetterStore>(store_dir, limits);
    std::string warnings;
    EXPECT_TRUE(s->open(warnings)) << warnings;
    return s;
  }
  void add(DeadLetterStore& s, int i, const std::string& collector = "primary", int status = 400) {
    ASSERT_TRUE(s.add(collector, status, "400 from primaryCollector: SVC0002", core::Domain::fault,
                      "fault" + std::to_string(i), event_json("fault" + std::to_string(i))));
  }
};

TEST_F(DeadLetterStoreTest, records_keep_the_event_byte_for_byte_and_survive_a_restart) {
  {
    auto s = open();
    add(*s, 1);
    add(*s, 2, "backup", 413);
  }
  auto s = open();
  DeadLetterQuery q;
  q.with_events = true;
  auto page = s->list(q);
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.total, 2u);
  EXPECT_EQ(page.records[0].id, 2u);  // newest first
  EXPECT_EQ(page.records[0].collector, "backup");
  EXPECT_EQ(page.records[0].status, 413);
  EXPECT_EQ(page.records[1].event_json, event_json("fault1"));
  EXPECT_EQ(page.records[1].reason, "400 from primaryCollector: SVC0002");
  EXPECT_GT(page.records[1].rejected_us, 0);
  add(*s, 3);
  EXPECT_EQ(s->list({}).records.front().id, 3u);  // ids go on after a restart
}

TEST_F(DeadLetterStoreTest, list_filters_orders_and_limits) {
  auto s = open();
  for (int i = 1; i <= 6; ++i) add(*s, i, i % 2 ? "primary" : "backup", i <= 3 ? 400 : 413);
  DeadLetterQuery q;
  q.collector = "backup";
  EXPECT_EQ(s->list(q).matched, 3u);
  q = {};
  q.status = 413;
  q.newest_first = false;
  q.limit = 2;
  auto page = s->list(q);
  EXPECT_EQ(page.matched, 3u);
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.records[0].id, 4u);
  EXPECT_EQ(page.records[1].id, 5u);
  q = {};
  q.text = "fault6";
  EXPECT_EQ(s->list(q).matched, 1u);
  q = {};
  q.domain = core::Domain::heartbeat;
  EXPECT_EQ(s->list(q).matched, 0u);
}

TEST_F(DeadLetterStoreTest, bounded_by_count_oldest_files_dropped_and_counted) {
  auto s = open({1 << 20, 16});  // files of 2 records
  for (int i = 1; i <= 40; ++i) add(*s, i);
  EXPECT_LE(s->size(), 16u);
  EXPECT_GE(s->size(), 14u);
  EXPECT_EQ(s->stats().dropped, 40u - s->size());
  DeadLetterQuery q;
  q.newest_first = false;
  q.limit = 1;
  EXPECT_GT(s->list(q).records[0].id, 20u);  // the oldest went
  EXPECT_EQ(s->list({}).records[0].id, 40u);  // the newest stayed
  EXPECT_LE(jsonl_files(store_dir), 9u);
  telemetry::MetricsWriter m;
  s->write_metrics(m);
  EXPECT_NE(m.text().find("vesagent_dead_letters " + std::to_string(s->size())), std::string::npos) << m.text();
  EXPECT_NE(m.text().find("vesagent_dead_letters_dropped_total " + std::to_string(40 - s->size())),
            std::string::npos);
}

TEST_F(DeadLetterStoreTest, bounded_by_bytes) {
  const std::uint64_t max = 4000;
  auto s = open({max, 1000000});
  for (int i = 1; i <= 100; ++i) add(*s, i);
  EXPECT_LE(s->bytes(), max);
  EXPECT_GT(s->size(), 0u);
  std::uint64_t on_disk = 0;
  for (const auto& e : fs::directory_iterator(store_dir)) {
    if (e.path().extension() == ".jsonl") on_disk += fs::file_size(e.path());
  }
  EXPECT_LE(on_disk, max);
}

TEST_F(DeadLetterStoreTest, replay_pushes_in_order_once_and_removes_the_lines_once_durable) {
  asio::io_context ioc;
  Options options;
  options.directory = dir.path() / "outbox";
  {
    auto s = open({1 << 20, 16});
    for (int i = 1; i <= 5; ++i) add(*s, i);
    Outbox box(ioc.get_executor(), options);
    std::string warnings;
    ASSERT_TRUE(box.open(warnings)) << warnings;
    const std::vector<std::uint64_t> ids{4, 2, 99};
    auto r = s->replay(ids, box);
    EXPECT_EQ(r.replayed, 2u);
    EXPECT_EQ(r.not_found, 1u);
    ASSERT_EQ(box.entries().size(), 2u);
    EXPECT_EQ(box.entries()[0].event_id, "fault2");  // in the order they were refused
    EXPECT_EQ(box.entries()[1].event_id, "fault4");
    EXPECT_EQ(box.entries()[0].json, event_json("fault2"));
    EXPECT_EQ(box.entries()[0].domain, core::Domain::fault);
    EXPECT_EQ(s->size(), 3u);
    // A second replay of the same ids sends nothing again.
    EXPECT_EQ(s->replay(ids, box).replayed, 0u);
    EXPECT_EQ(box.size(), 2u);
    bool durable = false;
    box.when_durable([&](bool ok) { durable = ok; });
    run_until(ioc, durable);
    auto rest = s->replay({}, box);  // all the others
    EXPECT_EQ(rest.replayed, 3u);
    EXPECT_EQ(box.size(), 5u);
    durable = false;
    box.when_durable([&](bool ok) { durable = ok; });
    run_until(ioc, durable);
  }
  // On disk: the outbox holds the five events, the store nothing.
  auto s = open();
  EXPECT_EQ(s->size(), 0u);
  EXPECT_EQ(jsonl_files(store_dir), 0u);
  Outbox box(ioc.get_executor(), options);
  std::string warnings;
  ASSERT_TRUE(box.open(warnings)) << warnings;
  EXPECT_EQ(box.size(), 5u);
}

TEST_F(DeadLetterStoreTest, replayed_lines_stay_until_the_outbox_has_them) {
  // Replay without ever running the loop: the outbox never reports the events durable, so a crash here must
  // find the records still in the store.
  asio::io_context ioc;
  auto s = open();
  for (int i = 1; i <= 3; ++i) add(*s, i);
  Options options;
  options.directory = dir.path() / "outbox";
  {
    Outbox box(ioc.get_executor(), options);
    std::string warnings;
    ASSERT_TRUE(box.open(warnings)) << warnings;
    EXPECT_EQ(s->replay({}, box).replayed, 3u);
  }
  s.reset();  // the "crash": nothing ran the durability callback
  auto again = open();
  EXPECT_EQ(again->size(), 3u);
}

TEST_F(DeadLetterStoreTest, a_second_process_is_refused_while_the_lock_is_held) {
  auto s = open();
  DeadLetterStore other(store_dir, {});
  std::string warnings;
  EXPECT_FALSE(other.open(warnings));
  EXPECT_NE(warnings.find("in use by another process"), std::string::npos) << warnings;
  DeadLetterStore reader(store_dir, {});
  EXPECT_TRUE(reader.open(warnings, false));  // read-only listing needs no lock
}

TEST_F(DeadLetterStoreTest, a_torn_last_line_is_cut_and_damage_is_skipped) {
  {
    auto s = open();
    add(*s, 1);
    add(*s, 2);
  }
  fs::path file;
  for (const auto& e : fs::directory_iterator(store_dir)) {
    if (e.path().extension() == ".jsonl") file = e.path();
  }
  {
    std::ofstream out(file, std::ios::app);
    out << "{\"id\":3,\"rejectedAt";  // an interrupted append
  }
  auto s = std::make_unique<DeadLetterStore>(store_dir, DeadLetterLimits{});
  std::string warnings;
  ASSERT_TRUE(s->open(warnings));
  EXPECT_NE(warnings.find("torn"), std::string::npos) << warnings;
  EXPECT_EQ(s->size(), 2u);
  add(*s, 4);
  s.reset();
  auto again = open();
  EXPECT_EQ(again->size(), 3u);
}

TEST_F(DeadLetterStoreTest, the_old_single_file_is_taken_in) {
  const auto legacy = dir.write("dead-letter.jsonl",
                                R"({"rejectedAtEpochMicrosec":1,"collector":"primary","status":400,"reason":"r","event":)" +
                                    event_json("old1") + "}\n" + "not json\n");
  auto s = std::make_unique<DeadLetterStore>(store_dir, DeadLetterLimits{});
  std::string warnings;
  ASSERT_TRUE(s->open(warnings, true, legacy));
  ASSERT_EQ(s->size(), 1u);
  DeadLetterQuery q;
  q.with_events = true;
  auto page = s->list(q);
  EXPECT_EQ(page.records[0].event_id, "old1");
  EXPECT_EQ(page.records[0].event_json, event_json("old1"));
  EXPECT_FALSE(fs::exists(legacy));
  EXPECT_TRUE(fs::exists(legacy.string() + ".imported"));
}

TEST(DeadLetterRecordTest, parse_refuses_what_is_not_a_record) {
  EXPECT_FALSE(parse_dead_letter(""));
  EXPECT_FALSE(parse_dead_letter("[]"));
  EXPECT_FALSE(parse_dead_letter(R"({"id":1,"domain":"fault","eventId":"x"})"));               // no event
  EXPECT_FALSE(parse_dead_letter(R"({"id":-1,"domain":"fault","eventId":"x","event":{}})"));   // bad id
  EXPECT_FALSE(parse_dead_letter(R"({"id":1,"domain":"nope","eventId":"x","event":{}})"));     // bad domain
  auto r = parse_dead_letter(R"({"id":7,"domain":"heartbeat","eventId":"h","status":"x","event":{"a":1}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, 7u);
  EXPECT_EQ(r->status, 0);
  EXPECT_EQ(r->event_json, R"({"a":1})");
}

}  // namespace
}  // namespace vesagent::outbox
