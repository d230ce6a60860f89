// The openstack.* configuration keys: clouds with filters, fault statuses, errors with their paths; the shipped
// example file loads.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.hpp"
#include "vesagent/config/loader.hpp"
#include "vesagent/sources/openstack/openstack_service.hpp"

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

TEST(OpenStackConfigTest, defaults_leave_the_source_off) {
  auto r = load("");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_TRUE(r.config.openstack.clouds.empty());
  EXPECT_EQ(r.config.openstack.microversion, "2.79");
  EXPECT_EQ(r.config.openstack.fault_statuses.size(), 8U);
  EXPECT_FALSE(r.config.openstack.state_change_events);
  sources::ServiceContext ctx;
  ctx.config = &r.config;
  EXPECT_EQ(make_service(ctx), nullptr);
}

TEST(OpenStackConfigTest, parses_clouds_filters_and_fault_statuses) {
  auto r = load(R"(
openstack:
  interval: 30s
  fullResyncInterval: 10m
  stateChangeEvents: true
  faultStatuses: {error: critical, SHUTOFF: major, DELETED: warning}
  clouds:
    - name: east
      authUrl: http://keystone:5000/v3
      username: admin
      password: s3cret
      projectName: admin
      regionName: RegionOne
      interface: internal
      allTenants: false
      interval: 15s
      filters:
        - projects: [demo]
          nameRegex: "db-.*"
          metadata: {tier: gold}
          tags: critical
          interval: 5s
    - cloud: prod
)");
  ASSERT_TRUE(r.ok()) << errors(r);
  const auto& os = r.config.openstack;
  ASSERT_EQ(os.clouds.size(), 2U);
  EXPECT_EQ(os.interval, std::chrono::seconds(30));
  EXPECT_TRUE(os.state_change_events);
  ASSERT_EQ(os.fault_statuses.size(), 3U);
  EXPECT_EQ(os.fault_statuses[0], std::make_pair(std::string("ERROR"), std::string("CRITICAL")));
  const auto& east = os.clouds[0];
  EXPECT_EQ(east.interface, "internal");
  EXPECT_EQ(east.all_tenants, 0);
  EXPECT_EQ(east.interval, std::chrono::seconds(15));
  ASSERT_EQ(east.filters.size(), 1U);
  EXPECT_EQ(east.filters[0].tags, std::vector<std::string>{"critical"});
  EXPECT_EQ(east.filters[0].metadata.size(), 1U);
  EXPECT_EQ(east.filters[0].interval, std::chrono::seconds(5));
  EXPECT_EQ(os.clouds[1].name, "prod");  // named after its clouds.yaml entry
  EXPECT_EQ(os.clouds[1].all_tenants, -1);
}

TEST(OpenStackConfigTest, reports_bad_values_with_their_paths) {
  auto r = load(R"(
openstack:
  microversion: two
  alarmCondition: "has space"
  faultStatuses: {ERROR: NORMAL}
  clouds:
    - name: a
      interfase: public
      filters:
        - nameRegex: "(["
          interval: 0s
    - name: a
      interface: private
)");
  EXPECT_FALSE(r.ok());
  const std::string e = errors(r);
  EXPECT_NE(e.find("openstack.microversion"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.alarmCondition"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.faultStatuses.ERROR"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.clouds[0].interfase: unknown key; did you mean \"interface\"?"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.clouds[0].filters[0].nameRegex"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.clouds[0].filters[0].interval"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.clouds[1].name: duplicate cloud name"), std::string::npos) << e;
  EXPECT_NE(e.find("openstack.clouds[1].interface"), std::string::npos) << e;
}

TEST(OpenStackConfigTest, check_config_reports_unresolvable_credentials_without_secrets) {
  auto r = load(R"(
openstack:
  clouds:
    - name: east
      authUrl: http://keystone:5000
      username: admin
      password: do-not-print-me
)");
  ASSERT_TRUE(r.ok()) << errors(r);
  check_config(r);
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].path, "openstack.clouds[0]");
  EXPECT_NE(r.errors[0].message.find("no project"), std::string::npos);
  EXPECT_EQ(r.errors[0].message.find("do-not-print-me"), std::string::npos);
}

TEST(OpenStackConfigTest, secrets_are_redacted_in_the_effective_configuration) {
  auto r = load(R"(
openstack:
  clouds:
    - name: east
      authUrl: http://keystone:5000
      username: admin
      password: do-not-print-me
      applicationCredentialSecret: nor-me
      projectName: admin
)");
  ASSERT_TRUE(r.ok()) << errors(r);
  const std::string text = config::to_redacted_yaml(r.config);
  EXPECT_EQ(text.find("do-not-print-me"), std::string::npos) << text;
  EXPECT_EQ(text.find("nor-me"), std::string::npos) << text;
  EXPECT_NE(text.find("authUrl"), std::string::npos) << text;
}

TEST(OpenStackConfigTest, shipped_example_loads) {
  const auto path = test::data_dir() / ".." / ".." / "config" / "examples" / "openstack.yml";
  config::Inputs in;
  in.yaml_text = test::read_text(path);
  in.file_name = path.string();
  ASSERT_FALSE(in.yaml_text.empty()) << path;
  auto r = config::load(in);
  EXPECT_TRUE(r.ok()) << errors(r);
  EXPECT_FALSE(r.config.openstack.clouds.empty());
}

}  // namespace
}  // namespace vesagent::sources::openstack
