// Keystone token, Nova servers page and clouds.yaml parsing, over the answers recorded from a real Keystone 22 /
// Nova 26 (tests/data/openstack), plus credential resolution from the YAML, clouds.yaml and OS_* variables.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.hpp"
#include "test_util.hpp"
#include "vesagent/sources/openstack/credentials.hpp"
#include "vesagent/sources/openstack/keystone_token.hpp"
#include "vesagent/sources/openstack/nova_servers.hpp"

namespace vesagent::sources::openstack {
namespace {

using testing::fixture;

TEST(KeystoneTokenTest, parses_recorded_admin_token_with_catalog_and_expiry) {
  std::string why;
  auto t = parse_token(fixture("keystone-token-admin.json"), &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->expires_at_us, *parse_iso8601_us("2026-11-26T05:16:41Z"));
  EXPECT_EQ(t->expires_at_us - t->issued_at_us, 3600LL * 1000000);
  EXPECT_EQ(t->project_name, "admin");
  EXPECT_EQ(t->project_id, "3f40e1646ac34756bba630410542c4c5");
  EXPECT_TRUE(t->has_role("admin"));
  EXPECT_EQ(find_endpoint(*t, "compute", "public", "RegionOne"), "http://127.0.0.1:8774/v2.1");
  EXPECT_EQ(find_endpoint(*t, "compute", "internal", ""), "http://127.0.0.1:8774/v2.1");
  EXPECT_EQ(find_endpoint(*t, "identity", "admin", ""), "http://127.0.0.1:5000/v3");
  EXPECT_FALSE(find_endpoint(*t, "compute", "public", "RegionTwo"));
  EXPECT_FALSE(find_endpoint(*t, "volumev3", "public", ""));
}

TEST(KeystoneTokenTest, member_token_has_no_admin_role) {
  auto t = parse_token(fixture("keystone-token-demo.json"));
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->has_role("admin"));
  EXPECT_EQ(t->project_name, "demo");
}

TEST(KeystoneTokenTest, rejects_answers_without_expiry_or_not_json) {
  std::string why;
  EXPECT_FALSE(parse_token("{\"token\":{\"catalog\":[]}}", &why));
  EXPECT_NE(why.find("expires_at"), std::string::npos);
  EXPECT_FALSE(parse_token("<html>", &why));
  EXPECT_FALSE(parse_token("[1,2]", &why));
  EXPECT_FALSE(parse_token(fixture("error-401-invalid-token.json"), &why));
  // A broken catalog entry does not hide the others.
  auto t = parse_token(R"({"token":{"expires_at":"2026-01-01T00:00:00Z","catalog":[1,{"type":"compute",
      "endpoints":[null,{"interface":"public","url":"http://n/v2.1/"}]}]}})");
  ASSERT_TRUE(t);
  EXPECT_EQ(find_endpoint(*t, "compute", "public", ""), "http://n/v2.1");
}

TEST(KeystoneTokenTest, password_and_application_credential_request_bodies) {
  AuthRequest r;
  r.username = "admin";
  r.password = "pw\"x";
  r.user_domain_name = "Default";
  r.project_name = "admin";
  r.project_domain_id = "default";
  EXPECT_EQ(auth_request_body(r),
            R"({"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":"Default"},)"
            R"("name":"admin","password":"pw\"x"}}},"scope":{"project":{"domain":{"id":"default"},"name":"admin"}}}})");
  AuthRequest a;
  a.method = AuthRequest::Method::application_credential;
  a.application_credential_id = "abc";
  a.application_credential_secret = "s";
  EXPECT_EQ(auth_request_body(a),
            R"({"auth":{"identity":{"application_credential":{"id":"abc","secret":"s"},)"
            R"("methods":["application_credential"]}}})");
}

TEST(TimeTest, parses_keystone_and_nova_time_formats) {
  const auto base = *parse_iso8601_us("2026-11-26T04:16:43Z");
  EXPECT_EQ(parse_iso8601_us("2026-11-26T04:16:43.000000Z"), base);
  EXPECT_EQ(parse_iso8601_us("2026-11-26T04:16:43.5"), base + 500000);
  EXPECT_EQ(parse_iso8601_us("2026-11-26T05:16:43+01:00"), base);
  EXPECT_EQ(format_iso8601(base), "2026-11-26T04:16:43Z");
  EXPECT_EQ(parse_iso8601_us("1970-01-01T00:00:00Z"), 0);
  EXPECT_FALSE(parse_iso8601_us("not-a-date"));
  EXPECT_FALSE(parse_iso8601_us("2026-13-26T04:16:43Z"));
  EXPECT_FALSE(parse_iso8601_us("2026-11-26T04:16:43Zjunk"));
  EXPECT_EQ(parse_http_date_us("Thu, 26 Nov 2026 04:16:43 GMT"), base);
  EXPECT_FALSE(parse_http_date_us("Thursday, 26-Nov-26 04:16:43 GMT"));
}

TEST(NovaServersTest, parses_every_recorded_listing) {
  for (const auto& entry : std::filesystem::directory_iterator(test::data_dir() / "openstack")) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("servers-detail.") || !name.ends_with(".json")) continue;
    std::string why;
    auto page = parse_servers_page(fixture(name), &why);
    if (name == "servers-detail.demo-all_tenants.v2.79.json") {  // the 403 body
      EXPECT_FALSE(page) << name;
      EXPECT_EQ(error_message(fixture(name)),
                "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed.");
      continue;
    }
    ASSERT_TRUE(page) << name << ": " << why;
    EXPECT_EQ(page->skipped, 0U) << name;
    for (const auto& s : page->servers) {
      EXPECT_EQ(s.id.size(), 36U) << name;
      EXPECT_FALSE(s.status.empty()) << name;
      EXPECT_GT(s.updated_us, 0) << name;
    }
  }
}

TEST(NovaServersTest, reads_states_flavor_host_fault_and_next_link) {
  auto page = parse_servers_page(fixture("servers-detail.page1-limit2.json"));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->servers.size(), 2U);
  const Server& s = page->servers[0];
  EXPECT_EQ(s.id, "2ae69712-a01a-46bb-8c42-326e23623738");
  EXPECT_EQ(s.name, "smp-fail");
  EXPECT_EQ(s.status, "ERROR");
  EXPECT_EQ(s.vm_state, "error");
  EXPECT_EQ(s.power_state, 0);
  EXPECT_EQ(s.task_state, "");
  EXPECT_EQ(s.flavor, "m1.tiny");
  EXPECT_EQ(s.host, "");  // null: the build failed before scheduling
  EXPECT_NE(s.fault_message.find("Exceeded maximum number of retries"), std::string::npos);
  ASSERT_EQ(s.metadata.size(), 1U);
  EXPECT_EQ(s.metadata[0], std::make_pair(std::string("oslab:fail"), std::string("spawn")));
  EXPECT_EQ(page->next_url,
            "http://127.0.0.1:8774/v2.1/servers/detail?all_tenants=1&limit=2&marker=0f379049-56ee-46e5-93db-2ae474956180");

  auto v21 = parse_servers_page(fixture("servers-detail.admin-all_tenants.v2.1.json"));
  ASSERT_TRUE(v21);
  ASSERT_FALSE(v21->servers.empty());
  EXPECT_EQ(v21->servers[0].flavor.empty(), false);  // flavor.id at 2.1
  EXPECT_TRUE(v21->next_url.empty());

  auto changes = parse_servers_page(fixture("servers-detail.changes-since.admin-all_tenants.v2.79.json"));
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->servers.size(), 2U);
  EXPECT_EQ(changes->servers[0].status, "SHUTOFF");
  EXPECT_EQ(changes->servers[0].power_state, 4);
  EXPECT_EQ(changes->servers[1].status, "DELETED");
  EXPECT_EQ(changes->servers[1].vm_state, "deleted");
  EXPECT_EQ(changes->servers[1].host, "oslab-compute");
}

TEST(NovaServersTest, skips_and_counts_malformed_servers_and_rejects_broken_pages) {
  auto page = parse_servers_page(
      R"({"servers":[{"id":"a","status":"ACTIVE","OS-EXT-STS:power_state":"x","flavor":7,"metadata":{"k":1}},
                     {"name":"no id"},7,{"id":"b"}]})");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->servers.size(), 1U);
  EXPECT_EQ(page->skipped, 3U);
  EXPECT_EQ(page->servers[0].power_state, -1);
  EXPECT_TRUE(page->servers[0].metadata.empty());
  std::string why;
  EXPECT_FALSE(parse_servers_page("{\"servers\":{}}", &why));
  EXPECT_FALSE(parse_servers_page("", &why));
  EXPECT_FALSE(parse_servers_page(fixture("error-400-bad-marker.json"), &why));
  EXPECT_EQ(error_message(fixture("error-400-bad-marker.json")),
            "marker [00000000-0000-0000-0000-000000000000] not found");
  EXPECT_EQ(error_message(fixture("error-401-invalid-token.json")),
            "The request you have made requires authentication.");
}

constexpr const char* kCloudsYaml = R"(
clouds:
  prod:
    auth:
      auth_url: http://keystone.example:5000
      username: admin
      password: from-clouds-yaml
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionTwo
    interface: internal
    verify: false
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://keystone.example:5000/v3/
      application_credential_id: 21ff
)";

TEST(CredentialsTest, parses_clouds_yaml_and_rejects_garbage) {
  auto clouds = parse_clouds_yaml(kCloudsYaml);
  ASSERT_TRUE(clouds);
  EXPECT_EQ(clouds->at("prod").at("auth_url"), "http://keystone.example:5000");
  EXPECT_EQ(clouds->at("prod").at("region_name"), "RegionTwo");
  std::string why;
  EXPECT_FALSE(parse_clouds_yaml("clouds: [1, 2", &why));
  EXPECT_FALSE(parse_clouds_yaml("other: {}", &why));
  EXPECT_FALSE(parse_clouds_yaml("- a", &why));
}

TEST(CredentialsTest, clouds_yaml_entry_with_secure_yaml_and_yaml_overrides) {
  test::TempDir dir;
  const auto file = dir.write("clouds.yaml", kCloudsYaml);
  dir.write("secure.yaml", "clouds:\n  appcred:\n    auth:\n      application_credential_secret: s3cret\n");
  config::OpenStackConfig section;
  section.clouds_file = file.string();
  config::OpenStackCloud c;
  c.name = "p";
  c.cloud = "prod";
  c.region_name = "RegionOne";  // the agent's own configuration wins
  std::string error;
  auto r = resolve_cloud(c, section, {}, error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->auth_url, "http://keystone.example:5000/v3");
  EXPECT_EQ(r->auth.password, "from-clouds-yaml");
  EXPECT_EQ(r->auth.user_domain_name, "Default");
  EXPECT_EQ(r->region, "RegionOne");
  EXPECT_EQ(r->interface, "internal");
  EXPECT_TRUE(r->tls.insecure_skip_verify);
  EXPECT_EQ(r->auth.method, AuthRequest::Method::password);

  c.cloud = "appcred";
  r = resolve_cloud(c, section, {}, error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->auth.method, AuthRequest::Method::application_credential);
  EXPECT_EQ(r->auth.application_credential_secret, "s3cret");
  EXPECT_EQ(r->auth_url, "http://keystone.example:5000/v3");
}

TEST(CredentialsTest, standard_search_path_and_os_cloud) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / ".config/openstack");
  dir.write(".config/openstack/clouds.yaml", kCloudsYaml);
  Environment env{{"HOME", dir.path().string()}, {"OS_CLOUD", "prod"}};
  const auto paths = clouds_yaml_search_path(env);
  ASSERT_EQ(paths.size(), 3U);
  EXPECT_EQ(paths[0], "./clouds.yaml");
  EXPECT_EQ(paths[2], "/etc/openstack/clouds.yaml");
  config::OpenStackConfig section;
  config::OpenStackCloud c;
  c.name = "from-os-cloud";  // no cloud, no authUrl: OS_CLOUD names the entry
  std::string error;
  auto r = resolve_cloud(c, section, env, error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->auth.username, "admin");
  EXPECT_NE(r->source.find("prod"), std::string::npos);
  env["OS_CLIENT_CONFIG_FILE"] = (dir.path() / "missing.yaml").string();
  EXPECT_EQ(clouds_yaml_search_path(env)[0], (dir.path() / "missing.yaml").string());
}

TEST(CredentialsTest, os_environment_variables_as_envvars_cloud) {
  Environment env{{"OS_AUTH_URL", "http://k:5000/v3"}, {"OS_USERNAME", "u"},          {"OS_PASSWORD", "p"},
                  {"OS_PROJECT_NAME", "demo"},        {"OS_USER_DOMAIN_NAME", "Default"}, {"OS_REGION_NAME", "R1"},
                  {"OS_INTERFACE", "internalURL"}};
  config::OpenStackConfig section;
  config::OpenStackCloud c;
  c.name = "env";
  std::string error;
  auto r = resolve_cloud(c, section, env, error);  // no cloud and no authUrl, OS_AUTH_URL set
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->auth_url, "http://k:5000/v3");
  EXPECT_EQ(r->auth.password, "p");
  EXPECT_EQ(r->auth.project_domain_id, "default");
  EXPECT_EQ(r->region, "R1");
  EXPECT_EQ(r->interface, "internal");
}

TEST(CredentialsTest, errors_name_what_is_missing_and_never_the_secret) {
  config::OpenStackConfig section;
  config::OpenStackCloud c;
  c.name = "x";
  c.auth_url = "http://k:5000";
  c.username = "u";
  c.password = "hunter2-secret";
  std::string error;
  EXPECT_FALSE(resolve_cloud(c, section, {}, error));
  EXPECT_NE(error.find("no project"), std::string::npos) << error;
  EXPECT_EQ(error.find("hunter2"), std::string::npos);
  c.project_name = "p";
  c.password.clear();
  EXPECT_FALSE(resolve_cloud(c, section, {}, error));
  EXPECT_NE(error.find("no password"), std::string::npos) << error;
  c.cloud = "nowhere";
  section.clouds_file = "/nonexistent/clouds.yaml";
  EXPECT_FALSE(resolve_cloud(c, section, {}, error));
  EXPECT_NE(error.find("clouds.yaml"), std::string::npos) << error;
  c.cloud.clear();
  c.auth_url.clear();
  EXPECT_FALSE(resolve_cloud(c, section, {}, error));
  EXPECT_NE(error.find("no auth URL"), std::string::npos) << error;
  test::TempDir dir;
  c.auth_url = "http://k:5000";
  c.password_file = dir.write("pw", "from-file\n").string();
  auto r = resolve_cloud(c, section, {}, error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->auth.password, "from-file");
}

}  // namespace
}  // namespace vesagent::sources::openstack
