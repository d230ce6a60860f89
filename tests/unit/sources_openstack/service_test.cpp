// The OpenStack service against the Keystone + Nova double over real HTTP on loopback: pagination to the end,
// changes-since polls, token renewal and re-authentication, 5xx and backoff, one cloud down while another works,
// restart with persisted fault state, filters, the status page and the metrics, --once, prompt stop.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <set>
#include <nlohmann/json.hpp>

#include "support/openstack/openstack_double.hpp"
#include "support/temp_dir.hpp"
#include "test_util.hpp"
#include "vesagent/config/config.hpp"
#include "vesagent/http/client.hpp"
#include "vesagent/sources/openstack/openstack_service.hpp"
#include "vesagent/state/fault_store.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::sources::openstack {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::fault;
using testing::RecordingSink;

struct Harness {
  asio::io_context ioc{1};
  test::TempDir dir;
  http::Client client{ioc.get_executor()};
  RecordingSink sink;
  std::unique_ptr<test::StageHarness> stage;
  config::Config config;
  sources::ServiceContext ctx;
  std::unique_ptr<OpenStackService> service;
  std::vector<std::string> once_reports;

  Harness() {
    config.event.reporting_entity_name = "agent";
    config.openstack.interval = 100ms;
    config.openstack.timeout = 3s;
    config.openstack.retry_backoff_max = 200ms;
    config.openstack.page_size = 10;
    open_store();
  }
  /// The correlation stage, opened again on the same state directory (a restart of the agent).
  void open_store() {
    stage.reset();
    stage = std::make_unique<test::StageHarness>(ioc.get_executor(), dir.path(), nullptr, &sink);
  }
  const state::FaultStore& store() { return stage->stage().faults(); }
  config::OpenStackCloud& add_cloud(const std::string& name, const test::OpenStackDouble& os) {
    config::OpenStackCloud c;
    c.name = name;
    c.auth_url = os.auth_url();
    c.username = "admin";
    c.password = "secret";
    c.project_name = "admin";
    c.user_domain_name = "Default";
    c.project_domain_name = "Default";
    config.openstack.clouds.push_back(c);
    return config.openstack.clouds.back();
  }
  void start(bool once = false) {
    ctx.executor = ioc.get_executor();
    ctx.config = &config;
    ctx.client = &client;
    ctx.correlator = &stage->stage();
    ctx.once = once;
    ctx.once_done = [this](std::string_view s) { once_reports.emplace_back(s); };
    service = std::make_unique<OpenStackService>(ctx, Environment{});
    std::string error;
    ASSERT_TRUE(service->start(error)) << error;
  }
  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      ioc.run_for(5ms);
    }
    return true;
  }
  void run_for(std::chrono::milliseconds d) {
    const auto deadline = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < deadline) ioc.run_for(5ms);
  }
  /// Stops the service and runs the loop until its coroutines ended.
  void stop() {
    if (!service) return;
    service->stop();
    run_for(50ms);
  }
  ~Harness() {
    stop();
    service.reset();
    ioc.run_for(20ms);
  }
  std::size_t count(core::Severity s) const {
    std::size_t n = 0;
    for (const auto* e : sink.faults()) n += fault(*e).severity == s ? 1 : 0;
    return n;
  }
  const core::Event* last_for(const std::string& id) const {
    const core::Event* found = nullptr;
    for (const auto& e : sink.events) {
      if (e.source_id == id) found = &e;
    }
    return found;
  }
};

std::size_t count_nova_gets(const test::OpenStackDouble& os, const std::string& needle = {}) {
  std::size_t n = 0;
  for (const auto& r : os.requests()) {
    if (r.target.find("/compute/v2.1/servers/detail") == 0 && r.target.find(needle) != std::string::npos) ++n;
  }
  return n;
}

TEST(OpenStackServiceTest, full_listing_follows_pages_to_the_end_and_raises_failed_vms) {
  Harness h;
  test::OpenStackDouble::Options o;
  o.link_prefix = "http://nova-internal.example:8774/v2.1";  // Nova's own idea of its address
  test::OpenStackDouble os(h.ioc.get_executor(), o);
  auto ids = os.add_servers(20);
  os.set_status(ids[3], "SHUTOFF");
  os.set_status(ids[17], "ERROR");
  h.add_cloud("east", os);
  h.config.openstack.interval = 1h;  // one poll only
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.service->cloud_status()[0].full_polls == 1; }));
  EXPECT_EQ(h.sink.faults().size(), 2U);
  // 20 servers, 10 per page: two full pages, and the empty page the second one's next link leads to.
  EXPECT_EQ(count_nova_gets(os), 3U);
  EXPECT_EQ(count_nova_gets(os, "marker="), 2U);
  EXPECT_EQ(count_nova_gets(os, "all_tenants=1"), 3U);
  EXPECT_EQ(os.token_requests(), 1U);
  for (const auto& r : os.requests()) {
    if (r.target.find("/compute/") == 0) {
      EXPECT_EQ(r.header("openstack-api-version"), "compute 2.79");
    }
  }
  const auto status = h.service->cloud_status()[0];
  EXPECT_EQ(status.vms, 20U);
  EXPECT_EQ(status.faults_active, 2U);
  const core::Event* e = h.last_for(ids[17]);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(fault(*e).severity, core::Severity::critical);
  EXPECT_EQ(testing::info(*e, "project"), "demo");  // the name, from Keystone's project list
}

TEST(OpenStackServiceTest, incremental_polls_use_changes_since_and_drive_the_lifecycle) {
  Harness h;
  test::OpenStackDouble os(h.ioc.get_executor(), {});
  auto ids = os.add_servers(30);
  h.add_cloud("east", os);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.service->cloud_status()[0].incremental_polls >= 1; }));
  os.set_status(ids[5], "SHUTOFF");
  ASSERT_TRUE(h.run_until([&] { return h.count(core::Severity::major) == 1; }));
  os.set_status(ids[5], "PAUSED");
  ASSERT_TRUE(h.run_until([&] { return h.count(core::Severity::minor) == 1; }));
  os.set_status(ids[5], "ACTIVE");
  ASSERT_TRUE(h.run_until([&] { return h.count(core::Severity::normal) == 1; }));
  os.set_status(ids[6], "ERROR");
  ASSERT_TRUE(h.run_until([&] { return h.count(core::Severity::critical) == 1; }));
  os.delete_server(ids[6]);
  ASSERT_TRUE(h.run_until([&] { return h.count(core::Severity::normal) == 2; }));
  auto faults = h.sink.faults();
  ASSERT_EQ(faults.size(), 5U);
  EXPECT_EQ(faults[0]->event_id, faults[2]->event_id);
  EXPECT_EQ(faults[2]->sequence, 3);
  EXPECT_EQ(fault(*faults[4]).specific_problem, "VM vm-7 was deleted");
  // Only the first poll listed everything (30 servers, 10 per page: 3 full pages and the empty one after them);
  // every later poll was a changes-since poll.
  EXPECT_EQ(count_nova_gets(os) - count_nova_gets(os, "changes-since="), 4U);
  EXPECT_EQ(h.service->cloud_status()[0].full_polls, 1U);
  EXPECT_EQ(h.service->cloud_status()[0].vms, 29U);
  EXPECT_EQ(h.store().active_count(), 0U);
}

TEST(OpenStackServiceTest, renews_the_token_before_it_expires_and_reauthenticates_once_on_401) {
  Harness h;
  test::OpenStackDouble::Options o;
  o.token_ttl = 2s;
  test::OpenStackDouble os(h.ioc.get_executor(), o);
  os.add_servers(3);
  h.add_cloud("east", os);
  h.start();
  // A 2 s token is renewed after half its life: never used past expiry, so Nova never says 401.
  h.run_for(2600ms);
  EXPECT_GE(os.token_requests(), 2U);
  EXPECT_EQ(h.service->cloud_status()[0].failed_polls, 0U);
  // Revoked behind our back: the next poll gets 401, re-authenticates once and succeeds.
  const auto tokens = os.token_requests();
  const auto polls = h.service->cloud_status()[0].incremental_polls;
  os.revoke_tokens();
  ASSERT_TRUE(h.run_until([&] { return h.service->cloud_status()[0].incremental_polls > polls + 1; }));
  EXPECT_EQ(os.token_requests(), tokens + 1);
  EXPECT_EQ(h.service->cloud_status()[0].failed_polls, 0U);
}

TEST(OpenStackServiceTest, wrong_password_is_counted_and_retried_with_backoff_never_logged) {
  Harness h;
  test::OpenStackDouble os(h.ioc.get_executor(), {});
  os.add_servers(2);
  h.add_cloud("east", os).password = "wrong-password";
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.service->cloud_status()[0].failed_polls >= 3; }));
  const auto s = h.service->cloud_status()[0];
  EXPECT_NE(s.last_error.find("auth: Keystone answered 401"), std::string::npos) << s.last_error;
  EXPECT_EQ(s.last_error.find("wrong-password"), std::string::npos);
  EXPECT_EQ(count_nova_gets(os), 0U);
  telemetry::MetricsWriter m;
  h.service->write_metrics(m);
  EXPECT_NE(m.text().find("vesagent_openstack_errors_total{cloud=\"east\",error_type=\"auth\"}"), std::string::npos)
      << m.text();
}

TEST(OpenStackServiceTest, server_errors_fail_the_poll_then_polling_recovers) {
  Harness h;
  test::OpenStackDouble os(h.ioc.get_executor(), {});
  auto ids = os.add_servers(5);
  os.set_status(ids[0], "ERROR");
  os.fail_nova(3, 503);
  h.add_cloud("east", os);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.count(core::Severity::critical) == 1; }));
  const auto s = h.service->cloud_status()[0];
  EXPECT_EQ(s.failed_polls, 3U);
  EXPECT_TRUE(s.last_error.empty());
  telemetry::MetricsWriter m;
  h.service->write_metrics(m);
  EXPECT_NE(m.text().find("vesagent_openstack_errors_total{cloud=\"east\",error_type=\"http\"} 3"), std::string::npos)
      << m.text();
}

TEST(OpenStackServiceTest, a_hung_cloud_does_not_delay_another) {
  Harness h;
  h.config.openstack.timeout = 5s;
  test::OpenStackDouble slow(h.ioc.get_executor(), {});
  test::OpenStackDouble fine(h.ioc.get_executor(), {});
  slow.add_servers(2);
  slow.set_delay(30s);
  auto ids = fine.add_servers(4);
  fine.set_status(ids[1], "SUSPENDED");
  h.add_cloud("slow", slow);
  h.add_cloud("fine", fine);
  const auto started = std::chrono::steady_clock::now();
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.count(core::Severity::minor) == 1; }, 3s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  fine.set_status(ids[1], "ACTIVE");
  ASSERT_TRUE(h.run_until([&] { return h.count(core::Severity::normal) == 1; }, 3s));
  EXPECT_EQ(h.service->cloud_status()[0].full_polls, 0U);
  // The service stops promptly even with a request hanging.
  const auto stopping = std::chrono::steady_clock::now();
  h.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 1s);
}

TEST(OpenStackServiceTest, a_cloud_that_is_down_is_retried_and_picked_up_when_back) {
  Harness h;
  test::OpenStackDouble os(h.ioc.get_executor(), {});
  auto ids = os.add_servers(2);
  os.set_status(ids[0], "SHUTOFF");
  os.set_down(true);
  h.add_cloud("east", os);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.service->cloud_status()[0].failed_polls >= 2; }));
  EXPECT_NE(h.service->cloud_status()[0].last_error.find("transport"), std::string::npos);
  os.set_down(false);
  ASSERT_TRUE(h.run_until([&] { return h.count(core::Severity::major) == 1; }, 5s));
}

TEST(OpenStackServiceTest, restart_with_persisted_state_raises_nothing_twice_and_clears_what_recovered) {
  Harness h;
  test::OpenStackDouble os(h.ioc.get_executor(), {});
  auto ids = os.add_servers(6);
  os.set_status(ids[0], "ERROR");
  os.set_status(ids[1], "SHUTOFF");
  os.set_status(ids[2], "PAUSED");
  h.add_cloud("east", os);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.sink.faults().size() == 3; }));
  h.stop();
  h.service.reset();
  const std::string shutoff_event = h.last_for(ids[1])->event_id;
  // While the agent is down: VM 1 recovers, VM 2 is deleted, VM 3 fails.
  os.set_status(ids[1], "ACTIVE");
  os.delete_server(ids[2]);
  os.set_status(ids[3], "ERROR");
  h.sink.events.clear();
  h.stage->stage().checkpoint();
  h.open_store();  // as after a restart
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.service->cloud_status()[0].full_polls == 1; }));
  h.run_for(300ms);
  auto faults = h.sink.faults();
  ASSERT_EQ(faults.size(), 3U);
  EXPECT_EQ(h.count(core::Severity::normal), 2U);
  EXPECT_EQ(h.last_for(ids[1])->event_id, shutoff_event);
  EXPECT_EQ(h.last_for(ids[1])->sequence, 2);
  EXPECT_EQ(fault(*h.last_for(ids[2])).severity, core::Severity::normal);
  EXPECT_EQ(fault(*h.last_for(ids[3])).severity, core::Severity::critical);
  EXPECT_EQ(h.last_for(ids[0]), nullptr);  // still failed: already raised before the restart
  EXPECT_EQ(h.store().active_count(), 2U);
}

TEST(OpenStackServiceTest, filters_choose_the_watched_vms_by_project_name_regex_and_metadata) {
  Harness h;
  test::OpenStackDouble os(h.ioc.get_executor(), {});
  test::DoubleServer a;
  a.name = "db-1";
  a.status = "SHUTOFF";
  test::DoubleServer b;
  b.name = "web-1";
  b.status = "SHUTOFF";
  b.metadata = {{"tier", "gold"}};
  test::DoubleServer c;
  c.name = "web-2";
  c.status = "SHUTOFF";
  test::DoubleServer d;
  d.name = "db-2";
  d.status = "SHUTOFF";
  d.tenant_id = "760aec38cbe3400db731f94e4ca7813b";  // alt_demo
  for (auto* s : {&a, &b, &c, &d}) os.add_server(*s);
  auto& cloud = h.add_cloud("east", os);
  config::OpenStackFilter by_project;
  by_project.projects = {"demo"};
  by_project.name_regex = "db-.*";
  config::OpenStackFilter by_metadata;
  by_metadata.metadata = {{"tier", "gold"}};
  cloud.filters = {by_project, by_metadata};
  h.config.openstack.interval = 1h;
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.service->cloud_status()[0].full_polls == 1; }));
  std::set<std::string> names;
  for (const auto* e : h.sink.faults()) names.insert(e->source_name);
  EXPECT_EQ(names, (std::set<std::string>{"db-1", "web-1"}));
  EXPECT_EQ(testing::info(*h.sink.faults()[0], "project"), "demo");  // name from Keystone's project list
}

TEST(OpenStackServiceTest, status_page_lists_held_faults_per_cloud_and_metrics_describe_the_polls) {
  Harness h;
  test::OpenStackDouble os(h.ioc.get_executor(), {});
  auto ids = os.add_servers(3);
  os.set_status(ids[2], "ERROR");
  h.add_cloud("east", os);
  h.config.openstack.interval = 1h;
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.service->cloud_status()[0].full_polls == 1; }));
  auto pages = h.service->status_pages();
  ASSERT_EQ(pages.size(), 1U);
  EXPECT_EQ(pages[0].path, "/api/v1/openstack/faults");
  auto doc = nlohmann::json::parse(pages[0].render_json());
  ASSERT_EQ(doc["clouds"].size(), 1U);
  const auto& cloud = doc["clouds"][0];
  EXPECT_EQ(cloud["name"], "east");
  EXPECT_EQ(cloud["vms"], 3);
  EXPECT_TRUE(cloud["lastError"].is_null());
  EXPECT_TRUE(cloud["lastSuccess"].is_string());
  ASSERT_EQ(cloud["faults"].size(), 1U);
  const auto& f = cloud["faults"][0];
  EXPECT_EQ(f["serverId"], ids[2]);
  EXPECT_EQ(f["serverName"], "vm-3");
  EXPECT_EQ(f["status"], "ERROR");
  EXPECT_EQ(f["severity"], "CRITICAL");
  EXPECT_EQ(f["eventId"], h.sink.faults()[0]->event_id);
  EXPECT_EQ(f["sinceEpochMicrosec"], h.sink.faults()[0]->start_epoch_us);
  EXPECT_EQ(f["since"].get<std::string>().size(), 20U);

  telemetry::MetricsWriter m;
  h.service->write_metrics(m);
  const std::string text = m.text();
  for (const char* line : {"vesagent_openstack_polls_total{cloud=\"east\",kind=\"full\"} 1",
                           "vesagent_openstack_vms{cloud=\"east\"} 3",
                           "vesagent_openstack_faults_active{cloud=\"east\"} 1",
                           "vesagent_openstack_events_total{cloud=\"east\",kind=\"raise\"} 1",
                           "vesagent_openstack_authentications_total{cloud=\"east\"} 1"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  EXPECT_NE(text.find("vesagent_openstack_last_success_timestamp_seconds{cloud=\"east\"} 1"), std::string::npos);
}

TEST(OpenStackServiceTest, once_mode_polls_each_cloud_once_and_reports) {
  Harness h;
  test::OpenStackDouble os1(h.ioc.get_executor(), {});
  test::OpenStackDouble os2(h.ioc.get_executor(), {});
  os1.set_status(os1.add_servers(2)[0], "SHUTOFF");
  os2.add_servers(2);
  os2.set_down(true);  // a failed cycle still counts as done
  h.add_cloud("a", os1);
  h.add_cloud("b", os2);
  h.start(true);
  ASSERT_TRUE(h.run_until([&] { return h.once_reports.size() == 1; }));
  EXPECT_EQ(h.once_reports[0], "openstack");
  h.run_for(300ms);
  EXPECT_EQ(h.service->cloud_status()[0].full_polls, 1U);
  EXPECT_EQ(h.service->cloud_status()[0].incremental_polls, 0U);
  EXPECT_EQ(h.sink.faults().size(), 1U);
  EXPECT_EQ(h.once_reports.size(), 1U);
}

TEST(OpenStackServiceTest, state_change_events_when_enabled) {
  Harness h;
  h.config.openstack.state_change_events = true;
  test::OpenStackDouble os(h.ioc.get_executor(), {});
  auto ids = os.add_servers(2);
  h.add_cloud("east", os);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.service->cloud_status()[0].incremental_polls >= 1; }));
  os.set_status(ids[0], "SHUTOFF");
  ASSERT_TRUE(h.run_until([&] { return h.sink.events.size() == 2; }));
  EXPECT_EQ(h.sink.events[1].domain, core::Domain::state_change);
}

}  // namespace
}  // namespace vesagent::sources::openstack
