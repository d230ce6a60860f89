// The VM status -> fault lifecycle with a real, persisted state::FaultStore: raise, update, clear, deleted and
// vanished VMs, restarts, unwatched VMs, stateChange events; and the events validated against the official VES 7
// and VES 5 schemas.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <fstream>

#include "support/temp_dir.hpp"
#include "support/ves_validator.hpp"
#include "test_util.hpp"
#include "vesagent/state/fault_store.hpp"
#include "vesagent/sources/openstack/nova_servers.hpp"
#include "vesagent/sources/openstack/vm_tracker.hpp"
#include "vesagent/ves/encode.hpp"

namespace vesagent::sources::openstack {
namespace {

using testing::fault;
using testing::info;

constexpr std::int64_t kNow = 1795000000000000;  // µs

TrackerSettings settings(bool state_changes = false) {
  config::Config c;
  c.event.nf_naming_code = "vesa";
  c.event.reporting_entity_name = "agent-host";
  c.openstack.state_change_events = state_changes;
  return TrackerSettings::from_config(c, "east");
}

Server server(const std::string& id, const std::string& status, std::int64_t updated = kNow - 5000000) {
  Server s;
  s.id = id;
  s.name = "vm-" + id;
  s.status = status;
  s.vm_state = status == "ACTIVE" ? "active" : "stopped";
  s.power_state = status == "ACTIVE" ? 1 : 4;
  s.tenant_id = "f88d06e744674fe181fa3337b8ad4092";
  s.host = "compute-1";
  s.flavor = "m1.tiny";
  s.updated_us = updated;
  return s;
}

/// The tracker on a real correlation stage (persisted fault state), recording what the stage sends on.
struct Fixture {
  boost::asio::io_context ioc;
  test::TempDir dir;
  test::StageHarness harness{ioc.get_executor(), dir.path(), [] { return kNow; }};
  std::unique_ptr<VmTracker> tracker;

  explicit Fixture(bool state_changes = false) { open(state_changes); }
  void open(bool state_changes = false) {
    tracker = std::make_unique<VmTracker>(settings(state_changes), harness.stage());
  }
  void restart(bool state_changes = false) {
    tracker.reset();
    harness.restart();
    open(state_changes);
  }
  state::FaultStore& store() { return harness.stage().faults(); }
  std::vector<core::Event> observe(const Server& s, std::int64_t now = kNow) {
    tracker->observe(s, "demo", now);
    return harness.take();
  }
  std::vector<core::Event> full(const std::vector<Server>& servers, std::int64_t now = kNow) {
    tracker->begin_full_listing();
    for (const auto& s : servers) tracker->observe(s, "demo", now);
    tracker->end_full_listing(now);
    return harness.take();
  }
};

TEST(VmTrackerTest, raise_update_clear_lifecycle_keeps_one_event_id) {
  Fixture f;
  EXPECT_TRUE(f.observe(server("a", "ACTIVE")).empty());
  auto raise = f.observe(server("a", "SHUTOFF", kNow - 2000000));
  ASSERT_EQ(raise.size(), 1U);
  const core::Event& r = raise[0];
  EXPECT_EQ(r.domain, core::Domain::fault);
  EXPECT_EQ(r.sequence, 1);
  EXPECT_EQ(r.start_epoch_us, kNow - 2000000);  // when Nova says the VM changed
  EXPECT_EQ(r.last_epoch_us, kNow);
  EXPECT_EQ(r.event_name, "Fault_vesa_vmStatusFault");
  EXPECT_EQ(r.source_name, "vm-a");
  EXPECT_EQ(r.source_id, "a");
  EXPECT_EQ(r.priority, core::Priority::medium);
  EXPECT_EQ(fault(r).severity, core::Severity::major);
  EXPECT_EQ(fault(r).event_source_type, "virtualMachine");
  EXPECT_EQ(fault(r).specific_problem, "VM vm-a is SHUTOFF");
  EXPECT_EQ(info(r, "cloud"), "east");
  EXPECT_EQ(info(r, "project"), "demo");
  EXPECT_EQ(info(r, "projectId"), "f88d06e744674fe181fa3337b8ad4092");
  EXPECT_EQ(info(r, "host"), "compute-1");
  EXPECT_EQ(info(r, "flavor"), "m1.tiny");
  EXPECT_EQ(info(r, "vmState"), "stopped");
  EXPECT_EQ(info(r, "powerState"), "4");
  EXPECT_EQ(info(r, "taskState"), "");
  EXPECT_EQ(f.tracker->faults_active(), 1U);

  // Same status again (changes-since overlap, a task starting): nothing.
  EXPECT_TRUE(f.observe(server("a", "SHUTOFF", kNow)).empty());
  // Fault to fault: an update of the same fault, even at the same severity... 
  auto paused = f.observe(server("a", "PAUSED"));
  ASSERT_EQ(paused.size(), 1U);
  EXPECT_EQ(paused[0].event_id, r.event_id);
  EXPECT_EQ(paused[0].sequence, 2);
  EXPECT_EQ(fault(paused[0]).severity, core::Severity::minor);
  EXPECT_EQ(paused[0].start_epoch_us, r.start_epoch_us);
  // ... and at a different one.
  auto error = f.observe(server("a", "ERROR"));
  ASSERT_EQ(error.size(), 1U);
  EXPECT_EQ(error[0].sequence, 3);
  EXPECT_EQ(fault(error[0]).severity, core::Severity::critical);
  EXPECT_EQ(error[0].priority, core::Priority::high);

  auto clear = f.observe(server("a", "ACTIVE"), kNow + 1000000);
  ASSERT_EQ(clear.size(), 1U);
  EXPECT_EQ(clear[0].event_id, r.event_id);
  EXPECT_EQ(clear[0].sequence, 4);
  EXPECT_EQ(clear[0].start_epoch_us, r.start_epoch_us);
  EXPECT_EQ(fault(clear[0]).severity, core::Severity::normal);
  EXPECT_EQ(clear[0].priority, core::Priority::normal);
  EXPECT_EQ(f.tracker->faults_active(), 0U);

  // A new failure later is a new fault with a new eventId.
  auto again = f.observe(server("a", "SHUTOFF", kNow + 10000000), kNow + 10000000);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_NE(again[0].event_id, r.event_id);
  EXPECT_EQ(again[0].sequence, 1);
}

TEST(VmTrackerTest, vm_already_failed_at_first_sight_raises_once_and_error_carries_nova_fault) {
  Fixture f;
  auto page = parse_servers_page(testing::fixture("servers-detail.page1-limit2.json"));
  ASSERT_TRUE(page);
  auto events = f.full(page->servers);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(fault(events[0]).severity, core::Severity::critical);
  EXPECT_NE(fault(events[0]).specific_problem.find("Exceeded maximum number of retries"), std::string::npos);
  EXPECT_NE(info(events[0], "faultMessage"), "<absent>");
  EXPECT_TRUE(f.full(page->servers).empty());
}

TEST(VmTrackerTest, deleted_vm_clears_its_fault_unless_deleted_is_a_fault_status) {
  Fixture f;
  f.observe(server("a", "ERROR"));
  auto events = f.observe(server("a", "DELETED"));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(fault(events[0]).severity, core::Severity::normal);
  EXPECT_EQ(fault(events[0]).specific_problem, "VM vm-a was deleted");
  EXPECT_EQ(f.tracker->vm_count(), 0U);
  // A server created and deleted between two polls: nothing.
  EXPECT_TRUE(f.observe(server("b", "DELETED")).empty());

  auto s = settings();
  s.fault_statuses.emplace_back("DELETED", core::Severity::warning);
  VmTracker t(s, f.harness.stage());
  t.observe(server("c", "ERROR"), "", kNow);
  t.observe(server("c", "DELETED"), "", kNow);
  auto out = f.harness.take();
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[1].sequence, 2);  // an update of the ERROR fault
  EXPECT_EQ(fault(out[1]).severity, core::Severity::warning);
  ASSERT_EQ(t.held_faults().size(), 1U);
  EXPECT_EQ(t.held_faults()[0].status, "DELETED");
}

TEST(VmTrackerTest, full_listing_clears_faults_of_vms_that_vanished) {
  Fixture f;
  f.full({server("a", "ERROR"), server("b", "ACTIVE"), server("c", "SHUTOFF")});
  EXPECT_EQ(f.tracker->faults_active(), 2U);
  auto events = f.full({server("b", "ACTIVE"), server("c", "SHUTOFF")});
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].source_id, "a");
  EXPECT_EQ(fault(events[0]).severity, core::Severity::normal);
  EXPECT_EQ(f.tracker->vm_count(), 2U);
}

TEST(VmTrackerTest, restart_with_persisted_state_neither_duplicates_nor_forgets) {
  Fixture f;
  auto raised = f.full({server("a", "ERROR"), server("b", "SHUTOFF"), server("c", "PAUSED"), server("d", "ACTIVE")});
  ASSERT_EQ(raised.size(), 3U);
  std::string b_id;
  for (const auto& e : raised) {
    if (e.source_id == "b") b_id = e.event_id;
  }
  f.restart();
  // After the restart: a still failed (no raise), b recovered (clear with the old eventId), c vanished (clear).
  auto events = f.full({server("a", "ERROR"), server("b", "ACTIVE"), server("d", "ACTIVE")});
  ASSERT_EQ(events.size(), 2U);
  for (const auto& e : events) {
    EXPECT_EQ(fault(e).severity, core::Severity::normal);
    EXPECT_EQ(e.sequence, 2);
  }
  EXPECT_EQ(events[0].source_id == "b" ? events[0].event_id : events[1].event_id, b_id);
  EXPECT_EQ(f.tracker->faults_active(), 1U);
  ASSERT_EQ(f.tracker->held_faults().size(), 1U);
  EXPECT_EQ(f.tracker->held_faults()[0].server_id, "a");
  // The fault store is shared: another cloud's VM faults are not touched.
  EXPECT_EQ(f.store().active_count(), 1U);
}

TEST(VmTrackerTest, faults_of_another_cloud_in_the_shared_store_are_left_alone) {
  Fixture f;
  auto d = f.store().on_firing(VmTracker::fault_key("west", "z"), kNow, core::Severity::major, kNow);
  ASSERT_EQ(d.action, state::FaultAction::raise);
  f.store().on_firing("am/0123", kNow, core::Severity::major, kNow);  // an Alertmanager fault
  EXPECT_TRUE(f.full({server("a", "ACTIVE")}).empty());
  EXPECT_EQ(f.store().active_count(), 2U);
}

TEST(VmTrackerTest, unwatched_vm_gets_its_fault_cleared) {
  Fixture f;
  f.observe(server("a", "ERROR"));
  f.tracker->unwatch(server("a", "ERROR"), kNow);
  auto out = f.harness.take();
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(fault(out[0]).severity, core::Severity::normal);
  EXPECT_EQ(fault(out[0]).specific_problem, "VM vm-a is no longer watched");
  EXPECT_EQ(f.tracker->vm_count(), 0U);
}

TEST(VmTrackerTest, state_change_events_for_every_transition_when_enabled) {
  Fixture f(true);
  EXPECT_TRUE(f.observe(server("a", "ACTIVE")).empty());  // first sight: the old state is unknown
  auto events = f.observe(server("a", "SHUTOFF"));
  ASSERT_EQ(events.size(), 2U);
  const core::Event& sc = events[1];
  EXPECT_EQ(sc.domain, core::Domain::state_change);
  EXPECT_EQ(sc.event_id, "stateChange1");
  EXPECT_EQ(sc.sequence, 0);
  const auto& body = std::get<core::StateChangeBody>(sc.body);
  EXPECT_EQ(body.old_state, core::EntityState::in_service);
  EXPECT_EQ(body.new_state, core::EntityState::out_of_service);
  EXPECT_EQ(body.state_interface, "a");
  events = f.observe(server("a", "BUILD"));  // leaves the fault set: clear + stateChange
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(std::get<core::StateChangeBody>(events[1].body).new_state, core::EntityState::maintenance);
  EXPECT_EQ(entity_state_for("RESIZE"), core::EntityState::maintenance);
  EXPECT_EQ(entity_state_for("ERROR"), core::EntityState::out_of_service);
}

TEST(VmTrackerTest, events_are_valid_ves7_and_ves5) {
  Fixture f(true);
  std::vector<core::Event> all;
  auto add = [&all](std::vector<core::Event> v) {
    for (auto& e : v) all.push_back(std::move(e));
  };
  add(f.observe(server("a", "ACTIVE")));
  add(f.observe(server("a", "SHUTOFF")));
  add(f.observe(server("a", "ERROR")));
  add(f.observe(server("a", "ACTIVE")));
  Server odd = server("b\"\t", "ERROR");
  odd.name = "na\xffme with space";
  odd.fault_message = "multi\nline";
  add(f.observe(odd));
  ASSERT_EQ(all.size(), 7U);
  test::TempDir dir;
  for (int version : {7, 5}) {
    std::vector<std::filesystem::path> files;
    for (std::size_t i = 0; i < all.size(); ++i) {
      std::string why;
      auto body = ves::encode_event(all[i], {version == 7 ? ves::Version::v7 : ves::Version::v5, "UTC+00:00"}, &why);
      ASSERT_TRUE(body) << why;
      files.push_back(dir.write("e" + std::to_string(version) + "-" + std::to_string(i) + ".json",
                                ves::wrap_single(*body)));
    }
    auto run = test::run_ves_validator(version, files);
    EXPECT_EQ(run.exit_code, 0) << run.output;
  }
  // v5 writes stateChangeFieldsVersion as a number and additionalFields as name/value pairs.
  const core::Event& sc = all[1];
  ASSERT_EQ(sc.domain, core::Domain::state_change);
  auto v5 = ves::encode_event(sc, {ves::Version::v5, ""});
  ASSERT_TRUE(v5);
  EXPECT_NE(v5->find("\"stateChangeFieldsVersion\":2.0"), std::string::npos) << *v5;
  EXPECT_NE(v5->find("\"domain\":\"stateChange\""), std::string::npos);
  EXPECT_NE(v5->find("{\"name\":\"oldStatus\",\"value\":\"ACTIVE\"}"), std::string::npos);
  // A stateChange without stateInterface cannot be sent.
  core::Event broken = sc;
  std::get<core::StateChangeBody>(broken.body).state_interface.clear();
  std::string why;
  EXPECT_FALSE(ves::encode_event(broken, {ves::Version::v7, ""}, &why));
  EXPECT_NE(why.find("stateInterface"), std::string::npos);
}

}  // namespace
}  // namespace vesagent::sources::openstack
