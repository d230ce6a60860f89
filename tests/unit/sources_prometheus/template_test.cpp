#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vesagent/sources/prometheus/template.hpp"

namespace vesagent::sources::prometheus {
namespace {

using ::testing::HasSubstr;

Template parse_ok(std::string_view text, unsigned vars = kVarAll) {
  std::string error;
  auto t = Template::parse(text, vars, error);
  EXPECT_TRUE(t.has_value()) << text << ": " << error;
  return t ? *t : *Template::parse("", kVarAll, error);
}

std::string parse_error(std::string_view text, unsigned vars = kVarAll) {
  std::string error;
  auto t = Template::parse(text, vars, error);
  EXPECT_FALSE(t.has_value()) << text << " was accepted";
  return error;
}

std::string render(const Template& t, const std::vector<LabelView>& labels, std::string_view vm = "vm-1",
                   std::int64_t interval = 300) {
  std::string out;
  EXPECT_TRUE(t.render(TemplateData{labels, vm, interval}, out)) << t.source();
  return out;
}

TEST(TemplateTest, renders_labels_vm_id_interval_and_literal_text) {
  auto t = parse_ok("cpu-{{.labels.cpu}}@{{.vmId}}/{{.interval}}s");
  EXPECT_EQ(render(t, {{"cpu", "3"}, {"VNFC", "x"}}), "cpu-3@vm-1/300s");
  EXPECT_FALSE(t.is_constant());
  EXPECT_TRUE(t.uses_labels());
}

TEST(TemplateTest, vespa_forms_with_spaces_trim_markers_and_comments) {
  EXPECT_EQ(render(parse_ok("{{ .labels.VNFC }}"), {{"VNFC", "lr-ope-0"}}), "lr-ope-0");
  EXPECT_EQ(render(parse_ok("a  {{- .vmId -}}  b"), {}), "avm-1b");
  EXPECT_EQ(render(parse_ok("x{{/* a comment */}}y"), {}), "xy");
  EXPECT_EQ(render(parse_ok("avg_over_time(CoreCPUPercent[{{.interval}}s])", kVarInterval), {}, "", 60),
            "avg_over_time(CoreCPUPercent[60s])");
  // "{{-3}}" is not a trim marker in Go (the dash needs a space after it): it is the number -3.
  EXPECT_EQ(render(parse_ok("{{-3}}"), {}), "-3");
}

TEST(TemplateTest, literal_text_is_constant_and_kept_verbatim) {
  auto t = parse_ok("MemoryUsageArray.MemoryFree");
  EXPECT_TRUE(t.is_constant());
  EXPECT_EQ(t.constant_text(), "MemoryUsageArray.MemoryFree");
  EXPECT_EQ(render(parse_ok("100 - rate(x[5m]) } {"), {}), "100 - rate(x[5m]) } {");
  EXPECT_TRUE(parse_ok("").is_constant());
}

TEST(TemplateTest, a_missing_label_fails_the_render_and_names_the_label) {
  auto t = parse_ok("{{.labels.VNFC}}");
  std::string out;
  std::string_view missing;
  std::vector<LabelView> labels{{"instance", "a"}};
  EXPECT_FALSE(t.render(TemplateData{labels, {}, 1}, out, &missing));
  EXPECT_EQ(missing, "VNFC");
}

TEST(TemplateTest, vespa_rule_files_use_pipelines_conditions_and_sprig_functions) {
  const std::vector<LabelView> labels{{"instance", "node-1:9100"}, {"device", "eth0"}, {"VNFC", "LR-OPE-0"},
                                      {"path", "/dev/sda1"}};
  EXPECT_EQ(render(parse_ok("{{ .labels.VNFC | lower }}"), labels), "lr-ope-0");
  EXPECT_EQ(render(parse_ok("{{ regexReplaceAll \":[0-9]+$\" .labels.instance \"\" }}"), labels), "node-1");
  EXPECT_EQ(render(parse_ok("{{ index (splitList \":\" .labels.instance) 0 }}"), labels), "node-1");
  EXPECT_EQ(render(parse_ok("{{ .labels.path | trimPrefix \"/dev/\" | upper }}"), labels), "SDA1");
  EXPECT_EQ(render(parse_ok("{{ if hasPrefix \"eth\" .labels.device }}VNICPerformanceArray.ReceivedOctetsDelta"
                            "{{ else }}AdditionalObjects{{ end }}"),
                   labels),
            "VNICPerformanceArray.ReceivedOctetsDelta");
  EXPECT_EQ(render(parse_ok("{{ printf \"%s/%d\" .vmId .interval }}"), labels, "vm-1", 60), "vm-1/60");
  EXPECT_EQ(render(parse_ok("x[{{ div .interval 60 }}m]", kVarInterval), {}, "", 300), "x[5m]");
}

TEST(TemplateTest, refuses_syntax_errors_unsupported_functions_and_unknown_variables_at_load) {
  EXPECT_THAT(parse_error("{{ .labels.cpu | b64enc }}"),
              HasSubstr("function \"b64enc\" is not supported, at 1:18 of \"{{ .labels.cpu | b64enc }}\""));
  EXPECT_THAT(parse_error("{{range .labels}}x"), HasSubstr("unexpected EOF"));
  EXPECT_THAT(parse_error("{{}}"), HasSubstr("missing value for command"));
  EXPECT_THAT(parse_error("{{ $x }}"), HasSubstr("undefined variable \"$x\""));
  EXPECT_THAT(parse_error("{{ lower }}"), HasSubstr("wrong number of args for lower"));
  EXPECT_THAT(parse_error("{{.Labels.cpu}}"), HasSubstr("uses .Labels, which rule templates do not have"));
  EXPECT_THAT(parse_error("{{ .interval2 }}"), HasSubstr("uses .interval2"));
  EXPECT_THAT(parse_error("{{define \"x\"}}{{end}}"), HasSubstr("{{define}} is not supported"));
}

TEST(TemplateTest, rejects_an_unclosed_action) {
  EXPECT_THAT(parse_error("up{{.labels.x"), HasSubstr("unclosed action, at 1:14 of \"up{{.labels.x\""));
}

TEST(TemplateTest, default_sees_an_absent_label_where_vespa_executes_without_missingkey_error) {
  std::string error;
  auto keyed = Template::parse("{{ .labels.cpu | default \"all\" }}", kVarAll, error, MissingLabels::no_value);
  ASSERT_TRUE(keyed) << error;
  EXPECT_EQ(render(*keyed, {{"VNFC", "x"}}), "all");
  // A missing label that reaches the output still skips the series: no "<no value>" key is sent.
  auto plain = Template::parse("cpu-{{ .labels.cpu }}", kVarAll, error, MissingLabels::no_value);
  ASSERT_TRUE(plain);
  std::string out;
  std::string_view missing;
  EXPECT_FALSE(plain->render(TemplateData{{}, "vm", 1}, out, &missing));
  EXPECT_EQ(missing, "cpu");
  // vmId, target and expr run with missingkey=error, as in VESPA: the absent label fails the render.
  auto strict = Template::parse("{{ .labels.cpu | default \"all\" }}", kVarAll, error);
  ASSERT_TRUE(strict);
  out.clear();
  EXPECT_FALSE(strict->render(TemplateData{{}, "vm", 1}, out, &missing));
  EXPECT_EQ(missing, "cpu");
}

TEST(TemplateTest, a_render_error_other_than_a_missing_label_is_explained) {
  auto t = parse_ok("{{ index (splitList \",\" .labels.csv) 3 }}");
  std::string out;
  std::string error;
  std::string_view missing;
  const std::vector<LabelView> labels{{"csv", "a,b"}};
  EXPECT_FALSE(t.render(TemplateData{labels, "vm", 1}, out, &missing, &error));
  EXPECT_TRUE(missing.empty());
  EXPECT_THAT(error, HasSubstr("error calling index: index out of range: 3"));
}

TEST(TemplateTest, a_field_may_use_only_its_own_variables) {
  // expr runs before any series exists; vmId cannot refer to itself.
  EXPECT_THAT(parse_error("up{job=\"{{.labels.job}}\"}", kVarInterval), HasSubstr("uses .labels"));
  EXPECT_THAT(parse_error("{{.vmId}}", kVarInterval | kVarLabels), HasSubstr("uses .vmId"));
  EXPECT_THAT(parse_error("{{.interval}}", kVarLabels), HasSubstr("uses .interval"));
  parse_ok("{{.labels.VNFC}}-{{.interval}}", kVarInterval | kVarLabels);
}

TEST(TemplateTest, find_label_looks_up_by_exact_name) {
  std::vector<LabelView> labels{{"cpu", "0"}, {"CPU", "1"}};
  EXPECT_EQ(find_label(labels, "CPU").value(), "1");
  EXPECT_FALSE(find_label(labels, "mode").has_value());
}

}  // namespace
}  // namespace vesagent::sources::prometheus
