#include "vesagent/ves/encode.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace vesagent::ves {
namespace {

using nlohmann::json;
using namespace vesagent::ves::test;

const EncodeContext kV7{Version::v7, "UTC+00:00"};
const EncodeContext kV5{Version::v5, "UTC+00:00"};

std::string encode_ok(const core::Event& e, const EncodeContext& ctx) {
  std::string why;
  auto r = encode_event(e, ctx, &why);
  EXPECT_TRUE(r.has_value()) << why;
  return r.has_value() ? *r : std::string{};
}

json encode_json(const core::Event& e, const EncodeContext& ctx) {
  std::string text = encode_ok(e, ctx);
  json j = json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "encoder output is not JSON: " << text;
  return j;
}

/// The failure message for an event that must not encode.
std::string encode_error(const core::Event& e, const EncodeContext& ctx) {
  std::string why;
  auto r = encode_event(e, ctx, &why);
  EXPECT_FALSE(r.has_value()) << "unexpectedly encoded: " << (r ? *r : "");
  if (!r.has_value()) {
    EXPECT_EQ(r.error(), make_error_code(errc::invalid_event));
  }
  return why;
}

core::MeasurementBody& body_of(core::Event& e) { return std::get<core::MeasurementBody>(e.body); }

// ---- commonEventHeader ---------------------------------------------------------------------------------------

TEST(EncodeTest, v7_header_has_string_versions_integer_epochs_and_no_empty_optionals) {
  json j = encode_json(heartbeat(), kV7);
  const json& h = j.at("commonEventHeader");
  EXPECT_EQ(h.at("version"), "4.1");
  EXPECT_EQ(h.at("vesEventListenerVersion"), "7.2.1");
  EXPECT_EQ(h.at("domain"), "heartbeat");
  EXPECT_EQ(h.at("eventId"), "heartbeat0000000042");
  EXPECT_EQ(h.at("eventName"), "Heartbeat_VesAgent-Acme");
  EXPECT_EQ(h.at("sourceName"), "compute-node-07");
  EXPECT_EQ(h.at("reportingEntityName"), "ves-agent-node1");
  EXPECT_EQ(h.at("priority"), "Normal");
  ASSERT_TRUE(h.at("sequence").is_number_integer());
  ASSERT_TRUE(h.at("startEpochMicrosec").is_number_integer());
  EXPECT_EQ(h.at("startEpochMicrosec").get<std::int64_t>(), kEpoch);
  EXPECT_EQ(h.at("lastEpochMicrosec").get<std::int64_t>(), kEpoch);
  EXPECT_EQ(h.at("timeZoneOffset"), "UTC+00:00");
  for (const char* absent : {"eventType", "sourceId", "reportingEntityId", "nfNamingCode", "nfcNamingCode",
                             "nfVendorName", "internalHeaderFields"}) {
    EXPECT_FALSE(h.contains(absent)) << absent;
  }
  EXPECT_EQ(j.size(), 2U) << "only the header and heartbeatFields";
}

TEST(EncodeTest, v7_header_carries_every_optional_field_when_set) {
  json h = encode_json(heartbeat_with_fields(), kV7).at("commonEventHeader");
  EXPECT_EQ(h.at("eventType"), "platform");
  EXPECT_EQ(h.at("sourceId"), "6b1a7b2e-2f55-4c1e-9a51-0d6c5a1f4e10");
  EXPECT_EQ(h.at("reportingEntityId"), "6b1a7b2e-2f55-4c1e-9a51-0d6c5a1f4e10");
  EXPECT_EQ(h.at("nfNamingCode"), "vagt");
  EXPECT_EQ(h.at("nfcNamingCode"), "hst");
  EXPECT_EQ(h.at("nfVendorName"), "Acme");
}

TEST(EncodeTest, v7_omits_time_zone_offset_when_not_configured) {
  json h = encode_json(heartbeat(), EncodeContext{Version::v7, ""}).at("commonEventHeader");
  EXPECT_FALSE(h.contains("timeZoneOffset"));
}

TEST(EncodeTest, v5_header_has_numeric_version_and_no_v7_only_fields) {
  json h = encode_json(heartbeat_with_fields(), kV5).at("commonEventHeader");
  ASSERT_TRUE(h.at("version").is_number());
  EXPECT_FALSE(h.at("version").is_string());
  EXPECT_DOUBLE_EQ(h.at("version").get<double>(), 3.0);
  EXPECT_FALSE(h.contains("vesEventListenerVersion"));
  EXPECT_FALSE(h.contains("timeZoneOffset"));
  EXPECT_FALSE(h.contains("nfVendorName"));
  EXPECT_EQ(h.at("nfNamingCode"), "vagt");
}

TEST(EncodeTest, correlation_key_is_never_sent) {
  EXPECT_EQ(encode_ok(fault_raise(), kV7).find("key-never-sent"), std::string::npos);
}

TEST(EncodeTest, extreme_integers_keep_full_precision) {
  core::Event e = heartbeat();
  e.sequence = std::numeric_limits<std::int64_t>::max();
  e.start_epoch_us = std::numeric_limits<std::int64_t>::min();
  std::string text = encode_ok(e, kV7);
  EXPECT_NE(text.find("\"sequence\":9223372036854775807"), std::string::npos) << text;
  EXPECT_NE(text.find("\"startEpochMicrosec\":-9223372036854775808"), std::string::npos) << text;
}

TEST(EncodeTest, wire_domain_renames_measurement_on_v5_only) {
  EXPECT_EQ(wire_domain(core::Domain::measurement, Version::v7), "measurement");
  EXPECT_EQ(wire_domain(core::Domain::measurement, Version::v5), "measurementsForVfScaling");
  EXPECT_EQ(wire_domain(core::Domain::fault, Version::v5), "fault");
  EXPECT_EQ(wire_domain(core::Domain::heartbeat, Version::v7), "heartbeat");
  EXPECT_EQ(encode_json(measurement_empty(), kV5).at("commonEventHeader").at("domain"), "measurementsForVfScaling");
}

// ---- heartbeat -------------------------------------------------------------------------------------------------

TEST(EncodeTest, v7_heartbeat_fields) {
  json hb = encode_json(heartbeat_with_fields(), kV7).at("heartbeatFields");
  EXPECT_EQ(hb.at("heartbeatFieldsVersion"), "3.0");
  ASSERT_TRUE(hb.at("heartbeatInterval").is_number_integer());
  EXPECT_EQ(hb.at("heartbeatInterval"), 30);
  EXPECT_EQ(hb.at("additionalFields"), (json{{"agentVersion", "0.1.0"}, {"uptimeSeconds", "1234"}}));
  EXPECT_FALSE(encode_json(heartbeat(), kV7).at("heartbeatFields").contains("additionalFields"));
}

TEST(EncodeTest, v5_heartbeat_fields_use_number_version_and_name_value_list) {
  json hb = encode_json(heartbeat_with_fields(), kV5).at("heartbeatFields");
  ASSERT_TRUE(hb.at("heartbeatFieldsVersion").is_number_float());
  EXPECT_DOUBLE_EQ(hb.at("heartbeatFieldsVersion").get<double>(), 1.0);
  EXPECT_EQ(hb.at("heartbeatInterval"), 30);
  EXPECT_EQ(hb.at("additionalFields"), json::parse(R"([{"name":"agentVersion","value":"0.1.0"},
                                                       {"name":"uptimeSeconds","value":"1234"}])"));
}

// ---- fault -------------------------------------------------------------------------------------------------------

TEST(EncodeTest, v7_fault_raise) {
  json j = encode_json(fault_raise(), kV7);
  EXPECT_EQ(j.at("commonEventHeader").at("priority"), "High");
  EXPECT_EQ(j.at("commonEventHeader").at("sequence"), 1);
  const json& f = j.at("faultFields");
  EXPECT_EQ(f.at("faultFieldsVersion"), "4.0");
  EXPECT_EQ(f.at("alarmCondition"), "HostCpuHigh");
  EXPECT_EQ(f.at("specificProblem"), "CPU usage above 90% for 5 minutes");
  EXPECT_EQ(f.at("eventSeverity"), "CRITICAL");
  EXPECT_EQ(f.at("eventSourceType"), "host");
  EXPECT_EQ(f.at("vfStatus"), "Active");
  EXPECT_EQ(f.at("alarmInterfaceA"), "cpu0");
  EXPECT_EQ(f.at("eventCategory"), "capacity");
  const json& info = f.at("alarmAdditionalInformation");
  ASSERT_TRUE(info.is_object());
  EXPECT_EQ(info.at("alertname"), "HostCpuHigh");
  EXPECT_EQ(info.at("generatorURL"), "http://prometheus:9090/graph?g0.expr=cpu%20%3E%2090");
  EXPECT_EQ(j.size(), 2U);
}

TEST(EncodeTest, v7_fault_clear_keeps_event_id_and_start_with_severity_normal) {
  json raise = encode_json(fault_raise(), kV7);
  json clear = encode_json(fault_clear(), kV7);
  EXPECT_EQ(clear.at("faultFields").at("eventSeverity"), "NORMAL");
  EXPECT_EQ(clear.at("commonEventHeader").at("eventId"), raise.at("commonEventHeader").at("eventId"));
  EXPECT_EQ(clear.at("commonEventHeader").at("startEpochMicrosec"),
            raise.at("commonEventHeader").at("startEpochMicrosec"));
  EXPECT_EQ(clear.at("commonEventHeader").at("sequence"), 2);
}

TEST(EncodeTest, fault_without_optional_fields_omits_them) {
  for (const auto& ctx : {kV7, kV5}) {
    json f = encode_json(fault_minimal(), ctx).at("faultFields");
    EXPECT_FALSE(f.contains("alarmAdditionalInformation"));
    EXPECT_FALSE(f.contains("alarmInterfaceA"));
    EXPECT_FALSE(f.contains("eventCategory"));
    EXPECT_EQ(f.at("eventSeverity"), "MAJOR");
    EXPECT_EQ(f.at("eventSourceType"), "virtualMachine");
    EXPECT_EQ(f.at("vfStatus"), "Requesting termination");
  }
}

TEST(EncodeTest, v5_fault_uses_number_version_and_name_value_list) {
  json f = encode_json(fault_raise(), kV5).at("faultFields");
  ASSERT_TRUE(f.at("faultFieldsVersion").is_number_float());
  EXPECT_DOUBLE_EQ(f.at("faultFieldsVersion").get<double>(), 2.0);
  const json& info = f.at("alarmAdditionalInformation");
  ASSERT_TRUE(info.is_array());
  ASSERT_EQ(info.size(), 3U);
  EXPECT_EQ(info[0], (json{{"name", "alertname"}, {"value", "HostCpuHigh"}}));
  EXPECT_EQ(info[2].at("name"), "generatorURL");
}

TEST(EncodeTest, duplicate_names_keep_the_last_value_at_the_first_position) {
  core::Event e = fault_raise();
  std::get<core::FaultBody>(e.body).additional_information = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  std::string v7 = encode_ok(e, kV7);
  EXPECT_NE(v7.find(R"("alarmAdditionalInformation":{"a":"3","b":"2"})"), std::string::npos) << v7;
  std::string v5 = encode_ok(e, kV5);
  EXPECT_NE(v5.find(R"("alarmAdditionalInformation":[{"name":"a","value":"3"},{"name":"b","value":"2"}])"),
            std::string::npos)
      << v5;
}

TEST(EncodeTest, large_hash_maps_are_deduplicated_too) {
  core::Event e = fault_raise();
  auto& info = std::get<core::FaultBody>(e.body).additional_information;
  info.clear();
  for (int i = 0; i < 40; ++i) info.emplace_back("k" + std::to_string(i % 25), "v" + std::to_string(i));
  json j = encode_json(e, kV7).at("faultFields").at("alarmAdditionalInformation");
  ASSERT_EQ(j.size(), 25U);
  EXPECT_EQ(j.at("k0"), "v25");   // 0 and 25 -> last wins
  EXPECT_EQ(j.at("k24"), "v24");  // only once
  std::string text = encode_ok(e, kV7);
  EXPECT_LT(text.find("\"k0\""), text.find("\"k1\"")) << "first-seen order kept";
}

// ---- JSON escaping -----------------------------------------------------------------------------------------------

TEST(EncodeTest, escapes_quotes_backslashes_and_control_characters) {
  core::Event e = fault_minimal();
  std::get<core::FaultBody>(e.body).specific_problem = "q\"b\\n\nr\rt\tb\bf\fx\x01y\x1f" "z\x7f";
  std::string text = encode_ok(e, kV7);
  EXPECT_NE(text.find(R"("specificProblem":"q\"b\\n\nr\rt\tb\bf\fx\u0001y\u001fz)" "\x7f\""), std::string::npos)
      << text;
}

TEST(EncodeTest, keeps_nul_bytes_as_escapes) {
  core::Event e = fault_minimal();
  std::get<core::FaultBody>(e.body).specific_problem = std::string("a\0b", 3);
  EXPECT_NE(encode_ok(e, kV7).find(R"("specificProblem":"a\u0000b")"), std::string::npos);
}

TEST(EncodeTest, odd_strings_round_trip_and_invalid_utf8_becomes_replacement_character) {
  for (const auto& ctx : {kV7, kV5}) {
    json j = encode_json(fault_odd_strings(), ctx);
    // Valid UTF-8 is passed through untouched; \xFF and the truncated \xC3 become U+FFFD.
    std::string expected = kOddText;
    expected.replace(expected.find("\xFF\xC3("), 3, "\xEF\xBF\xBD\xEF\xBF\xBD(");
    EXPECT_EQ(j.at("commonEventHeader").at("sourceName"), expected);
    EXPECT_EQ(j.at("commonEventHeader").at("eventName"), "Fault_Odd_\"Quoted\"");
    EXPECT_EQ(j.at("faultFields").at("specificProblem"), expected);
    if (ctx.version == Version::v7) {
      EXPECT_EQ(j.at("faultFields").at("alarmAdditionalInformation").at(expected), expected) << "keys escaped too";
    } else {
      EXPECT_EQ(j.at("faultFields").at("alarmAdditionalInformation")[0].at("name"), expected);
    }
  }
  // Multi-byte characters are written raw, not as \u escapes.
  EXPECT_NE(encode_ok(fault_odd_strings(), kV7).find("caf\xC3\xA9"), std::string::npos);
}

// The escaper scans eight bytes at a time: a byte to escape must be found at every offset of a word, in strings
// shorter than, equal to and longer than a word, and a valid multi-byte character must not be split.
TEST(EncodeTest, escapes_a_special_byte_at_any_offset) {
  struct Special {
    std::string raw;
    std::string decoded;  // what a JSON parser reads back
  };
  const std::vector<Special> specials{{"\"", "\""},           {"\\", "\\"},     {std::string(1, '\0'), std::string(1, '\0')},
                                      {"\x1f", "\x1f"},        {"\n", "\n"},       {"\x7f", "\x7f"},
                                      {"\xC3\xA9", "\xC3\xA9"}, {"\xFF", "\xEF\xBF\xBD"}, {"\xE2\x82", "\xEF\xBF\xBD\xEF\xBF\xBD"}};
  for (std::size_t offset = 0; offset <= 17; ++offset) {
    for (std::size_t tail : {0U, 3U, 9U}) {
      for (const auto& special : specials) {
        core::Event e = fault_minimal();
        std::get<core::FaultBody>(e.body).specific_problem =
            std::string(offset, 'a') + special.raw + std::string(tail, 'b');
        const std::string text = encode_ok(e, kV7);
        json j = json::parse(text);  // throws on invalid JSON
        EXPECT_EQ(j.at("faultFields").at("specificProblem"),
                  std::string(offset, 'a') + special.decoded + std::string(tail, 'b'))
            << "offset " << offset << " tail " << tail << " in " << text;
      }
    }
  }
}

TEST(EncodeTest, rejects_overlong_and_surrogate_utf8) {
  core::Event e = fault_minimal();
  // overlong '/', a UTF-16 surrogate half, a code point above U+10FFFF
  std::get<core::FaultBody>(e.body).specific_problem = "\xC0\xAF|\xED\xA0\x80|\xF4\x90\x80\x80";
  json j = encode_json(e, kV7);
  std::string s = j.at("faultFields").at("specificProblem");
  EXPECT_EQ(s.find('\xC0'), std::string::npos);
  EXPECT_EQ(s.find('\xED'), std::string::npos);
  EXPECT_EQ(s.find('\xF4'), std::string::npos);
  EXPECT_NE(s.find("\xEF\xBF\xBD"), std::string::npos);
}

// ---- measurement -------------------------------------------------------------------------------------------------

TEST(EncodeTest, v7_measurement_groups_records_by_array_in_first_seen_order) {
  std::string text = encode_ok(measurement(Version::v7), kV7);
  json m = json::parse(text).at("measurementFields");
  EXPECT_EQ(m.at("measurementFieldsVersion"), "4.0");
  EXPECT_EQ(m.at("measurementInterval"), 300);
  const json& cpu = m.at("cpuUsageArray");
  ASSERT_EQ(cpu.size(), 2U);
  EXPECT_EQ(cpu[0].at("cpuIdentifier"), "cpu0");
  EXPECT_EQ(cpu[1].at("cpuIdentifier"), "1") << "a numeric identifier is sent as a string";
  EXPECT_LT(text.find("\"cpuUsageArray\""), text.find("\"memoryUsageArray\""));
  EXPECT_LT(text.find("\"memoryUsageArray\""), text.find("\"diskUsageArray\""));
  EXPECT_EQ(text.find("\"cpuUsageArray\"", text.find("\"cpuUsageArray\"") + 1), std::string::npos)
      << "one cpuUsageArray only";
  for (const char* array : {"memoryUsageArray", "diskUsageArray", "nicPerformanceArray", "filesystemUsageArray",
                            "loadArray", "processStatsArray", "hugePagesArray", "machineCheckExceptionArray",
                            "latencyDistribution", "codecUsageArray"}) {
    EXPECT_TRUE(m.contains(array)) << array;
  }
}

TEST(EncodeTest, v7_measurement_value_types) {
  json m = encode_json(measurement(Version::v7), kV7).at("measurementFields");
  const json& cpu0 = m.at("cpuUsageArray")[0];
  ASSERT_TRUE(cpu0.at("percentUsage").is_number_float());
  EXPECT_DOUBLE_EQ(cpu0.at("percentUsage").get<double>(), 12.5);
  EXPECT_EQ(m.at("cpuUsageArray")[1].at("percentUsage"), 3);
  EXPECT_TRUE(m.at("cpuUsageArray")[1].at("percentUsage").is_number_integer()) << "int64 stays an integer";
  const json& mem = m.at("memoryUsageArray")[0];
  EXPECT_EQ(mem.at("memoryFree"), 3145728);
  EXPECT_EQ(mem.at("vmIdentifier"), "compute-node-07");
  EXPECT_EQ(m.at("codecUsageArray")[0].at("numberInUse"), 2);
  // scalars: nfcScalingMetric was given as 2.0 for an integer field
  EXPECT_EQ(m.at("concurrentSessions"), 12);
  EXPECT_DOUBLE_EQ(m.at("requestRate").get<double>(), 3.75);
  ASSERT_TRUE(m.at("nfcScalingMetric").is_number_integer());
  EXPECT_EQ(m.at("nfcScalingMetric"), 2);
}

TEST(EncodeTest, nic_records_get_values_are_suspect_false_unless_given) {
  json nic = encode_json(measurement(Version::v7), kV7).at("measurementFields").at("nicPerformanceArray");
  ASSERT_EQ(nic.size(), 2U);
  EXPECT_EQ(nic[0].at("valuesAreSuspect"), "false");
  EXPECT_EQ(nic[0].at("operationalState"), "inService");
  EXPECT_EQ(nic[1].at("valuesAreSuspect"), "true");
}

TEST(EncodeTest, v7_additional_measurements_objects_and_fields) {
  json m = encode_json(measurement(Version::v7), kV7).at("measurementFields");
  EXPECT_EQ(m.at("additionalMeasurements"), json::parse(R"([
      {"name":"prometheus","hashMap":{"node_filefd_allocated":"1856","node_procs_running":"3"}},
      {"name":"empty","hashMap":{}}])"));
  EXPECT_EQ(m.at("additionalFields"), (json{{"scrapeJob", "node"}}));
  EXPECT_EQ(m.at("additionalObjects"), json::parse(R"([
      {"objectName":"additionalFilesystemCounters","objectInstances":[
        {"objectInstance":{"percentFilesystemUsage":42.5,"mountState":"rw"},
         "objectInstanceEpochMicrosec":1716200000000000,
         "objectKeys":[{"keyName":"filesystemName","keyValue":"/"},{"keyName":"device","keyValue":"vda1"}]},
        {"objectInstance":{"percentFilesystemUsage":7},
         "objectKeys":[{"keyName":"filesystemName","keyValue":"/boot"}]}]},
      {"objectName":"noInstances","objectInstances":[]}])"));
}

TEST(EncodeTest, object_instance_values_are_numbers_only_when_they_are_json_numbers) {
  core::Event e = measurement_empty();
  core::ObjectInstance inst;
  inst.object_instance = {{"int", "42"},   {"neg", "-0"},     {"exp", "4.5e3"}, {"lead", "007"},
                          {"word", "abc"}, {"huge", "1e999"}, {"dot", "1."},    {"hex", "0x10"},
                          {"inf", "inf"},  {"empty", ""},     {"space", " 1"}};
  body_of(e).additional_objects = {{"o", {inst}}};
  json oi = encode_json(e, kV7).at("measurementFields").at("additionalObjects")[0].at("objectInstances")[0].at(
      "objectInstance");
  EXPECT_EQ(oi.at("int"), 42);
  EXPECT_TRUE(oi.at("neg").is_number());
  EXPECT_DOUBLE_EQ(oi.at("exp").get<double>(), 4500.0);
  for (const char* s : {"lead", "word", "huge", "dot", "hex", "inf", "empty", "space"}) {
    EXPECT_TRUE(oi.at(s).is_string()) << s;
  }
}

TEST(EncodeTest, v5_measurement_uses_v5_names_and_shapes) {
  json j = encode_json(measurement(Version::v5), kV5);
  EXPECT_FALSE(j.contains("measurementFields"));
  const json& m = j.at("measurementsForVfScalingFields");
  ASSERT_TRUE(m.at("measurementsForVfScalingVersion").is_number_float());
  EXPECT_DOUBLE_EQ(m.at("measurementsForVfScalingVersion").get<double>(), 2.0);
  EXPECT_EQ(m.at("measurementInterval"), 300);
  EXPECT_FALSE(m.contains("nicPerformanceArray"));
  const json& nic = m.at("vNicPerformanceArray");
  ASSERT_EQ(nic.size(), 2U);
  EXPECT_EQ(nic[0].at("vNicIdentifier"), "eth0");
  EXPECT_FALSE(nic[0].contains("nicIdentifier"));
  EXPECT_EQ(nic[0].at("valuesAreSuspect"), "false");
  EXPECT_EQ(m.at("additionalMeasurements")[0], json::parse(R"({"name":"prometheus","arrayOfFields":[
      {"name":"node_filefd_allocated","value":"1856"},{"name":"node_procs_running","value":"3"}]})"));
  EXPECT_EQ(m.at("additionalFields"), json::parse(R"([{"name":"scrapeJob","value":"node"}])"));
  EXPECT_EQ(m.at("vnfcScalingMetric"), 2);
  EXPECT_FALSE(m.contains("nfcScalingMetric"));
  EXPECT_EQ(m.at("featureUsageArray")[0].at("featureUtilization"), 9);
  EXPECT_EQ(m.at("additionalObjects")[0].at("objectInstances")[1].at("objectInstance").at("percentFilesystemUsage"),
            7);
  EXPECT_EQ(m.at("filesystemUsageArray")[0].size(), 7U);
}

TEST(EncodeTest, empty_measurement_has_only_version_and_interval) {
  json m = encode_json(measurement_empty(), kV7).at("measurementFields");
  EXPECT_EQ(m, (json{{"measurementFieldsVersion", "4.0"}, {"measurementInterval", 300}}));
}

TEST(EncodeTest, doubles_use_the_shortest_round_trip_form) {
  core::Event e = measurement_empty();
  body_of(e).records = {{"cpuUsageArray", {{"cpuIdentifier", std::string("c")}, {"percentUsage", 0.1}}},
                        {"cpuUsageArray", {{"cpuIdentifier", std::string("d")}, {"percentUsage", 1e21}}},
                        {"cpuUsageArray", {{"cpuIdentifier", std::string("e")}, {"percentUsage", -2.5e-7}}},
                        {"cpuUsageArray", {{"cpuIdentifier", 0.1}, {"percentUsage", 100.0}}}};
  std::string text = encode_ok(e, kV7);
  EXPECT_NE(text.find("\"percentUsage\":0.1}"), std::string::npos) << text;
  EXPECT_NE(text.find("{\"cpuIdentifier\":\"0.1\",\"percentUsage\":100}"), std::string::npos) << text;
  json cpu = json::parse(text).at("measurementFields").at("cpuUsageArray");
  EXPECT_EQ(cpu[1].at("percentUsage").get<double>(), 1e21);
  EXPECT_EQ(cpu[2].at("percentUsage").get<double>(), -2.5e-7);
}

// ---- errors -----------------------------------------------------------------------------------------------------

TEST(EncodeTest, v7_only_arrays_and_fields_are_rejected_on_v5_by_name) {
  EXPECT_NE(encode_error(measurement(Version::v7), kV5).find("not in VES 5.4.1"), std::string::npos);

  core::Event e = measurement_empty();
  body_of(e).records = {
      {"cpuUsageArray", {{"cpuIdentifier", std::string("c")}, {"percentUsage", 1.0}, {"cpuDemandAvg", 1.0}}}};
  std::string why = encode_error(e, kV5);
  EXPECT_NE(why.find("cpuUsageArray[0].cpuDemandAvg is not in VES 5.4.1"), std::string::npos) << why;
  EXPECT_TRUE(encode_event(e, kV7).has_value());

  body_of(e).records = {{"loadArray", {{"shortTerm", 0.4}}}};
  why = encode_error(e, kV5);
  EXPECT_NE(why.find("loadArray"), std::string::npos) << why;
  EXPECT_NE(why.find("not in VES 5.4.1"), std::string::npos) << why;
}

TEST(EncodeTest, v5_only_array_is_rejected_on_v7) {
  core::Event e = measurement_empty();
  body_of(e).records = {{"featureUsageArray", {{"featureIdentifier", std::string("x")}}}};
  std::string why = encode_error(e, kV7);
  EXPECT_NE(why.find("featureUsageArray"), std::string::npos) << why;
  EXPECT_NE(why.find("not in VES 7.2.1"), std::string::npos) << why;
}

struct MissingCase {
  const char* array;
  core::Fields fields;
  const char* missing;
};

TEST(EncodeTest, records_missing_a_required_field_are_rejected_in_both_versions) {
  const std::vector<MissingCase> cases = {
      {"cpuUsageArray", {{"cpuIdentifier", std::string("cpu0")}}, "percentUsage"},
      {"cpuUsageArray", {{"percentUsage", 1.0}}, "cpuIdentifier"},
      {"memoryUsageArray", {{"vmIdentifier", std::string("vm")}, {"memoryUsed", 1.0}}, "memoryFree"},
      {"memoryUsageArray", {{"vmIdentifier", std::string("vm")}, {"memoryFree", 1.0}}, "memoryUsed"},
      {"memoryUsageArray", {{"memoryFree", 1.0}, {"memoryUsed", 1.0}}, "vmIdentifier"},
      {"diskUsageArray", {{"diskOpsReadLast", 1.0}}, "diskIdentifier"},
      {"nicPerformanceArray", {{"receivedOctetsDelta", 1.0}}, "nicIdentifier"},
      {"filesystemUsageArray",
       {{"filesystemName", std::string("/")},
        {"blockConfigured", 1.0},
        {"blockUsed", 1.0},
        {"blockIops", 1.0},
        {"ephemeralConfigured", 1.0},
        {"ephemeralUsed", 1.0}},
       "ephemeralIops"},
  };
  for (const auto& ctx : {kV7, kV5}) {
    for (const auto& c : cases) {
      core::Event e = measurement_empty();
      body_of(e).records = {{c.array, c.fields}};
      std::string why = encode_error(e, ctx);
      EXPECT_NE(why.find(std::string("missing required field ") + c.missing), std::string::npos)
          << c.array << ": " << why;
    }
  }
}

TEST(EncodeTest, nan_and_infinity_are_rejected_naming_the_field) {
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    core::Event e = measurement_empty();
    body_of(e).records = {{"cpuUsageArray", {{"cpuIdentifier", std::string("cpu0")}, {"percentUsage", bad}}}};
    std::string why = encode_error(e, kV7);
    EXPECT_NE(why.find("cpuUsageArray[0].percentUsage"), std::string::npos) << why;
    EXPECT_NE(why.find("NaN"), std::string::npos) << why;

    core::Event s = measurement_empty();
    body_of(s).scalars = {{"requestRate", bad}};
    why = encode_error(s, kV5);
    EXPECT_NE(why.find("requestRate"), std::string::npos) << why;
  }
}

TEST(EncodeTest, wrong_value_types_are_rejected) {
  struct Case {
    core::Fields fields;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {{{"cpuIdentifier", std::string("c")}, {"percentUsage", std::string("12")}}, "must be a number"},
      {{{"cpuIdentifier", std::string("c")}, {"percentUsage", 1.0}, {"percentUsage", 2.0}}, "given twice"},
      {{{"cpuIdentifier", std::string("c")}, {"percentUsage", 1.0}, {"cpuFrobnication", 2.0}},
       "cpuFrobnication is not a field of cpuUsageArray"},
  };
  for (const auto& c : cases) {
    core::Event e = measurement_empty();
    body_of(e).records = {{"cpuUsageArray", c.fields}};
    std::string why = encode_error(e, kV7);
    EXPECT_NE(why.find(c.needle), std::string::npos) << why;
  }
  core::Event e = measurement_empty();
  body_of(e).records = {{"codecUsageArray", {{"codecIdentifier", std::string("G711")}, {"numberInUse", 2.5}}}};
  EXPECT_NE(encode_error(e, kV7).find("must be an integer"), std::string::npos);
  body_of(e).records = {{"nicPerformanceArray", {{"nicIdentifier", std::string("eth0")},
                                                 {"valuesAreSuspect", std::string("yes")}}}};
  EXPECT_NE(encode_error(e, kV7).find("must be one of: true, false"), std::string::npos);
  body_of(e).records = {{"nicPerformanceArray", {{"nicIdentifier", std::string("eth0")},
                                                 {"valuesAreSuspect", std::int64_t{1}}}}};
  EXPECT_NE(encode_error(e, kV7).find("valuesAreSuspect"), std::string::npos);
  body_of(e).records = {{"fooArray", {}}};
  EXPECT_NE(encode_error(e, kV7).find("fooArray: unknown measurement array"), std::string::npos);
  body_of(e).records.clear();
  body_of(e).scalars = {{"concurrentSessions", std::int64_t{1}}, {"concurrentSessions", std::int64_t{2}}};
  EXPECT_NE(encode_error(e, kV7).find("given twice"), std::string::npos);
  body_of(e).scalars = {{"cpuUsage", 1.0}};
  EXPECT_NE(encode_error(e, kV7).find("cpuUsage is not a measurement field"), std::string::npos);
  body_of(e).scalars.clear();
  body_of(e).interval_seconds = -1;
  EXPECT_NE(encode_error(e, kV7).find("measurementInterval is negative"), std::string::npos);
}

TEST(EncodeTest, faults_without_condition_or_problem_are_rejected) {
  for (const auto& ctx : {kV7, kV5}) {
    core::Event e = fault_minimal();
    std::get<core::FaultBody>(e.body).alarm_condition.clear();
    EXPECT_NE(encode_error(e, ctx).find("faultFields.alarmCondition"), std::string::npos);
    e = fault_minimal();
    std::get<core::FaultBody>(e.body).specific_problem.clear();
    EXPECT_NE(encode_error(e, ctx).find("faultFields.specificProblem"), std::string::npos);
    e = fault_minimal();
    std::get<core::FaultBody>(e.body).vf_status = "active";
    EXPECT_NE(encode_error(e, ctx).find("vfStatus \"active\" is not one of"), std::string::npos);
  }
}

TEST(EncodeTest, header_fields_the_collector_needs_must_not_be_empty) {
  core::Event e = heartbeat();
  e.event_id.clear();
  EXPECT_NE(encode_error(e, kV7).find("commonEventHeader.eventId"), std::string::npos);
  e = heartbeat();
  e.event_name.clear();
  EXPECT_NE(encode_error(e, kV7).find("commonEventHeader.eventName"), std::string::npos);
  e = heartbeat();
  e.source_name.clear();
  EXPECT_NE(encode_error(e, kV5).find("commonEventHeader.sourceName"), std::string::npos);
  e = heartbeat();
  e.reporting_entity_name.clear();
  EXPECT_NE(encode_error(e, kV5).find("commonEventHeader.reportingEntityName"), std::string::npos);
  e = heartbeat();
  e.body = core::HeartbeatBody{-5, {}};
  EXPECT_NE(encode_error(e, kV7).find("heartbeatInterval is negative"), std::string::npos);
}

TEST(EncodeTest, domain_and_body_must_match) {
  core::Event e = heartbeat();
  e.domain = core::Domain::fault;
  std::string why = encode_error(e, kV7);
  EXPECT_NE(why.find("domain is fault but the body is a heartbeat body"), std::string::npos) << why;
}

TEST(EncodeTest, error_code_without_a_reason_pointer) {
  core::Event e = heartbeat();
  e.event_id.clear();
  auto r = encode_event(e, kV7);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), make_error_code(errc::invalid_event));
  EXPECT_TRUE(encode_event(heartbeat(), kV7).has_value());
}

// ---- wrappers ---------------------------------------------------------------------------------------------------

TEST(EncodeTest, wrap_single_and_batch) {
  EXPECT_EQ(wrap_single(R"({"a":1})"), R"({"event":{"a":1}})");
  const std::vector<std::string> events = {R"({"a":1})", R"({"b":2})"};
  EXPECT_EQ(wrap_batch(events), R"({"eventList":[{"a":1},{"b":2}]})");
  EXPECT_EQ(wrap_batch(std::span<const std::string>{events}.first(1)), R"({"eventList":[{"a":1}]})");
  std::string body = wrap_batch(std::vector<std::string>{encode_ok(fault_raise(), kV7), encode_ok(fault_clear(), kV7)});
  json j = json::parse(body);
  ASSERT_EQ(j.at("eventList").size(), 2U);
  EXPECT_EQ(j.at("eventList")[1].at("faultFields").at("eventSeverity"), "NORMAL");
}

}  // namespace
}  // namespace vesagent::ves
