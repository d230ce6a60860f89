// The alert -> fault mapping, field by field, with VESPA's defaults and with every override; the produced
// events are encoded for VES 7 and VES 5 and validated against the official schemas.
#include "vesagent/sources/alertmanager/fault_mapper.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "ves_schema.hpp"
#include "vesagent/state/fault_store.hpp"

namespace vesagent::sources::alertmanager {
namespace {

using test::parse_ok;
using test::vespa_config;
using ::testing::HasSubstr;

constexpr std::int64_t kStart = 1795665503664000;  // 2026-11-26T03:58:23.664Z
constexpr std::int64_t kNow = kStart + 60'000'000;

Alert alert_01() { return parse_ok(test::wire_body("01_firing_single_alert")).alerts.at(0); }

/// An alert with exactly these labels and annotations.
Alert make_alert(core::NameValues labels, core::NameValues annotations = {}) {
  Alert a;
  a.labels = std::move(labels);
  a.annotations = std::move(annotations);
  a.starts_at_us = kStart;
  a.fingerprint = "00000000000000aa";
  return a;
}

core::FaultIdentity record(const std::string& key, core::Severity severity, std::int64_t sequence = 1) {
  core::FaultIdentity r;
  r.key = key;
  r.event_id = state::FaultStore::make_event_id(key, kStart);
  r.episode_start_us = kStart;
  r.start_epoch_us = kStart;
  r.sequence = sequence;
  r.severity = severity;
  return r;
}

const core::FaultBody& fault(const core::Event& e) { return std::get<core::FaultBody>(e.body); }

TEST(FaultMapperTest, maps_a_recorded_alert_with_vespa_defaults) {
  const config::Config cfg = vespa_config();
  FaultMapper m(cfg);
  const Alert a = alert_01();
  const std::string key = m.key(a);
  EXPECT_EQ(key, "am/0eb5df6acd5b1815");
  EXPECT_EQ(m.severity(a), core::Severity::critical);

  core::Event e = m.fault_event(a, record(key, core::Severity::critical), kNow);
  EXPECT_EQ(e.domain, core::Domain::fault);
  EXPECT_EQ(e.key, key);
  EXPECT_EQ(e.event_id, state::FaultStore::make_event_id(key, kStart));
  EXPECT_EQ(e.event_name, "Fault_hsxp_VesTestAlwaysFiring");
  EXPECT_EQ(e.event_type, "");
  EXPECT_EQ(e.source_name, "vnfc-test-01");
  EXPECT_EQ(e.source_id, "");
  EXPECT_EQ(e.reporting_entity_name, "ves-agent-host");
  EXPECT_EQ(e.reporting_entity_id, "1af5bfa9-40b4-4522-b045-40e54f0310fc");
  EXPECT_EQ(e.nf_naming_code, "hsxp");
  EXPECT_EQ(e.nfc_naming_code, "oam");
  EXPECT_EQ(e.priority, core::Priority::high);
  EXPECT_EQ(e.sequence, 1);
  EXPECT_EQ(e.start_epoch_us, kStart);
  EXPECT_EQ(e.last_epoch_us, kNow);
  const auto& f = fault(e);
  EXPECT_EQ(f.alarm_condition, "VesTestAlwaysFiring");
  EXPECT_EQ(f.specific_problem, "vector(1) is always 1; this alert fires on the first evaluation.");
  EXPECT_EQ(f.severity, core::Severity::critical);
  EXPECT_EQ(f.event_source_type, "virtualMachine");
  EXPECT_EQ(f.vf_status, "Active");
  EXPECT_EQ(f.alarm_interface_a, "");
  EXPECT_EQ(f.event_category, "");
  // Every label and annotation, then generatorURL.
  const core::NameValues expected = {
      {"VNFC", "vnfc-test-01"},
      {"alertname", "VesTestAlwaysFiring"},
      {"eventSourceType", "promstack-test"},
      {"instance", "vnf-host-01"},
      {"monitor", "promstack"},
      {"severity", "critical"},
      {"description", "vector(1) is always 1; this alert fires on the first evaluation."},
      {"summary", "Always-firing test alert"},
      {"generatorURL", "http://127.0.0.1:19090/graph?g0.expr=vector%281%29&g0.tab=1"}};
  EXPECT_EQ(f.additional_information, expected);
}

TEST(FaultMapperTest, clear_is_normal_with_normal_priority_and_ends_at_endsat) {
  FaultMapper m(vespa_config());
  Alert a = alert_01();
  a.status = AlertStatus::resolved;
  a.ends_at_us = kStart + 30'000'000;
  core::Event e = m.clear_event(a, record(m.key(a), core::Severity::critical, 2), a.ends_at_us);
  EXPECT_EQ(fault(e).severity, core::Severity::normal);
  EXPECT_EQ(e.priority, core::Priority::normal);
  EXPECT_EQ(e.sequence, 2);
  EXPECT_EQ(e.start_epoch_us, kStart);
  EXPECT_EQ(e.last_epoch_us, kStart + 30'000'000);
  EXPECT_EQ(e.event_id, state::FaultStore::make_event_id("am/0eb5df6acd5b1815", kStart));
  // Without clearAlertName / clearDescription the clear names the same alarm as the raise.
  EXPECT_EQ(e.event_name, "Fault_hsxp_VesTestAlwaysFiring");
  EXPECT_EQ(fault(e).alarm_condition, "VesTestAlwaysFiring");
  EXPECT_EQ(fault(e).specific_problem, "vector(1) is always 1; this alert fires on the first evaluation.");
  // A clock before startsAt never makes lastEpochMicrosec precede startEpochMicrosec.
  EXPECT_EQ(m.clear_event(a, record(m.key(a), core::Severity::critical, 2), kStart - 5).last_epoch_us, kStart);
  EXPECT_EQ(m.fault_event(a, record(m.key(a), core::Severity::critical), kStart - 5).last_epoch_us, kStart);
}

// VESPA's own converter tests (nokia/ONAP-VESPA ves-agent/convert/converter_test.go), same alerts, same fields.
TEST(FaultMapperTest, reproduces_vespa_converter_results) {
  config::Config cfg = vespa_config();
  cfg.event.nf_naming_code = "hspx";
  cfg.event.nfc_naming_codes = {{"oam", {"dpa2bhsxp5001vm001oam001"}}, {"etl", {"mjves-ope-1"}}};
  FaultMapper m(cfg);

  // alertData3: no VNFC (sourceName from system_name), severity minor, service/aaiMapping with '*'.
  Alert a3 = make_alert({{"id", "100"},
                         {"system_name", "TEST3"},
                         {"alertname", "VudrBegCommunicationAuditFailure"},
                         {"severity", "minor"},
                         {"calm", "false"},
                         {"event_type", "x2"}},
                        {{"service", "COMMAudit_VUDR_1*BEG_1"},
                         {"summary", "Node pilot-0 down"},
                         {"description", "On demand or periodic audit between SDME and PGW End Point SPML has failed"},
                         {"clearAlertName", "VudrBegCommunicationAuditEndOfFailure"},
                         {"clearDescription", "On demand or periodic audit between SDME and PGW End Point now ok"},
                         {"aaiMapping", "VudrName_BegName"}});
  const auto sev = m.severity(a3);
  EXPECT_EQ(sev, core::Severity::minor);
  core::Event raise = m.fault_event(a3, record(m.key(a3), sev), kNow);
  EXPECT_EQ(raise.event_name, "Fault_hspx_VudrBegCommunicationAuditFailure");
  EXPECT_EQ(fault(raise).alarm_condition, "VudrBegCommunicationAuditFailure");
  EXPECT_EQ(raise.priority, core::Priority::low);
  EXPECT_EQ(fault(raise).severity, core::Severity::minor);
  EXPECT_EQ(raise.nf_naming_code, "hspx");
  EXPECT_EQ(raise.nfc_naming_code, "");
  EXPECT_EQ(raise.source_name, "TEST3");
  EXPECT_EQ(fault(raise).specific_problem,
            "On demand or periodic audit between SDME and PGW End Point SPML has failed");
  const auto& ai = fault(raise).additional_information;
  ASSERT_GE(ai.size(), 2u);
  EXPECT_EQ(ai[0], (std::pair<std::string, std::string>{"VudrName", "VUDR_1"}));
  EXPECT_EQ(ai[1], (std::pair<std::string, std::string>{"BegName", "BEG_1"}));

  core::Event clear = m.clear_event(a3, record(m.key(a3), sev, 2), kNow);
  EXPECT_EQ(clear.event_name, "Fault_hspx_VudrBegCommunicationAuditEndOfFailure");
  EXPECT_EQ(fault(clear).alarm_condition, "VudrBegCommunicationAuditEndOfFailure");
  EXPECT_EQ(fault(clear).specific_problem, "On demand or periodic audit between SDME and PGW End Point now ok");
  EXPECT_EQ(clear.priority, core::Priority::normal);
  EXPECT_EQ(fault(clear).severity, core::Severity::normal);
  EXPECT_EQ(clear.event_id, raise.event_id);
  EXPECT_EQ(clear.start_epoch_us, raise.start_epoch_us);
  EXPECT_EQ(fault(clear).additional_information[0], ai[0]);

  // alertData4: "Minor" in another case, VNFC with an nfcNamingCode, service with '_' and '='.
  Alert a4 = make_alert({{"id", "302"},
                         {"instance", "mjves-ope-1:9100"},
                         {"system_name", "TEST4"},
                         {"alertname", "FileSystemOccupancyCrossedLowThreshold"},
                         {"severity", "Minor"},
                         {"VNFC", "mjves-ope-1"}},
                        {{"service", "FileSystemSupervision_/var/log/audit=85.1234"},
                         {"description", "File system almost full"},
                         {"aaiMapping", "FileSystemName_ObservedThreshold"}});
  core::Event e4 = m.fault_event(a4, record(m.key(a4), m.severity(a4)), kNow);
  EXPECT_EQ(fault(e4).severity, core::Severity::minor);
  EXPECT_EQ(e4.source_name, "mjves-ope-1");
  EXPECT_EQ(e4.nfc_naming_code, "etl");
  using NameValue = std::pair<std::string, std::string>;
  EXPECT_EQ(fault(e4).additional_information[0], (NameValue{"FileSystemName", "/var/log/audit"}));
  EXPECT_EQ(fault(e4).additional_information[1], (NameValue{"ObservedThreshold", "85.1234"}));

  // alertData5: service "<name>=<value>" with a single aaiMapping name.
  Alert a5 = make_alert({{"alertname", "MemoryOccupancyCrossedLowThreshold"}, {"VNFC", "mjves-ope-1"}},
                        {{"service", "MemorySupervision=82.4321"}, {"aaiMapping", "ObservedThreshold"}});
  core::Event e5 = m.fault_event(a5, record(m.key(a5), m.severity(a5)), kNow);
  EXPECT_EQ(fault(e5).additional_information[0], (NameValue{"ObservedThreshold", "82.4321"}));

  // A service/aaiMapping mismatch gives no pairs (VESPA logs and sends none); labels and annotations still go.
  Alert bad = make_alert({{"alertname", "X"}}, {{"service", "A_1=2"}, {"aaiMapping", "OnlyOne"}});
  core::Event eb = m.fault_event(bad, record(m.key(bad), core::Severity::major), kNow);
  const core::NameValues expected = {{"alertname", "X"}, {"service", "A_1=2"}, {"aaiMapping", "OnlyOne"}};
  EXPECT_EQ(fault(eb).additional_information, expected);
}

TEST(FaultMapperTest, additional_information_precedence_is_aai_then_annotation_then_label) {
  FaultMapper m(vespa_config());
  Alert a = make_alert({{"alertname", "A"}, {"summary", "from label"}, {"Threshold", "label"}},
                       {{"summary", "from annotation"}, {"service", "S=99"}, {"aaiMapping", "Threshold"},
                        {"Threshold", "annotation"}});
  a.generator_url = "http://prom/graph";
  core::Event e = m.fault_event(a, record(m.key(a), core::Severity::major), kNow);
  const core::NameValues expected = {{"Threshold", "99"},       {"alertname", "A"},
                                     {"summary", "from annotation"}, {"service", "S=99"},
                                     {"aaiMapping", "Threshold"}, {"generatorURL", "http://prom/graph"}};
  EXPECT_EQ(fault(e).additional_information, expected);
}

TEST(FaultMapperTest, severity_goes_through_the_default_map_case_insensitively) {
  FaultMapper m(vespa_config());
  struct Case {
    const char* label;
    core::Severity severity;
    core::Priority priority;
  };
  for (const auto& c : {Case{"critical", core::Severity::critical, core::Priority::high},
                        Case{"CRITICAL", core::Severity::critical, core::Priority::high},
                        Case{"major", core::Severity::major, core::Priority::medium},
                        Case{"Minor", core::Severity::minor, core::Priority::low},
                        Case{"warning", core::Severity::warning, core::Priority::low},
                        Case{"info", core::Severity::warning, core::Priority::low},
                        Case{"error", core::Severity::major, core::Priority::medium},
                        Case{"page", core::Severity::critical, core::Priority::high},
                        Case{"normal", core::Severity::normal, core::Priority::normal},
                        Case{"bogus", core::Severity::major, core::Priority::medium},
                        Case{"", core::Severity::major, core::Priority::medium}}) {
    Alert a = make_alert({{"alertname", "A"}, {"severity", c.label}});
    EXPECT_EQ(m.severity(a), c.severity) << c.label;
    core::Event e = m.fault_event(a, record(m.key(a), m.severity(a)), kNow);
    EXPECT_EQ(fault(e).severity, c.severity) << c.label;
    EXPECT_EQ(e.priority, c.priority) << c.label;
  }
  EXPECT_EQ(m.severity(make_alert({{"alertname", "A"}})), core::Severity::major) << "missing label";
}

TEST(FaultMapperTest, severity_map_and_default_can_be_overridden) {
  config::Config cfg = vespa_config();
  cfg.alert_manager.faults.severity_map.emplace_back("disaster", "CRITICAL");
  cfg.alert_manager.faults.severity_map[4].second = "MINOR";  // info
  cfg.alert_manager.faults.default_severity = "WARNING";
  cfg.alert_manager.faults.severity_label = "level";
  FaultMapper m(cfg);
  EXPECT_EQ(m.severity(make_alert({{"level", "Disaster"}})), core::Severity::critical);
  EXPECT_EQ(m.severity(make_alert({{"level", "info"}})), core::Severity::minor);
  EXPECT_EQ(m.severity(make_alert({{"level", "whatever"}})), core::Severity::warning);
  EXPECT_EQ(m.severity(make_alert({{"severity", "critical"}})), core::Severity::warning) << "label renamed";
}

TEST(FaultMapperTest, specific_problem_falls_back_from_description_to_summary_to_the_alert_name) {
  FaultMapper m(vespa_config());
  auto problem = [&](core::NameValues annotations) {
    Alert a = make_alert({{"alertname", "DiskFull"}}, std::move(annotations));
    return fault(m.fault_event(a, record(m.key(a), core::Severity::major), kNow)).specific_problem;
  };
  EXPECT_EQ(problem({{"summary", "S"}, {"description", "D"}}), "D");
  EXPECT_EQ(problem({{"summary", "S"}}), "S");
  EXPECT_EQ(problem({{"summary", "S"}, {"description", ""}}), "S");
  EXPECT_EQ(problem({}), "DiskFull");
}

TEST(FaultMapperTest, source_name_falls_back_from_vnfc_to_system_name_to_instance_to_unknown) {
  FaultMapper m(vespa_config());
  auto source = [&](core::NameValues labels) {
    Alert a = make_alert(std::move(labels));
    return m.fault_event(a, record(m.key(a), core::Severity::major), kNow).source_name;
  };
  EXPECT_EQ(source({{"instance", "i"}, {"system_name", "s"}, {"VNFC", "v"}}), "v");
  EXPECT_EQ(source({{"instance", "i"}, {"system_name", "s"}}), "s");
  EXPECT_EQ(source({{"instance", "i"}}), "i");
  EXPECT_EQ(source({{"alertname", "A"}}), "unknown");
}

TEST(FaultMapperTest, every_mapping_setting_can_be_overridden) {
  config::Config cfg = vespa_config();
  auto& f = cfg.alert_manager.faults;
  f.alert_name_label = "rule";
  f.source_name_labels = {"host"};
  f.source_id_label = "uuid";
  f.specific_problem_annotations = {"message"};
  f.event_source_type = "host";
  f.vf_status = "Idle";
  cfg.event.nfc_naming_codes = {{"cmp", {"node-7"}}};
  FaultMapper m(cfg);
  Alert a = make_alert({{"rule", "HostDown"}, {"alertname", "ignored"}, {"host", "node-7"}, {"VNFC", "ignored"},
                        {"uuid", "5b2c0c9e-1f0e-4d25-9d56-6a4c4d2b8f00"}},
                       {{"message", "node-7 unreachable"}, {"description", "ignored"}});
  core::Event e = m.fault_event(a, record(m.key(a), core::Severity::major), kNow);
  EXPECT_EQ(e.event_name, "Fault_hsxp_HostDown");
  EXPECT_EQ(fault(e).alarm_condition, "HostDown");
  EXPECT_EQ(e.source_name, "node-7");
  EXPECT_EQ(e.nfc_naming_code, "cmp");
  EXPECT_EQ(e.source_id, "5b2c0c9e-1f0e-4d25-9d56-6a4c4d2b8f00");
  EXPECT_EQ(fault(e).specific_problem, "node-7 unreachable");
  EXPECT_EQ(fault(e).event_source_type, "host");
  EXPECT_EQ(fault(e).vf_status, "Idle");
}

TEST(FaultMapperTest, event_name_without_nf_naming_code_has_no_empty_part) {
  config::Config cfg = vespa_config();
  cfg.event.nf_naming_code.clear();
  FaultMapper m(cfg);
  Alert a = alert_01();
  core::Event e = m.fault_event(a, record(m.key(a), core::Severity::critical), kNow);
  EXPECT_EQ(e.event_name, "Fault_VesTestAlwaysFiring");
  EXPECT_EQ(e.nf_naming_code, "");
}

TEST(FaultMapperTest, an_alert_without_name_still_gives_a_valid_fault) {
  FaultMapper m(vespa_config());
  Alert a = make_alert({});
  core::Event e = m.fault_event(a, record(m.key(a), m.severity(a)), kNow);
  EXPECT_EQ(fault(e).alarm_condition, "unknown");
  EXPECT_EQ(fault(e).specific_problem, "unknown");
  EXPECT_EQ(e.source_name, "unknown");
  EXPECT_EQ(e.event_name, "Fault_hsxp_unknown");
}

TEST(FaultMapperTest, computes_alertmanagers_fingerprint_when_the_payload_has_none) {
  // Every recorded alert: the fingerprint Alertmanager sent equals the one computed from its labels.
  std::set<std::string> seen;
  for (const auto& name : test::fixture_names()) {
    for (const Alert& a : parse_ok(test::wire_body(name)).alerts) {
      EXPECT_EQ(label_fingerprint(a.labels), a.fingerprint) << name;
      Alert without = a;
      without.fingerprint.clear();
      FaultMapper m(vespa_config());
      EXPECT_EQ(m.key(without), m.key(a)) << name;
      seen.insert(a.fingerprint);
    }
  }
  EXPECT_EQ(seen.size(), 8u);
  // Label order does not matter; Prometheus' empty label set hashes to the FNV-1a offset basis.
  EXPECT_EQ(label_fingerprint({{"b", "2"}, {"a", "1"}}), label_fingerprint({{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(label_fingerprint({}), "cbf29ce484222325");
}

TEST(FaultMapperTest, two_alerts_on_one_vm_are_two_faults_unlike_vespa) {
  // VESPA keyed faults on id + service + sourceName, so these two shared an eventId and one clear was lost.
  FaultMapper m(vespa_config());
  Alert cpu = make_alert({{"VNFC", "vm-1"}, {"alertname", "CpuHigh"}, {"id", "7"}});
  Alert mem = make_alert({{"VNFC", "vm-1"}, {"alertname", "MemHigh"}, {"id", "7"}});
  cpu.fingerprint.clear();
  mem.fingerprint.clear();
  EXPECT_NE(m.key(cpu), m.key(mem));
}

/// Raise, update and clear of every recorded alert plus VESPA-style and awkward alerts.
std::vector<core::Event> events_for_schema(const config::Config& cfg) {
  FaultMapper m(cfg);
  std::vector<core::Event> out;
  for (const auto& name : test::fixture_names()) {
    for (const Alert& a : parse_ok(test::wire_body(name)).alerts) {
      const auto rec = record(m.key(a), m.severity(a));
      if (a.status == AlertStatus::firing) {
        out.push_back(m.fault_event(a, rec, kNow));
      } else {
        out.push_back(m.clear_event(a, rec, a.ends_at_us));
      }
    }
  }
  Alert vespa = make_alert({{"alertname", "FileSystemOccupancyCrossedLowThreshold"}, {"severity", "Minor"},
                            {"VNFC", "lr-ope-0"}},
                           {{"service", "FileSystemSupervision_/var/log/audit=85.1234"},
                            {"aaiMapping", "FileSystemName_ObservedThreshold"},
                            {"clearAlertName", "FileSystemOccupancyReturnedUnderLowThreshold"},
                            {"clearDescription", "File system occupancy returned under low threshold"}});
  out.push_back(m.fault_event(vespa, record(m.key(vespa), core::Severity::minor), kNow));
  out.push_back(m.fault_event(vespa, record(m.key(vespa), core::Severity::critical, 2), kNow));  // update
  out.push_back(m.clear_event(vespa, record(m.key(vespa), core::Severity::critical, 3), kNow));
  Alert odd = make_alert({{"alertname", "Odd \"name\""}, {"severity", "unknown-level"},
                          {"instance", "caf\xC3\xA9 \xE6\x97\xA5 tab\there"}},
                         {{"description", "line1\nline2 \\ \"quoted\" \x01"}});
  out.push_back(m.fault_event(odd, record(m.key(odd), m.severity(odd)), kNow));
  out.push_back(m.fault_event(make_alert({}), record("am/empty", core::Severity::major), kNow));
  return out;
}

TEST(FaultMapperTest, v7_events_pass_the_official_schema) {
  const config::Config cfg = vespa_config();
  test::expect_schema_valid(ves::Version::v7, events_for_schema(cfg));
}

TEST(FaultMapperTest, v5_events_pass_the_official_schema) {
  const config::Config cfg = vespa_config();
  test::expect_schema_valid(ves::Version::v5, events_for_schema(cfg));
}

TEST(FaultMapperTest, overridden_mapping_still_passes_both_schemas) {
  config::Config cfg = vespa_config();
  cfg.alert_manager.faults.vf_status = "Requesting termination";
  cfg.alert_manager.faults.event_source_type = "virtualNetworkFunction";
  cfg.alert_manager.faults.source_id_label = "instance";
  cfg.event.nf_naming_code.clear();
  cfg.event.reporting_entity_id.clear();
  test::expect_schema_valid(ves::Version::v7, events_for_schema(cfg));
  test::expect_schema_valid(ves::Version::v5, events_for_schema(cfg));
}

TEST(FaultMapperTest, v5_and_v7_encode_additional_information_in_their_own_shapes) {
  FaultMapper m(vespa_config());
  Alert a = alert_01();
  core::Event e = m.fault_event(a, record(m.key(a), core::Severity::critical), kNow);
  auto v7 = ves::encode_event(e, ves::EncodeContext{ves::Version::v7, ""});
  auto v5 = ves::encode_event(e, ves::EncodeContext{ves::Version::v5, ""});
  ASSERT_TRUE(v7.has_value());
  ASSERT_TRUE(v5.has_value());
  EXPECT_THAT(*v7, HasSubstr(R"("alarmAdditionalInformation":{"VNFC":"vnfc-test-01",)"));
  EXPECT_THAT(*v5, HasSubstr(R"("alarmAdditionalInformation":[{"name":"VNFC","value":"vnfc-test-01"},)"));
  EXPECT_THAT(*v7, HasSubstr(R"("eventName":"Fault_hsxp_VesTestAlwaysFiring")"));
  EXPECT_THAT(*v5, HasSubstr(R"("eventSeverity":"CRITICAL")"));
}

}  // namespace
}  // namespace vesagent::sources::alertmanager
