// Rule compilation as the configuration check runs it (app::check_sources -> check_config): VESPA's own files
// load, and every broken template or target is refused at load with the path of the rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "vesagent/config/loader.hpp"
#include "vesagent/sources/prometheus/rule_set.hpp"

namespace vesagent::sources::prometheus {
namespace {

using ::testing::HasSubstr;

config::LoadResult load_yaml(const std::string& yaml) {
  config::Inputs in;
  in.host_name = "testhost";
  in.file_name = "ves-agent.yml";
  in.yaml_text = yaml;
  auto r = config::load(in);
  if (r.ok()) check_config(r);
  return r;
}

std::string text_of(const std::vector<config::Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += d.to_string() + "\n";
  return out;
}

std::string with_rules(const std::string& rules, int version = 7) {
  return "ves:\n  version: " + std::to_string(version) +
         "\nprimaryCollector:\n  fqdn: 127.0.0.1\nevent:\n  vnfName: vnf\n  nfNamingCode: hsxp\n"
         "measurement:\n  prometheus:\n    address: http://127.0.0.1:1\n    rules:\n" +
         rules;
}

TEST(RuleSetTest, vespa_configuration_files_load_for_both_versions) {
  for (const char* file : {"config/vespa/ves-agent.yml", "config/vespa/example-ves-agent.yml"}) {
    const std::string yaml = vesagent::test::read_text(vesagent::test::data_dir() / file);
    ASSERT_FALSE(yaml.empty()) << file;
    for (int version : {5, 7}) {
      auto r = load_yaml("ves:\n  version: " + std::to_string(version) + "\n" + yaml);
      EXPECT_TRUE(r.ok()) << file << " v" << version << "\n" << text_of(r.errors);
    }
  }
}

TEST(RuleSetTest, vespa_example_warns_that_memory_free_is_never_filled) {
  // VESPA's doc example maps MemoryUsed only; VESPA then sent memoryFree: 0. Here it is a load-time warning.
  const std::string yaml =
      vesagent::test::read_text(vesagent::test::data_dir() / "config/vespa/example-ves-agent.yml");
  auto r = load_yaml(yaml);
  ASSERT_TRUE(r.ok()) << text_of(r.errors);
  EXPECT_THAT(text_of(r.warnings), HasSubstr("memoryUsageArray requires memoryFree but no rule fills it"));
  // ves-agent.yml maps both MemoryFree and MemoryUsed (and VMIdentifier via the defaults): no such warning.
  auto full = load_yaml(vesagent::test::read_text(vesagent::test::data_dir() / "config/vespa/ves-agent.yml"));
  EXPECT_THAT(text_of(full.warnings), ::testing::Not(HasSubstr("memoryUsageArray requires")));
}

TEST(RuleSetTest, an_unsupported_template_is_refused_naming_the_rule_and_field) {
  auto r = load_yaml(with_rules(R"(      metrics:
        - {target: CPUUsageArray.PercentUsage, expr: up, vmId: '{{.labels.VNFC}}', labels: [{name: CPUIdentifier, expr: '{{.labels.cpu}}'}]}
        - {target: CPUUsageArray.PercentUsage, expr: up, vmId: '{{.labels.VNFC}}'}
        - {target: CPUUsageArray.PercentUsage, expr: up, vmId: '{{.labels.VNFC}}'}
        - {target: CPUUsageArray.PercentUsage, expr: up, vmId: '{{ .labels.VNFC | sha256sum }}'}
)"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(text_of(r.errors), HasSubstr("measurement.prometheus.rules.metrics[3].vmId: function \"sha256sum\" is not "
                                           "supported, at 1:19 of \"{{ .labels.VNFC | sha256sum }}\""));
}

TEST(RuleSetTest, labels_are_not_available_in_expr) {
  auto r = load_yaml(with_rules(R"(      metrics:
        - {target: requestRate, expr: 'rate(x{vm="{{.labels.vm}}"}[{{.interval}}s])', vmId: vm}
)"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(text_of(r.errors), HasSubstr("metrics[0].expr: \"{{.labels.vm}}\" uses .labels"));
}

TEST(RuleSetTest, unknown_and_version_specific_targets_are_refused_at_load) {
  auto v7 = load_yaml(with_rules(R"(      metrics:
        - {target: CPUUsageArray.Foo, expr: up, vmId: x}
        - {target: FeatureUsageArray.FeatureUtilization, expr: up, vmId: x}
        - {target: CPUUsageArray.CPUIdentifier, expr: up, vmId: x}
        - {target: NoSuchArray.X, expr: up, vmId: x}
        - {target: CPUUsageArray, expr: up, vmId: x}
)"));
  const std::string e7 = text_of(v7.errors);
  EXPECT_THAT(e7, HasSubstr("metrics[0].target: unknown target \"CPUUsageArray.Foo\": cpuUsageArray has no field"));
  EXPECT_THAT(e7, HasSubstr("metrics[1].target: unknown target \"FeatureUsageArray.FeatureUtilization\": "
                            "featureUsageArray is not in VES 7.2.1 (only in VES 5.4.1)"));
  EXPECT_THAT(e7, HasSubstr("metrics[2].target"));
  EXPECT_THAT(e7, HasSubstr("set it with a rule label named cpuIdentifier"));
  EXPECT_THAT(e7, HasSubstr("metrics[3].target"));
  EXPECT_THAT(e7, HasSubstr("metrics[4].target: unknown target \"CPUUsageArray\": it names an array"));

  auto v5 = load_yaml(with_rules(R"(      metrics:
        - {target: loadArray.shortTerm, expr: up, vmId: x}
        - {target: cpuUsageArray.cpuDemandAvg, expr: up, vmId: x}
)",
                                 5));
  const std::string e5 = text_of(v5.errors);
  EXPECT_THAT(e5, HasSubstr("metrics[0].target: unknown target \"loadArray.shortTerm\": loadArray is not in VES 5.4.1 "
                            "(only in VES 7.2.1)"));
  EXPECT_THAT(e5, HasSubstr("metrics[1].target: unknown target \"cpuUsageArray.cpuDemandAvg\": cpuUsageArray has no "
                            "field \"cpuDemandAvg\" in VES 5.4.1 (only in VES 7.2.1)"));
}

TEST(RuleSetTest, vespa_and_ves7_spellings_resolve_to_the_same_fields) {
  config::Config c;
  c.measurement.prometheus.address = "http://127.0.0.1:1";
  for (const char* t : {"VNICPerformanceArray.ReceivedOctetsDelta", "nicPerformanceArray.receivedOctetsDelta",
                        "vNicPerformanceArray.ReceivedOctetsDelta"}) {
    config::MeasurementRule rule;
    rule.target = t;
    rule.expr = "x";
    rule.vm_id = "vm";
    rule.labels = {{"VNICIdentifier", "{{.labels.device}}"}};
    c.measurement.prometheus.rules.push_back(rule);
  }
  for (int version : {5, 7}) {
    c.ves.version = version;
    std::vector<RuleProblem> errors;
    std::vector<RuleProblem> warnings;
    auto set = compile_rules(c, errors, warnings);
    ASSERT_TRUE(set.has_value()) << (errors.empty() ? "" : errors[0].message);
    for (const auto& r : set->rules) {
      ASSERT_TRUE(r.static_target.has_value());
      EXPECT_EQ(r.static_target->target.describe(), "nicPerformanceArray.receivedOctetsDelta");
      ASSERT_EQ(r.static_target->keys.size(), 1u);
      EXPECT_EQ(r.static_target->keys[0].field->name, "nicIdentifier");
    }
    EXPECT_TRUE(warnings.empty()) << warnings[0].message;  // valuesAreSuspect is defaulted by the encoder
  }
}

TEST(RuleSetTest, additional_objects_need_a_name_and_an_instance) {
  auto r = load_yaml(with_rules(R"(      metrics:
        - {target: AdditionalObjects, expr: up, vmId: x, object_keys: [{name: fs, expr: '{{.labels.fs}}'}]}
)"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(text_of(r.errors), HasSubstr("metrics[0].object_name: required when the target is AdditionalObjects"));
  EXPECT_THAT(text_of(r.errors), HasSubstr("metrics[0].object_instance: required"));
}

TEST(RuleSetTest, defaults_are_merged_and_their_errors_named_once_at_their_own_path) {
  auto r = load_yaml(with_rules(R"(      defaults:
        vmId: '{{.labels.VNFC | b64enc}}'
      metrics:
        - {target: requestRate, expr: up}
        - {target: requestRate, expr: up, vmId: '{{.labels.VNFC}}'}
)"));
  ASSERT_FALSE(r.ok());
  const std::string errors = text_of(r.errors);
  EXPECT_THAT(errors, HasSubstr("measurement.prometheus.rules.defaults.vmId: function \"b64enc\" is not supported"));
  EXPECT_EQ(r.errors.size(), 1u) << errors;
}

TEST(RuleSetTest, a_rule_label_that_names_no_identifier_is_a_warning) {
  auto r = load_yaml(with_rules(R"(      metrics:
        - {target: MemoryUsageArray.MemoryUsed, expr: used, vmId: '{{.labels.vm}}', labels: [{name: VMIdentifier, expr: '{{.vmId}}'}, {name: CPUIdentifier, expr: x}]}
        - {target: MemoryUsageArray.MemoryFree, expr: free, vmId: '{{.labels.vm}}', labels: [{name: VMIdentifier, expr: '{{.vmId}}'}]}
)"));
  ASSERT_TRUE(r.ok()) << text_of(r.errors);
  const std::string warnings = text_of(r.warnings);
  EXPECT_THAT(warnings, HasSubstr("metrics[0].labels[1].name: \"CPUIdentifier\" is not an identifier field of "
                                  "memoryUsageArray"));
  EXPECT_THAT(warnings, ::testing::Not(HasSubstr("requires")));
}

TEST(RuleSetTest, the_interval_must_be_whole_seconds) {
  std::string yaml = with_rules("      metrics:\n        - {target: requestRate, expr: up, vmId: x}\n");
  yaml.replace(yaml.find("measurement:\n"), 13, "measurement:\n  defaultInterval: 1500ms\n");
  auto r = load_yaml(yaml);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(text_of(r.errors), HasSubstr("measurement.defaultInterval: must be a whole number of seconds"));
}

TEST(RuleSetTest, templated_targets_are_checked_at_run_time_only) {
  auto r = load_yaml(with_rules(R"(      defaults:
        target: '{{.labels.VESField}}'
        vmId: '{{.labels.VNFC}}'
      metrics:
        - expr: CoreCPUPercent
)"));
  ASSERT_TRUE(r.ok()) << text_of(r.errors);
  std::vector<RuleProblem> errors;
  std::vector<RuleProblem> warnings;
  auto set = compile_rules(r.config, errors, warnings);
  ASSERT_TRUE(set.has_value());
  ASSERT_EQ(set->rules.size(), 1u);
  EXPECT_FALSE(set->rules[0].static_target.has_value());
  EXPECT_EQ(set->rules[0].target.source(), "{{.labels.VESField}}");
}

}  // namespace
}  // namespace vesagent::sources::prometheus
