// Which VMs a cloud watches: project (id or name), exact names, a name regex, metadata and tags.
#include <gtest/gtest.h>

#include "vesagent/sources/openstack/server_filter.hpp"

namespace vesagent::sources::openstack {
namespace {

Server vm(std::string name, std::string project = "p1") {
  Server s;
  s.id = "id-" + name;
  s.name = std::move(name);
  s.status = "ACTIVE";
  s.tenant_id = std::move(project);
  return s;
}

TEST(ServerFilterTest, no_filter_watches_everything) {
  ServerFilter f({});
  EXPECT_EQ(f.size(), 1U);
  EXPECT_TRUE(f.watched(vm("x"), ""));
  EXPECT_FALSE(f.uses_project_names());
}

TEST(ServerFilterTest, every_criterion_of_a_filter_must_match_and_any_filter_may) {
  config::OpenStackFilter a;
  a.projects = {"demo"};
  a.name_regex = "db-[0-9]+";
  config::OpenStackFilter b;
  b.names = {"frontend"};
  b.metadata = {{"tier", "gold"}};
  b.tags = {"critical"};
  ServerFilter f({a, b});
  EXPECT_TRUE(f.uses_project_names());
  EXPECT_TRUE(f.watched(vm("db-12"), "demo"));
  EXPECT_TRUE(f.watched(vm("db-12", "demo"), ""));  // the project id matches too
  EXPECT_FALSE(f.watched(vm("db-12x"), "demo"));    // the regex must match the whole name
  EXPECT_FALSE(f.watched(vm("db-12"), "other"));
  Server fe = vm("frontend");
  EXPECT_FALSE(f.watched(fe, ""));
  fe.metadata = {{"tier", "gold"}};
  EXPECT_FALSE(f.watched(fe, ""));
  fe.tags = {"x", "critical"};
  EXPECT_TRUE(f.watched(fe, ""));
  EXPECT_TRUE(f.matches(1, fe, ""));
  EXPECT_FALSE(f.matches(0, fe, ""));
}

TEST(ServerFilterTest, broken_regex_from_code_matches_nothing_instead_of_throwing) {
  config::OpenStackFilter a;
  a.name_regex = "([";
  ServerFilter f({a});
  EXPECT_FALSE(f.watched(vm("x"), ""));
}

}  // namespace
}  // namespace vesagent::sources::openstack
