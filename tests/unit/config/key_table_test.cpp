// The key table drives docs, env names, flags and the printed config: check they agree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "support/temp_dir.hpp"
#include "test_util.hpp"
#include "vesagent/config/loader.hpp"

namespace vesagent::config {
namespace {

using test::all_text;
using ::testing::HasSubstr;

const KeyDoc* doc_for(const std::string& path) {
  for (const auto& d : key_docs()) {
    if (d.path == path) return &d;
  }
  return nullptr;
}

TEST(KeyTableTest, names_env_variables_and_flags_after_the_key_path) {
  struct Expected {
    const char* path;
    const char* env;
  };
  for (auto e : {Expected{"primaryCollector.fqdn", "VES_PRIMARYCOLLECTOR_FQDN"},
                 Expected{"event.maxMissed", "VES_EVENT_MAXMISSED"},
                 Expected{"heartbeat.defaultInterval", "VES_HEARTBEAT_DEFAULTINTERVAL"},
                 Expected{"datadir", "VES_DATADIR"}, Expected{"ves.version", "VES_VES_VERSION"},
                 Expected{"log.level", "VES_LOG_LEVEL"},
                 Expected{"measurement.prometheus.address", "VES_MEASUREMENT_PROMETHEUS_ADDRESS"}}) {
    const KeyDoc* d = doc_for(e.path);
    ASSERT_NE(d, nullptr) << e.path;
    EXPECT_EQ(d->env, e.env);
    EXPECT_EQ(d->flag, std::string("--") + e.path);
  }
}

TEST(KeyTableTest, env_names_and_flags_are_unique) {
  std::set<std::string> envs;
  std::set<std::string> flags;
  for (const auto& d : key_docs()) {
    if (d.env.empty()) continue;
    EXPECT_TRUE(envs.insert(d.env).second) << d.env;
    EXPECT_TRUE(flags.insert(d.flag).second) << d.flag;
  }
}

TEST(KeyTableTest, lists_are_file_only) {
  for (const char* path : {"event.nfcNamingCodes", "measurement.prometheus.rules.metrics",
                           "measurement.prometheus.rules.defaults", "cluster.endpoints", "cluster.peers"}) {
    const KeyDoc* d = doc_for(path);
    ASSERT_NE(d, nullptr) << path;
    EXPECT_TRUE(d->env.empty());
    EXPECT_TRUE(d->flag.empty());
  }
}

TEST(KeyTableTest, documents_defaults_from_the_config_structs) {
  EXPECT_EQ(doc_for("primaryCollector.port")->default_value, "8443");
  EXPECT_EQ(doc_for("heartbeat.defaultInterval")->default_value, "1m");
  EXPECT_EQ(doc_for("datadir")->default_value, "/var/lib/ves-agent");
  EXPECT_EQ(doc_for("ves.version")->default_value, "7");
  EXPECT_EQ(doc_for("ves.version")->type, "5|7");
  EXPECT_TRUE(doc_for("primaryCollector.fqdn")->required);
  EXPECT_TRUE(doc_for("primaryCollector.password")->secret);
  EXPECT_TRUE(doc_for("measurement.prometheus.bearerToken")->secret);
  EXPECT_TRUE(doc_for("alertManager.password")->secret);
}

TEST(KeyTableTest, markdown_documents_every_key) {
  std::string md = configuration_markdown();
  for (const auto& d : key_docs()) {
    std::string leaf = d.path.substr(d.path.rfind('.') + 1);
    std::string type;  // as a table cell, with | escaped
    for (char c : d.type) type += c == '|' ? std::string("\\|") : std::string(1, c);
    EXPECT_THAT(md, HasSubstr(leaf + "` | " + type)) << d.path;
    if (!d.env.empty()) {
      EXPECT_THAT(md, HasSubstr("`" + d.env + "`"));
      EXPECT_THAT(md, HasSubstr("`" + d.flag + "`"));
    }
  }
  EXPECT_THAT(md, HasSubstr("${CREDENTIALS_DIRECTORY}/collector-password"));
}

TEST(KeyTableTest, suggests_the_closest_key) {
  EXPECT_EQ(closest_key("primaryCollector.fdqn"), "primaryCollector.fqdn");
  EXPECT_EQ(closest_key("event.maxmised"), "event.maxMissed");
  EXPECT_EQ(closest_key("something.else.entirely"), "");
}

TEST(KeyTableTest, redacted_yaml_loads_back_to_the_same_config) {
  std::string text = vesagent::test::read_text(vesagent::test::data_dir() / "config/vespa/ves-agent.yml");
  auto first = load(test::yaml_inputs(text));
  ASSERT_TRUE(first.ok()) << all_text(first);
  first.config.primary_collector.password.clear();  // a redacted password cannot round-trip
  first.config.backup_collector.fqdn = "backup";    // and every section shows up
  std::string yaml = to_redacted_yaml(first.config);

  auto second = load(test::yaml_inputs(yaml));
  ASSERT_TRUE(second.ok()) << all_text(second) << yaml;
  EXPECT_TRUE(second.warnings.empty()) << all_text(second);
  EXPECT_EQ(to_redacted_yaml(second.config), yaml);
  EXPECT_EQ(second.config.measurement.prometheus.rules.size(), 12u);
  EXPECT_EQ(second.config.event.nfc_naming_codes.size(), 2u);
  EXPECT_EQ(second.config.log.level, "debug");
}

TEST(KeyTableTest, redacted_yaml_quotes_strings_that_look_like_other_types) {
  auto in = test::yaml_inputs("primaryCollector:\n  fqdn: c\n  user: \"null\"\n  topic: \"yes\"\nevent:\n"
                              "  vnfName: \"8443\"\n");
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  auto back = load(test::yaml_inputs(to_redacted_yaml(r.config)));
  ASSERT_TRUE(back.ok()) << all_text(back);
  EXPECT_EQ(back.config.primary_collector.user, "null");
  EXPECT_EQ(back.config.primary_collector.topic, "yes");
  EXPECT_EQ(back.config.event.vnf_name, "8443");
}

}  // namespace
}  // namespace vesagent::config
