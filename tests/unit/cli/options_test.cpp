#include "vesagent/cli/options.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "vesagent/config/loader.hpp"

namespace vesagent::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Options parse_args(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"ves-agent"};
  argv.insert(argv.end(), args.begin(), args.end());
  return parse(static_cast<int>(argv.size()), argv.data());
}

TEST(OptionsTest, defaults_without_arguments) {
  auto o = parse_args({});
  EXPECT_EQ(o.config_file, "/etc/ves-agent/ves-agent.yml");
  EXPECT_FALSE(o.config_file_given);
  EXPECT_FALSE(o.check_config);
  EXPECT_FALSE(o.print_config);
  EXPECT_FALSE(o.show_help);
  EXPECT_FALSE(o.show_version);
  EXPECT_TRUE(o.overrides.empty());
  EXPECT_TRUE(o.errors.empty());
}

TEST(OptionsTest, parses_config_file_in_both_forms) {
  auto eq = parse_args({"--config.file=/tmp/a.yml"});
  EXPECT_EQ(eq.config_file, "/tmp/a.yml");
  EXPECT_TRUE(eq.config_file_given);
  auto sep = parse_args({"--config.file", "/tmp/b.yml"});
  EXPECT_EQ(sep.config_file, "/tmp/b.yml");
  EXPECT_TRUE(sep.config_file_given);
  EXPECT_TRUE(sep.errors.empty());
}

TEST(OptionsTest, parses_process_switches) {
  auto o = parse_args({"--check-config", "--print-config", "--version", "-h"});
  EXPECT_TRUE(o.check_config);
  EXPECT_TRUE(o.print_config);
  EXPECT_TRUE(o.show_version);
  EXPECT_TRUE(o.show_help);
  EXPECT_TRUE(parse_args({"--help"}).show_help);
  EXPECT_TRUE(o.errors.empty());
}

TEST(OptionsTest, turns_key_flags_into_overrides_in_order) {
  auto o = parse_args({"--primaryCollector.fqdn=collector", "--primaryCollector.port", "9443", "--log.level=debug",
                       "--log.format", "json", "--event.retryInterval=10s", "--primaryCollector.fqdn=again"});
  EXPECT_TRUE(o.errors.empty());
  EXPECT_THAT(o.overrides, ElementsAre(Pair("primaryCollector.fqdn", "collector"), Pair("primaryCollector.port", "9443"),
                                       Pair("log.level", "debug"), Pair("log.format", "json"),
                                       Pair("event.retryInterval", "10s"), Pair("primaryCollector.fqdn", "again")));
}

TEST(OptionsTest, keeps_values_that_contain_equals_signs_and_leading_dashes) {
  auto o = parse_args({"--primaryCollector.password=a=b", "--event.retryInterval", "-5s"});
  EXPECT_TRUE(o.errors.empty());
  EXPECT_THAT(o.overrides, ElementsAre(Pair("primaryCollector.password", "a=b"), Pair("event.retryInterval", "-5s")));
}

TEST(OptionsTest, bare_boolean_flag_means_true) {
  auto o = parse_args({"--primaryCollector.secure", "--primaryCollector.insecureSkipVerify", "false", "--debug"});
  EXPECT_TRUE(o.errors.empty());
  EXPECT_THAT(o.overrides, ElementsAre(Pair("primaryCollector.secure", "true"),
                                       Pair("primaryCollector.insecureSkipVerify", "false"), Pair("debug", "true")));
}

TEST(OptionsTest, accepts_vespa_style_flag_case) {
  auto o = parse_args({"--PrimaryCollector.FQDN=x"});
  EXPECT_TRUE(o.errors.empty());
  EXPECT_THAT(o.overrides, ElementsAre(Pair("primaryCollector.fqdn", "x")));
}

TEST(OptionsTest, reports_unknown_flags_with_a_suggestion) {
  auto o = parse_args({"--primaryCollector.fdqn=x", "--check-conf", "--no-such-thing-at-all"});
  ASSERT_EQ(o.errors.size(), 3u);
  EXPECT_THAT(o.errors[0], HasSubstr("unknown flag --primaryCollector.fdqn"));
  EXPECT_THAT(o.errors[0], HasSubstr("did you mean --primaryCollector.fqdn?"));
  EXPECT_THAT(o.errors[1], HasSubstr("did you mean --check-config?"));
  EXPECT_THAT(o.errors[2], HasSubstr("unknown flag --no-such-thing-at-all"));
  EXPECT_TRUE(o.overrides.empty());
}

TEST(OptionsTest, reports_flags_missing_their_value) {
  auto o = parse_args({"--primaryCollector.port", "--config.file"});
  ASSERT_EQ(o.errors.size(), 2u);
  EXPECT_THAT(o.errors[0], HasSubstr("--primaryCollector.port needs a value"));
  EXPECT_THAT(o.errors[1], HasSubstr("--config.file needs a value"));
  EXPECT_FALSE(o.config_file_given);
  EXPECT_THAT(parse_args({"--config.file="}).errors.at(0), HasSubstr("non-empty"));
}

TEST(OptionsTest, reports_list_flags_switch_values_and_stray_arguments) {
  auto o = parse_args({"--event.nfcNamingCodes=x", "--check-config=yes", "stray", "-primaryCollector.fqdn=x"});
  ASSERT_EQ(o.errors.size(), 4u);
  EXPECT_THAT(o.errors[0], HasSubstr("can only be set in the configuration file"));
  EXPECT_THAT(o.errors[1], HasSubstr("--check-config takes no value"));
  EXPECT_THAT(o.errors[2], HasSubstr("unexpected argument \"stray\""));
  EXPECT_THAT(o.errors[3], HasSubstr("flags start with --"));
  EXPECT_THAT(o.errors[3], HasSubstr("did you mean --primaryCollector.fqdn?"));
}

TEST(OptionsTest, help_lists_every_key_with_env_type_and_default) {
  std::string help = help_text();
  EXPECT_THAT(help, HasSubstr("Usage: ves-agent"));
  for (const char* flag : {"--config.file=PATH", "--check-config", "--print-config", "-h, --help", "--version"}) {
    EXPECT_THAT(help, HasSubstr(flag));
  }
  for (const auto& d : config::key_docs()) {
    if (d.flag.empty()) {
      EXPECT_THAT(help, HasSubstr("  " + d.path + " (" + d.type + ")")) << d.path;
      continue;
    }
    EXPECT_THAT(help, HasSubstr(d.flag + "=<" + d.type + ">")) << d.path;
    EXPECT_THAT(help, HasSubstr(d.env)) << d.path;
    if (!d.default_value.empty() && !d.secret && !d.required) {
      EXPECT_THAT(help, HasSubstr("default " + d.default_value)) << d.path;
    }
  }
  EXPECT_THAT(help, HasSubstr("VES_<SECTION>_<KEY>"));
  EXPECT_THAT(help, HasSubstr("--primaryCollector.port=<int>\n      VES_PRIMARYCOLLECTOR_PORT, default 8443"));
}

TEST(OptionsTest, flags_feed_the_loader_with_highest_precedence) {
  auto o = parse_args({"--primaryCollector.fqdn=flag-host", "--event.maxMissed", "5"});
  ASSERT_TRUE(o.errors.empty());
  config::Inputs in;
  in.file_name = "t.yml";
  in.yaml_text = "primaryCollector:\n  fqdn: file-host\nevent:\n  maxMissed: 3\n";
  in.env = {{"VES_EVENT_MAXMISSED", "4"}};
  in.host_name = "h";
  in.flags = o.overrides;
  auto r = config::load(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.primary_collector.fqdn, "flag-host");
  EXPECT_EQ(r.config.event.max_missed, 5);
}

// ---- issue 7: operator run modes and Prometheus-style flags ----

TEST(OptionsTest, dry_run_and_once_are_switches_without_values) {
  auto o = parse_args({"--dry-run", "--once"});
  EXPECT_TRUE(o.dry_run);
  EXPECT_TRUE(o.once);
  EXPECT_TRUE(o.errors.empty());
  auto bad = parse_args({"--once=yes"});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_THAT(bad.errors[0], HasSubstr("--once takes no value"));
}

TEST(OptionsTest, web_listen_address_is_the_prometheus_spelling_of_web_listenAddress) {
  EXPECT_THAT(parse_args({"--web.listen-address=127.0.0.1:9096"}).overrides,
              ElementsAre(Pair("web.listenAddress", "127.0.0.1:9096")));
  EXPECT_THAT(parse_args({"--web.listen-address", ":9096"}).overrides,
              ElementsAre(Pair("web.listenAddress", ":9096")));
  EXPECT_THAT(parse_args({"--web.listen-address="}).overrides, ElementsAre(Pair("web.listenAddress", "")));
  auto missing = parse_args({"--web.listen-address"});
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_THAT(missing.errors[0], HasSubstr("HOST:PORT"));
}

TEST(OptionsTest, log_flags_are_configuration_keys) {
  EXPECT_THAT(parse_args({"--log.format=json", "--log.level", "debug"}).overrides,
              ElementsAre(Pair("log.format", "json"), Pair("log.level", "debug")));
}

TEST(OptionsTest, help_lists_the_operator_flags) {
  const std::string help = help_text();
  for (const char* flag : {"--dry-run", "--once", "--web.listen-address=HOST:PORT", "--print-config",
                           "--log.format=<logfmt|json>"}) {
    EXPECT_THAT(help, HasSubstr(flag)) << flag;
  }
}

}  // namespace
}  // namespace vesagent::cli
