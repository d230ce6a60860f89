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
  // "{{-3}}" is not a trim marker in Go (the dash needs a space after it), so it is an unsupported action.
  EXPECT_THAT(parse_error("{{-3}}"), HasSubstr("unsupported template action \"{{-3}}\""));
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

TEST(TemplateTest, rejects_every_action_outside_the_subset_quoting_it) {
  for (std::string_view bad : {"{{range .labels}}x{{end}}", "{{.labels.cpu | upper}}", "{{if .vmId}}a{{end}}",
                               "{{index .labels \"a-b\"}}", "{{.labels}}", "{{.Labels.cpu}}", "{{$x := 1}}",
                               "{{printf \"%s\" .vmId}}", "{{.labels.a.b}}", "{{}}", "{{ .interval2 }}"}) {
    const std::string error = parse_error(bad);
    EXPECT_THAT(error, HasSubstr("unsupported template action \"{{")) << bad;
    EXPECT_THAT(error, HasSubstr("{{.labels.NAME}}, {{.vmId}}, {{.interval}}")) << bad;
  }
  EXPECT_THAT(parse_error("{{range}}"), HasSubstr("unsupported template action \"{{range}}\""));
}

TEST(TemplateTest, rejects_an_unclosed_action) {
  EXPECT_THAT(parse_error("up{{.labels.x"), HasSubstr("unclosed template action \"{{.labels.x\""));
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
