// The sd_notify protocol as systemd speaks it: a datagram with "KEY=VALUE" lines on the socket named by
// NOTIFY_SOCKET (a path, or '@' for an abstract name), and the watchdog interval from WATCHDOG_USEC/WATCHDOG_PID.
#include "vesagent/systemd/notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <string>

#include "support/temp_dir.hpp"

namespace {

using vesagent::systemd::notify;
using vesagent::systemd::watchdog_ping_interval;

/// A receiving socket bound like systemd's; `name` is a path or "@abstract".
class Receiver {
 public:
  explicit Receiver(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, name.data(), name.size());
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name[0] == '@') {
      a.sun_path[0] = '\0';
    } else {
      ++len;
    }
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&a), len) == 0;
    timeval tv{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Receiver() { ::close(fd_); }
  bool bound() const { return bound_; }
  std::string receive() {
    std::array<char, 512> buf{};
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    return n < 0 ? std::string("<nothing>") : std::string(buf.data(), static_cast<std::size_t>(n));
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

class NotifyTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
};

TEST_F(NotifyTest, sends_the_state_to_a_path_socket) {
  vesagent::test::TempDir dir;
  const std::string path = (dir.path() / "notify.sock").string();
  Receiver receiver(path);
  ASSERT_TRUE(receiver.bound());
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  std::string error;
  EXPECT_TRUE(notify("READY=1", &error)) << error;
  EXPECT_EQ(receiver.receive(), "READY=1");
  EXPECT_TRUE(notify("STOPPING=1\nSTATUS=bye"));
  EXPECT_EQ(receiver.receive(), "STOPPING=1\nSTATUS=bye");
}

TEST_F(NotifyTest, sends_the_state_to_an_abstract_socket) {
  const std::string name = "@vesagent-notify-test-" + std::to_string(::getpid());
  Receiver receiver(name);
  ASSERT_TRUE(receiver.bound());
  ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  EXPECT_TRUE(notify("WATCHDOG=1"));
  EXPECT_EQ(receiver.receive(), "WATCHDOG=1");
}

TEST_F(NotifyTest, without_a_socket_it_does_nothing_and_says_no_error) {
  ::unsetenv("NOTIFY_SOCKET");
  std::string error = "stale";
  EXPECT_FALSE(notify("READY=1", &error));
  EXPECT_EQ(error, "");
}

TEST_F(NotifyTest, a_socket_nobody_listens_on_is_an_error_not_a_crash) {
  vesagent::test::TempDir dir;
  const std::string path = (dir.path() / "nobody.sock").string();
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  std::string error;
  EXPECT_FALSE(notify("READY=1", &error));
  EXPECT_NE(error.find("nobody.sock"), std::string::npos) << error;
  ::setenv("NOTIFY_SOCKET", "relative/path", 1);
  EXPECT_FALSE(notify("READY=1", &error));
  EXPECT_FALSE(error.empty());
}

TEST_F(NotifyTest, watchdog_pings_at_half_the_interval_for_this_process_only) {
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_EQ(watchdog_ping_interval().count(), 0);
  ::setenv("WATCHDOG_USEC", "20000000", 1);
  EXPECT_EQ(watchdog_ping_interval().count(), 10000000);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_EQ(watchdog_ping_interval().count(), 10000000);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  EXPECT_EQ(watchdog_ping_interval().count(), 0);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  ::setenv("WATCHDOG_USEC", "soon", 1);
  EXPECT_EQ(watchdog_ping_interval().count(), 0);
}

}  // namespace
