#pragma once
// Version-neutral events shared by the encoder and schema-validation tests: what the sources will build.
#include <cstdint>
#include <string>
#include <utility>

#include "vesagent/core/event.hpp"
#include "vesagent/ves/version.hpp"

namespace vesagent::ves::test {

inline constexpr std::int64_t kEpoch = 1716200000000000;  // 2024-05-20T10:13:20Z in µs

inline core::Event base_event(core::Domain domain, std::string name) {
  core::Event e;
  e.domain = domain;
  e.key = "key-never-sent";
  e.event_id = std::string(core::to_string(domain)) + "0000000042";
  e.event_name = std::move(name);
  e.source_name = "compute-node-07";
  e.reporting_entity_name = "ves-agent-node1";
  e.start_epoch_us = kEpoch - 300'000'000;
  e.last_epoch_us = kEpoch;
  return e;
}

inline core::Event heartbeat() {
  core::Event e = base_event(core::Domain::heartbeat, "Heartbeat_VesAgent-Acme");
  e.start_epoch_us = e.last_epoch_us;
  e.body = core::HeartbeatBody{60, {}};
  return e;
}

inline core::Event heartbeat_with_fields() {
  core::Event e = heartbeat();
  e.event_type = "platform";
  e.source_id = "6b1a7b2e-2f55-4c1e-9a51-0d6c5a1f4e10";
  e.reporting_entity_id = "6b1a7b2e-2f55-4c1e-9a51-0d6c5a1f4e10";
  e.nf_naming_code = "vagt";
  e.nfc_naming_code = "hst";
  e.nf_vendor_name = "Acme";
  e.body = core::HeartbeatBody{30, {{"agentVersion", "0.1.0"}, {"uptimeSeconds", "1234"}}};
  return e;
}

inline core::Event fault_raise() {
  core::Event e = base_event(core::Domain::fault, "Fault_VesAgent-Acme_HostCpuHigh");
  e.event_id = "fault0000000007";
  e.event_type = "hostOS";
  e.priority = core::Priority::high;
  e.sequence = 1;
  core::FaultBody f;
  f.alarm_condition = "HostCpuHigh";
  f.specific_problem = "CPU usage above 90% for 5 minutes";
  f.severity = core::Severity::critical;
  f.event_source_type = "host";
  f.alarm_interface_a = "cpu0";
  f.event_category = "capacity";
  f.additional_information = {{"alertname", "HostCpuHigh"},
                              {"instance", "compute-node-07:9100"},
                              {"generatorURL", "http://prometheus:9090/graph?g0.expr=cpu%20%3E%2090"}};
  e.body = std::move(f);
  return e;
}

/// The clear of fault_raise(): same eventId and startEpoch, next sequence, severity NORMAL.
inline core::Event fault_clear() {
  core::Event e = fault_raise();
  e.priority = core::Priority::normal;
  e.sequence = 2;
  e.last_epoch_us += 600'000'000;
  std::get<core::FaultBody>(e.body).severity = core::Severity::normal;
  return e;
}

inline core::Event fault_minimal() {
  core::Event e = base_event(core::Domain::fault, "Fault_VesAgent-Acme_VmDown");
  core::FaultBody f;
  f.alarm_condition = "VmDown";
  f.specific_problem = "VM is SHUTOFF";
  f.vf_status = "Requesting termination";
  e.body = std::move(f);
  return e;
}

/// Strings a source can really get (alert annotations, VM names): quotes, backslashes, control characters,
/// multi-byte UTF-8 and bytes that are not UTF-8 at all.
inline const std::string kOddText =
    "say \"hi\" C:\\path\\ tab\there\nline2\r\x01\x1f\x7f caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x9A\x80 "
    "bad:\xFF\xC3(";

inline core::Event fault_odd_strings() {
  core::Event e = fault_raise();
  e.event_name = "Fault_Odd_\"Quoted\"";
  e.source_name = kOddText;
  auto& f = std::get<core::FaultBody>(e.body);
  f.specific_problem = kOddText;
  f.additional_information = {{kOddText, kOddText}, {"summary", "100% \"full\"\\"}};
  return e;
}

/// Measurement records valid in both versions (core = VES 7 names). Interleaves arrays on purpose.
inline core::MeasurementBody common_measurement() {
  core::MeasurementBody m;
  m.interval_seconds = 300;
  m.records = {
      {"cpuUsageArray", {{"cpuIdentifier", std::string("cpu0")}, {"percentUsage", 12.5}, {"cpuIdle", 87.5}}},
      {"memoryUsageArray",
       {{"vmIdentifier", std::string("compute-node-07")},
        {"memoryFree", std::int64_t{3145728}},
        {"memoryUsed", std::int64_t{5242880}},
        {"memoryCached", 1048576.0}}},
      {"cpuUsageArray",
       {{"cpuIdentifier", std::int64_t{1}}, {"percentUsage", std::int64_t{3}}, {"cpuUsageSystem", 0.25}}},
      {"diskUsageArray", {{"diskIdentifier", std::string("vda")}, {"diskOctetsReadLast", std::int64_t{4096}}}},
      {"nicPerformanceArray",
       {{"nicIdentifier", std::string("eth0")}, {"receivedOctetsDelta", std::int64_t{123456}},
        {"transmittedOctetsDelta", 654321.0}}},
      {"nicPerformanceArray", {{"nicIdentifier", std::string("eth1")}, {"valuesAreSuspect", std::string("true")}}},
      {"filesystemUsageArray",
       {{"filesystemName", std::string("/")},
        {"blockConfigured", 100.0},
        {"blockUsed", 42.5},
        {"blockIops", std::int64_t{120}},
        {"ephemeralConfigured", 0.0},
        {"ephemeralUsed", 0.0},
        {"ephemeralIops", std::int64_t{0}}}},
      {"latencyDistribution", {{"countsInTheBucket", std::int64_t{5}}, {"lowEndOfLatencyBucket", 0.5}}},
      {"codecUsageArray", {{"codecIdentifier", std::string("G711")}, {"numberInUse", std::int64_t{2}}}},
  };
  m.additional_measurements = {
      {"prometheus", {{"node_filefd_allocated", "1856"}, {"node_procs_running", "3"}}},
      {"empty", {}},
  };
  core::ObjectInstance fs_root{{{"percentFilesystemUsage", "42.5"}, {"mountState", "rw"}},
                               {{"filesystemName", "/"}, {"device", "vda1"}},
                               kEpoch};
  core::ObjectInstance fs_boot{{{"percentFilesystemUsage", "7"}}, {{"filesystemName", "/boot"}}, std::nullopt};
  m.additional_objects = {{"additionalFilesystemCounters", {fs_root, fs_boot}}, {"noInstances", {}}};
  m.additional_fields = {{"scrapeJob", "node"}};
  m.scalars = {{"concurrentSessions", std::int64_t{12}}, {"requestRate", 3.75}, {"nfcScalingMetric", 2.0}};
  return m;
}

inline core::Event measurement(Version version) {
  core::Event e = base_event(core::Domain::measurement,
                             version == Version::v7 ? "Measurement_VesAgent-Acme_HostMetrics"
                                                    : "Mfvs_VesAgent-Acme_HostMetrics");
  e.event_type = "hostOS";
  core::MeasurementBody m = common_measurement();
  if (version == Version::v7) {
    // Fields and arrays only VES 7 has.
    m.records[0].fields.emplace_back("cpuDemandAvg", 1.5);
    m.records[4].fields.emplace_back("operationalState", std::string("inService"));
    m.records.push_back({"loadArray", {{"shortTerm", 0.42}, {"midTerm", 0.38}, {"longTerm", 0.3}}});
    m.records.push_back({"processStatsArray", {{"processIdentifier", std::string("sshd")}, {"forkRate", 0.1}}});
    m.records.push_back({"hugePagesArray", {{"hugePagesIdentifier", std::string("2048kB")}, {"bytesFree", 0.0}}});
    m.records.push_back({"machineCheckExceptionArray", {{"vmIdentifier", std::string("vm1")}}});
  } else {
    m.records.push_back(
        {"featureUsageArray", {{"featureIdentifier", std::string("sip")}, {"featureUtilization", std::int64_t{9}}}});
  }
  e.body = std::move(m);
  return e;
}

inline core::Event measurement_empty() {
  core::Event e = base_event(core::Domain::measurement, "Measurement_VesAgent-Acme_Nothing");
  e.event_id = "measurement0000000043";
  e.body = core::MeasurementBody{};
  return e;
}

}  // namespace vesagent::ves::test
