#include "vesagent/template/template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vesagent::text_template {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

json load_cases() {
  const char* dir = std::getenv("VESAGENT_TEST_DATA");
  std::ifstream in(std::string(dir != nullptr ? dir : "tests/data") + "/template/cases.json");
  EXPECT_TRUE(in.good()) << "tests/data/template/cases.json not found (VESAGENT_TEST_DATA)";
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

std::string render(std::string_view text, const json& data, MissingKey mode = MissingKey::no_value) {
  std::string error;
  auto t = Template::compile(text, "t", error);
  EXPECT_TRUE(t) << text << ": " << error;
  if (!t) return "<compile error>";
  std::string out;
  ExecOptions options;
  options.missing_key = mode;
  auto e = t->execute(data, out, options);
  EXPECT_FALSE(e) << text << ": " << (e ? e->message : "");
  return out;
}

std::string compile_error(std::string_view text, std::string_view source = "rules[0].vmId") {
  std::string error;
  auto t = Template::compile(text, source, error);
  EXPECT_FALSE(t) << text << " was accepted";
  return error;
}

// Every case of Go's table: the same output, or an error where Go has one. Go's parse errors must be refused at
// compile time; Go's execution errors may be refused at compile time (arity, arguments to a non-function) or
// fail at execution.
TEST(TemplateGoTable, matches_go_text_template_with_sprig) {
  const json cases = load_cases();
  ASSERT_GE(cases.size(), 150u);
  int checked = 0;
  for (const auto& c : cases) {
    const std::string name = c.at("name");
    const std::string text = c.at("template");
    SCOPED_TRACE(name + ": " + text);
    std::string error;
    auto t = Template::compile(text, name, error);
    const std::string go_error = c.value("error", "");
    if (go_error == "parse") {
      EXPECT_FALSE(t) << "Go refuses it at parse time: " << c.value("go_error", "");
      if (!t) {
        EXPECT_THAT(error, HasSubstr(name + ":")) << "the message names the source";
      }
      ++checked;
      continue;
    }
    if (!t) {
      EXPECT_EQ(go_error, "exec") << "refused at compile time but Go runs it: " << error;
      ++checked;
      continue;
    }
    ExecOptions options;
    options.missing_key = c.value("strict", false) ? MissingKey::error : MissingKey::no_value;
    std::string out;
    auto e = t->execute(c.at("data"), out, options);
    if (go_error == "exec") {
      EXPECT_TRUE(e) << "Go fails: " << c.value("go_error", "") << "; we printed " << out;
    } else {
      EXPECT_FALSE(e) << (e ? e->message : "");
      EXPECT_EQ(out, c.at("output").get<std::string>());
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(cases.size()));
}

TEST(Template, compile_errors_name_the_source_line_and_column) {
  EXPECT_EQ(compile_error("a\nb {{ b64enc .x }}"), "rules[0].vmId:2:6: function \"b64enc\" is not supported");
  EXPECT_EQ(compile_error("{{.x"), "rules[0].vmId:1:5: unclosed action");
  EXPECT_THAT(compile_error("{{if .x}}"), HasSubstr("unexpected EOF"));
  EXPECT_THAT(compile_error("{{$y}}"), HasSubstr("undefined variable \"$y\""));
  EXPECT_THAT(compile_error("{{lower}}"), HasSubstr("wrong number of args for lower: want 1 got 0"));
  EXPECT_THAT(compile_error("{{.x | replace \"a\"}}"), HasSubstr("wrong number of args for replace: want 3 got 2"));
  EXPECT_THAT(compile_error("{{define \"x\"}}y{{end}}"), HasSubstr("{{define}} is not supported"));
  EXPECT_THAT(compile_error("{{template \"x\"}}"), HasSubstr("{{template}} is not supported"));
  EXPECT_THAT(compile_error("{{.x |}}"), HasSubstr("missing command"));
}

TEST(Template, deep_nesting_is_refused_not_a_stack_overflow) {
  std::string deep(10000, '(');
  EXPECT_THAT(compile_error("{{" + deep + "1" + std::string(10000, ')') + "}}"), HasSubstr("nested too deeply"));
  std::string blocks;
  for (int i = 0; i < 1000; ++i) blocks += "{{if .x}}";
  EXPECT_THAT(compile_error(blocks), HasSubstr("nested too deeply"));
}

TEST(Template, constant_templates_and_root_keys) {
  std::string error;
  auto t = Template::compile("a{{/* c */}}b", "s", error);
  ASSERT_TRUE(t) << error;
  EXPECT_TRUE(t->is_constant());
  EXPECT_EQ(t->constant_text(), "ab");
  t = Template::compile("{{.labels.x}}{{with .vmId}}{{.y}}{{$.interval}}{{end}}{{range .z}}{{.}}{{end}}", "s", error);
  ASSERT_TRUE(t) << error;
  EXPECT_FALSE(t->is_constant());
  EXPECT_EQ(t->root_keys(), (std::vector<std::string>{"interval", "labels", "vmId", "z"}));
  t = Template::compile("{{.}}", "s", error);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->root_keys(), (std::vector<std::string>{""}));
}

TEST(Template, missing_key_error_names_the_key) {
  std::string error;
  auto t = Template::compile("{{.labels.cpu}}", "r.vmId", error);
  ASSERT_TRUE(t);
  std::string out;
  ExecOptions strict;
  strict.missing_key = MissingKey::error;
  auto e = t->execute(json{{"labels", {{"a", "1"}}}}, out, strict);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->missing_key, "cpu");
  EXPECT_EQ(e->message, "r.vmId:1:3: map has no entry for key \"cpu\"");
}

TEST(Template, a_printed_missing_key_is_reported_but_default_consumes_it) {
  std::string error;
  auto printed = Template::compile("x-{{.labels.cpu}}", "s", error);
  auto defaulted = Template::compile("x-{{.labels.cpu | default \"all\"}}", "s", error);
  ASSERT_TRUE(printed && defaulted);
  const json data{{"labels", {{"a", "1"}}}};
  std::string missing;
  ExecOptions options;
  options.missing_printed = &missing;
  std::string out;
  EXPECT_FALSE(printed->execute(data, out, options));
  EXPECT_EQ(out, "x-<no value>");
  EXPECT_EQ(missing, "cpu");
  missing.clear();
  out.clear();
  EXPECT_FALSE(defaulted->execute(data, out, options));
  EXPECT_EQ(out, "x-all");
  EXPECT_EQ(missing, "");
}

TEST(Template, runaway_output_is_an_error_not_an_allocation) {
  std::string error;
  auto t = Template::compile("{{repeat 100000000 \"xxxxxxxxxx\"}}", "s", error);
  ASSERT_TRUE(t);
  std::string out;
  auto e = t->execute(json::object(), out);
  ASSERT_TRUE(e);
  EXPECT_THAT(e->message, HasSubstr("longer than 1 MiB"));
}

TEST(Template, vespa_rule_forms) {
  const json data{{"labels", {{"instance", "node-1:9100"}, {"VNFC", "lr-ope-0"}}}, {"interval", 300}, {"vmId", "lr-ope-0"}};
  EXPECT_EQ(render("{{ .labels.instance | regexReplaceAll \":[0-9]+$\" \"\" }}", data), "");  // Go: piped value is the last arg
  EXPECT_EQ(render("{{ regexReplaceAll \":[0-9]+$\" .labels.instance \"\" }}", data), "node-1");
  EXPECT_EQ(render("avg_over_time(x[{{.interval}}s])", data, MissingKey::error), "avg_over_time(x[300s])");
  EXPECT_EQ(render("{{ .labels.VNFC | upper | printf \"vm-%s\" }}", data), "vm-LR-OPE-0");
}

TEST(Template, function_names_lists_the_supported_set) {
  const auto& names = function_names();
  for (const char* f : {"default", "lower", "upper", "title", "trim", "trimPrefix", "trimSuffix", "replace",
                        "regexReplaceAll", "regexFind", "split", "splitList", "join", "quote", "toString", "atoi",
                        "int", "float64", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "len", "index",
                        "print", "printf", "println"}) {
    EXPECT_TRUE(std::find(names.begin(), names.end(), f) != names.end()) << f;
  }
}

}  // namespace
}  // namespace vesagent::text_template
