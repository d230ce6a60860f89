// The measurement field tables must match the official schemas exactly: same fields, JSON types, enums and
// required keys. A schema upgrade or a typo in the table fails here instead of as a 400 from the collector.
#include "vesagent/ves/measurement_fields.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "support/temp_dir.hpp"

namespace vesagent::ves {
namespace {

using nlohmann::json;

struct Schema {
  json definitions;
  std::string block;  // measurementFields / measurementsForVfScalingFields
};

Schema load_schema(Version v) {
  const auto path = vesagent::test::data_dir() / "ves" / "schemas" /
                    (v == Version::v7 ? "CommonEventFormat_30.2.1_ONAP.json" : "CommonEventFormat_28.4.1.json");
  json doc = json::parse(vesagent::test::read_text(path), nullptr, false);
  EXPECT_TRUE(doc.is_object()) << "cannot read " << path;
  if (!doc.is_object()) return {};
  return {doc.at("definitions"), v == Version::v7 ? "measurementFields" : "measurementsForVfScalingFields"};
}

std::string definition_name(const json& ref) {
  const std::string s = ref.get<std::string>();
  return s.substr(s.rfind('/') + 1);
}

std::string schema_type(const json& property) {
  if (property.contains("enum")) return "enumeration";
  return property.at("type").get<std::string>();
}

std::string type_name(FieldType t) {
  switch (t) {
    case FieldType::number: return "number";
    case FieldType::integer: return "integer";
    case FieldType::string: return "string";
    case FieldType::enumeration: return "enumeration";
  }
  return "?";
}

class MeasurementFieldsTest : public ::testing::TestWithParam<Version> {};

TEST_P(MeasurementFieldsTest, every_array_matches_its_schema_definition) {
  const Version version = GetParam();
  const Schema schema = load_schema(version);
  ASSERT_FALSE(schema.definitions.is_null());
  const json& block = schema.definitions.at(schema.block).at("properties");
  for (const ArrayInfo& array : measurement_arrays(version)) {
    SCOPED_TRACE(std::string(array.wire_name));
    ASSERT_TRUE(block.contains(array.wire_name));
    const json& def = schema.definitions.at(definition_name(block.at(array.wire_name).at("items").at("$ref")));
    const json& props = def.at("properties");
    const json required = def.value("required", json::array());
    ASSERT_EQ(array.fields.size(), props.size());
    for (const FieldInfo& field : array.fields) {
      SCOPED_TRACE(std::string(field.wire()));
      ASSERT_TRUE(props.contains(field.wire()));
      const json& p = props.at(field.wire());
      EXPECT_EQ(type_name(field.type), schema_type(p));
      EXPECT_EQ(field.required, std::find(required.begin(), required.end(), field.wire()) != required.end());
      if (field.type == FieldType::enumeration) {
        std::set<std::string> ours(field.allowed.begin(), field.allowed.end());
        std::set<std::string> theirs(p.at("enum").begin(), p.at("enum").end());
        EXPECT_EQ(ours, theirs);
        if (!field.default_value.empty()) {
          EXPECT_TRUE(ours.count(std::string(field.default_value)));
        }
      }
    }
  }
}

TEST_P(MeasurementFieldsTest, every_record_array_of_the_schema_is_in_the_table) {
  const Version version = GetParam();
  const Schema schema = load_schema(version);
  ASSERT_FALSE(schema.definitions.is_null());
  for (const auto& [name, p] : schema.definitions.at(schema.block).at("properties").items()) {
    // additional* are written from their own members of MeasurementBody.
    if (name.rfind("additional", 0) == 0) continue;
    if (p.value("type", "") != "array" || !p.at("items").contains("$ref")) continue;
    bool found = false;
    for (const ArrayInfo& a : measurement_arrays(version)) found = found || a.wire_name == name;
    EXPECT_TRUE(found) << name << " is missing from the table";
  }
}

TEST_P(MeasurementFieldsTest, scalars_match_the_schema) {
  const Version version = GetParam();
  const Schema schema = load_schema(version);
  ASSERT_FALSE(schema.definitions.is_null());
  const json& props = schema.definitions.at(schema.block).at("properties");
  std::set<std::string> expected;
  for (const auto& [name, p] : props.items()) {
    const std::string type = p.value("type", "");
    if ((type == "number" || type == "integer") && name != "measurementInterval" &&
        name != "measurementsForVfScalingVersion") {
      expected.insert(name);
    }
  }
  std::set<std::string> ours;
  for (const FieldInfo& f : measurement_scalars(version)) {
    ours.insert(std::string(f.wire()));
    EXPECT_EQ(type_name(f.type), props.at(f.wire()).at("type").get<std::string>()) << f.wire();
  }
  EXPECT_EQ(ours, expected);
}

INSTANTIATE_TEST_SUITE_P(BothVersions, MeasurementFieldsTest, ::testing::Values(Version::v7, Version::v5),
                         [](const ::testing::TestParamInfo<Version>& p) {
                           return p.param == Version::v7 ? "v7" : "v5";
                         });

TEST(MeasurementFieldsLookupTest, knows_which_version_has_which_field) {
  EXPECT_TRUE(is_known_measurement_field(Version::v7, "cpuUsageArray", "cpuDemandAvg"));
  EXPECT_FALSE(is_known_measurement_field(Version::v5, "cpuUsageArray", "cpuDemandAvg"));
  EXPECT_TRUE(is_known_measurement_field(Version::v5, "cpuUsageArray", "percentUsage"));
  EXPECT_TRUE(is_known_measurement_field(Version::v5, "nicPerformanceArray", "nicIdentifier"));
  EXPECT_FALSE(is_known_measurement_field(Version::v5, "nicPerformanceArray", "vNicIdentifier"))
      << "lookups use core names";
  EXPECT_FALSE(is_known_measurement_field(Version::v5, "loadArray", "shortTerm"));
  EXPECT_TRUE(is_known_measurement_field(Version::v7, "loadArray", "shortTerm"));
  EXPECT_FALSE(is_known_measurement_field(Version::v7, "cpuUsageArray", "CPUIdentifier")) << "case-sensitive";
  EXPECT_EQ(find_measurement_array(Version::v5, "nicPerformanceArray")->wire_name, "vNicPerformanceArray");
  EXPECT_EQ(find_measurement_field(Version::v5, "nicPerformanceArray", "nicIdentifier")->wire(), "vNicIdentifier");
  EXPECT_EQ(find_measurement_scalar(Version::v5, "nfcScalingMetric")->wire(), "vnfcScalingMetric");
  EXPECT_EQ(find_measurement_scalar(Version::v7, "nfcScalingMetric")->wire(), "nfcScalingMetric");
  EXPECT_EQ(find_measurement_scalar(Version::v7, "measurementInterval"), nullptr);
}

TEST(MeasurementFieldsLookupTest, required_fields_are_what_an_event_must_supply) {
  using List = std::vector<std::string_view>;
  EXPECT_EQ(required_measurement_fields(Version::v7, "cpuUsageArray"), (List{"cpuIdentifier", "percentUsage"}));
  EXPECT_EQ(required_measurement_fields(Version::v5, "memoryUsageArray"),
            (List{"memoryFree", "memoryUsed", "vmIdentifier"}));
  EXPECT_EQ(required_measurement_fields(Version::v7, "filesystemUsageArray").size(), 7U);
  EXPECT_EQ(required_measurement_fields(Version::v7, "nicPerformanceArray"), (List{"nicIdentifier"}))
      << "valuesAreSuspect is defaulted by the encoder";
  EXPECT_TRUE(required_measurement_fields(Version::v7, "loadArray").empty());
  EXPECT_TRUE(required_measurement_fields(Version::v5, "loadArray").empty());
}

TEST(MeasurementFieldsLookupTest, canonical_names_accept_vespa_and_v5_spellings) {
  EXPECT_EQ(canonical_measurement_array("CPUUsageArray"), "cpuUsageArray");
  EXPECT_EQ(canonical_measurement_array("MemoryUsageArray"), "memoryUsageArray");
  EXPECT_EQ(canonical_measurement_array("VNicPerformanceArray"), "nicPerformanceArray");
  EXPECT_EQ(canonical_measurement_array("featureUsageArray"), "featureUsageArray");
  EXPECT_EQ(canonical_measurement_array("AdditionalObjects"), std::nullopt);
  EXPECT_EQ(canonical_measurement_field("memoryUsageArray", "MemoryFree"), "memoryFree");
  EXPECT_EQ(canonical_measurement_field("memoryUsageArray", "VMIdentifier"), "vmIdentifier");
  EXPECT_EQ(canonical_measurement_field("cpuUsageArray", "CPUIdentifier"), "cpuIdentifier");
  EXPECT_EQ(canonical_measurement_field("nicPerformanceArray", "VNICIdentifier"), "nicIdentifier");
  EXPECT_EQ(canonical_measurement_field("cpuUsageArray", "cpuDemandAvg"), "cpuDemandAvg");
  EXPECT_EQ(canonical_measurement_field("cpuUsageArray", "memoryFree"), std::nullopt);
  EXPECT_EQ(canonical_measurement_scalar("VnfcScalingMetric"), "nfcScalingMetric");
  EXPECT_EQ(canonical_measurement_scalar("requestrate"), "requestRate");
  EXPECT_EQ(canonical_measurement_scalar("bogus"), std::nullopt);
}

}  // namespace
}  // namespace vesagent::ves
