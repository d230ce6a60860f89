// openstack.clouds[].notifications and computeMicroversion: parsing, errors with their paths, redaction, and the
// amqp::Consumer options built from them.
#include <gtest/gtest.h>

#include "vesagent/config/loader.hpp"
#include "vesagent/sources/openstack/notification_options.hpp"

namespace vesagent::sources::openstack {
namespace {

config::LoadResult load(const std::string& yaml) {
  config::Inputs in;
  in.yaml_text = "primaryCollector:\n  fqdn: 127.0.0.1\n" + yaml;
  in.file_name = "test.yml";
  return config::load(in);
}

std::string errors(const config::LoadResult& r) {
  std::string out;
  for (const auto& d : r.errors) out += d.path + ": " + d.message + "\n";
  return out;
}

TEST(NotificationConfigTest, notifications_and_microversion_of_a_cloud) {
  auto r = load(R"(
openstack:
  clouds:
    - name: east
      authUrl: http://keystone:5000/v3
      username: admin
      password: s3cret
      projectName: admin
      computeMicroversion: "2.60"
      notifications:
        urls: ["rabbit://nova:busPass@10.0.0.1:5672,nova:busPass@10.0.0.2:5672/", "amqps://rabbit.east:5671/"]
        queue: ves-agent-east
        prefetch: 500
        heartbeat: 10s
        tls: {caCert: /etc/ssl/rabbit-ca.pem}
)");
  ASSERT_TRUE(r.ok()) << errors(r);
  const auto& c = r.config.openstack.clouds.at(0);
  EXPECT_EQ(c.compute_microversion, "2.60");
  const amqp::ConsumerOptions o = notification_consumer_options(c);
  EXPECT_EQ(o.name, "east");
  ASSERT_EQ(o.urls.size(), 2u);
  EXPECT_EQ(o.exchange, "nova");
  EXPECT_EQ(o.topic, "versioned_notifications");
  EXPECT_EQ(o.queue, "ves-agent-east");
  EXPECT_EQ(o.prefetch, 500);
  EXPECT_EQ(o.heartbeat, std::chrono::seconds(10));
  EXPECT_EQ(o.tls.ca_cert, "/etc/ssl/rabbit-ca.pem");
  EXPECT_TRUE(o.tls.verify);
  // The redacted configuration (--check-config, status page) never shows the bus password.
  const std::string shown = config::to_redacted_yaml(r.config);
  EXPECT_EQ(shown.find("busPass"), std::string::npos) << shown;
  EXPECT_NE(shown.find("rabbit://nova:<redacted>@10.0.0.1:5672,nova:<redacted>@10.0.0.2:5672/"), std::string::npos)
      << shown;
  EXPECT_NE(shown.find("computeMicroversion"), std::string::npos);
}

TEST(NotificationConfigTest, without_notifications_there_are_no_urls) {
  auto r = load("openstack:\n  clouds:\n    - {name: east, authUrl: http://k/v3, username: a, password: b}\n");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_TRUE(notification_consumer_options(r.config.openstack.clouds.at(0)).urls.empty());
  EXPECT_TRUE(r.config.openstack.clouds.at(0).compute_microversion.empty());
}

TEST(NotificationConfigTest, bad_values_are_reported_with_their_paths) {
  auto r = load(R"(
openstack:
  clouds:
    - name: east
      authUrl: http://k/v3
      username: a
      password: b
      computeMicroversion: latest
      notifications:
        urls: [http://rabbit/]
        prefetch: 0
        heartbeat: soon
        tls: {clientCert: /c.pem}
        exchnage: nova
)");
  ASSERT_FALSE(r.ok());
  const std::string e = errors(r);
  EXPECT_NE(e.find("openstack.clouds[0].computeMicroversion: expected a microversion such as 2.60"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.clouds[0].notifications.urls: expected amqp://, amqps:// or rabbit://"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.clouds[0].notifications.prefetch: expected a number from 1 to 65535"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.clouds[0].notifications.heartbeat"), std::string::npos) << e;
  EXPECT_NE(e.find("clientCert and clientKey go together"), std::string::npos) << e;
  EXPECT_NE(e.find("exchnage"), std::string::npos) << e;
}

}  // namespace
}  // namespace vesagent::sources::openstack
