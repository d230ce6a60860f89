// The parser against answers recorded from a real Prometheus 2.42 (tests/data/prometheus, see SOURCES.md) and
// against broken bodies: a body that is not a complete, well-formed answer must never reach the callback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "support/temp_dir.hpp"
#include "vesagent/sources/prometheus/query_response.hpp"

namespace vesagent::sources::prometheus {
namespace {

using ::testing::HasSubstr;

std::string fixture_json(const std::string& name) {
  std::string text = vesagent::test::read_text(vesagent::test::data_dir() / "prometheus" / (name + ".json"));
  EXPECT_FALSE(text.empty()) << name;
  return text;
}

/// The body exactly as it came over the wire (after the blank line of the .http recording).
std::string wire_body(const std::string& name) {
  std::string text = vesagent::test::read_text(vesagent::test::data_dir() / "prometheus" / (name + ".http"));
  auto blank = text.find("\r\n\r\n");
  EXPECT_NE(blank, std::string::npos) << name;
  return blank == std::string::npos ? std::string{} : text.substr(blank + 4);
}

struct Collected {
  QueryResponse response;
  std::vector<std::map<std::string, std::string>> labels;
  std::vector<std::string> values;
  std::vector<double> timestamps;
};

Collected parse(std::string_view body) {
  Collected c;
  c.response = parse_query_response(body, [&](const Sample& s) {
    std::map<std::string, std::string> m;
    for (auto [k, v] : s.labels) m.emplace(k, v);
    c.labels.push_back(std::move(m));
    c.values.emplace_back(s.value);
    c.timestamps.push_back(s.timestamp);
  });
  return c;
}

TEST(QueryResponseTest, parses_a_recorded_vector_with_labels) {
  auto c = parse(wire_body("query_vector_labels"));
  ASSERT_TRUE(c.response.ok()) << c.response.message;
  EXPECT_EQ(c.response.result_type, "vector");
  ASSERT_EQ(c.values.size(), c.response.samples);
  ASSERT_GE(c.values.size(), 8u);
  EXPECT_EQ(c.labels[0].at("__name__"), "node_cpu_seconds_total");
  EXPECT_EQ(c.labels[0].at("cpu"), "0");
  EXPECT_EQ(c.labels[0].at("mode"), "idle");
  EXPECT_EQ(c.values[0], "1389.4");
  EXPECT_DOUBLE_EQ(c.timestamps[0], 1795665906.577);
  // The pretty-printed copy of the same answer gives the same samples.
  auto pretty = parse(fixture_json("query_vector_labels"));
  EXPECT_EQ(pretty.values, c.values);
  EXPECT_EQ(pretty.labels, c.labels);
}

TEST(QueryResponseTest, keeps_nan_and_infinities_as_written_for_the_mapper_to_refuse) {
  auto c = parse(wire_body("query_nan_inf"));
  ASSERT_TRUE(c.response.ok()) << c.response.message;
  EXPECT_EQ(c.values, (std::vector<std::string>{"NaN", "+Inf", "-Inf"}));
  EXPECT_TRUE(c.labels[0].empty());
  EXPECT_EQ(c.labels[1].at("k"), "pinf");
}

TEST(QueryResponseTest, a_scalar_is_one_sample_without_labels) {
  auto c = parse(wire_body("query_scalar"));
  ASSERT_TRUE(c.response.ok()) << c.response.message;
  EXPECT_EQ(c.response.result_type, "scalar");
  ASSERT_EQ(c.values.size(), 1u);
  EXPECT_EQ(c.values[0], "4");
  EXPECT_TRUE(c.labels[0].empty());
}

TEST(QueryResponseTest, an_empty_vector_is_a_success_without_samples) {
  auto c = parse(wire_body("query_empty"));
  EXPECT_TRUE(c.response.ok());
  EXPECT_EQ(c.response.samples, 0u);
}

TEST(QueryResponseTest, ignores_stats_and_other_extra_members) {
  auto c = parse(wire_body("query_stats_all"));
  ASSERT_TRUE(c.response.ok()) << c.response.message;
  EXPECT_EQ(c.values.size(), parse(wire_body("query_vector")).values.size());
}

TEST(QueryResponseTest, matrix_and_string_answers_are_the_wrong_result_type) {
  for (const char* name : {"query_matrix_instant", "query_string"}) {
    auto c = parse(wire_body(name));
    EXPECT_EQ(c.response.error, ResponseError::wrong_result_type) << name;
    EXPECT_THAT(c.response.message, HasSubstr("instant vector or a scalar")) << name;
    EXPECT_TRUE(c.values.empty()) << name;
  }
}

TEST(QueryResponseTest, reports_prometheus_errors_with_their_type_and_text) {
  struct Case {
    const char* name;
    const char* type;
    const char* text;
  };
  for (const auto& k : {Case{"error_execution_422", "execution", "many-to-many matching not allowed"},
                        Case{"error_timeout_503", "timeout", "query timed out"},
                        Case{"error_parse", "bad_data", "parse error"},
                        Case{"error_bad_time", "bad_data", "invalid parameter"}}) {
    auto c = parse(wire_body(k.name));
    EXPECT_EQ(c.response.error, ResponseError::prometheus_error) << k.name;
    EXPECT_EQ(c.response.error_type, k.type) << k.name;
    EXPECT_THAT(c.response.message, HasSubstr(k.text)) << k.name;
  }
}

TEST(QueryResponseTest, a_plain_text_answer_is_malformed) {
  auto c = parse(wire_body("error_404_unknown_path"));
  EXPECT_EQ(c.response.error, ResponseError::malformed);
  EXPECT_TRUE(c.values.empty());
}

TEST(QueryResponseTest, every_truncation_of_an_answer_is_malformed_and_reports_nothing) {
  const std::string body = wire_body("query_vector_labels");
  for (std::size_t n = 0; n < body.size(); ++n) {
    auto c = parse(std::string_view(body).substr(0, n));
    ASSERT_EQ(c.response.error, ResponseError::malformed) << "prefix " << n;
    ASSERT_TRUE(c.values.empty()) << "prefix " << n;
  }
}

TEST(QueryResponseTest, a_bad_series_late_in_the_answer_spoils_nothing_before_it) {
  const std::string body =
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,2]}]}})";
  auto c = parse(body);
  EXPECT_EQ(c.response.error, ResponseError::malformed);
  EXPECT_THAT(c.response.message, HasSubstr("data.result"));
  EXPECT_TRUE(c.values.empty());
}

TEST(QueryResponseTest, decodes_escaped_label_values) {
  const std::string body =
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"q":"a\"b\\c","e":"\u00e9t\u00e9","g":"\ud83d\ude00","lone":"\ud800x"},"value":[1.5,"7"]}]}})";
  auto c = parse(body);
  ASSERT_TRUE(c.response.ok()) << c.response.message;
  EXPECT_EQ(c.labels[0].at("q"), "a\"b\\c");
  EXPECT_EQ(c.labels[0].at("e"), "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(c.labels[0].at("g"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(c.labels[0].at("lone"), "\xef\xbf\xbdx");
}

TEST(QueryResponseTest, accepts_members_in_any_order) {
  const std::string body =
      R"({"data":{"result":[{"value":[2,"3.25"],"metric":{"vm":"x"}}],"resultType":"vector"},"status":"success"})";
  auto c = parse(body);
  ASSERT_TRUE(c.response.ok()) << c.response.message;
  EXPECT_EQ(c.values, std::vector<std::string>{"3.25"});
  EXPECT_EQ(c.labels[0].at("vm"), "x");
}

TEST(QueryResponseTest, rejects_hostile_shapes_without_crashing) {
  for (std::string body : {std::string(100000, '['), std::string("{\"status\":\"success\"}"),
                           std::string("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}"),
                           std::string("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[1]}}"),
                           std::string(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}})"),
                           std::string(R"({"status":"success","data":{"resultType":"vector","result":[]}} x)"),
                           std::string("\"\\x\""), std::string("{\"status\":\"ok\",\"data\":{}}"), std::string()}) {
    auto c = parse(body);
    EXPECT_EQ(c.response.error, ResponseError::malformed) << body.substr(0, 80);
    EXPECT_TRUE(c.values.empty());
  }
}

}  // namespace
}  // namespace vesagent::sources::prometheus
