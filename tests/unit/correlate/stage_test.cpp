// The correlation stage with a real, persisted fault store: every row of the decision table, the identity it
// stamps into the events the sources build, eventIds per domain, and the commit order every source relies on.
#include "vesagent/correlate/stage.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/stage_harness.hpp"
#include "support/temp_dir.hpp"
#include "vesagent/correlate/replica.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/state/fault_store.hpp"

namespace vesagent::correlate {
namespace {

using Kind = core::FaultObservation::Kind;
constexpr std::int64_t kT0 = 1'790'000'000'000'000;
constexpr std::int64_t kSecond = 1'000'000;

const core::FaultBody& fault(const core::Event& e) { return std::get<core::FaultBody>(e.body); }

/// What a source builds: its own texts, and deliberately wrong identity fields (the stage's must win).
core::Event built(const core::FaultIdentity&, core::FaultEventKind kind) {
  core::Event e;
  e.event_id = "source-made-this-up";
  e.sequence = 99;
  e.start_epoch_us = 1;
  e.last_epoch_us = kT0 + 5 * kSecond;
  e.event_name = "Fault_test";
  e.source_name = "vm-1";
  core::FaultBody f;
  f.alarm_condition = "test";
  f.specific_problem = kind == core::FaultEventKind::raise_or_update ? "failing"
                       : kind == core::FaultEventKind::clear         ? "recovered"
                                                                     : "superseded";
  e.body = f;
  return e;
}

class StageTest : public ::testing::Test {
 protected:
  core::FaultVerdict observe(Kind kind, std::int64_t episode, core::Severity severity = core::Severity::major,
                             std::int64_t at = kT0 + 5 * kSecond, const std::string& key = "am/a") {
    core::FaultObservation o;
    o.kind = kind;
    o.key = key;
    o.episode_start_us = episode;
    o.severity = severity;
    o.at_us = at;
    return h.stage().observe(o, built);
  }

  boost::asio::io_context ioc;
  test::TempDir dir;
  test::StageHarness h{ioc.get_executor(), dir.path(), [] { return kT0 + 10 * kSecond; }};
};

TEST_F(StageTest, first_firing_raises_with_the_stages_identity) {
  auto v = observe(Kind::firing, kT0);
  EXPECT_EQ(v.action, core::FaultAction::raise);
  auto events = h.take();
  ASSERT_EQ(events.size(), 1U);
  const auto& e = events[0];
  EXPECT_EQ(e.event_id, state::FaultStore::make_event_id("am/a", kT0));
  EXPECT_EQ(e.event_id, v.identity.event_id);
  EXPECT_EQ(e.key, "am/a");
  EXPECT_EQ(e.sequence, 1);
  EXPECT_EQ(e.start_epoch_us, kT0);
  EXPECT_EQ(e.last_epoch_us, kT0 + 5 * kSecond);  // the source's
  EXPECT_EQ(e.domain, core::Domain::fault);
  EXPECT_EQ(e.priority, core::Priority::medium);
  EXPECT_EQ(fault(e).severity, core::Severity::major);
  EXPECT_EQ(fault(e).specific_problem, "failing");
}

TEST_F(StageTest, repeat_is_nothing_severity_change_is_an_update_resolve_is_the_clear) {
  observe(Kind::firing, kT0);
  h.take();
  EXPECT_EQ(observe(Kind::firing, kT0).action, core::FaultAction::none);
  EXPECT_TRUE(h.take().empty());

  auto update = observe(Kind::firing, kT0, core::Severity::critical);
  EXPECT_EQ(update.action, core::FaultAction::update);
  auto events = h.take();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].sequence, 2);
  EXPECT_EQ(events[0].priority, core::Priority::high);
  EXPECT_EQ(fault(events[0]).severity, core::Severity::critical);

  auto clear = observe(Kind::resolved, kT0, core::Severity::major, kT0 + 7 * kSecond);
  EXPECT_EQ(clear.action, core::FaultAction::clear);
  events = h.take();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].sequence, 3);
  EXPECT_EQ(events[0].start_epoch_us, kT0);
  EXPECT_EQ(events[0].priority, core::Priority::normal);
  EXPECT_EQ(fault(events[0]).severity, core::Severity::normal);
  EXPECT_EQ(fault(events[0]).specific_problem, "recovered");
  EXPECT_FALSE(clear.identity.active());

  // Resolves keep coming back for a while: nothing. A late firing retry of the closed episode: nothing.
  EXPECT_EQ(observe(Kind::resolved, kT0).action, core::FaultAction::none);
  EXPECT_EQ(observe(Kind::firing, kT0).action, core::FaultAction::none);
  EXPECT_TRUE(h.take().empty());
}

TEST_F(StageTest, newer_episode_clears_the_older_one_first) {
  observe(Kind::firing, kT0);
  h.take();
  auto v = observe(Kind::firing, kT0 + 60 * kSecond);
  EXPECT_EQ(v.action, core::FaultAction::raise);
  EXPECT_TRUE(v.superseded);
  auto events = h.take();
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].event_id, state::FaultStore::make_event_id("am/a", kT0));
  EXPECT_EQ(events[0].sequence, 2);
  EXPECT_EQ(fault(events[0]).severity, core::Severity::normal);
  EXPECT_EQ(fault(events[0]).specific_problem, "superseded");
  EXPECT_EQ(events[1].event_id, state::FaultStore::make_event_id("am/a", kT0 + 60 * kSecond));
  EXPECT_EQ(events[1].sequence, 1);
}

TEST_F(StageTest, unknown_resolve_sends_a_clear_with_the_derived_id_once) {
  auto v = observe(Kind::resolved, kT0);
  EXPECT_EQ(v.action, core::FaultAction::clear);
  EXPECT_TRUE(v.unknown_resolve);
  auto events = h.take();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].event_id, state::FaultStore::make_event_id("am/a", kT0));
  EXPECT_EQ(events[0].sequence, 2);  // the lost raise had 1
  EXPECT_EQ(observe(Kind::resolved, kT0).action, core::FaultAction::none);
}

TEST_F(StageTest, changed_updates_an_active_fault_and_is_nothing_otherwise) {
  EXPECT_EQ(observe(Kind::changed, 0, core::Severity::minor).action, core::FaultAction::none);
  observe(Kind::firing, kT0);
  h.take();
  auto v = observe(Kind::changed, 0, core::Severity::major);
  EXPECT_EQ(v.action, core::FaultAction::update);  // same severity, another state: still an update
  EXPECT_EQ(v.identity.sequence, 2);
}

TEST_F(StageTest, next_episode_after_close_starts_a_new_fault_even_with_an_old_start) {
  core::FaultObservation o;
  o.kind = Kind::firing;
  o.key = "vm/x/status/east";
  o.episode_start_us = kT0;
  o.at_us = kT0 + kSecond;
  o.next_episode_after_close = true;
  auto first = h.stage().observe(o, built);
  EXPECT_EQ(first.action, core::FaultAction::raise);
  // Seen again while active, with a later `updated`: the same fault.
  o.episode_start_us = kT0 + 30 * kSecond;
  EXPECT_EQ(h.stage().observe(o, built).action, core::FaultAction::none);
  core::FaultObservation r;
  r.kind = Kind::resolved;
  r.key = o.key;
  r.at_us = kT0 + 40 * kSecond;
  EXPECT_EQ(h.stage().observe(r, built).action, core::FaultAction::clear);
  // Fails again, but Nova's `updated` did not move past the closed episode: still a new fault.
  o.episode_start_us = kT0;
  auto again = h.stage().observe(o, built);
  EXPECT_EQ(again.action, core::FaultAction::raise);
  EXPECT_NE(again.identity.event_id, first.identity.event_id);
}

TEST_F(StageTest, decisions_survive_a_restart) {
  observe(Kind::firing, kT0);
  h.take();
  h.restart();
  EXPECT_EQ(observe(Kind::firing, kT0).action, core::FaultAction::none);
  auto clear = observe(Kind::resolved, kT0);
  EXPECT_EQ(clear.action, core::FaultAction::clear);
  EXPECT_EQ(clear.identity.sequence, 2);
}

TEST_F(StageTest, for_each_active_lists_the_active_faults_of_a_prefix) {
  observe(Kind::firing, kT0, core::Severity::major, kT0, "vm/a/status/east");
  observe(Kind::firing, kT0, core::Severity::major, kT0, "vm/b/status/east");
  observe(Kind::resolved, kT0, core::Severity::major, kT0, "vm/b/status/east");
  observe(Kind::firing, kT0, core::Severity::major, kT0, "am/c");
  std::vector<std::string> keys;
  h.stage().for_each_active("vm/", [&](const core::FaultIdentity& id) { keys.emplace_back(id.key); });
  EXPECT_EQ(keys, std::vector<std::string>{"vm/a/status/east"});
}

TEST_F(StageTest, submit_gives_each_domain_its_own_ids_that_never_repeat_after_a_restart) {
  auto event = [](core::Domain d) {
    core::Event e;
    e.domain = d;
    return e;
  };
  h.stage().submit(event(core::Domain::heartbeat));
  h.stage().submit(event(core::Domain::heartbeat));
  h.stage().submit(event(core::Domain::measurement));
  h.stage().submit(event(core::Domain::state_change));
  auto events = h.take();
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(events[0].event_id, "heartbeat0000000001");
  EXPECT_EQ(events[1].event_id, "heartbeat0000000002");
  EXPECT_EQ(events[2].event_id, "Measurements0000000001");
  EXPECT_EQ(events[3].event_id, "stateChange1");
  h.restart();
  h.stage().submit(event(core::Domain::heartbeat));
  events = h.take();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_GT(events[0].event_id, "heartbeat0000000002");  // the rest of the reserved block is skipped
}

TEST_F(StageTest, a_fault_event_without_observation_is_refused) {
  core::Event e;
  e.domain = core::Domain::fault;
  h.stage().submit(e);
  EXPECT_TRUE(h.take().empty());
  EXPECT_EQ(h.stage().stats().id_failures, 1U);
}

/// A replica whose replication completes when the test says so.
class ManualReplica final : public Replica {
 public:
  Result<std::uint64_t> next_event_number(core::Domain) override { return ++number; }
  void when_replicated(std::function<void(bool)> done) override { waiting.push_back(std::move(done)); }
  bool accepting() const override { return open; }
  void complete(bool ok) {
    for (auto& done : std::exchange(waiting, {})) done(ok);
  }
  std::uint64_t number = 500;
  bool open = true;
  std::vector<std::function<void(bool)>> waiting;
};

/// Events first, then the decisions, in one group commit; the source's commit completes only when the outbox
/// has both on disk and, clustered, the replica holds them too.
TEST(StageCommitTest, decisions_follow_their_events_and_the_commit_waits_for_disk_and_cluster) {
  boost::asio::io_context ioc;
  test::TempDir dir;
  outbox::Options oo;
  oo.directory = dir.path() / "outbox";
  outbox::Outbox box(ioc.get_executor(), oo);
  std::vector<std::string> order;
  outbox::Observer observer;
  observer.pushed = [&](const outbox::Entry& e) { order.push_back("event " + e.event_id); };
  observer.state_pushed = [&](std::string_view) { order.push_back("decisions"); };
  box.set_observer(observer);
  // The downstream encoder: here it queues the event id as its "JSON".
  struct Enqueue final : core::EventSink {
    explicit Enqueue(outbox::Outbox& b) : box(b) {}
    void submit(core::Event e) override { box.push(outbox::Entry{e.domain, e.event_id, "{}", 0}); }
    outbox::Outbox& box;
  } enqueue{box};
  StageOptions so;
  so.state_directory = dir.path();
  Stage stage(so, enqueue, box);
  std::string error, warnings;
  ASSERT_TRUE(stage.open(error, warnings)) << error;
  box.set_state_log(stage.state_log());
  ASSERT_TRUE(box.open(warnings)) << warnings;
  ManualReplica replica;
  stage.set_replica(&replica);

  core::FaultObservation o;
  o.key = "am/a";
  o.episode_start_us = kT0;
  stage.observe(o, built);
  std::optional<bool> committed;
  stage.commit([&](bool ok) { committed = ok; });
  EXPECT_EQ(order, (std::vector<std::string>{"event " + state::FaultStore::make_event_id("am/a", kT0), "decisions"}));
  ioc.run_for(std::chrono::milliseconds(500));  // the outbox's group commit
  EXPECT_FALSE(committed.has_value()) << "must wait for the cluster";
  replica.complete(true);
  ASSERT_TRUE(committed.has_value());
  EXPECT_TRUE(*committed);

  // The cluster refusing (not the leader any more, etcd down) fails the commit: the webhook answers 503.
  o.severity = core::Severity::critical;
  stage.observe(o, built);
  committed.reset();
  stage.commit([&](bool ok) { committed = ok; });
  replica.complete(false);
  ioc.restart();
  ioc.run_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(committed.has_value());
  EXPECT_FALSE(*committed);

  // Clustered eventIds come from the replica.
  core::Event hb;
  hb.domain = core::Domain::heartbeat;
  stage.submit(hb);
  EXPECT_EQ(order.back(), "event heartbeat0000000501");
  replica.open = false;
  EXPECT_FALSE(stage.accepting());
}

}  // namespace
}  // namespace vesagent::correlate
