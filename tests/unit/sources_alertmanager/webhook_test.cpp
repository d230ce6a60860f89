// The webhook over real HTTP on 127.0.0.1 (http::Client -> Webhook -> real correlation stage -> recording sink),
// fed with the payloads a real Alertmanager 0.25 sent, in the order it sent them.
#include "vesagent/sources/alertmanager/webhook.hpp"

#include <crypt.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "support/stage_harness.hpp"
#include "support/temp_dir.hpp"
#include "ves_schema.hpp"
#include "vesagent/http/client.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/state/fault_store.hpp"

namespace vesagent::sources::alertmanager {
namespace {

namespace net = boost::asio;
using test::vespa_config;
using test::wire_body;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1795666000000000;  // a few minutes after the recorded alerts started

using vesagent::test::RecordingSink;

const core::FaultBody& fault(const core::Event& e) { return std::get<core::FaultBody>(e.body); }

std::string bcrypt_hash(const std::string& password, const char* prefix) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(::crypt_gensalt_rn(prefix, 5, nullptr, 0, salt, sizeof salt), nullptr);
  auto data = std::make_unique<crypt_data>();
  const char* hash = ::crypt_r(password.c_str(), salt, data.get());
  EXPECT_NE(hash, nullptr);
  return hash != nullptr ? std::string(hash) : std::string{};
}

class WebhookTest : public ::testing::Test {
 protected:
  WebhookTest() {
    config_ = vespa_config();
    config_.alert_manager.bind = "127.0.0.1:0";
    config_.datadir = dir_.path().string();
  }

  ~WebhookTest() override {
    webhook_.reset();
    client_.reset();
    // Let the server's sessions see the stop and end.
    ioc_.restart();
    ioc_.run_for(200ms);
  }

  void start() {
    if (!stage_) open_store();
    start_with(stage_->stage());
  }

  /// start() with another correlator (one whose disk hangs).
  void start_with(core::Correlator& correlator) {
    webhook_ = std::make_unique<Webhook>(ioc_.get_executor(), config_, correlator, [this] { return accept_; });
    webhook_->set_clock([this] { return now_; });
    auto port = webhook_->start();
    ASSERT_TRUE(port.has_value()) << port.error().message();
    port_ = *port;
    if (!client_) client_ = std::make_unique<http::Client>(ioc_.get_executor());
  }

  void open_store() {
    auto options = correlate::StageOptions::from_config(config_);
    options.clock = [this] { return now_; };
    stage_ = std::make_unique<vesagent::test::StageHarness>(ioc_.get_executor(), options, &sink_);
  }
  const state::FaultStore& store() { return stage_->stage().faults(); }

  /// Stops the webhook and closes the stage, as a restart of the agent does.
  void restart() {
    webhook_->stop();
    webhook_.reset();
    stage_->restart();
    start();
  }

  http::Request request(std::string body, std::string target = "/alerts") const {
    http::Request r;
    r.method = "POST";
    r.url = "http://127.0.0.1:" + std::to_string(port_) + target;
    r.headers = {{"User-Agent", "Alertmanager/0.25.0"}, {"Content-Type", "application/json"}};
    r.body = std::move(body);
    r.timeout = 10s;
    return r;
  }

  /// Sends requests concurrently and waits for every answer.
  std::vector<http::Response> send_all(std::vector<http::Request> requests) {
    std::vector<std::optional<http::Response>> answers(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
      net::co_spawn(
          ioc_,
          [this, &answers, i, r = std::move(requests[i])]() mutable -> net::awaitable<void> {
            answers[i] = co_await client_->send(std::move(r));
          },
          [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
          });
    }
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    auto done = [&] {
      for (const auto& a : answers) {
        if (!a) return false;
      }
      return true;
    };
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (ioc_.stopped()) ioc_.restart();
      ioc_.run_one_for(100ms);
    }
    std::vector<http::Response> out;
    for (auto& a : answers) {
      EXPECT_TRUE(a.has_value()) << "no answer within 20 s";
      out.push_back(a.value_or(http::Response{}));
    }
    return out;
  }

  http::Response send(http::Request r) { return send_all({std::move(r)}).at(0); }
  http::Response post(std::string body, std::string target = "/alerts") {
    return send(request(std::move(body), std::move(target)));
  }

  /// Posts a recorded payload, expects 200 {"status":"success"}, returns the events it produced.
  std::vector<core::Event> post_fixture(const std::string& name) {
    auto r = post(wire_body(name));
    EXPECT_EQ(r.status, 200) << name << ": " << r.body << r.error_text;
    EXPECT_EQ(r.body, R"({"status":"success"})");
    EXPECT_EQ(r.header("content-type"), "application/json");
    return sink_.take();
  }

  vesagent::test::TempDir dir_;
  config::Config config_;
  net::io_context ioc_;
  RecordingSink sink_;
  std::unique_ptr<vesagent::test::StageHarness> stage_;
  std::unique_ptr<Webhook> webhook_;
  std::unique_ptr<http::Client> client_;
  std::uint16_t port_ = 0;
  bool accept_ = true;
  std::int64_t now_ = kNow;
};

struct Raised {
  std::string event_id;
  std::int64_t start_us = 0;
  std::int64_t sequence = 0;
};

TEST_F(WebhookTest, recorded_notifications_give_one_raise_per_alert_and_one_clear_per_resolve) {
  start();
  std::map<std::string, Raised> raised;  // key -> its raise
  std::map<std::string, int> raises;
  std::map<std::string, int> clears;
  std::vector<core::Event> all;
  auto account = [&](const std::vector<core::Event>& events) {
    for (const auto& e : events) {
      all.push_back(e);
      if (fault(e).severity == core::Severity::normal) {
        ++clears[e.key];
        ASSERT_TRUE(raised.count(e.key)) << "clear without raise: " << e.key;
        EXPECT_EQ(e.event_id, raised[e.key].event_id) << "the clear must carry the raise's eventId";
        EXPECT_EQ(e.start_epoch_us, raised[e.key].start_us);
        EXPECT_EQ(e.sequence, raised[e.key].sequence + 1);
        EXPECT_EQ(e.priority, core::Priority::normal);
      } else {
        ++raises[e.key];
        raised[e.key] = Raised{e.event_id, e.start_epoch_us, e.sequence};
        EXPECT_EQ(e.sequence, 1);
        EXPECT_EQ(e.last_epoch_us, kNow);
      }
    }
  };

  auto events = post_fixture("01_firing_single_alert");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, "am/0eb5df6acd5b1815");
  EXPECT_EQ(events[0].start_epoch_us, 1795665503664000);  // the alert's startsAt
  EXPECT_EQ(fault(events[0]).severity, core::Severity::critical);
  EXPECT_EQ(events[0].event_name, "Fault_hsxp_VesTestAlwaysFiring");
  account(events);

  EXPECT_TRUE(post_fixture("06_repeat_interval_resend").empty()) << "a repeat_interval resend is not a new fault";
  account(post_fixture("02_firing_group_of_3"));
  EXPECT_EQ(raises.size(), 4u);
  account(post_fixture("03_toggle_fire_3_targets"));
  EXPECT_EQ(raises.size(), 7u);

  events = post_fixture("04_toggle_mixed_2_firing_1_resolved");
  ASSERT_EQ(events.size(), 1u) << "two repeats and one resolve";
  EXPECT_EQ(events[0].key, "am/4e22768760eb6160");
  EXPECT_EQ(fault(events[0]).severity, core::Severity::normal);
  EXPECT_EQ(events[0].last_epoch_us, 1795665513664000) << "lastEpochMicrosec of a clear is the alert's endsAt";
  account(events);

  events = post_fixture("05_toggle_all_resolved");
  ASSERT_EQ(events.size(), 2u) << "b was cleared already";
  account(events);
  events = post_fixture("07_toggle_textfile_firing");
  ASSERT_EQ(events.size(), 1u) << "a new alert; the three resolved ones come again";
  EXPECT_EQ(events[0].key, "am/55df2938d0ae2827");
  account(events);
  account(post_fixture("08_toggle_textfile_resolved"));
  EXPECT_TRUE(post_fixture("05_toggle_all_resolved").empty()) << "a repeated resolve is a no-op";
  EXPECT_TRUE(post_fixture("08_toggle_textfile_resolved").empty());

  EXPECT_EQ(raises.size(), 8u);
  for (const auto& [key, n] : raises) EXPECT_EQ(n, 1) << key;
  EXPECT_EQ(clears.size(), 4u);
  for (const auto& [key, n] : clears) EXPECT_EQ(n, 1) << key;
  for (const char* key : {"am/4e26768760ef4a37", "am/4e22768760eb6160", "am/4e20768760eade89", "am/55df2938d0ae2827"}) {
    EXPECT_EQ(clears.count(key), 1u) << key;
  }
  std::set<std::string> ids;
  for (const auto& [key, r] : raised) ids.insert(r.event_id);
  EXPECT_EQ(ids.size(), 8u) << "every fault has its own eventId";

  const auto& s = webhook_->stats();
  EXPECT_EQ(s.requests_with(200), 10u);
  EXPECT_EQ(s.raises, 8u);
  EXPECT_EQ(s.clears, 4u);
  EXPECT_EQ(s.updates, 0u);
  EXPECT_EQ(s.alerts_received, 1u + 1 + 3 + 3 + 3 + 3 + 4 + 4 + 3 + 4);
  EXPECT_EQ(s.ignored, s.alerts_received - 12);
  EXPECT_EQ(store().active_count(), 4u);  // 0eb5 and the three targets of 02

  test::expect_schema_valid(ves::Version::v7, all);
  test::expect_schema_valid(ves::Version::v5, all);
}

std::string with_severity(std::string body, const std::string& severity) {
  const std::string from = R"("severity":"critical")";
  auto pos = body.find(from);
  EXPECT_NE(pos, std::string::npos);
  body.replace(pos, from.size(), "\"severity\":\"" + severity + "\"");
  return body;
}

std::string resolved(std::string body, const std::string& ends_at) {
  for (auto [from, to] : {std::pair<std::string, std::string>{R"("status":"firing")", R"("status":"resolved")"},
                          {R"("status":"firing")", R"("status":"resolved")"},
                          {R"("endsAt":"0001-01-01T00:00:00Z")", "\"endsAt\":\"" + ends_at + "\""}}) {
    auto pos = body.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    body.replace(pos, from.size(), to);
  }
  return body;
}

TEST_F(WebhookTest, severity_change_is_an_update_of_the_same_fault) {
  start();
  auto raise = post_fixture("01_firing_single_alert");
  ASSERT_EQ(raise.size(), 1u);

  now_ += 60'000'000;
  auto r = post(with_severity(wire_body("01_firing_single_alert"), "warning"));
  ASSERT_EQ(r.status, 200);
  auto update = sink_.take();
  ASSERT_EQ(update.size(), 1u);
  EXPECT_EQ(update[0].event_id, raise[0].event_id);
  EXPECT_EQ(update[0].sequence, 2);
  EXPECT_EQ(update[0].start_epoch_us, raise[0].start_epoch_us);
  EXPECT_EQ(update[0].last_epoch_us, now_);
  EXPECT_EQ(fault(update[0]).severity, core::Severity::warning);
  EXPECT_EQ(update[0].priority, core::Priority::low);

  ASSERT_EQ(post(with_severity(wire_body("01_firing_single_alert"), "warning")).status, 200);
  EXPECT_TRUE(sink_.take().empty()) << "same severity again: a repeat";

  ASSERT_EQ(post(resolved(with_severity(wire_body("01_firing_single_alert"), "warning"), "2026-11-26T04:10:00Z"))
                .status,
            200);
  auto clear = sink_.take();
  ASSERT_EQ(clear.size(), 1u);
  EXPECT_EQ(clear[0].event_id, raise[0].event_id);
  EXPECT_EQ(clear[0].sequence, 3);
  EXPECT_EQ(fault(clear[0]).severity, core::Severity::normal);
  EXPECT_EQ(webhook_->stats().updates, 1u);
  test::expect_schema_valid(ves::Version::v7, {raise[0], update[0], clear[0]});
}

TEST_F(WebhookTest, a_new_episode_of_an_active_alert_clears_the_old_one_first) {
  start();
  auto first = post_fixture("02_firing_group_of_3");
  ASSERT_EQ(first.size(), 3u);
  std::map<std::string, std::string> old_ids;
  for (const auto& e : first) old_ids[e.key] = e.event_id;

  // Same fingerprints, later startsAt: new firing episodes whose resolve was never sent.
  auto events = post_fixture("10_group_by_empty_all_alerts_one_group");
  ASSERT_EQ(events.size(), 9u) << "3 x (clear of the old episode, raise of the new) + 3 new alerts";
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (!old_ids.count(e.key)) continue;
    if (fault(e).severity == core::Severity::normal) {
      EXPECT_EQ(e.event_id, old_ids[e.key]);
      ASSERT_LT(i + 1, events.size());
      EXPECT_EQ(events[i + 1].key, e.key) << "the clear comes right before the new raise";
      EXPECT_NE(events[i + 1].event_id, e.event_id) << "a new episode is a new fault";
      EXPECT_EQ(events[i + 1].sequence, 1);
    }
  }
  EXPECT_EQ(webhook_->stats().clears, 3u);
  EXPECT_EQ(webhook_->stats().raises, 9u);
}

TEST_F(WebhookTest, state_survives_a_restart) {
  start();
  auto raises = post_fixture("03_toggle_fire_3_targets");
  ASSERT_EQ(raises.size(), 3u);
  restart();
  EXPECT_TRUE(post_fixture("03_toggle_fire_3_targets").empty()) << "no re-raise after a restart";
  auto clears = post_fixture("05_toggle_all_resolved");
  ASSERT_EQ(clears.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(clears[i].key, raises[i].key);
    EXPECT_EQ(clears[i].event_id, raises[i].event_id);
    EXPECT_EQ(clears[i].sequence, 2);
  }
}

TEST_F(WebhookTest, resolve_of_an_unknown_fault_sends_the_clear_by_default) {
  start();
  auto events = post_fixture("05_toggle_all_resolved");
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) {
    EXPECT_EQ(fault(e).severity, core::Severity::normal);
    EXPECT_EQ(e.event_id, state::FaultStore::make_event_id(e.key, e.start_epoch_us))
        << "the eventId the lost raise had";
  }
  EXPECT_TRUE(post_fixture("05_toggle_all_resolved").empty());
  test::expect_schema_valid(ves::Version::v5, events);
}

TEST_F(WebhookTest, resolve_of_an_unknown_fault_is_dropped_with_unknown_resolve_drop) {
  config_.alert_manager.faults.unknown_resolve = "drop";
  start();
  EXPECT_TRUE(post_fixture("05_toggle_all_resolved").empty());
  EXPECT_EQ(webhook_->stats().ignored, 3u);
}

TEST_F(WebhookTest, serves_the_vespa_path_and_the_alertmanager_api_path) {
  config_.alert_manager.path = "/custom/hook";
  start();
  EXPECT_EQ(post(wire_body("01_firing_single_alert"), "/custom/hook").status, 200);
  EXPECT_EQ(post(wire_body("02_firing_group_of_3"), "/api/v1/alerts").status, 200);
  EXPECT_EQ(post(wire_body("03_toggle_fire_3_targets"), "/custom/hook?source=am").status, 200);
  EXPECT_EQ(sink_.take().size(), 7u);
  auto r = post(wire_body("05_toggle_all_resolved"), "/alerts");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("/custom/hook"));
  EXPECT_TRUE(sink_.take().empty());
}

TEST_F(WebhookTest, other_methods_get_405_with_allow_post) {
  start();
  for (const char* method : {"GET", "PUT", "DELETE", "PATCH"}) {
    auto req = request(method == std::string("GET") ? std::string{} : wire_body("01_firing_single_alert"));
    req.method = method;
    auto r = send(std::move(req));
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.header("allow"), "POST") << method;
  }
  EXPECT_EQ(post("{}", "/nope").status, 404);
  EXPECT_TRUE(sink_.take().empty());
  EXPECT_EQ(webhook_->stats().requests_with(405), 4u);
  EXPECT_EQ(webhook_->stats().requests_with(404), 1u);
}

TEST_F(WebhookTest, malformed_bodies_get_400_with_a_reason_and_the_service_keeps_working) {
  start();
  struct Case {
    std::string body;
    std::string reason;
  };
  for (const auto& c : {Case{"not json", "invalid JSON"}, Case{"[]", "expected a JSON object"},
                        Case{R"({"version":"4"})", "missing \"alerts\""},
                        Case{R"({"alerts":[{"status":"pending","labels":{},"startsAt":"2026-11-26T03:58:23Z"}]})",
                             "alerts[0].status"},
                        Case{R"({"alerts":[{"status":"firing","labels":{},"startsAt":"soon"}]})",
                             "alerts[0].startsAt: expected an RFC 3339 time"}}) {
    auto r = post(c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_THAT(r.body, HasSubstr(c.reason));
    EXPECT_EQ(r.body.find('\n'), r.body.size() - 1) << "one line";
  }
  // A payload whose second alert is broken is refused as a whole: nothing of it was processed.
  std::string half = wire_body("02_firing_group_of_3");
  const auto second = half.find(R"("status":"firing","labels":{"VNFC":"vnfc-test-02","alertname":"VesTestTargetUp",)"
                                R"("instance":"127.0.0.1:19090")");
  ASSERT_NE(second, std::string::npos);
  half.replace(second, std::string_view(R"("status":"firing")").size(), R"("status":"flaring")");
  auto refused = post(half);
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(refused.body, HasSubstr("alerts[1].status"));
  EXPECT_TRUE(sink_.take().empty());
  EXPECT_EQ(store().active_count(), 0u);
  EXPECT_EQ(post_fixture("01_firing_single_alert").size(), 1u);
  EXPECT_EQ(webhook_->stats().requests_with(400), 6u);
}

TEST_F(WebhookTest, content_type_with_charset_or_none_is_accepted_and_others_are_refused) {
  start();
  auto req = request(wire_body("01_firing_single_alert"));
  req.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  EXPECT_EQ(send(req).status, 200) << "VESPA refused this one";
  req.body = wire_body("02_firing_group_of_3");
  req.headers = {{"Content-Type", "Application/JSON;charset=UTF-8"}};
  EXPECT_EQ(send(req).status, 200);
  req.body = wire_body("03_toggle_fire_3_targets");
  req.headers = {};
  EXPECT_EQ(send(req).status, 200) << "no Content-Type at all";
  EXPECT_EQ(sink_.take().size(), 7u);
  req.body = wire_body("05_toggle_all_resolved");
  req.headers = {{"Content-Type", "text/plain"}};
  EXPECT_EQ(send(req).status, 415);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(send(req).status, 415);
  EXPECT_TRUE(sink_.take().empty());
}

TEST_F(WebhookTest, bodies_over_max_body_size_get_413) {
  config_.alert_manager.max_body_size = 1500;
  start();
  auto r = post(wire_body("02_firing_group_of_3"));  // 2093 bytes
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(sink_.take().empty());
  EXPECT_EQ(post_fixture("01_firing_single_alert").size(), 1u) << "1058 bytes fit";
}

TEST_F(WebhookTest, answers_503_with_retry_after_when_it_cannot_accept) {
  start();
  accept_ = false;
  auto r = post(wire_body("01_firing_single_alert"));
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(r.header("retry-after").empty());
  EXPECT_TRUE(sink_.take().empty());
  EXPECT_EQ(store().active_count(), 0u) << "nothing processed, so the retry raises";
  accept_ = true;
  EXPECT_EQ(post_fixture("01_firing_single_alert").size(), 1u);
  EXPECT_EQ(webhook_->stats().requests_with(503), 1u);
}

TEST_F(WebhookTest, basic_auth_with_a_plain_password) {
  config_.alert_manager.user = "alertmanager";
  config_.alert_manager.password = "s3cret:with colon";
  start();
  auto none = post(wire_body("01_firing_single_alert"));
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.header("www-authenticate"), HasSubstr("Basic realm="));
  auto req = request(wire_body("01_firing_single_alert"));
  req.user = "alertmanager";
  req.password = "wrong";
  EXPECT_EQ(send(req).status, 401);
  req.user = "someone";
  req.password = "s3cret:with colon";
  EXPECT_EQ(send(req).status, 401);
  req.headers.emplace_back("Authorization", "Bearer s3cret:with colon");
  req.user.clear();
  EXPECT_EQ(send(req).status, 401) << "no bearer token configured";
  EXPECT_TRUE(sink_.take().empty()) << "nothing processed without valid credentials";
  EXPECT_EQ(store().active_count(), 0u);

  req = request(wire_body("01_firing_single_alert"));
  req.user = "alertmanager";
  req.password = "s3cret:with colon";
  EXPECT_EQ(send(req).status, 200);
  EXPECT_EQ(sink_.take().size(), 1u);
  EXPECT_EQ(webhook_->stats().requests_with(401), 4u);
}

TEST_F(WebhookTest, basic_auth_with_a_bcrypt_hash) {
  for (const char* prefix : {"$2b$", "$2y$"}) {
    SCOPED_TRACE(prefix);
    // A fresh state directory per round, so the second round raises again.
    config_.datadir = (dir_.path() / (prefix[2] == 'b' ? "b" : "y")).string();
    config_.alert_manager.user = "am";
    config_.alert_manager.password_hash = bcrypt_hash("correct horse", prefix);
    ASSERT_EQ(config_.alert_manager.password_hash.substr(0, 7), std::string(prefix) + "05$");
    stage_.reset();
    start();
    auto req = request(wire_body("01_firing_single_alert"));
    req.user = "am";
    req.password = "wrong horse";
    EXPECT_EQ(send(req).status, 401);
    req.password = "correct horse";
    EXPECT_EQ(send(req).status, 200);
    req.body = wire_body("02_firing_group_of_3");
    EXPECT_EQ(send(req).status, 200) << "the verified credential is cached";
    req.password = "correct horsE";
    EXPECT_EQ(send(req).status, 401) << "the cache holds only the exact password that matched";
    EXPECT_EQ(sink_.take().size(), 4u);
    // Several requests waiting for bcrypt at once all get their own answer.
    std::vector<http::Request> many;
    for (int i = 0; i < 4; ++i) {
      auto r = request(wire_body("03_toggle_fire_3_targets"));
      r.user = "am";
      r.password = i % 2 == 0 ? "bad" : "correct horse";
      many.push_back(r);
    }
    auto answers = send_all(many);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(answers[i].status, i % 2 == 0 ? 401 : 200) << i;
    EXPECT_EQ(sink_.take().size(), 3u);
    webhook_.reset();
  }
}

TEST_F(WebhookTest, bearer_token_and_either_credential_when_both_are_configured) {
  config_.alert_manager.bearer_token = "tok-123";
  start();
  auto req = request(wire_body("01_firing_single_alert"));
  req.headers.emplace_back("Authorization", "Bearer tok-124");
  auto wrong = send(req);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_THAT(wrong.header("www-authenticate"), HasSubstr("Bearer realm="));
  req.headers.back().second = "bearer tok-123";
  EXPECT_EQ(send(req).status, 200) << "the scheme is case-insensitive";
  EXPECT_EQ(sink_.take().size(), 1u);

  config_.alert_manager.user = "am";
  config_.alert_manager.password = "pw";
  restart();
  req = request(wire_body("02_firing_group_of_3"));
  req.user = "am";
  req.password = "pw";
  EXPECT_EQ(send(req).status, 200);
  req = request(wire_body("03_toggle_fire_3_targets"));
  req.headers.emplace_back("Authorization", "Bearer tok-123");
  EXPECT_EQ(send(req).status, 200);
  EXPECT_EQ(post(wire_body("05_toggle_all_resolved")).status, 401);
  EXPECT_EQ(sink_.take().size(), 6u);
}

TEST_F(WebhookTest, many_concurrent_senders_are_all_answered) {
  start();
  std::vector<http::Request> requests;
  for (int i = 0; i < 24; ++i) {
    std::string body = R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"Load",)"
                       R"("instance":"host-)" +
                       std::to_string(i) + R"(","severity":"minor"},"annotations":{},)"
                       R"("startsAt":"2026-11-26T03:58:23.664Z","endsAt":"0001-01-01T00:00:00Z"}]})";
    requests.push_back(request(body));
  }
  for (const auto& r : send_all(requests)) EXPECT_EQ(r.status, 200) << r.body << r.error_text;
  EXPECT_EQ(sink_.events.size(), 24u);
  EXPECT_EQ(webhook_->stats().raises, 24u);
}

/// The app's wiring (src/app/app.cpp): the stage's events go to the outbox (here without encoding them).
class OutboxSink final : public core::EventSink {
 public:
  explicit OutboxSink(outbox::Outbox& box) : box_(box) {}
  void submit(core::Event event) override {
    outbox::Entry entry;
    entry.domain = event.domain;
    entry.event_id = event.event_id;
    entry.json = "{\"eventId\":\"" + event.event_id + "\"}";  // the encoding is not what this test is about
    box_.push(std::move(entry));
  }

 private:
  outbox::Outbox& box_;
};

TEST_F(WebhookTest, a_request_costs_one_fdatasync_for_its_events_and_its_decisions_together) {
  vesagent::test::TempDir outbox_dir;
  outbox::Options options;
  options.directory = outbox_dir.path();
  outbox::Outbox box(ioc_.get_executor(), options);
  OutboxSink sink(box);
  correlate::StageOptions so;
  so.state_directory = config_.datadir;
  so.clock = [this] { return now_; };
  correlate::Stage stage(so, sink, box);
  std::string error, warnings;
  ASSERT_TRUE(stage.open(error, warnings).has_value()) << error;
  std::vector<std::string> journaled;
  outbox::StateLog log = stage.state_log();
  log.written = [&journaled, written = log.written](std::string_view lines) {
    journaled.emplace_back(lines);
    written(lines);
  };
  box.set_state_log(std::move(log));
  std::string note;
  ASSERT_TRUE(box.open(note).has_value()) << note;
  start_with(stage);
  ioc_.run_for(50ms);  // the outbox's first segment header is written
  const auto before = box.stats();

  auto r = post(wire_body("02_firing_group_of_3"));
  EXPECT_EQ(r.status, 200) << r.body << r.error_text;
  // Answered only once both are on disk: the 3 raises, and the decisions that make a retry a repeat.
  EXPECT_EQ(box.stats().appended - before.appended, 3u);
  EXPECT_EQ(journaled.size(), 1u);
  EXPECT_EQ(box.stats().state_records - before.state_records, 1u);
  // One write and one fdatasync for both: the decisions were not left for a second group commit.
  EXPECT_EQ(box.stats().group_commits - before.group_commits, 1u);
  EXPECT_EQ(box.stats().fsyncs - before.fsyncs, 1u);
  webhook_.reset();
}

/// A stage whose disk hangs: commits do not complete until release() is called.
class HangingCorrelator final : public core::Correlator {
 public:
  explicit HangingCorrelator(core::Correlator& real) : real_(real) {}
  core::FaultVerdict observe(const core::FaultObservation& o, const core::FaultEventBuilder& build) override {
    return real_.observe(o, build);
  }
  void submit(core::Event event) override { real_.submit(std::move(event)); }
  void for_each_active(std::string_view prefix,
                       const std::function<void(const core::FaultIdentity&)>& fn) const override {
    real_.for_each_active(prefix, fn);
  }
  void commit(std::function<void(bool)> done) override {
    if (hanging) {
      waiting.push_back(std::move(done));
    } else {
      real_.commit(std::move(done));
    }
  }
  /// The disk is back: the waiting commits complete, and the next ones at once.
  void release() {
    hanging = false;
    for (auto& done : std::exchange(waiting, {})) real_.commit(std::move(done));
  }
  bool hanging = true;
  std::vector<std::function<void(bool)>> waiting;

 private:
  core::Correlator& real_;
};

TEST_F(WebhookTest, answers_503_when_the_events_are_not_on_disk_within_the_read_timeout) {
  config_.alert_manager.read_timeout = 300ms;
  open_store();
  HangingCorrelator hanging(stage_->stage());
  start_with(hanging);

  const auto started = std::chrono::steady_clock::now();
  auto r = post(wire_body("01_firing_single_alert"));
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, 503) << r.body << r.error_text;
  EXPECT_EQ(r.header("retry-after"), "5");
  EXPECT_GE(waited, 250ms);
  EXPECT_EQ(webhook_->stats().commit_timeouts, 1u);
  ASSERT_EQ(sink_.events.size(), 1u);  // queued: written once the disk is back

  // The disk comes back; Alertmanager's retry finds the decision taken: 200 and no second raise.
  hanging.release();
  auto retry = post(wire_body("01_firing_single_alert"));
  EXPECT_EQ(retry.status, 200) << retry.body << retry.error_text;
  EXPECT_EQ(sink_.events.size(), 1u);
  EXPECT_EQ(webhook_->stats().raises, 1u);
  EXPECT_EQ(webhook_->stats().ignored, 1u);
  EXPECT_EQ(webhook_->stats().commit_timeouts, 1u);
  webhook_.reset();
}

TEST_F(WebhookTest, stop_closes_the_listener) {
  start();
  EXPECT_EQ(post_fixture("01_firing_single_alert").size(), 1u);
  webhook_->stop();
  webhook_->stop();  // idempotent
  auto r = post(wire_body("02_firing_group_of_3"));
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.transport_failed());
  EXPECT_TRUE(sink_.take().empty());
}

TEST_F(WebhookTest, start_reports_a_bind_error) {
  start();
  config_.alert_manager.bind = "127.0.0.1:" + std::to_string(port_);  // taken by the first webhook
  Webhook second(ioc_.get_executor(), config_, stage_->stage(), nullptr);
  auto port = second.start();
  EXPECT_FALSE(port.has_value());
}

}  // namespace
}  // namespace vesagent::sources::alertmanager
