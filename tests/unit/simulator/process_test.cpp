// Runs the real ves-collector-sim binary: flags, port file, output file, summary line and SIGTERM exit code.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "raw_client.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace vesagent::simulator {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

/// A child process that is killed if the test ends before it exits on its own.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::filesystem::path& out, const std::filesystem::path& err) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Child() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const { return pid_ > 0; }
  void signal(int sig) const { ::kill(pid_, sig); }
  /// The wait status once the process has exited, polling up to `limit`.
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!status_) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        status_ = status;
      } else if (std::chrono::steady_clock::now() > deadline) {
        break;
      } else {
        std::this_thread::sleep_for(10ms);
      }
    }
    return status_;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

TEST(CollectorProcessTest, receives_an_event_and_exits_0_on_sigterm) {
  test::TempDir dir;
  const auto port_file = dir.path() / "port";
  const auto output = dir.path() / "events.jsonl";
  Child sim({VES_COLLECTOR_SIM_PATH, "--listen", "127.0.0.1:0", "--port-file", port_file.string(), "--output",
             output.string()},
            dir.path() / "stdout.txt", dir.path() / "stderr.txt");
  ASSERT_TRUE(sim.started());

  // The port file appears (atomically) once the simulator listens.
  std::uint16_t port = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       port == 0 && std::chrono::steady_clock::now() < deadline;) {
    auto text = test::read_text(port_file);
    if (!text.empty()) {
      port = static_cast<std::uint16_t>(std::stoi(text));
    } else {
      ASSERT_FALSE(sim.wait_exit(20ms).has_value()) << test::read_text(dir.path() / "stderr.txt");
    }
  }
  ASSERT_NE(port, 0) << "no port file; stderr: " << test::read_text(dir.path() / "stderr.txt");

  const auto event = nlohmann::ordered_json::parse(R"({"commonEventHeader":{"domain":"heartbeat",
      "eventId":"proc-1","eventName":"Heartbeat_VesAgent","sequence":0,"priority":"Normal",
      "reportingEntityName":"node1","sourceName":"node1","startEpochMicrosec":1716200040000000,
      "lastEpochMicrosec":1716200040000000,"version":"4.1","vesEventListenerVersion":"7.2.1"}})");
  net::io_context ioc;
  test::RawResponse response;
  auto post = [&]() -> net::awaitable<void> {
    test::RawConnection c{ioc.get_executor()};
    EXPECT_TRUE(co_await c.connect(port));
    // Built outside the co_await: GCC 12 rejects braced string-literal initializers inside one.
    test::HeaderList headers{{"Content-Type", "application/json"}};
    std::string body = nlohmann::ordered_json{{"event", event}}.dump();
    response = co_await c.request("POST", "/eventListener/v7", std::move(body), std::move(headers));
  };
  test::run_task(ioc, post());
  EXPECT_EQ(response.status, 202) << response.error;
  EXPECT_EQ(response.header("server"), "ves-collector-sim");

  // The output is flushed before the answer, so it can be read right away.
  auto lines = test::read_text(output);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), '\n');
  EXPECT_EQ(lines.find('\n'), lines.size() - 1) << "expected exactly one line: " << lines;
  EXPECT_EQ(nlohmann::ordered_json::parse(lines), event);

  sim.signal(SIGTERM);
  auto status = sim.wait_exit(10s);
  ASSERT_TRUE(status.has_value()) << "simulator did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_NE(test::read_text(dir.path() / "stdout.txt")
                .find("received v7 heartbeat eventId=proc-1 eventName=Heartbeat_VesAgent sourceName=node1 seq=0"),
            std::string::npos)
      << test::read_text(dir.path() / "stdout.txt");
}

TEST(CollectorProcessTest, exits_2_on_an_unknown_flag) {
  test::TempDir dir;
  Child sim({VES_COLLECTOR_SIM_PATH, "--no-such-flag"}, dir.path() / "stdout.txt", dir.path() / "stderr.txt");
  ASSERT_TRUE(sim.started());
  auto status = sim.wait_exit(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 2);
  EXPECT_NE(test::read_text(dir.path() / "stderr.txt").find("--no-such-flag"), std::string::npos);
}

}  // namespace
}  // namespace vesagent::simulator
