// VESPA's own configuration files, the shipped config/ves-agent.yml and config/examples/ load as documented.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "support/temp_dir.hpp"
#include "test_util.hpp"
#include "vesagent/config/loader.hpp"

namespace vesagent::config {
namespace {

using test::all_text;
using test::with_path;
using ::testing::HasSubstr;

LoadResult load_path(const std::filesystem::path& path) {
  Inputs in;
  in.host_name = "testhost";
  std::vector<Diagnostic> errors;
  EXPECT_TRUE(read_file(path.string(), in, errors)) << path;
  return load(in);
}

std::filesystem::path source_dir() { return VESAGENT_SOURCE_DIR; }

TEST(VespaCompatTest, loads_vespa_ves_agent_yml_with_cluster_and_passphrase_warnings) {
  auto r = load_path(vesagent::test::data_dir() / "config/vespa/ves-agent.yml");
  ASSERT_TRUE(r.ok()) << all_text(r);

  auto cluster = with_path(r.warnings, "cluster");
  ASSERT_EQ(cluster.size(), 1u) << all_text(r);
  EXPECT_EQ(cluster[0].line, 116);
  EXPECT_THAT(cluster[0].message, HasSubstr("Raft clustering is not supported"));
  EXPECT_THAT(cluster[0].message, HasSubstr("etcd"));
  auto passphrase = with_path(r.warnings, "primaryCollector.passphrase");
  ASSERT_EQ(passphrase.size(), 1u) << all_text(r);
  EXPECT_EQ(passphrase[0].line, 10);
  EXPECT_EQ(r.warnings.size(), 2u) << all_text(r);

  const Config& c = r.config;
  EXPECT_EQ(c.datadir, "./data");
  EXPECT_EQ(c.log.level, "debug");  // debug: true
  EXPECT_EQ(c.primary_collector.fqdn, "localhost");
  EXPECT_EQ(c.primary_collector.port, 8443);
  EXPECT_TRUE(c.primary_collector.secure);
  EXPECT_EQ(c.primary_collector.user, "user");
  EXPECT_EQ(c.primary_collector.password, "pass");
  EXPECT_FALSE(c.backup_collector.configured());
  EXPECT_EQ(c.heartbeat.default_interval, std::chrono::seconds(60));
  EXPECT_EQ(c.measurement.domain_abbreviation, "Mvfs");
  EXPECT_EQ(c.measurement.default_interval, std::chrono::seconds(300));
  EXPECT_EQ(c.measurement.max_buffering_duration, std::chrono::hours(1));
  EXPECT_EQ(c.measurement.prometheus.address, "http://localhost:9090");
  EXPECT_EQ(c.measurement.prometheus.defaults.vm_id, "{{.labels.VNFC}}");
  EXPECT_EQ(c.measurement.prometheus.defaults.target, "{{.labels.VESField}}");
  EXPECT_EQ(c.measurement.prometheus.defaults.labels.size(), 3u);
  ASSERT_EQ(c.measurement.prometheus.rules.size(), 12u);
  EXPECT_EQ(c.measurement.prometheus.rules[1].expr, "(MemoryTotal - MemoryUsed) / 1024");
  EXPECT_EQ(c.measurement.prometheus.rules[11].object_keys.at(0).name, "vNicIdentifier");
  EXPECT_EQ(c.event.vnf_name, "dpa2bhsxp5001v");
  EXPECT_EQ(c.event.reporting_entity_id, "1af5bfa9-40b4-4522-b045-40e54f0310fc");
  EXPECT_EQ(c.event.max_size, 2000000u);
  ASSERT_EQ(c.event.nfc_naming_codes.size(), 2u);
  EXPECT_EQ(c.event.nfc_naming_codes[0].vnfcs, (std::vector<std::string>{"lr-ope-0", "lr-ope-1", "lr-ope-2"}));
  EXPECT_EQ(c.event.retry_interval, std::chrono::seconds(5));
  EXPECT_EQ(c.event.max_missed, 2);
  EXPECT_EQ(c.alert_manager.bind, "localhost:9095");
  EXPECT_EQ(c.heartbeat.event_name, "Heartbeat_hsxp");
  EXPECT_EQ(c.heartbeat.source_name, "dpa2bhsxp5001v");
  EXPECT_EQ(c.event.reporting_entity_name, "testhost");
}

TEST(VespaCompatTest, loads_vespa_example_with_a_cluster_warning) {
  auto r = load_path(vesagent::test::data_dir() / "config/vespa/example-ves-agent.yml");
  ASSERT_TRUE(r.ok()) << all_text(r);
  auto cluster = with_path(r.warnings, "cluster");
  ASSERT_EQ(cluster.size(), 1u) << all_text(r);
  EXPECT_EQ(cluster[0].line, 54);
  EXPECT_EQ(r.warnings.size(), 1u) << all_text(r);
  EXPECT_EQ(r.config.datadir, "/var/lib/ves-agent/data");
  EXPECT_EQ(r.config.primary_collector.fqdn, "135.238.248.245");
  EXPECT_FALSE(r.config.primary_collector.secure);
  ASSERT_EQ(r.config.measurement.prometheus.rules.size(), 3u);
  EXPECT_EQ(r.config.measurement.prometheus.rules[0].labels.at(0).expr, "{{.labels.cpu}}");
  EXPECT_EQ(r.config.event.nfc_naming_codes.at(0).vnfcs.size(), 3u);
}

// The `cluster` section with endpoints is ves-agent's etcd clustering (issue 6): it loads without warnings.
TEST(VespaCompatTest, cluster_with_endpoints_is_the_etcd_form) {
  auto r = load(test::yaml_inputs(std::string(test::kMinimal) +
                                  "cluster:\n  endpoints: [http://127.0.0.1:2379]\n  leaseTTL: 5s\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_TRUE(r.warnings.empty()) << all_text(r);
  EXPECT_EQ(r.config.cluster.endpoints, (std::vector<std::string>{"http://127.0.0.1:2379"}));
  EXPECT_EQ(r.config.cluster.lease_ttl, std::chrono::seconds(5));
}

// A VESPA Raft section next to etcd endpoints: one warning, and the etcd settings are used.
TEST(VespaCompatTest, vespa_raft_keys_next_to_etcd_endpoints_warn_once) {
  auto r = load(test::yaml_inputs(std::string(test::kMinimal) +
                                  "cluster:\n  id: \"2\"\n  peers:\n    - id: \"1\"\n      address: a:6737\n"
                                  "  displayLogs: false\n  endpoints: http://127.0.0.1:2379,http://127.0.0.1:2381\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  auto w = with_path(r.warnings, "cluster");
  ASSERT_EQ(w.size(), 1u) << all_text(r);
  EXPECT_THAT(w[0].message, HasSubstr("Raft clustering is not supported"));
  EXPECT_THAT(w[0].message, HasSubstr("id, peers, displayLogs"));
  EXPECT_EQ(r.config.cluster.endpoints.size(), 2u);
}

TEST(VespaCompatTest, top_level_ca_cert_content_verifies_both_collectors_unless_they_name_a_ca_file) {
  const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  auto r = load(test::yaml_inputs(std::string(test::kMinimal) + "caCert: |\n  -----BEGIN CERTIFICATE-----\n  MIIB\n"
                                  "  -----END CERTIFICATE-----\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_TRUE(with_path(r.warnings, "caCert").empty()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.tls.ca_pem, pem);
  EXPECT_EQ(r.config.backup_collector.tls.ca_pem, pem);
}

TEST(VespaCompatTest, top_level_ca_cert_naming_a_file_is_an_error_that_says_where_a_file_goes) {
  auto r = load(test::yaml_inputs(std::string(test::kMinimal) + "caCert: /etc/ssl/ca.pem\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(all_text(r), HasSubstr("primaryCollector.caCert"));
}

TEST(VespaCompatTest, shipped_default_config_loads_cleanly) {
  auto r = load_path(source_dir() / "config/ves-agent.yml");
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_TRUE(r.warnings.empty()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.fqdn, "localhost");
  EXPECT_EQ(r.config.primary_collector.port, 8443);
}

TEST(VespaCompatTest, shipped_default_config_shows_every_key) {
  std::string text = vesagent::test::read_text(source_dir() / "config/ves-agent.yml");
  ASSERT_FALSE(text.empty());
  for (const auto& k : key_docs()) {
    std::string leaf = k.path.substr(k.path.rfind('.') + 1);
    EXPECT_THAT(text, HasSubstr(leaf + ":")) << k.path;
  }
}

TEST(VespaCompatTest, every_example_config_loads) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "config/examples")) {
    if (entry.path().extension() != ".yml") continue;
    ++count;
    auto r = load_path(entry.path());
    EXPECT_TRUE(r.ok()) << entry.path() << "\n" << all_text(r);
  }
  EXPECT_GE(count, 2);
}

}  // namespace
}  // namespace vesagent::config
