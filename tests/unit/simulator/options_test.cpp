#include "simulator/options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vesagent::simulator {
namespace {

Options parse(std::vector<const char*> args) {
  args.insert(args.begin(), "ves-collector-sim");
  return parse_options(static_cast<int>(args.size()), args.data());
}

TEST(SimulatorOptionsTest, defaults_listen_on_loopback_8080_in_ok_mode) {
  auto o = parse({});
  EXPECT_TRUE(o.errors.empty());
  EXPECT_EQ(o.listen, "127.0.0.1:8080");
  EXPECT_EQ(o.collector.behaviour.mode, Mode::ok);
  EXPECT_TRUE(o.collector.output_path.empty());
  EXPECT_TRUE(o.collector.behaviour.command_list.empty());
}

TEST(SimulatorOptionsTest, reads_every_flag_in_both_spellings) {
  auto o = parse({"--listen", "127.0.0.1:0", "--port-file=/tmp/p", "--output", "/tmp/o", "--server-root", "api",
                  "--user", "u", "--password=p", "--fail-status", "500", "--delay=250", "--command-list",
                  R"({"commandList":[]})", "--command-list-once", "--log-level", "debug"});
  ASSERT_TRUE(o.errors.empty()) << o.errors.front();
  EXPECT_EQ(o.listen, "127.0.0.1:0");
  EXPECT_EQ(o.port_file, "/tmp/p");
  EXPECT_EQ(o.collector.output_path, "/tmp/o");
  EXPECT_EQ(o.collector.server_root, "api");
  EXPECT_EQ(o.collector.user, "u");
  EXPECT_EQ(o.collector.password, "p");
  EXPECT_EQ(o.collector.behaviour.mode, Mode::fail);
  EXPECT_EQ(o.collector.behaviour.fail_status, 500);
  EXPECT_EQ(o.collector.behaviour.delay.count(), 250);
  EXPECT_EQ(o.collector.behaviour.command_list, R"({"commandList":[]})");
  EXPECT_TRUE(o.collector.behaviour.command_list_once);
  EXPECT_EQ(o.log_level, "debug");
}

TEST(SimulatorOptionsTest, reads_the_endpoint_and_event_error_flags) {
  auto o = parse({"--redirect", "https://new/", "--reject-event-id", "a", "--reject-event-id=b",
                  "--max-body-bytes", "4096"});
  ASSERT_TRUE(o.errors.empty()) << o.errors.front();
  EXPECT_EQ(o.collector.behaviour.redirect, "https://new/");
  EXPECT_EQ(o.collector.behaviour.reject_event_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.collector.behaviour.max_body_bytes, 4096u);
  EXPECT_FALSE(parse({"--max-body-bytes", "-5"}).errors.empty());
}

TEST(SimulatorOptionsTest, hang_and_close_select_their_mode) {
  EXPECT_EQ(parse({"--hang"}).collector.behaviour.mode, Mode::hang);
  EXPECT_EQ(parse({"--close"}).collector.behaviour.mode, Mode::close);
}

TEST(SimulatorOptionsTest, reports_bad_flags) {
  for (const auto& args : std::vector<std::vector<const char*>>{{"--bogus"},
                                                                {"--listen"},
                                                                {"--listen", "8080"},
                                                                {"--fail-status", "abc"},
                                                                {"--fail-status", "42"},
                                                                {"--delay", "-1"},
                                                                {"--command-list", "{not json"},
                                                                {"--command-list-once"},
                                                                {"--hang", "--close"},
                                                                {"--user", "u"},
                                                                {"--hang=yes"},
                                                                {"--log-level", "loud"}}) {
    EXPECT_FALSE(parse(args).errors.empty()) << args.front();
  }
}

}  // namespace
}  // namespace vesagent::simulator
