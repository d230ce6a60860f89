#include "vesagent/amqp/broker_url.hpp"

#include <gtest/gtest.h>

namespace vesagent::amqp {
namespace {

BrokerUrl one(std::string_view url) {
  std::string why;
  auto r = parse_broker_url(url, &why);
  EXPECT_TRUE(r) << url << ": " << why;
  if (!r || r->size() != 1) return {};
  return r->front();
}

std::string refusal(std::string_view url) {
  std::string why;
  auto r = parse_broker_url(url, &why);
  EXPECT_FALSE(r) << url;
  return why;
}

TEST(BrokerUrlTest, amqp_url_gives_host_port_credentials_and_vhost) {
  const BrokerUrl b = one("amqp://nova:s%40cret@rabbit.example:5673/openstack");
  EXPECT_FALSE(b.tls);
  EXPECT_EQ(b.host, "rabbit.example");
  EXPECT_EQ(b.port, 5673);
  EXPECT_EQ(b.username, "nova");
  EXPECT_EQ(b.password, "s@cret");
  EXPECT_EQ(b.vhost, "openstack");
}

TEST(BrokerUrlTest, defaults_follow_the_amqp_uri_spec) {
  const BrokerUrl plain = one("amqp://rabbit");
  EXPECT_EQ(plain.port, 5672);
  EXPECT_EQ(plain.vhost, "/");
  EXPECT_TRUE(plain.username.empty());
  const BrokerUrl tls = one("amqps://rabbit/");
  EXPECT_TRUE(tls.tls);
  EXPECT_EQ(tls.port, 5671);
  EXPECT_EQ(tls.vhost, "/");
  EXPECT_EQ(one("amqp://rabbit/%2F").vhost, "/");
  EXPECT_EQ(one("amqp://rabbit/%2Fnova").vhost, "/nova");
}

TEST(BrokerUrlTest, oslo_transport_url_with_several_hosts_gives_one_broker_each) {
  std::string why;
  auto r = parse_broker_url("rabbit://openstack:pw1@10.0.0.1:5672,openstack:pw2@10.0.0.2:5673/nova?ssl=1", &why);
  ASSERT_TRUE(r) << why;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].host, "10.0.0.1");
  EXPECT_EQ((*r)[0].password, "pw1");
  EXPECT_EQ((*r)[1].host, "10.0.0.2");
  EXPECT_EQ((*r)[1].port, 5673);
  EXPECT_EQ((*r)[1].password, "pw2");
  for (const auto& b : *r) {
    EXPECT_TRUE(b.tls);
    EXPECT_EQ(b.vhost, "nova");
  }
  EXPECT_FALSE(one("rabbit://guest:guest@h:5672/?ssl=0").tls);
}

TEST(BrokerUrlTest, ipv6_host_in_brackets) {
  const BrokerUrl b = one("amqp://u:p@[::1]:5700/");
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(b.port, 5700);
  EXPECT_EQ(b.redacted(), "amqp://u@[::1]:5700/%2F");
}

TEST(BrokerUrlTest, redacted_form_never_holds_the_password) {
  const BrokerUrl b = one("amqps://nova:topsecret@rabbit:5671/openstack");
  EXPECT_EQ(b.redacted(), "amqps://nova@rabbit:5671/openstack");
  EXPECT_EQ(b.redacted().find("topsecret"), std::string::npos);
}

TEST(BrokerUrlTest, bad_urls_are_refused_with_the_reason) {
  EXPECT_NE(refusal("http://rabbit:5672/").find("unsupported scheme"), std::string::npos);
  EXPECT_NE(refusal("rabbit:5672").find("amqp://"), std::string::npos);
  EXPECT_NE(refusal("amqp://").find("no host"), std::string::npos);
  EXPECT_NE(refusal("amqp://u:p@/vhost").find("no host"), std::string::npos);
  EXPECT_NE(refusal("amqp://rabbit:0/").find("bad port"), std::string::npos);
  EXPECT_NE(refusal("amqp://rabbit:70000/").find("bad port"), std::string::npos);
  EXPECT_NE(refusal("amqp://rabbit:56x2/").find("bad port"), std::string::npos);
  EXPECT_NE(refusal("amqp://rabbit/%zz").find("percent-encoding"), std::string::npos);
  EXPECT_NE(refusal("amqp://rabbit/%2").find("percent-encoding"), std::string::npos);
  EXPECT_NE(refusal("amqp://[::1:5672/").find("IPv6"), std::string::npos);
  EXPECT_NE(refusal("amqp://h1:5672,/v").find("no host"), std::string::npos);
}

}  // namespace
}  // namespace vesagent::amqp
