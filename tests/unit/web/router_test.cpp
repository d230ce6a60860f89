// web::Router: what an operator's curl, a Prometheus scrape and a load-balancer probe get from each path.
#include "vesagent/web/router.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

http::ServerRequest get(std::string target, std::string method = "GET") {
  http::ServerRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

struct Fixture {
  int scrapes = 0;
  std::string not_ready = "starting";
  std::vector<core::StatusPage> pages;
  Router router{Providers{
      [this](telemetry::MetricsWriter& out) {
        ++scrapes;
        out.counter("vesagent_test_events_total", "Test events.", scrapes, {{"domain", "fault"}});
      },
      [this] { return pages; },
      [this] { return not_ready; },
  }};
};

TEST(RouterTest, metrics_are_written_fresh_on_each_scrape_in_the_prometheus_text_format) {
  Fixture f;
  auto r1 = f.router.handle(get("/metrics"));
  EXPECT_EQ(r1.status, 200);
  EXPECT_EQ(r1.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(r1.body, HasSubstr("# TYPE vesagent_test_events_total counter\n"));
  EXPECT_THAT(r1.body, HasSubstr("vesagent_test_events_total{domain=\"fault\"} 1\n"));
  auto r2 = f.router.handle(get("/metrics?name[]=up"));  // a query string does not change the answer
  EXPECT_THAT(r2.body, HasSubstr("vesagent_test_events_total{domain=\"fault\"} 2\n"));
  // The endpoint counts itself: the second scrape sees the first one.
  EXPECT_THAT(r2.body, HasSubstr("vesagent_web_requests_total{handler=\"/metrics\",code=\"200\"} 1\n"));
}

TEST(RouterTest, healthy_answers_200_even_when_not_ready) {
  Fixture f;
  auto r = f.router.handle(get("/-/healthy"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Healthy"));
}

TEST(RouterTest, ready_answers_503_with_the_reason_until_ready_then_200) {
  Fixture f;
  auto r = f.router.handle(get("/-/ready"));
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("starting"));
  f.not_ready.clear();
  r = f.router.handle(get("/-/ready"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Ready"));
  f.not_ready = "not the cluster leader";
  EXPECT_EQ(f.router.handle(get("/-/ready")).status, 503);
}

TEST(RouterTest, status_pages_of_the_services_are_served_as_json_and_listed_on_the_index) {
  Fixture f;
  f.pages.push_back({"/api/v1/openstack/faults", "VMs <in> a fault state",
                     [] { return std::string(R"({"clouds":[]})"); }});
  auto r = f.router.handle(get("/api/v1/openstack/faults"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"clouds":[]})");
  auto index = f.router.handle(get("/"));
  EXPECT_EQ(index.status, 200);
  EXPECT_THAT(index.body, HasSubstr("href=\"/api/v1/openstack/faults\""));
  EXPECT_THAT(index.body, HasSubstr("VMs &lt;in&gt; a fault state"));  // escaped
  EXPECT_THAT(index.body, HasSubstr("href=\"/metrics\""));
}

TEST(RouterTest, unknown_paths_get_404_and_other_methods_405_with_allow) {
  Fixture f;
  EXPECT_EQ(f.router.handle(get("/nope")).status, 404);
  EXPECT_EQ(f.router.handle(get("/metricsx")).status, 404);
  auto r = f.router.handle(get("/metrics", "POST"));
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "GET, HEAD");
  EXPECT_EQ(f.scrapes, 0);  // a refused request never runs a provider
  EXPECT_EQ(f.router.stats().count("other", 404), 2u);
  EXPECT_EQ(f.router.stats().count("other", 405), 1u);
}

TEST(RouterTest, a_failing_provider_gives_500_and_the_next_scrape_works) {
  bool fail = true;
  Router router{Providers{[&fail](telemetry::MetricsWriter& out) {
                            if (fail) throw std::runtime_error("boom");
                            out.gauge("vesagent_x", "x", 1);
                          },
                          {}, {}}};
  auto r = router.handle(get("/metrics"));
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("boom"));
  fail = false;
  r = router.handle(get("/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("vesagent_x 1\n"));
  EXPECT_THAT(r.body, HasSubstr("vesagent_web_requests_total{handler=\"/metrics\",code=\"500\"} 1\n"));
}

TEST(RouterTest, missing_providers_mean_ready_and_empty_metrics) {
  Router router{Providers{}};
  EXPECT_EQ(router.handle(get("/-/ready")).status, 200);
  auto r = router.handle(get("/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, Not(HasSubstr("vesagent_test")));
}

}  // namespace
}  // namespace vesagent::web
