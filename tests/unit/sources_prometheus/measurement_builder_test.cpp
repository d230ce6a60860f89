// The rule -> field mapping, VES 7 and VES 5: events built from samples are encoded and validated against the
// official schemas (tests/support/validate_ves.py), and every way a series can be unusable skips that series only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "support/temp_dir.hpp"
#include "support/ves_validator.hpp"
#include "vesagent/sources/prometheus/measurement_builder.hpp"
#include "vesagent/ves/encode.hpp"

namespace vesagent::sources::prometheus {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kEndUs = 1795665900000000;
constexpr std::int64_t kStartUs = kEndUs - 300000000;

config::MeasurementRule rule(std::string target, std::string vm_id, std::vector<config::RuleLabel> labels = {}) {
  config::MeasurementRule r;
  r.target = std::move(target);
  r.expr = "x";
  r.vm_id = std::move(vm_id);
  r.labels = std::move(labels);
  return r;
}

config::Config base_config(int version) {
  config::Config c;
  c.ves.version = version;
  c.event.vnf_name = "vnf-1";
  c.event.nf_naming_code = "hsxp";
  c.event.reporting_entity_name = "agent-host";
  c.event.reporting_entity_id = "1af5bfa9-40b4-4522-b045-40e54f0310fc";
  c.event.nfc_naming_codes = {{"oam", {"vm-a"}}};
  c.measurement.domain_abbreviation = "Mvfs";
  c.measurement.prometheus.address = "http://127.0.0.1:1";
  return c;
}

RuleSet compile(const config::Config& c) {
  std::vector<RuleProblem> errors;
  std::vector<RuleProblem> warnings;
  auto set = compile_rules(c, errors, warnings);
  EXPECT_TRUE(set.has_value()) << (errors.empty() ? "" : errors[0].path + ": " + errors[0].message);
  return set ? std::move(*set) : RuleSet{};
}

/// Feeds samples (label list, value) of rule `i` into the builder; returns the skip reasons seen.
struct Feeder {
  MeasurementBuilder& b;
  const RuleSet& rules;
  std::vector<SkipReason> skips;
  std::vector<std::string> details;
  void add(std::size_t i, std::vector<LabelView> labels, std::string_view value) {
    std::string detail;
    Sample s{labels, 1795665900.0, value};
    if (auto r = b.add(rules.rules.at(i), s, detail)) {
      skips.push_back(*r);
      details.push_back(detail);
    }
  }
};

std::string encode_ok(const core::Event& e, ves::Version v) {
  std::string why;
  auto r = ves::encode_event(e, ves::EncodeContext{v, v == ves::Version::v7 ? "UTC+00:00" : ""}, &why);
  EXPECT_TRUE(r.has_value()) << why;
  return r ? *r : std::string{};
}

/// Encodes the events as one batch body and validates it with the official schema of `v`.
void expect_schema_valid(const std::vector<core::Event>& events, ves::Version v) {
  ASSERT_FALSE(events.empty());
  vesagent::test::TempDir dir;
  std::vector<std::string> encoded;
  for (auto e : events) {
    e.event_id = "Measurements0000000001";
    encoded.push_back(encode_ok(e, v));
  }
  auto file = dir.write("batch.json", ves::wrap_batch(encoded));
  auto run = vesagent::test::run_ves_validator(static_cast<int>(v), {file});
  EXPECT_EQ(run.exit_code, 0) << run.output << "\n" << ves::wrap_batch(encoded);
}

const core::MeasurementBody& body(const core::Event& e) { return std::get<core::MeasurementBody>(e.body); }

const core::FieldValue* field(const core::MeasurementRecord& r, std::string_view name) {
  for (const auto& [n, v] : r.fields) {
    if (n == name) return &v;
  }
  return nullptr;
}

class MeasurementBuilderTest : public ::testing::TestWithParam<int> {
 protected:
  ves::Version version() const { return GetParam() == 5 ? ves::Version::v5 : ves::Version::v7; }
};

TEST_P(MeasurementBuilderTest, vespa_rules_fill_one_element_per_key_and_validate) {
  auto c = base_config(GetParam());
  auto& rules = c.measurement.prometheus.rules;
  c.measurement.prometheus.defaults.vm_id = "{{.labels.VNFC}}";
  c.measurement.prometheus.defaults.labels = {{"CPUIdentifier", "{{.labels.cpu}}"}, {"VMIdentifier", "{{.vmId}}"},
                                              {"FilesystemName", "{{.labels.FISY}}"}};
  rules.push_back(rule("CPUUsageArray.PercentUsage", ""));
  rules.push_back(rule("MemoryUsageArray.MemoryFree", ""));
  rules.push_back(rule("MemoryUsageArray.MemoryUsed", ""));
  rules.push_back(rule("MemoryUsageArray.MemoryConfigured", ""));
  config::MeasurementRule fs = rule("AdditionalObjects", "");
  fs.object_name = "additionalFilesystemCounters";
  fs.object_instance = "percentFilesystemUsage";
  fs.object_keys = {{"filesystemName", "{{.labels.FISY}}"}};
  rules.push_back(fs);
  rules.push_back(rule("VNICPerformanceArray.ReceivedOctetsDelta", "", {{"VNICIdentifier", "{{.labels.dev}}"}}));
  rules.push_back(rule("ConcurrentSessions", ""));
  rules.push_back(rule("additionalMeasurements.rmq.memoryUsed", ""));
  const RuleSet set = compile(c);
  ASSERT_EQ(set.rules.size(), rules.size());
  MeasurementBuilder b(set, kStartUs, kEndUs, 300, c.event.vnf_name);
  Feeder f{b, set, {}, {}};
  for (std::string_view vm : {"vm-a", "vm-b"}) {
    f.add(0, {{"VNFC", vm}, {"cpu", "0"}}, "12.5");
    f.add(0, {{"VNFC", vm}, {"cpu", "1"}}, "80");
    f.add(1, {{"VNFC", vm}}, "1024");
    f.add(2, {{"VNFC", vm}}, "3072.25");
    f.add(3, {{"VNFC", vm}}, "4096");
    f.add(4, {{"VNFC", vm}, {"FISY", "/"}}, "42.5");
    f.add(4, {{"VNFC", vm}, {"FISY", "/var"}}, "7");
    f.add(5, {{"VNFC", vm}, {"dev", "eth0"}}, "123456789");
    f.add(6, {{"VNFC", vm}}, "17");
    f.add(7, {{"VNFC", vm}}, "0.5");
  }
  EXPECT_TRUE(f.skips.empty()) << f.details.front();
  std::vector<DroppedElement> dropped;
  auto events = b.finish(header_settings(c), dropped);
  EXPECT_TRUE(dropped.empty());
  ASSERT_EQ(events.size(), 2u);
  const auto& e = events[0];
  EXPECT_EQ(e.source_name, "vm-a");
  EXPECT_EQ(e.event_name, "Mvfs_hsxp_Measurements");
  EXPECT_EQ(e.nfc_naming_code, "oam");
  EXPECT_EQ(events[1].nfc_naming_code, "");
  EXPECT_EQ(e.start_epoch_us, kStartUs);
  EXPECT_EQ(e.last_epoch_us, kEndUs);
  EXPECT_EQ(e.domain, core::Domain::measurement);
  const auto& m = body(e);
  EXPECT_EQ(m.interval_seconds, 300);
  // 2 CPUs + 1 memory element (three rules, one key) + 1 NIC.
  ASSERT_EQ(m.records.size(), 4u);
  EXPECT_EQ(m.records[2].array, "memoryUsageArray");
  EXPECT_EQ(std::get<std::string>(*field(m.records[2], "vmIdentifier")), "vm-a");
  EXPECT_EQ(std::get<std::int64_t>(*field(m.records[2], "memoryFree")), 1024);
  EXPECT_DOUBLE_EQ(std::get<double>(*field(m.records[2], "memoryUsed")), 3072.25);
  ASSERT_EQ(m.additional_objects.size(), 1u);
  EXPECT_EQ(m.additional_objects[0].instances.size(), 2u);
  EXPECT_EQ(m.additional_objects[0].instances[1].object_keys[0].key_value, "/var");
  EXPECT_EQ(m.additional_objects[0].instances[1].object_instance[0].second, "7");
  ASSERT_EQ(m.scalars.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(m.scalars[0].second), 17);
  expect_schema_valid(events, version());
}

TEST_P(MeasurementBuilderTest, an_element_without_a_required_field_is_dropped_not_invented) {
  auto c = base_config(GetParam());
  c.measurement.prometheus.rules.push_back(
      rule("MemoryUsageArray.MemoryUsed", "{{.labels.vm}}", {{"VMIdentifier", "{{.vmId}}"}}));
  c.measurement.prometheus.rules.push_back(rule("CPUUsageArray.PercentUsage", "{{.labels.vm}}", {{"CPUIdentifier",
                                                                                                  "{{.labels.cpu}}"}}));
  const RuleSet set = compile(c);
  MeasurementBuilder b(set, kStartUs, kEndUs, 300, "");
  Feeder f{b, set, {}, {}};
  f.add(0, {{"vm", "vm-a"}}, "1000");
  f.add(1, {{"vm", "vm-a"}, {"cpu", "0"}}, "5");
  f.add(0, {{"vm", "vm-b"}}, "2000");
  std::vector<DroppedElement> dropped;
  auto events = b.finish(header_settings(c), dropped);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].array, "memoryUsageArray");
  EXPECT_EQ(dropped[0].missing_field, "memoryFree");
  EXPECT_EQ(dropped[0].count, 2u);
  // vm-b had nothing else: no empty event for it.
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(body(events[0]).records.size(), 1u);
  EXPECT_EQ(body(events[0]).records[0].array, "cpuUsageArray");
  expect_schema_valid(events, version());
}

TEST_P(MeasurementBuilderTest, bad_series_are_skipped_one_by_one_with_their_reason) {
  auto c = base_config(GetParam());
  auto& rules = c.measurement.prometheus.rules;
  rules.push_back(rule("CPUUsageArray.PercentUsage", "{{.labels.vm}}", {{"CPUIdentifier", "{{.labels.cpu}}"}}));
  rules.push_back(rule("CodecUsageArray.NumberInUse", "{{.labels.vm}}", {{"CodecIdentifier", "{{.labels.codec}}"}}));
  rules.push_back(rule("{{.labels.field}}", "{{.labels.vm}}", {{"CPUIdentifier", "{{.labels.cpu}}"}}));
  const RuleSet set = compile(c);
  MeasurementBuilder b(set, kStartUs, kEndUs, 300, "");
  Feeder f{b, set, {}, {}};
  f.add(0, {{"vm", "vm-a"}, {"cpu", "0"}}, "NaN");
  f.add(0, {{"vm", "vm-a"}, {"cpu", "0"}}, "+Inf");
  f.add(0, {{"cpu", "0"}}, "1");                          // no vm label
  f.add(0, {{"vm", ""}, {"cpu", "0"}}, "1");              // empty vmId
  f.add(0, {{"vm", "vm-a"}}, "1");                        // no cpu label
  f.add(0, {{"vm", "vm-a"}, {"cpu", "1"}}, "10");         // good
  f.add(0, {{"vm", "vm-a"}, {"cpu", "1"}}, "11");         // same element, same field
  f.add(1, {{"vm", "vm-a"}, {"codec", "g711"}}, "2.5");   // integer field
  f.add(1, {{"vm", "vm-a"}, {"codec", "g729"}}, "3");     // good
  f.add(2, {{"vm", "vm-a"}, {"cpu", "2"}, {"field", "CPUUsageArray.Nope"}}, "1");
  f.add(2, {{"vm", "vm-a"}, {"cpu", "2"}}, "1");          // target label missing
  f.add(2, {{"vm", "vm-a"}, {"cpu", "2"}, {"field", "CPUUsageArray.PercentUsage"}}, "20");  // good
  EXPECT_EQ(f.skips, (std::vector<SkipReason>{SkipReason::not_finite, SkipReason::not_finite,
                                               SkipReason::missing_vm_id, SkipReason::missing_vm_id,
                                               SkipReason::missing_label, SkipReason::duplicate,
                                               SkipReason::bad_value, SkipReason::bad_target,
                                               SkipReason::bad_target}));
  EXPECT_THAT(f.details[2], HasSubstr("no label \"vm\""));
  EXPECT_THAT(f.details[4], HasSubstr("no label \"cpu\""));
  EXPECT_THAT(f.details[7], HasSubstr("cpuUsageArray has no field \"Nope\""));
  std::vector<DroppedElement> dropped;
  auto events = b.finish(header_settings(c), dropped);
  ASSERT_EQ(events.size(), 1u);
  const auto& m = body(events[0]);
  ASSERT_EQ(m.records.size(), 3u);
  EXPECT_EQ(std::get<std::int64_t>(*field(m.records[0], "percentUsage")), 10);
  EXPECT_EQ(std::get<std::int64_t>(*field(m.records[1], "numberInUse")), 3);
  EXPECT_EQ(std::get<std::int64_t>(*field(m.records[2], "percentUsage")), 20);
  expect_schema_valid(events, version());
}

TEST_P(MeasurementBuilderTest, sprig_templates_map_series_as_vespa_did) {
  auto c = base_config(GetParam());
  auto& rules = c.measurement.prometheus.rules;
  // vmId from the host part of instance; the target chosen per series; key labels through functions, with a
  // default for a label some series lack.
  rules.push_back(rule("{{ if eq .labels.kind \"cpu\" }}CPUUsageArray.PercentUsage{{ else }}CPUUsageArray.CPUIdle{{ end }}",
                       "{{ .labels.instance | splitList \":\" | first | lower }}",
                       {{"CPUIdentifier", "{{ .labels.cpu | default \"all\" | printf \"cpu-%s\" }}"}}));
  const RuleSet set = compile(c);
  MeasurementBuilder b(set, kStartUs, kEndUs, 300, "");
  Feeder f{b, set, {}, {}};
  f.add(0, {{"instance", "VM-A:9100"}, {"cpu", "0"}, {"kind", "cpu"}}, "10");
  f.add(0, {{"instance", "VM-A:9100"}, {"cpu", "0"}, {"kind", "idle"}}, "90");
  f.add(0, {{"instance", "VM-A:9100"}, {"kind", "cpu"}}, "12");  // no cpu label: the default names the element
  f.add(0, {{"cpu", "1"}, {"kind", "cpu"}}, "5");                  // no instance: vmId fails (missingkey=error)
  EXPECT_EQ(f.skips, (std::vector<SkipReason>{SkipReason::missing_vm_id}));
  EXPECT_THAT(f.details[0], HasSubstr("no label \"instance\""));
  std::vector<DroppedElement> dropped;
  auto events = b.finish(header_settings(c), dropped);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].source_name, "vm-a");
  const auto& m = body(events[0]);
  ASSERT_EQ(m.records.size(), 2u);
  EXPECT_EQ(std::get<std::string>(*field(m.records[0], "cpuIdentifier")), "cpu-0");
  EXPECT_EQ(std::get<std::int64_t>(*field(m.records[0], "percentUsage")), 10);
  EXPECT_EQ(std::get<std::int64_t>(*field(m.records[0], "cpuIdle")), 90);
  EXPECT_EQ(std::get<std::string>(*field(m.records[1], "cpuIdentifier")), "cpu-all");
  expect_schema_valid(events, version());
}

TEST_P(MeasurementBuilderTest, rules_without_vm_id_report_for_the_vnf) {
  auto c = base_config(GetParam());
  c.measurement.prometheus.rules.push_back(rule("RequestRate", ""));
  const RuleSet set = compile(c);
  MeasurementBuilder b(set, kStartUs, kEndUs, 300, c.event.vnf_name);
  Feeder f{b, set, {}, {}};
  f.add(0, {}, "3.5");
  std::vector<DroppedElement> dropped;
  auto events = b.finish(header_settings(c), dropped);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].source_name, "vnf-1");
  expect_schema_valid(events, version());
}

INSTANTIATE_TEST_SUITE_P(Versions, MeasurementBuilderTest, ::testing::Values(7, 5),
                         [](const auto& p) { return "v" + std::to_string(p.param); });

TEST(MeasurementBuilderV7Test, ves7_names_load_array_and_additional_fields_validate) {
  auto c = base_config(7);
  auto& rules = c.measurement.prometheus.rules;
  rules.push_back(rule("loadArray.shortTerm", "{{.labels.vm}}"));
  rules.push_back(rule("loadArray.midTerm", "{{.labels.vm}}"));
  rules.push_back(rule("hugePagesArray.percentUsed", "{{.labels.vm}}", {{"hugePagesIdentifier", "{{.labels.hp}}"}}));
  rules.push_back(rule("nicPerformanceArray.speed", "{{.labels.vm}}",
                       {{"nicIdentifier", "{{.labels.dev}}"}, {"operationalState", "{{.labels.state}}"}}));
  rules.push_back(rule("additionalFields.uptime", "{{.labels.vm}}"));
  rules.push_back(rule("nfcScalingMetric", "{{.labels.vm}}"));
  const RuleSet set = compile(c);
  MeasurementBuilder b(set, kStartUs, kEndUs, 300, "");
  Feeder f{b, set, {}, {}};
  f.add(0, {{"vm", "a"}}, "0.5");
  f.add(1, {{"vm", "a"}}, "0.75");
  f.add(2, {{"vm", "a"}, {"hp", "2M"}}, "12");
  f.add(3, {{"vm", "a"}, {"dev", "eth0"}, {"state", "inService"}}, "10000");
  f.add(3, {{"vm", "a"}, {"dev", "eth1"}, {"state", "broken"}}, "10000");
  f.add(4, {{"vm", "a"}}, "86400");
  f.add(5, {{"vm", "a"}}, "42");
  EXPECT_EQ(f.skips, std::vector<SkipReason>{SkipReason::bad_value});
  std::vector<DroppedElement> dropped;
  auto events = b.finish(header_settings(c), dropped);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(body(events[0]).records[0].fields.size(), 2u);  // shortTerm + midTerm in one load element
  expect_schema_valid(events, ves::Version::v7);
}

TEST(MeasurementBuilderV7Test, rules_listing_the_same_keys_in_another_order_fill_one_element) {
  auto c = base_config(7);
  auto& rules = c.measurement.prometheus.rules;
  rules.push_back(rule("nicPerformanceArray.receivedOctetsDelta", "{{.labels.vm}}",
                       {{"nicIdentifier", "{{.labels.dev}}"}, {"operationalState", "{{.labels.state}}"}}));
  rules.push_back(rule("nicPerformanceArray.transmittedOctetsDelta", "{{.labels.vm}}",
                       {{"operationalState", "{{.labels.state}}"}, {"nicIdentifier", "{{.labels.dev}}"}}));
  const RuleSet set = compile(c);
  MeasurementBuilder b(set, kStartUs, kEndUs, 300, "");
  Feeder f{b, set, {}, {}};
  f.add(0, {{"vm", "a"}, {"dev", "eth0"}, {"state", "inService"}}, "100");
  f.add(1, {{"vm", "a"}, {"dev", "eth0"}, {"state", "inService"}}, "200");
  f.add(1, {{"vm", "a"}, {"dev", "eth1"}, {"state", "inService"}}, "300");
  EXPECT_TRUE(f.skips.empty());
  std::vector<DroppedElement> dropped;
  auto events = b.finish(header_settings(c), dropped);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(body(events[0]).records.size(), 2u);
  EXPECT_EQ(body(events[0]).records[0].fields.size(), 4u);  // nicIdentifier, operationalState and both deltas
  expect_schema_valid(events, ves::Version::v7);
}

TEST(SampleValueTest, integers_keep_their_type_and_precision) {
  EXPECT_EQ(std::get<std::int64_t>(*parse_sample_value("1024")), 1024);
  EXPECT_EQ(std::get<std::int64_t>(*parse_sample_value("-7")), -7);
  EXPECT_EQ(std::get<std::int64_t>(*parse_sample_value("9007199254740993")), 9007199254740993);
  EXPECT_DOUBLE_EQ(std::get<double>(*parse_sample_value("1389.4")), 1389.4);
  EXPECT_DOUBLE_EQ(std::get<double>(*parse_sample_value("100000000000000000000")), 1e20);
  EXPECT_DOUBLE_EQ(std::get<double>(*parse_sample_value("1e-7")), 1e-7);
  for (const char* bad : {"NaN", "+Inf", "-Inf", "", "abc", "1.2.3", "inf"}) {
    EXPECT_FALSE(parse_sample_value(bad).has_value()) << bad;
  }
}

TEST(HeaderSettingsTest, event_name_follows_vespa_with_fallbacks) {
  config::Config c;
  c.measurement.domain_abbreviation = "Mvfs";
  c.event.nf_naming_code = "hsxp";
  EXPECT_EQ(header_settings(c).event_name, "Mvfs_hsxp_Measurements");
  c.event.nf_naming_code.clear();
  c.event.vnf_name = "vnf";
  EXPECT_EQ(header_settings(c).event_name, "Mvfs_vnf_Measurements");
}

}  // namespace
}  // namespace vesagent::sources::prometheus
