#include "simulator/collector.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "raw_client.hpp"
#include "support/temp_dir.hpp"

namespace vesagent::simulator {
namespace {

namespace net = boost::asio;
using http::ServerRequest;
using http::ServerResponse;
using Json = nlohmann::ordered_json;
using namespace std::chrono_literals;

Json v7_event(const std::string& domain = "heartbeat", const std::string& id = "hb-1") {
  return Json{{"commonEventHeader",
               {{"domain", domain},
                {"eventId", id},
                {"eventName", "Heartbeat_VesAgent"},
                {"sequence", 0},
                {"priority", "Normal"},
                {"reportingEntityName", "node1"},
                {"sourceName", "node1"},
                {"startEpochMicrosec", 1716200040000000},
                {"lastEpochMicrosec", 1716200040000000},
                {"version", "4.1"},
                {"vesEventListenerVersion", "7.2.1"}}},
              {"heartbeatFields", {{"heartbeatFieldsVersion", "3.0"}, {"heartbeatInterval", 60}}}};
}

Json v5_event(const std::string& domain = "heartbeat", const std::string& id = "hb-5") {
  Json event = v7_event(domain, id);
  event["commonEventHeader"]["version"] = 3.0;
  event["commonEventHeader"].erase("vesEventListenerVersion");
  event.erase("heartbeatFields");
  return event;
}

std::string single(const Json& event) { return Json{{"event", event}}.dump(); }
std::string batch(const std::vector<Json>& events) { return Json{{"eventList", events}}.dump(); }

Json onap_error(const ServerResponse& r) {
  auto body = Json::parse(r.body, nullptr, false);
  if (body.is_discarded()) return Json{};
  return body;
}

std::string message_id(const ServerResponse& r) {
  auto body = onap_error(r);
  try {
    return body.at("requestError").at("ServiceException").at("messageId").get<std::string>();
  } catch (const std::exception&) {
    return "<no ServiceException in: " + r.body + ">";
  }
}

std::string header(const ServerResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

class CollectorTest : public ::testing::Test {
 protected:
  void make(CollectorOptions options = {}) {
    options.output_path = (dir_.path() / "events.jsonl").string();
    collector_ = std::make_unique<Collector>(ioc_.get_executor(), options, &summary_);
  }

  ServerResponse call(std::string method, std::string target, std::string body = {},
                      http::Headers headers = {{"content-type", "application/json"}}) {
    if (!collector_) make();
    ServerRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    request.headers = std::move(headers);
    request.remote = "127.0.0.1:40000";
    ServerResponse response;
    auto task = [&]() -> net::awaitable<void> { response = co_await collector_->handle(std::move(request)); };
    test::run_task(ioc_, task());
    return response;
  }

  ServerResponse post(std::string target, std::string body) { return call("POST", std::move(target), std::move(body)); }

  std::vector<Json> output_lines() const {
    std::vector<Json> lines;
    std::istringstream in(test::read_text(dir_.path() / "events.jsonl"));
    for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
    return lines;
  }

  Json stats() { return Json::parse(call("GET", "/testControl/stats").body); }

  test::TempDir dir_;
  net::io_context ioc_;
  std::ostringstream summary_;
  std::unique_ptr<Collector> collector_;
};

TEST_F(CollectorTest, accepts_a_valid_v7_event_and_writes_it_as_one_json_line) {
  auto event = v7_event("heartbeat", "hb-42");
  auto r = post("/eventListener/v7", single(event));

  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "Accepted");
  EXPECT_EQ(r.content_type, "text/plain");
  auto lines = output_lines();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0], event) << "the line must be the bare event object";
  EXPECT_EQ(summary_.str(),
            "received v7 heartbeat eventId=hb-42 eventName=Heartbeat_VesAgent sourceName=node1 seq=0\n");
}

TEST_F(CollectorTest, writes_each_batch_item_as_its_own_line) {
  std::vector<Json> events{v7_event("measurement", "m-1"), v7_event("measurement", "m-2"),
                           v7_event("measurement", "m-3")};
  auto r = post("/eventListener/v7/eventBatch", batch(events));

  EXPECT_EQ(r.status, 202) << r.body;
  auto lines = output_lines();
  ASSERT_EQ(lines.size(), 3U);
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(lines[i], events[i]);
  EXPECT_NE(summary_.str().find("eventId=m-3"), std::string::npos) << summary_.str();
}

TEST_F(CollectorTest, appends_across_requests) {
  EXPECT_EQ(post("/eventListener/v7", single(v7_event("heartbeat", "a"))).status, 202);
  EXPECT_EQ(post("/eventListener/v7", single(v7_event("heartbeat", "b"))).status, 202);
  auto lines = output_lines();
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1]["commonEventHeader"]["eventId"], "b");
}

TEST_F(CollectorTest, rejects_a_batch_mixing_domains_with_svc0001) {
  auto r = post("/eventListener/v7/eventBatch", batch({v7_event("fault", "f-1"), v7_event("heartbeat", "h-1")}));

  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(onap_error(r), Json::parse(R"({"requestError":{"ServiceException":{"messageId":"SVC0001",
            "text":"Different value of domain fields in Batch Event"}}})"));
  EXPECT_TRUE(output_lines().empty()) << "a rejected batch is rejected as a whole";
}

TEST_F(CollectorTest, rejects_an_empty_batch) {
  auto r = post("/eventListener/v7/eventBatch", R"({"eventList":[]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(message_id(r), "SVC0001");
}

TEST_F(CollectorTest, rejects_an_event_without_the_event_wrapper) {
  auto r = post("/eventListener/v7", v7_event().dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(onap_error(r), Json::parse(R"({"requestError":{"ServiceException":{"messageId":"SVC0002",
            "text":"Incorrect JSON payload"}}})"));
}

TEST_F(CollectorTest, rejects_a_batch_posted_to_the_single_event_url) {
  auto r = post("/eventListener/v7", batch({v7_event()}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(message_id(r), "SVC0002");
}

TEST_F(CollectorTest, rejects_batch_items_that_keep_the_event_wrapper) {
  auto r = post("/eventListener/v7/eventBatch", R"({"eventList":[)" + single(v7_event()) + "]}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(message_id(r), "SVC0002");
}

TEST_F(CollectorTest, rejects_unparseable_json) {
  auto r = post("/eventListener/v7", R"({"event": {)");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(message_id(r), "SVC0002");
}

TEST_F(CollectorTest, rejects_a_v7_header_version_given_as_a_number) {
  auto event = v7_event();
  event["commonEventHeader"]["version"] = 4.1;
  auto r = post("/eventListener/v7", single(event));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(message_id(r), "SVC0002");
  EXPECT_TRUE(output_lines().empty());
}

TEST_F(CollectorTest, rejects_v7_events_with_a_wrong_listener_version_or_missing_header_field) {
  auto wrong_listener = v7_event();
  wrong_listener["commonEventHeader"]["vesEventListenerVersion"] = "5.4.1";
  EXPECT_EQ(post("/eventListener/v7", single(wrong_listener)).status, 400);

  auto missing = v7_event();
  missing["commonEventHeader"].erase("reportingEntityName");
  EXPECT_EQ(post("/eventListener/v7", single(missing)).status, 400);

  auto string_sequence = v7_event();
  string_sequence["commonEventHeader"]["sequence"] = "0";
  EXPECT_EQ(post("/eventListener/v7", single(string_sequence)).status, 400);
}

TEST_F(CollectorTest, applies_the_v5_rules_on_the_v5_url) {
  EXPECT_EQ(post("/eventListener/v5", single(v5_event())).status, 202);

  auto string_version = v5_event();
  string_version["commonEventHeader"]["version"] = "3.0";
  EXPECT_EQ(post("/eventListener/v5", single(string_version)).status, 400);

  EXPECT_EQ(post("/eventListener/v5", single(v5_event("measurement"))).status, 400);
  EXPECT_EQ(post("/eventListener/v5", single(v7_event())).status, 400) << "a v7 event on the v5 url";
  EXPECT_EQ(output_lines().size(), 1U);
  EXPECT_NE(summary_.str().find("received v5 heartbeat"), std::string::npos);
}

TEST_F(CollectorTest, requires_basic_auth_when_configured) {
  CollectorOptions options;
  options.user = "user";
  options.password = "pass";
  make(options);

  auto without = post("/eventListener/v7", single(v7_event()));
  EXPECT_EQ(without.status, 401);
  EXPECT_EQ(onap_error(without), Json::parse(R"({"requestError":{"PolicyException":{"messageId":"POL2000",
            "text":"Unauthorized user"}}})"));
  EXPECT_NE(header(without, "WWW-Authenticate").find("Basic"), std::string::npos);

  // base64("user:wrong") and base64("user:pass")
  auto wrong = call("POST", "/eventListener/v7", single(v7_event()),
                    {{"content-type", "application/json"}, {"authorization", "Basic dXNlcjp3cm9uZw=="}});
  EXPECT_EQ(wrong.status, 401);
  auto right = call("POST", "/eventListener/v7", single(v7_event()),
                    {{"content-type", "application/json"}, {"authorization", "Basic dXNlcjpwYXNz"}});
  EXPECT_EQ(right.status, 202);
  EXPECT_EQ(output_lines().size(), 1U);
}

TEST_F(CollectorTest, fail_mode_answers_the_configured_status_and_records_nothing) {
  CollectorOptions options;
  options.behaviour.mode = Mode::fail;
  options.behaviour.fail_status = 503;
  make(options);

  auto r = post("/eventListener/v7", single(v7_event()));
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(output_lines().empty());
  EXPECT_EQ(stats()["failed"], 1);
}

TEST_F(CollectorTest, close_mode_drops_the_connection) {
  CollectorOptions options;
  options.behaviour.mode = Mode::close;
  make(options);
  auto r = post("/eventListener/v7", single(v7_event()));
  EXPECT_TRUE(r.drop_connection);
  EXPECT_TRUE(output_lines().empty());
}

TEST_F(CollectorTest, hang_mode_never_answers_until_cancelled) {
  CollectorOptions options;
  options.behaviour.mode = Mode::hang;
  make(options);
  ServerRequest request;
  request.method = "POST";
  request.target = "/eventListener/v7";
  request.headers = {{"content-type", "application/json"}};
  request.body = single(v7_event());

  net::cancellation_signal cancel;
  bool done = false;
  std::exception_ptr error;
  net::co_spawn(ioc_, collector_->handle(request),
                net::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, ServerResponse) {
                  done = true;
                  error = e;
                }));
  ioc_.run_for(200ms);
  EXPECT_FALSE(done) << "hang mode answered";
  cancel.emit(net::cancellation_type::terminal);
  ioc_.restart();
  ioc_.run_for(2s);
  EXPECT_TRUE(done) << "hang mode ignored cancellation (the server could never stop)";
  EXPECT_TRUE(error != nullptr);
  EXPECT_TRUE(output_lines().empty());
}

TEST_F(CollectorTest, delay_still_answers_202) {
  CollectorOptions options;
  options.behaviour.delay = 20ms;
  make(options);
  EXPECT_EQ(post("/eventListener/v7", single(v7_event())).status, 202);
  EXPECT_EQ(output_lines().size(), 1U);
}

TEST_F(CollectorTest, returns_the_command_list_on_every_202) {
  const std::string commands = R"({"commandList":[{"commandType":"heartbeatIntervalChange","heartbeatInterval":2}]})";
  CollectorOptions options;
  options.behaviour.command_list = commands;
  make(options);

  for (int i = 0; i < 2; ++i) {
    auto r = post("/eventListener/v5", single(v5_event()));
    EXPECT_EQ(r.status, 202);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(Json::parse(r.body), Json::parse(commands));
  }
}

TEST_F(CollectorTest, once_mode_sends_the_command_list_only_on_the_next_202) {
  CollectorOptions options;
  options.behaviour.command_list =
      R"({"commandList":[{"commandType":"measurementIntervalChange","measurementInterval":5}]})";
  options.behaviour.command_list_once = true;
  make(options);

  // A rejected post does not consume it.
  EXPECT_EQ(post("/eventListener/v5", "{}").status, 400);
  auto first = post("/eventListener/v5", single(v5_event()));
  auto second = post("/eventListener/v5", single(v5_event()));
  EXPECT_NE(first.body.find("measurementIntervalChange"), std::string::npos) << first.body;
  EXPECT_EQ(second.body, "Accepted");
  EXPECT_EQ(second.content_type, "text/plain");
}

TEST_F(CollectorTest, control_endpoint_changes_the_behaviour_at_run_time) {
  auto changed = call("POST", "/testControl/mode", R"({"mode":"fail","status":500})");
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(post("/eventListener/v7", single(v7_event())).status, 500);

  auto commands = call("POST", "/testControl/mode",
                       R"({"mode":"ok","commandList":{"commandList":[{"commandType":"provideThrottlingState"}]},
                           "once":true})");
  EXPECT_EQ(commands.status, 200);
  auto current = Json::parse(call("GET", "/testControl/mode").body);
  EXPECT_EQ(current["mode"], "ok");
  EXPECT_EQ(current["once"], true);

  EXPECT_NE(post("/eventListener/v5", single(v5_event())).body.find("provideThrottlingState"), std::string::npos);
  EXPECT_EQ(post("/eventListener/v5", single(v5_event())).body, "Accepted");

  EXPECT_EQ(call("POST", "/testControl/mode", R"({"mode":"sideways"})").status, 400);
  EXPECT_EQ(call("POST", "/testControl/mode", R"({"status":"500"})").status, 400);
  EXPECT_EQ(call("POST", "/testControl/mode", "not json").status, 400);
  EXPECT_EQ(Json::parse(call("GET", "/testControl/mode").body)["mode"], "ok") << "a bad request changed the mode";
}

TEST_F(CollectorTest, redirect_answers_301_with_the_location_before_anything_else) {
  make(CollectorOptions{"", "ves", "secret", "", {}});
  ASSERT_EQ(call("POST", "/testControl/mode", R"({"redirect":"https://new:8443/eventListener/v7"})").status, 200);
  auto r = post("/eventListener/v7", single(v7_event()));
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(header(r, "Location"), "https://new:8443/eventListener/v7");
  ASSERT_EQ(call("POST", "/testControl/mode", R"({"redirect":null})").status, 200);
  EXPECT_EQ(post("/eventListener/v7", single(v7_event())).status, 401);  // back to the collector's own checks
  EXPECT_TRUE(output_lines().empty());
}

TEST_F(CollectorTest, credentials_and_server_root_change_at_run_time) {
  ASSERT_EQ(call("POST", "/testControl/mode", R"({"user":"ves","password":"rotated"})").status, 200);
  EXPECT_EQ(post("/eventListener/v7", single(v7_event())).status, 401);
  ASSERT_EQ(call("POST", "/testControl/mode", R"({"user":"","password":""})").status, 200);
  EXPECT_EQ(post("/eventListener/v7", single(v7_event())).status, 202);
  ASSERT_EQ(call("POST", "/testControl/mode", R"({"serverRoot":"moved"})").status, 200);
  EXPECT_EQ(post("/eventListener/v7", single(v7_event())).status, 404);
  EXPECT_EQ(post("/moved/eventListener/v7", single(v7_event())).status, 202);
  auto current = Json::parse(call("GET", "/testControl/mode").body);
  EXPECT_EQ(current["serverRoot"], "moved");
  EXPECT_FALSE(current.contains("password"));
}

TEST_F(CollectorTest, reject_list_refuses_a_post_holding_a_listed_event_with_svc0002) {
  ASSERT_EQ(call("POST", "/testControl/mode", R"({"rejectEventIds":["f2"]})").status, 200);
  auto r = post("/eventListener/v7/eventBatch", batch({v7_event("fault", "f1"), v7_event("fault", "f2")}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(message_id(r), "SVC0002");
  EXPECT_EQ(post("/eventListener/v7", single(v7_event("fault", "f1"))).status, 202);
  EXPECT_EQ(output_lines().size(), 1u);
  EXPECT_EQ(call("POST", "/testControl/mode", R"({"rejectEventIds":"f2"})").status, 400);
}

TEST_F(CollectorTest, max_body_bytes_answers_413_over_the_size) {
  const std::string one = single(v7_event());
  ASSERT_EQ(call("POST", "/testControl/mode", "{\"maxBodyBytes\":" + std::to_string(one.size()) + "}").status, 200);
  EXPECT_EQ(post("/eventListener/v7", one).status, 202);
  auto r = post("/eventListener/v7/eventBatch", batch({v7_event(), v7_event()}));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(message_id(r), "SVC2000");
  EXPECT_EQ(call("POST", "/testControl/mode", R"({"maxBodyBytes":-1})").status, 400);
}

TEST_F(CollectorTest, serves_client_throttling_state_on_v5_when_told_to) {
  const std::string state =
      R"({"eventThrottlingState":{"eventThrottlingMode":"throttled","eventDomainThrottleSpecificationList":[)"
      R"({"eventDomain":"fault","suppressedFieldNames":["alarmInterfaceA"]}]}})";
  // As the DCAE collector by default.
  EXPECT_EQ(post("/eventListener/v5/clientThrottlingState", state).status, 404);
  EXPECT_EQ(call("POST", "/testControl/mode", R"({"throttlingState":true})").status, 200);
  EXPECT_EQ(Json::parse(call("GET", "/testControl/mode").body)["throttlingState"], true);
  EXPECT_EQ(post("/eventListener/v5/clientThrottlingState", state).status, 204);
  EXPECT_EQ(post("/eventListener/v7/clientThrottlingState", state).status, 404) << "VES 5 only";
  EXPECT_EQ(post("/eventListener/v5/clientThrottlingState", R"({"eventThrottlingState":{"eventThrottlingMode":"x"}})")
                .status,
            400);
  EXPECT_EQ(call("GET", "/eventListener/v5/clientThrottlingState").status, 405);
  auto stats = Json::parse(call("GET", "/testControl/stats").body);
  EXPECT_EQ(stats["throttlingReports"], 1);
  EXPECT_EQ(stats["lastThrottlingState"], Json::parse(state));
  EXPECT_TRUE(output_lines().empty()) << "a throttling state is not an event";
}

TEST_F(CollectorTest, stats_count_requests_events_domains_and_rejections) {
  post("/eventListener/v7", single(v7_event("heartbeat", "h1")));
  post("/eventListener/v7/eventBatch", batch({v7_event("fault", "f1"), v7_event("fault", "f2")}));
  post("/eventListener/v7", "{}");
  call("POST", "/eventListener/v7", single(v7_event()), {{"content-type", "text/plain"}});

  auto s = stats();
  EXPECT_EQ(s["requests"], 4);
  EXPECT_EQ(s["events"], 3);
  EXPECT_EQ(s["rejected"], 2);
  EXPECT_EQ(s["byDomain"], Json::parse(R"({"fault":2,"heartbeat":1})"));
}

TEST_F(CollectorTest, routes_like_the_onap_collector) {
  auto health = call("GET", "/healthcheck");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "I'm good");

  EXPECT_EQ(call("GET", "/eventListener/v7").status, 405);
  EXPECT_EQ(header(call("PUT", "/eventListener/v7", single(v7_event())), "Allow"), "POST");
  EXPECT_EQ(call("POST", "/nothing/here", single(v7_event())).status, 404);
  EXPECT_EQ(call("POST", "/eventlistener/v7", single(v7_event())).status, 404) << "paths are case-sensitive";
  EXPECT_EQ(call("POST", "/eventListener/v7/a/b/c", single(v7_event())).status, 404);
  EXPECT_EQ(call("POST", "/eventListener/v7/clientThrottlingState", "{}").status, 404);
  EXPECT_EQ(call("POST", "/eventListener/v7", single(v7_event()), {}).status, 415) << "no content type";
  EXPECT_EQ(call("POST", "/eventListener/v7", single(v7_event()), {{"content-type", "text/plain"}}).status, 415);
  EXPECT_EQ(call("POST", "/eventListener/v7", single(v7_event()), {{"content-type", "Application/JSON; charset=UTF-8"}})
                .status,
            202);
  auto v6 = post("/eventListener/v6", single(v7_event()));
  EXPECT_EQ(v6.status, 400);
  EXPECT_EQ(v6.body, "API version v6 is not supported");
}

TEST_F(CollectorTest, accepts_a_topic_segment_and_reports_it) {
  EXPECT_EQ(post("/eventListener/v7/my-topic", single(v7_event("heartbeat", "t1"))).status, 202);
  EXPECT_EQ(post("/eventListener/v7/my-topic/eventBatch", batch({v7_event("heartbeat", "t2")})).status, 202);
  EXPECT_EQ(output_lines().size(), 2U);
  EXPECT_NE(summary_.str().find("eventId=t1 eventName=Heartbeat_VesAgent sourceName=node1 seq=0 topic=my-topic"),
            std::string::npos)
      << summary_.str();
}

TEST_F(CollectorTest, serves_events_under_the_server_root) {
  CollectorOptions options;
  options.server_root = "api";
  make(options);
  EXPECT_EQ(post("/api/eventListener/v7", single(v7_event())).status, 202);
  EXPECT_EQ(post("/api/eventListener/v7/eventBatch", batch({v7_event()})).status, 202);
  EXPECT_EQ(post("/eventListener/v7", single(v7_event())).status, 404);
  EXPECT_EQ(call("GET", "/healthcheck").status, 200);
  EXPECT_EQ(call("GET", "/api/testControl/stats").status, 200);
}

TEST(CollectorOutputTest, throws_when_the_output_file_cannot_be_opened) {
  net::io_context ioc;
  CollectorOptions options;
  options.output_path = "/nonexistent-dir/events.jsonl";
  EXPECT_THROW(Collector(ioc.get_executor(), options, nullptr), std::system_error);
}

}  // namespace
}  // namespace vesagent::simulator
