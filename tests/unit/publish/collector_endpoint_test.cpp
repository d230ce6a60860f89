#include "vesagent/publish/collector_endpoint.hpp"

#include <gtest/gtest.h>

namespace vesagent::publish {
namespace {

config::CollectorConfig collector(std::string fqdn, int port) {
  config::CollectorConfig c;
  c.fqdn = std::move(fqdn);
  c.port = port;
  return c;
}

TEST(CollectorEndpointTest, urls_follow_vespa_layout) {
  auto c = collector("ves.example.org", 8443);
  EXPECT_EQ(event_url(c, ves::Version::v7), "http://ves.example.org:8443/eventListener/v7");
  EXPECT_EQ(batch_url(c, ves::Version::v7), "http://ves.example.org:8443/eventListener/v7/eventBatch");
  c.secure = true;
  c.server_root = "/api/";
  c.topic = "mytopic";
  EXPECT_EQ(event_url(c, ves::Version::v5), "https://ves.example.org:8443/api/eventListener/v5/mytopic");
  EXPECT_EQ(batch_url(c, ves::Version::v5), "https://ves.example.org:8443/api/eventListener/v5/mytopic/eventBatch");
  // VES 5 provideThrottlingState has no topic segment.
  EXPECT_EQ(throttling_state_url(c, ves::Version::v5),
            "https://ves.example.org:8443/api/eventListener/v5/clientThrottlingState");
}

TEST(CollectorEndpointTest, ipv6_literal_gets_brackets) {
  auto c = collector("::1", 8080);
  EXPECT_EQ(event_url(c, ves::Version::v7), "http://[::1]:8080/eventListener/v7");
}

}  // namespace
}  // namespace vesagent::publish
