#include "vesagent/config/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "test_util.hpp"

namespace vesagent::config {
namespace {

using test::all_text;
using test::kMinimal;
using test::with_path;
using test::yaml_inputs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// ---- precedence ----

constexpr const char* kPrecedenceFile = R"(primaryCollector:
  fqdn: from-file
  port: 1111
  secure: false
event:
  retryInterval: 7s
  maxMissed: 3
log:
  level: warn
heartbeat:
  defaultInterval: 2m
)";

TEST(LoaderTest, file_overrides_defaults) {
  auto r = load(yaml_inputs(kPrecedenceFile));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.fqdn, "from-file");
  EXPECT_EQ(r.config.primary_collector.port, 1111);
  EXPECT_EQ(r.config.event.retry_interval, std::chrono::seconds(7));
  EXPECT_EQ(r.config.log.level, "warn");
  EXPECT_EQ(r.config.heartbeat.default_interval, std::chrono::minutes(2));
  // Untouched keys keep their built-in defaults.
  EXPECT_EQ(r.config.event.max_size, 2000000u);
  EXPECT_EQ(r.config.ves.version, 7);
  EXPECT_EQ(r.config.datadir, "/var/lib/ves-agent");
}

TEST(LoaderTest, environment_overrides_file_for_every_type) {
  auto in = yaml_inputs(kPrecedenceFile);
  in.env = {{"VES_PRIMARYCOLLECTOR_FQDN", "from-env"},
            {"VES_PRIMARYCOLLECTOR_PORT", "2222"},
            {"VES_PRIMARYCOLLECTOR_SECURE", "true"},
            {"VES_EVENT_RETRYINTERVAL", "8s"},
            {"VES_EVENT_MAXMISSED", "4"},
            {"VES_LOG_LEVEL", "error"},
            {"VES_HEARTBEAT_DEFAULTINTERVAL", "90s"},
            {"VES_DATADIR", "/tmp/env-data"},
            {"VES_VES_VERSION", "5"},
            {"VES_MEASUREMENT_PROMETHEUS_ADDRESS", "http://prom:9090"},
            {"PATH", "/usr/bin"}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.fqdn, "from-env");
  EXPECT_EQ(r.config.primary_collector.port, 2222);
  EXPECT_TRUE(r.config.primary_collector.secure);
  EXPECT_EQ(r.config.event.retry_interval, std::chrono::seconds(8));
  EXPECT_EQ(r.config.event.max_missed, 4);
  EXPECT_EQ(r.config.log.level, "error");
  EXPECT_EQ(r.config.heartbeat.default_interval, std::chrono::seconds(90));
  EXPECT_EQ(r.config.datadir, "/tmp/env-data");
  EXPECT_EQ(r.config.ves.version, 5);
  EXPECT_EQ(r.config.measurement.prometheus.address, "http://prom:9090");
  EXPECT_TRUE(r.warnings.empty()) << all_text(r);
}

TEST(LoaderTest, flags_override_environment_and_file) {
  auto in = yaml_inputs(kPrecedenceFile);
  in.env = {{"VES_PRIMARYCOLLECTOR_FQDN", "from-env"},
            {"VES_PRIMARYCOLLECTOR_PORT", "2222"},
            {"VES_EVENT_RETRYINTERVAL", "8s"},
            {"VES_LOG_LEVEL", "error"}};
  in.flags = {{"primaryCollector.fqdn", "from-flag"},
              {"primaryCollector.port", "3333"},
              {"event.retryInterval", "9s"},
              {"log.level", "debug"},
              {"primaryCollector.secure", "true"}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.fqdn, "from-flag");
  EXPECT_EQ(r.config.primary_collector.port, 3333);
  EXPECT_EQ(r.config.event.retry_interval, std::chrono::seconds(9));
  EXPECT_EQ(r.config.log.level, "debug");
  EXPECT_TRUE(r.config.primary_collector.secure);
  // A key only the file sets keeps the file's value.
  EXPECT_EQ(r.config.event.max_missed, 3);
}

TEST(LoaderTest, works_without_a_file_from_environment_alone) {
  Inputs in;
  in.host_name = "h";
  in.env = {{"VES_PRIMARYCOLLECTOR_FQDN", "collector"}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.fqdn, "collector");
}

TEST(LoaderTest, warns_about_unknown_ves_variables_by_name) {
  auto in = yaml_inputs(kMinimal);
  in.env = {{"VES_PRIMARYCOLLECTOR_FQDNN", "x"}, {"VESAGENT_TEST_DATA", "/x"}, {"HOME", "/root"}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  ASSERT_EQ(r.warnings.size(), 1u) << all_text(r);
  EXPECT_EQ(r.warnings[0].origin, Origin::env);
  EXPECT_THAT(r.warnings[0].to_string(), StartsWith("env VES_PRIMARYCOLLECTOR_FQDNN: "));
  EXPECT_THAT(r.warnings[0].message, HasSubstr("VES_PRIMARYCOLLECTOR_FQDN"));  // the suggestion
}

TEST(LoaderTest, rejects_list_keys_from_environment_and_flags) {
  auto in = yaml_inputs(kMinimal);
  in.env = {{"VES_EVENT_NFCNAMINGCODES", "oam"}};
  in.flags = {{"measurement.prometheus.rules.metrics", "x"}};
  auto r = load(in);
  ASSERT_EQ(r.errors.size(), 2u) << all_text(r);
  EXPECT_THAT(with_path(r.errors, "event.nfcNamingCodes").at(0).message, HasSubstr("configuration file"));
  EXPECT_THAT(with_path(r.errors, "measurement.prometheus.rules.metrics").at(0).message,
              HasSubstr("configuration file"));
}

// ---- errors: each names its key path, and its line for the file ----

struct FileError {
  const char* yaml;
  const char* path;
  int line;
  const char* message_part;
};

TEST(LoaderTest, reports_each_kind_of_file_error_with_path_and_line) {
  const FileError cases[] = {
      {"primaryCollector:\n  fqdn: c\n  prot: 1\n", "primaryCollector.prot", 3, "did you mean \"port\""},
      {"primaryCollector:\n  fqdn: c\nheartbeet:\n  defaultInterval: 5s\n", "heartbeet", 3, "unknown key"},
      {"primaryCollector:\n  fqdn: c\n  port: \"abc\"\n", "primaryCollector.port", 3, "expected an integer"},
      {"primaryCollector:\n  fqdn: c\n  port: 8443.5\n", "primaryCollector.port", 3, "expected an integer"},
      {"primaryCollector:\n  fqdn: c\n  secure: maybe\n", "primaryCollector.secure", 3, "expected true or false"},
      {"primaryCollector:\n  fqdn:\n    host: c\n", "primaryCollector.fqdn", 2, "got a map"},
      {"primaryCollector:\n  fqdn: c\n  port: [1, 2]\n", "primaryCollector.port", 3, "got a list"},
      {"primaryCollector: collector\n", "primaryCollector", 1, "expected a section"},
      {"primaryCollector:\n  fqdn: c\nheartbeat:\n  defaultInterval: 60\n", "heartbeat.defaultInterval", 4,
       "a unit is required"},
      {"primaryCollector:\n  fqdn: c\nheartbeat:\n  defaultInterval: -5s\n", "heartbeat.defaultInterval", 4,
       "cannot be negative"},
      {"primaryCollector:\n  fqdn: c\nevent:\n  retryInterval: 5 m\n", "event.retryInterval", 4,
       "expected a duration"},
      {"primaryCollector:\n  fqdn: c\nevent:\n  retryInterval: abc\n", "event.retryInterval", 4,
       "expected a duration"},
      {"primaryCollector:\n  fqdn: c\n  port: 0\n", "primaryCollector.port", 3, "between 1 and 65535"},
      {"primaryCollector:\n  fqdn: c\n  port: 65536\n", "primaryCollector.port", 3, "between 1 and 65535"},
      {"primaryCollector:\n  fqdn: c\nevent:\n  maxMissed: 0\n", "event.maxMissed", 4, "at least 1"},
      {"primaryCollector:\n  fqdn: c\nevent:\n  maxSize: 200\n", "event.maxSize", 4, "at least 1024"},
      {"primaryCollector:\n  fqdn: c\nevent:\n  retryInterval: 0s\n", "event.retryInterval", 4, "greater than 0s"},
      {"primaryCollector:\n  fqdn: c\nheartbeat:\n  defaultInterval: 0s\n", "heartbeat.defaultInterval", 4,
       "greater than 0s"},
      {"primaryCollector:\n  fqdn: c\nmeasurement:\n  defaultInterval: 0s\n", "measurement.defaultInterval", 4,
       "greater than 0s"},
      {"primaryCollector:\n  fqdn: c\nves:\n  version: 6\n", "ves.version", 4, "must be 5 or 7"},
      {"primaryCollector:\n  fqdn: c\nves:\n  version: 5\nevent:\n  faultFormat: stndDefined\n", "event.faultFormat", 6,
       "set ves.version: 7 or event.faultFormat: ves"},
      {"primaryCollector:\n  fqdn: c\nevent:\n  faultFormat: 3gpp\n", "event.faultFormat", 4, "ves, stndDefined"},
      {"primaryCollector:\n  fqdn: c\nevent:\n  stndDefinedSchemaReference: http://x/faultMnS.yaml#/a\n",
       "event.stndDefinedSchemaReference", 4, "without the '#' part"},
      {"primaryCollector:\n  fqdn: c\nlog:\n  level: verbose\n", "log.level", 4, "expected one of trace"},
      {"primaryCollector:\n  fqdn: c\nlog:\n  format: text\n", "log.format", 4, "logfmt, json"},
      {"primaryCollector:\n  fqdn: http://c:8443\n", "primaryCollector.fqdn", 2, "not a URL"},
      {"primaryCollector:\n  fqdn: c\n  port: 1\n  port: 2\n", "primaryCollector.port", 4,
       "duplicate key; first given on line 3"},
      {"primaryCollector:\n  fqdn: c\nprimaryCollector:\n  port: 1\n", "primaryCollector", 3, "duplicate key"},
      {"primaryCollector:\n  fqdn: c\nalertManager:\n  bind: localhost\n", "alertManager.bind", 4, "host:port"},
      {"primaryCollector:\n  fqdn: c\nmeasurement:\n  prometheus:\n    address: localhost:9090\n",
       "measurement.prometheus.address", 5, "http://"},
      {"primaryCollector:\n  port: 8443\n", "primaryCollector.fqdn", 1, "required"},
      {"primaryCollector:\n  fqdn: c\nbackupCollector:\n  port: 8443\n", "backupCollector.fqdn", 3,
       "required when backupCollector is configured"},
  };
  for (const auto& c : cases) {
    auto r = load(yaml_inputs(c.yaml));
    SCOPED_TRACE(c.yaml);
    auto found = with_path(r.errors, c.path);
    ASSERT_EQ(found.size(), 1u) << all_text(r);
    EXPECT_EQ(found[0].origin, Origin::file);
    EXPECT_EQ(found[0].line, c.line) << all_text(r);
    EXPECT_THAT(found[0].message, HasSubstr(c.message_part));
    EXPECT_THAT(found[0].to_string(), StartsWith("test.yml:" + std::to_string(c.line) + ": " + c.path + ": "));
  }
}

TEST(LoaderTest, stnd_defined_fault_format_with_ves7_loads_with_the_default_schema_url) {
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\nevent:\n  faultFormat: stndDefined\n"));
  ASSERT_TRUE(r.errors.empty()) << all_text(r);
  EXPECT_EQ(r.config.event.fault_format, "stndDefined");
  EXPECT_EQ(r.config.event.stnd_defined_schema_reference,
            "https://forge.3gpp.org/rep/sa5/MnS/blob/SA88-Rel16/OpenAPI/faultMnS.yaml");
}

TEST(LoaderTest, reports_missing_required_key_without_a_file) {
  Inputs in;
  in.host_name = "h";
  auto r = load(in);
  ASSERT_EQ(r.errors.size(), 1u) << all_text(r);
  EXPECT_EQ(r.errors[0].path, "primaryCollector.fqdn");
  EXPECT_EQ(r.errors[0].origin, Origin::defaults);
  EXPECT_THAT(r.errors[0].to_string(), StartsWith("primaryCollector.fqdn: required"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("VES_PRIMARYCOLLECTOR_FQDN"));
}

TEST(LoaderTest, reports_every_error_at_once) {
  auto r = load(yaml_inputs(R"(primaryCollector:
  port: abc
  secure: maybe
  colour: blue
event:
  maxMissed: 0
  retryInterval: 60
heartbeat:
  defaultInterval: 1x
ves:
  version: 4
)"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(with_path(r.errors, "primaryCollector.port").at(0).line, 2);
  EXPECT_EQ(with_path(r.errors, "primaryCollector.secure").at(0).line, 3);
  EXPECT_EQ(with_path(r.errors, "primaryCollector.colour").at(0).line, 4);
  EXPECT_EQ(with_path(r.errors, "event.maxMissed").at(0).line, 6);
  EXPECT_EQ(with_path(r.errors, "event.retryInterval").at(0).line, 7);
  EXPECT_EQ(with_path(r.errors, "heartbeat.defaultInterval").at(0).line, 9);
  EXPECT_EQ(with_path(r.errors, "ves.version").at(0).line, 11);
  EXPECT_EQ(with_path(r.errors, "primaryCollector.fqdn").size(), 1u);
  EXPECT_EQ(r.errors.size(), 8u) << all_text(r);
}

TEST(LoaderTest, reports_errors_from_file_env_and_flags_together) {
  auto in = yaml_inputs("primaryCollector:\n  fqdn: c\n  secure: maybe\n");
  in.env = {{"VES_PRIMARYCOLLECTOR_PORT", "abc"}};
  in.flags = {{"event.maxMissed", "x"}, {"primaryCollector.nope", "1"}};
  auto r = load(in);
  ASSERT_EQ(r.errors.size(), 4u) << all_text(r);
  EXPECT_EQ(with_path(r.errors, "primaryCollector.secure").at(0).to_string(),
            "test.yml:3: primaryCollector.secure: expected true or false, got \"maybe\"");
  EXPECT_EQ(with_path(r.errors, "primaryCollector.port").at(0).to_string(),
            "env VES_PRIMARYCOLLECTOR_PORT: primaryCollector.port: expected an integer, got \"abc\"");
  EXPECT_EQ(with_path(r.errors, "event.maxMissed").at(0).to_string(),
            "flag --event.maxMissed: event.maxMissed: expected an integer, got \"x\"");
  EXPECT_THAT(with_path(r.errors, "primaryCollector.nope").at(0).to_string(),
              StartsWith("flag --primaryCollector.nope: primaryCollector.nope: unknown key"));
}

TEST(LoaderTest, range_errors_point_at_the_source_of_the_effective_value) {
  auto in = yaml_inputs("primaryCollector:\n  fqdn: c\n  port: 0\n");
  in.env = {{"VES_EVENT_MAXMISSED", "0"}};
  auto r = load(in);
  EXPECT_EQ(with_path(r.errors, "primaryCollector.port").at(0).line, 3);
  EXPECT_EQ(with_path(r.errors, "event.maxMissed").at(0).origin, Origin::env);

  // A bad value in the file that the environment overrides with a good one is not an error.
  in.env = {{"VES_PRIMARYCOLLECTOR_PORT", "8443"}};
  EXPECT_TRUE(load(in).ok());
}

TEST(LoaderTest, reports_yaml_syntax_errors_with_their_line) {
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n port: 1\n   x: [\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].origin, Origin::file);
  EXPECT_GT(r.errors[0].line, 1);
  EXPECT_THAT(r.errors[0].message, HasSubstr("invalid YAML"));
  EXPECT_THAT(r.errors[0].to_string(), StartsWith("test.yml:" + std::to_string(r.errors[0].line) + ": "));
  // Nothing else: keys of a file that did not parse are not "missing".
  EXPECT_EQ(r.errors.size(), 1u) << all_text(r);

  auto tab = load(yaml_inputs("primaryCollector:\n  fqdn: c\nevent:\n  vnfName: [a, b\n"));
  ASSERT_FALSE(tab.ok());
  EXPECT_THAT(tab.errors[0].message, HasSubstr("invalid YAML"));
}

TEST(LoaderTest, rejects_a_document_that_is_not_a_map_and_multiple_documents) {
  auto list = load(yaml_inputs("- a\n- b\n"));
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.errors[0].message, HasSubstr("expected a map of sections"));

  auto two = load(yaml_inputs(std::string(kMinimal) + "---\nevent:\n  vnfName: x\n"));
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(all_text(two), HasSubstr("only one YAML document"));
  EXPECT_EQ(two.errors.at(0).line, 3);
}

TEST(LoaderTest, reports_top_level_junk_instead_of_hanging) {
  // yaml-cpp 0.7's LoadAll() never returns on this input (found by tests/fuzz/config_fuzz.cpp).
  auto r = load(yaml_inputs(",primaryCollector:\n  fqdn: c\n"));
  ASSERT_EQ(r.errors.size(), 1u) << all_text(r);
  EXPECT_THAT(r.errors[0].message, HasSubstr("invalid YAML"));
  EXPECT_EQ(r.errors[0].line, 1);
}

TEST(LoaderTest, empty_values_keep_defaults) {
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  port:\nbackupCollector:\nevent:\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.port, 8443);
  EXPECT_FALSE(r.config.backup_collector.configured());
}

TEST(LoaderTest, accepts_keys_in_another_case_with_a_warning) {
  auto r = load(yaml_inputs("PrimaryCollector:\n  FQDN: c\n  Port: 9000\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.fqdn, "c");
  EXPECT_EQ(r.config.primary_collector.port, 9000);
  EXPECT_EQ(r.warnings.size(), 3u) << all_text(r);
  EXPECT_THAT(with_path(r.warnings, "primaryCollector.fqdn").at(0).message, HasSubstr("documented spelling"));
}

TEST(LoaderTest, loads_a_backup_collector) {
  auto r = load(yaml_inputs(std::string(kMinimal) + "backupCollector:\n  fqdn: backup\n  port: 9443\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_TRUE(r.config.backup_collector.configured());
  EXPECT_EQ(r.config.backup_collector.port, 9443);
}

TEST(LoaderTest, backup_collector_set_by_environment_needs_fqdn) {
  auto in = yaml_inputs(kMinimal);
  in.env = {{"VES_BACKUPCOLLECTOR_USER", "u"}};
  auto r = load(in);
  ASSERT_EQ(r.errors.size(), 1u) << all_text(r);
  EXPECT_EQ(r.errors[0].path, "backupCollector.fqdn");
}

TEST(LoaderTest, warns_when_tls_verification_is_disabled_but_accepts_it) {
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  secure: true\n  insecureSkipVerify: true\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  auto w = with_path(r.warnings, "primaryCollector.insecureSkipVerify");
  ASSERT_EQ(w.size(), 1u) << all_text(r);
  EXPECT_EQ(w[0].line, 4);
  EXPECT_THAT(w[0].message, HasSubstr("verification"));
}

TEST(LoaderTest, vespa_debug_sets_log_level_unless_log_level_is_explicit) {
  auto r = load(yaml_inputs(std::string(kMinimal) + "debug: true\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.log.level, "debug");

  auto explicit_level = load(yaml_inputs(std::string(kMinimal) + "log:\n  level: warn\ndebug: true\n"));
  EXPECT_EQ(explicit_level.config.log.level, "warn");

  auto in = yaml_inputs(std::string(kMinimal) + "debug: true\n");
  in.env = {{"VES_LOG_LEVEL", "error"}};
  EXPECT_EQ(load(in).config.log.level, "error");

  auto off = load(yaml_inputs(std::string(kMinimal) + "debug: false\n"));
  EXPECT_EQ(off.config.log.level, "info");
}

// ---- lists ----

TEST(LoaderTest, parses_nfc_naming_codes) {
  auto r = load(yaml_inputs(std::string(kMinimal) + R"(event:
  nfcNamingCodes:
    - type: oam
      vnfcs: [vm-0, vm-1]
    - type: etl
      vnfcs:
        - vm-2
)"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  ASSERT_EQ(r.config.event.nfc_naming_codes.size(), 2u);
  EXPECT_EQ(r.config.event.nfc_naming_codes[0].type, "oam");
  EXPECT_EQ(r.config.event.nfc_naming_codes[0].vnfcs, (std::vector<std::string>{"vm-0", "vm-1"}));
  EXPECT_EQ(r.config.event.nfc_naming_codes[1].vnfcs, (std::vector<std::string>{"vm-2"}));
}

TEST(LoaderTest, reports_list_errors_with_indexed_paths_and_lines) {
  auto r = load(yaml_inputs(std::string(kMinimal) + R"(event:
  nfcNamingCodes:
    - type: oam
      vnfcs: [vm-0]
    - vnfcs: [vm-1]
      typo: x
    - type: etl
      vnfcs: {a: b}
)"));
  auto missing = with_path(r.errors, "event.nfcNamingCodes[1].type");
  ASSERT_EQ(missing.size(), 1u) << all_text(r);
  EXPECT_EQ(missing[0].line, 7);
  auto unknown = with_path(r.errors, "event.nfcNamingCodes[1].typo");
  ASSERT_EQ(unknown.size(), 1u) << all_text(r);
  EXPECT_EQ(unknown[0].line, 8);
  EXPECT_EQ(with_path(r.errors, "event.nfcNamingCodes[2].vnfcs").size(), 1u) << all_text(r);
  EXPECT_EQ(r.errors.size(), 3u) << all_text(r);
}

constexpr const char* kRules = R"(primaryCollector:
  fqdn: c
measurement:
  prometheus:
    address: http://localhost:9090
    rules:
      defaults:
        vmId: '{{.labels.VNFC}}'
        labels:
          - name: VMIdentifier
            expr: '{{.vmId}}'
      metrics:
        - target: CPUUsageArray.PercentUsage
          expr: CoreCPUPercent
        - target: AdditionalObjects
          expr: FileSystemPercent
          object_name: additionalFilesystemCounters
          object_instance: percentFilesystemUsage
          object_keys:
            - name: filesystemName
              expr: '{{.labels.FISY}}'
        - expr: MemoryUsed
)";

TEST(LoaderTest, parses_measurement_rules) {
  std::string yaml = kRules;
  yaml += "          target: MemoryUsageArray.MemoryUsed\n";
  auto r = load(yaml_inputs(yaml));
  ASSERT_TRUE(r.ok()) << all_text(r);
  const auto& prom = r.config.measurement.prometheus;
  EXPECT_EQ(prom.defaults.vm_id, "{{.labels.VNFC}}");
  ASSERT_EQ(prom.defaults.labels.size(), 1u);
  EXPECT_EQ(prom.defaults.labels[0].name, "VMIdentifier");
  ASSERT_EQ(prom.rules.size(), 3u);
  EXPECT_EQ(prom.rules[0].target, "CPUUsageArray.PercentUsage");
  EXPECT_EQ(prom.rules[0].line, 13);
  EXPECT_EQ(prom.rules[1].object_keys.at(0).expr, "{{.labels.FISY}}");
  EXPECT_EQ(prom.rules[2].target, "MemoryUsageArray.MemoryUsed");
}

TEST(LoaderTest, reports_rule_errors_with_indexed_paths) {
  // metrics[2] has no target and the defaults have none either.
  auto r = load(yaml_inputs(kRules));
  auto target = with_path(r.errors, "measurement.prometheus.rules.metrics[2].target");
  ASSERT_EQ(target.size(), 1u) << all_text(r);
  EXPECT_EQ(target[0].line, 22);
  EXPECT_THAT(target[0].message, HasSubstr("rules.defaults"));

  // A default target satisfies every rule.
  std::string with_default = kRules;
  with_default.replace(with_default.find("      defaults:\n"), 16, "      defaults:\n        target: x\n");
  EXPECT_TRUE(load(yaml_inputs(with_default)).ok());

  auto bad = load(yaml_inputs(R"(primaryCollector:
  fqdn: c
measurement:
  prometheus:
    rules:
      defaults:
        expr: up
      metrics:
        - target: t
          labels:
            - expr: x
        - target: t
          expr: up
          vm_id: x
        - just-a-string
)"));
  EXPECT_EQ(with_path(bad.errors, "measurement.prometheus.rules.defaults.expr").size(), 1u) << all_text(bad);
  EXPECT_EQ(with_path(bad.errors, "measurement.prometheus.rules.metrics[0].expr").size(), 1u) << all_text(bad);
  EXPECT_EQ(with_path(bad.errors, "measurement.prometheus.rules.metrics[0].labels[0].name").size(), 1u)
      << all_text(bad);
  auto typo = with_path(bad.errors, "measurement.prometheus.rules.metrics[1].vm_id");
  ASSERT_EQ(typo.size(), 1u) << all_text(bad);
  EXPECT_THAT(typo[0].message, HasSubstr("did you mean \"vmId\""));
  EXPECT_EQ(typo[0].line, 14);
  EXPECT_EQ(with_path(bad.errors, "measurement.prometheus.rules.metrics[2]").size(), 1u) << all_text(bad);
  EXPECT_EQ(bad.errors.size(), 5u) << all_text(bad);
}

// ---- derived defaults ----

TEST(LoaderTest, fills_derived_defaults_after_the_overlays) {
  auto r = load(yaml_inputs(kMinimal));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.event.reporting_entity_name, "testhost");
  EXPECT_EQ(r.config.heartbeat.event_name, "Heartbeat_ves-agent");
  EXPECT_EQ(r.config.heartbeat.source_name, "testhost");

  auto vnf = load(yaml_inputs(std::string(kMinimal) + "event:\n  vnfName: vnf1\n"));
  EXPECT_EQ(vnf.config.heartbeat.event_name, "Heartbeat_vnf1");
  EXPECT_EQ(vnf.config.heartbeat.source_name, "vnf1");

  auto in = yaml_inputs(std::string(kMinimal) + "event:\n  vnfName: vnf1\n  nfNamingCode: hsxp\n");
  in.env = {{"VES_EVENT_REPORTINGENTITYNAME", "vm-7"}};
  auto code = load(in);
  EXPECT_EQ(code.config.heartbeat.event_name, "Heartbeat_hsxp");
  EXPECT_EQ(code.config.event.reporting_entity_name, "vm-7");

  auto given = load(yaml_inputs(std::string(kMinimal) + "heartbeat:\n  eventName: HB\n  sourceName: S\n"));
  EXPECT_EQ(given.config.heartbeat.event_name, "HB");
  EXPECT_EQ(given.config.heartbeat.source_name, "S");
}

TEST(LoaderTest, uses_the_real_host_name_when_none_is_injected) {
  Inputs in;
  in.env = {{"VES_PRIMARYCOLLECTOR_FQDN", "c"}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_FALSE(r.config.event.reporting_entity_name.empty());
}

// ---- misc ----

TEST(LoaderTest, validate_checks_a_config_built_in_code) {
  Config c;
  EXPECT_EQ(validate(c).size(), 1u);  // primaryCollector.fqdn
  c.primary_collector.fqdn = "c";
  EXPECT_TRUE(validate(c).empty());
  c.primary_collector.port = 0;
  c.event.max_missed = 0;
  c.backup_collector.user = "u";  // a backup collector without fqdn
  auto errors = validate(c);
  EXPECT_EQ(errors.size(), 3u);
  EXPECT_EQ(with_path(errors, "backupCollector.fqdn").size(), 1u);
}

TEST(LoaderTest, read_file_reports_a_missing_file) {
  Inputs in;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(read_file("/nonexistent/ves-agent.yml", in, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].to_string(), HasSubstr("/nonexistent/ves-agent.yml"));
  EXPECT_THAT(errors[0].to_string(), HasSubstr("No such file"));
}

TEST(LoaderTest, process_environment_sees_this_process) {
  ::setenv("VES_LOADER_TEST_MARKER", "1", 1);
  auto env = process_environment();
  EXPECT_EQ(env["VES_LOADER_TEST_MARKER"], "1");
  ::unsetenv("VES_LOADER_TEST_MARKER");
}

TEST(LoaderTest, checks_that_alertmanager_tls_keys_come_together) {
  auto with = [](std::string keys) { return load(yaml_inputs(std::string(kMinimal) + "alertManager:\n" + keys)); };
  EXPECT_TRUE(with("  tlsCertFile: c.pem\n  tlsKeyFile: c.key\n").ok());
  EXPECT_TRUE(with("  tlsCertFile: c.pem\n  tlsKeyFile: c.key\n  tlsClientCAFile: ca.pem\n"
                   "  tlsRequireClientCert: true\n")
                  .ok());

  auto cert_only = with("  tlsCertFile: c.pem\n");
  ASSERT_EQ(with_path(cert_only.errors, "alertManager.tlsCertFile").size(), 1u) << all_text(cert_only);
  auto key_only = with("  tlsKeyFile: c.key\n");
  ASSERT_EQ(with_path(key_only.errors, "alertManager.tlsKeyFile").size(), 1u) << all_text(key_only);
  auto ca_without_tls = with("  tlsClientCAFile: ca.pem\n");
  ASSERT_EQ(with_path(ca_without_tls.errors, "alertManager.tlsClientCAFile").size(), 1u) << all_text(ca_without_tls);
  auto require_without_ca = with("  tlsCertFile: c.pem\n  tlsKeyFile: c.key\n  tlsRequireClientCert: true\n");
  auto errors = with_path(require_without_ca.errors, "alertManager.tlsRequireClientCert");
  ASSERT_EQ(errors.size(), 1u) << all_text(require_without_ca);
  EXPECT_THAT(errors[0].message, HasSubstr("tlsClientCAFile"));
}

}  // namespace
}  // namespace vesagent::config
