// `ves-agent dead-letters list|replay` on a stopped agent's datadir.
#include "vesagent/cli/dead_letters_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/temp_dir.hpp"
#include "vesagent/outbox/dead_letter_store.hpp"
#include "vesagent/outbox/outbox.hpp"

namespace vesagent::cli {
namespace {

using ::testing::HasSubstr;

struct DeadLettersCommandTest : ::testing::Test {
  test::TempDir datadir;
  std::ostringstream out, err;

  void SetUp() override {
    outbox::DeadLetterStore store(datadir.path() / "dead-letters", {});
    std::string warnings;
    ASSERT_TRUE(store.open(warnings)) << warnings;
    for (int i = 1; i <= 3; ++i) {
      const std::string id = "fault000" + std::to_string(i);
      ASSERT_TRUE(store.add(i == 2 ? "backup" : "primary", 400, "400 from primaryCollector: SVC0002 Bad Parameter",
                            core::Domain::fault, id,
                            R"({"commonEventHeader":{"domain":"fault","eventId":")" + id + R"("}})"));
    }
  }

  int run(std::vector<std::string> args) {
    out.str("");
    err.str("");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return run_dead_letters(argv, out, err);
  }
  std::string dir_flag() const { return "--datadir=" + datadir.path().string(); }

  std::size_t outbox_size() {
    boost::asio::io_context ioc;
    outbox::Options options;
    options.directory = datadir.path() / "outbox";
    outbox::Outbox box(ioc.get_executor(), options);
    std::string warnings;
    EXPECT_TRUE(box.open(warnings)) << warnings;
    return box.size();
  }
};

TEST_F(DeadLettersCommandTest, list_prints_a_table_newest_first) {
  ASSERT_EQ(run({"list", dir_flag()}), 0) << err.str();
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("ID      REJECTED"));
  EXPECT_LT(text.find("fault0003"), text.find("fault0001"));
  EXPECT_THAT(text, HasSubstr("3 of 3 dead letters"));
}

TEST_F(DeadLettersCommandTest, list_as_json_with_filters_and_events) {
  ASSERT_EQ(run({"list", dir_flag(), "--output=json", "--events", "--collector=backup"}), 0) << err.str();
  auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["total"], 3);
  EXPECT_EQ(doc["matched"], 1);
  ASSERT_EQ(doc["records"].size(), 1u);
  EXPECT_EQ(doc["records"][0]["id"], 2);
  EXPECT_EQ(doc["records"][0]["eventId"], "fault0002");
  EXPECT_EQ(doc["records"][0]["event"]["commonEventHeader"]["eventId"], "fault0002");
}

TEST_F(DeadLettersCommandTest, replay_moves_the_records_into_the_outbox_once) {
  ASSERT_EQ(run({"replay", dir_flag(), "--ids=3,1"}), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("replayed 2 dead letters"));
  EXPECT_EQ(outbox_size(), 2u);
  ASSERT_EQ(run({"list", dir_flag(), "--output=json"}), 0);
  EXPECT_EQ(nlohmann::json::parse(out.str())["total"], 1);
  // The same ids again: nothing left to send.
  EXPECT_EQ(run({"replay", dir_flag(), "--ids=3,1"}), 1);
  EXPECT_THAT(err.str(), HasSubstr("2 id(s) not in the store"));
  EXPECT_EQ(outbox_size(), 2u);
  ASSERT_EQ(run({"replay", dir_flag(), "--all"}), 0) << err.str();
  EXPECT_EQ(outbox_size(), 3u);
}

TEST_F(DeadLettersCommandTest, replay_is_refused_while_an_agent_holds_the_datadir) {
  boost::asio::io_context ioc;
  outbox::Options options;
  options.directory = datadir.path() / "outbox";
  outbox::Outbox running(ioc.get_executor(), options);  // what a running agent holds
  std::string warnings;
  ASSERT_TRUE(running.open(warnings)) << warnings;
  EXPECT_EQ(run({"replay", dir_flag(), "--all"}), 1);
  EXPECT_THAT(err.str(), HasSubstr("is an agent running on"));
  EXPECT_EQ(running.size(), 0u);
  // Listing is read only and still works.
  EXPECT_EQ(run({"list", dir_flag()}), 0);
}

TEST_F(DeadLettersCommandTest, bad_command_lines_exit_2_with_the_fix) {
  EXPECT_EQ(run({"list"}), 2);
  EXPECT_THAT(err.str(), HasSubstr("--datadir=DIR is required"));
  EXPECT_EQ(run({"replay", dir_flag()}), 2);
  EXPECT_THAT(err.str(), HasSubstr("--ids=ID,... or --all"));
  EXPECT_EQ(run({"remove", dir_flag()}), 2);
  EXPECT_EQ(run({"list", dir_flag(), "--order=sideways"}), 2);
  EXPECT_EQ(run({"list", dir_flag(), "--bogus=1"}), 2);
  EXPECT_THAT(err.str(), HasSubstr("unknown flag --bogus"));
  EXPECT_EQ(run({"--help"}), 0);
  EXPECT_THAT(out.str(), HasSubstr("Usage: ves-agent dead-letters"));
}

}  // namespace
}  // namespace vesagent::cli
