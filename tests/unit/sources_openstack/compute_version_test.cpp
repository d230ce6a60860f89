// Compute microversion negotiation against the recorded version documents (Nova 26: 2.1..2.93) and the older ones
// the Keystone/Nova double serves (max 2.60, 2.42, 2.1); the os-services parser.
#include "vesagent/sources/openstack/compute_version.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "support/openstack/openstack_double.hpp"
#include "test_util.hpp"
#include "vesagent/sources/openstack/compute_services.hpp"

namespace vesagent::sources::openstack {
namespace {

using testing::fixture;

ComputeVersionRange range_of(const std::string& body) {
  std::string why;
  auto r = parse_compute_versions(body, &why);
  EXPECT_TRUE(r) << why;
  return r ? *r : ComputeVersionRange{};
}

test::FakeRequest request(std::string target, std::vector<std::pair<std::string, std::string>> headers = {},
                          std::string method = "GET", std::string body = {}) {
  test::FakeRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

/// A token from the double, the way the agent gets one (password auth as its default admin user).
std::string token(test::OpenStackDouble& cloud) {
  const auto answer = cloud.handle(request(
      "/identity/v3/auth/tokens", {}, "POST",
      R"({"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"secret"}}}}})"));
  EXPECT_EQ(answer.status, 201);
  for (const auto& [k, v] : answer.headers) {
    if (k == "X-Subject-Token") return v;
  }
  return {};
}

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines) {
    if (l.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ComputeVersionTest, recorded_version_documents_give_2_1_to_2_93) {
  for (const char* name : {"nova-versions-root.json", "nova-version-v2.1.json"}) {
    const ComputeVersionRange r = range_of(fixture(name));
    EXPECT_EQ(r.min, (Microversion{2, 1})) << name;
    EXPECT_EQ(r.max, (Microversion{2, 93})) << name;
  }
}

TEST(ComputeVersionTest, current_cloud_gets_what_the_agent_asks_for) {
  std::string why;
  auto n = negotiate_microversion("east", range_of(fixture("nova-versions-root.json")), Microversion{2, 79}, true, &why);
  ASSERT_TRUE(n) << why;
  EXPECT_EQ(n->version.text(), "2.79");
  EXPECT_TRUE(n->tags);
  EXPECT_TRUE(n->flavor_names);
  EXPECT_TRUE(n->forced_down);
  EXPECT_TRUE(n->warnings.empty());
}

TEST(ComputeVersionTest, older_clouds_get_their_maximum_and_lose_only_what_needs_more) {
  struct Case {
    std::string max;
    std::string chosen;
    bool tags;
    bool flavor_names;
  };
  for (const Case& c : {Case{"2.60", "2.60", true, true}, Case{"2.42", "2.42", true, false},
                        Case{"2.1", "2.1", false, false}}) {
    boost::asio::io_context ioc;
    test::OpenStackDouble::Options o;
    o.max_microversion = c.max;
    test::OpenStackDouble cloud(ioc.get_executor(), o);
    const auto answer = cloud.handle(request("/compute/"));
    ASSERT_EQ(answer.status, 200);
    std::string why;
    auto n = negotiate_microversion("edge-" + c.max, range_of(answer.body), kAgentMaxMicroversion, true, &why);
    ASSERT_TRUE(n) << why;
    EXPECT_EQ(n->version.text(), c.chosen);
    EXPECT_EQ(n->tags, c.tags) << c.max;
    EXPECT_EQ(n->flavor_names, c.flavor_names) << c.max;
    if (c.tags) {
      EXPECT_TRUE(n->warnings.empty()) << c.max;
    } else {
      ASSERT_EQ(n->warnings.size(), 1u);
      EXPECT_TRUE(mentions(n->warnings, "Cloud edge-2.1 uses compute microversion 2.1"));
      EXPECT_TRUE(mentions(n->warnings, "tag filters need 2.26"));
    }
    // The double refuses what its version document does not offer, like Nova.
    const auto too_new = cloud.handle(request("/compute/v2.1/servers/detail",
                                              {{"openstack-api-version", "compute 2.79"}, {"x-auth-token", token(cloud)}}));
    EXPECT_EQ(too_new.status, 406) << c.max;
    const auto highest = cloud.handle(request("/compute/v2.1/servers/detail",
                                              {{"openstack-api-version", "compute " + c.max}, {"x-auth-token", token(cloud)}}));
    EXPECT_EQ(highest.status, 200) << c.max;
  }
}

TEST(ComputeVersionTest, per_cloud_override_caps_the_choice_and_explains_lost_tags) {
  std::string why;
  auto n = negotiate_microversion("east", ComputeVersionRange{{2, 1}, {2, 93}}, Microversion{2, 25}, true, &why);
  ASSERT_TRUE(n) << why;
  EXPECT_EQ(n->version.text(), "2.25");
  EXPECT_FALSE(n->tags);
  EXPECT_TRUE(mentions(n->warnings, "raise computeMicroversion to 2.26"));
  auto no_tags = negotiate_microversion("east", ComputeVersionRange{{2, 1}, {2, 93}}, Microversion{2, 25}, false);
  ASSERT_TRUE(no_tags);
  EXPECT_TRUE(no_tags->warnings.empty()) << "no tag filters: nothing is degraded";
  auto above = negotiate_microversion("east", ComputeVersionRange{{2, 1}, {2, 93}}, Microversion{2, 90}, false);
  ASSERT_TRUE(above);
  EXPECT_EQ(above->version, kAgentMaxMicroversion);
  EXPECT_TRUE(mentions(above->warnings, "Cloud east: compute microversion 2.90 is above what the agent supports"));
}

TEST(ComputeVersionTest, cloud_whose_minimum_is_too_new_is_refused_with_the_fix) {
  std::string why;
  EXPECT_FALSE(negotiate_microversion("future", ComputeVersionRange{{2, 80}, {2, 99}}, kAgentMaxMicroversion, false, &why));
  EXPECT_NE(why.find("cloud future serves compute microversions 2.80 to 2.99 only"), std::string::npos) << why;
  EXPECT_FALSE(negotiate_microversion("east", ComputeVersionRange{{2, 30}, {2, 93}}, Microversion{2, 20}, false, &why));
  EXPECT_NE(why.find("raise computeMicroversion"), std::string::npos) << why;
}

TEST(ComputeVersionTest, documents_without_microversions_or_unreadable_ones) {
  const ComputeVersionRange legacy = range_of(R"({"versions":[{"id":"v2.1","status":"CURRENT","version":"","min_version":""}]})");
  EXPECT_EQ(legacy.max, (Microversion{2, 1}));
  std::string why;
  EXPECT_FALSE(parse_compute_versions("{}", &why));
  EXPECT_NE(why.find("no v2.1"), std::string::npos);
  EXPECT_FALSE(parse_compute_versions(R"({"version":{"id":"v2.1","version":"2.x","min_version":"2.1"}})", &why));
  EXPECT_NE(why.find("unreadable"), std::string::npos);
  EXPECT_FALSE(parse_compute_versions(R"({"version":{"id":"v2.1","version":"2.1","min_version":"2.5"}})", &why));
  EXPECT_FALSE(parse_compute_versions("<html>", &why));
  EXPECT_EQ(parse_microversion("2.79"), (Microversion{2, 79}));
  EXPECT_FALSE(parse_microversion("latest"));
  EXPECT_FALSE(parse_microversion("2."));
  EXPECT_FALSE(parse_microversion("-2.1"));
}

TEST(OsServicesTest, double_answers_parse_at_old_and_new_microversions) {
  boost::asio::io_context ioc;
  test::OpenStackDouble cloud(ioc.get_executor(), {});
  test::DoubleService down;
  down.host = "compute-2";
  down.up = false;
  down.disabled = true;
  down.disabled_reason = "maintenance";
  cloud.add_service(down);
  const std::string auth = token(cloud);
  for (const char* version : {"2.1", "2.11", "2.53", "2.79"}) {
    const auto answer = cloud.handle(request("/compute/v2.1/os-services",
                                             {{"openstack-api-version", std::string("compute ") + version},
                                              {"x-auth-token", auth}}));
    ASSERT_EQ(answer.status, 200) << answer.body;
    std::string why;
    auto parsed = parse_os_services(answer.body, &why);
    ASSERT_TRUE(parsed) << why;
    const auto& services = parsed->services;
    const ComputeService* c2 = nullptr;
    for (const auto& s : services) {
      if (s.host == "compute-2" && s.binary == "nova-compute") c2 = &s;
    }
    ASSERT_NE(c2, nullptr) << version;
    EXPECT_TRUE(c2->disabled);
    EXPECT_EQ(c2->disabled_reason, "maintenance");
    ASSERT_TRUE(c2->up.has_value());
    EXPECT_FALSE(*c2->up);
    EXPECT_TRUE(c2->down());
    EXPECT_GT(c2->updated_us, 0);
    EXPECT_FALSE(c2->id.empty());
    const auto v = *parse_microversion(version);
    const bool uuid_ids = v >= Microversion{2, 53};
    EXPECT_EQ(c2->id.find('-') != std::string::npos, uuid_ids) << version << " id " << c2->id;
    EXPECT_FALSE(c2->forced_down);
    if (v < kForcedDownMicroversion) {
      EXPECT_EQ(answer.body.find("forced_down"), std::string::npos);
    }
  }
}

TEST(OsServicesTest, api_reference_shape_and_bad_answers) {
  // The example of Nova's API reference for GET /os-services at 2.53+ (forced_down, uuid ids).
  const std::string body = R"({"services":[
    {"id":"4c8ad3b2-7b6a-4b5f-9a44-1dc1b0bbd0e9","binary":"nova-scheduler","disabled_reason":"test1","host":"host1",
     "state":"up","status":"disabled","updated_at":"2012-10-29T13:42:02.000000","forced_down":false,"zone":"internal"},
    {"id":"e81d66a4-ddd3-4aba-8a84-171d1cb4d339","binary":"nova-compute","disabled_reason":"test2","host":"host1",
     "state":"up","status":"disabled","updated_at":"2012-10-29T13:42:05.000000","forced_down":false,"zone":"nova"},
    {"id":"bbd684ff-d3f6-492e-a30a-a12a2d2db0e0","binary":"nova-compute","disabled_reason":null,"host":"host2",
     "state":"down","status":"enabled","updated_at":"2012-09-19T06:55:34.000000","forced_down":true,"zone":"nova"},
    {"binary":"nova-compute"}, 17]})";
  std::string why;
  auto parsed = parse_os_services(body, &why);
  ASSERT_TRUE(parsed) << why;
  ASSERT_EQ(parsed->services.size(), 3u);
  EXPECT_EQ(parsed->skipped, 2u);
  const auto& host2 = parsed->services[2];
  EXPECT_EQ(host2.host, "host2");
  EXPECT_TRUE(host2.forced_down);
  EXPECT_TRUE(host2.down());
  EXPECT_FALSE(host2.disabled);
  EXPECT_TRUE(host2.disabled_reason.empty());
  EXPECT_EQ(host2.zone, "nova");
  EXPECT_FALSE(parsed->services[1].down());
  EXPECT_FALSE(parse_os_services("nope", &why));
  EXPECT_NE(why.find("not JSON"), std::string::npos);
  EXPECT_FALSE(parse_os_services(R"({"servers":[]})", &why));
  EXPECT_NE(why.find("no \"services\" list"), std::string::npos);
}

}  // namespace
}  // namespace vesagent::sources::openstack
