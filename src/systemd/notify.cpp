#include "vesagent/systemd/notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace vesagent::systemd {

namespace {

/// Parses a decimal environment value; nullopt-like false when absent or malformed.
bool env_number(const char* name, unsigned long long& out) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return false;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, out);
  return ec == std::errc() && ptr == end;
}

void set(std::string* error, std::string text) {
  if (error != nullptr) *error = std::move(text);
}

}  // namespace

bool notify(std::string_view state, std::string* error) {
  set(error, {});
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || *path == '\0') return false;
  const std::string_view socket_path(path);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(address.sun_path) || (socket_path[0] != '/' && socket_path[0] != '@')) {
    set(error, "NOTIFY_SOCKET is neither an absolute path nor an abstract socket name");
    return false;
  }
  std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
  // An abstract socket name starts with a NUL byte; systemd writes it with '@' instead. Its length is exact (no
  // terminating NUL), a path's includes the terminator.
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path.size());
  if (socket_path[0] == '@') {
    address.sun_path[0] = '\0';
  } else {
    ++length;
  }
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    set(error, std::string("socket(AF_UNIX): ") + std::strerror(errno));
    return false;
  }
  ssize_t sent = 0;
  do {
    // The sockaddr_un -> sockaddr cast is how the sockets API is meant to be used.
    sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address),
                    length);
  } while (sent < 0 && errno == EINTR);
  const int saved_errno = errno;
  ::close(fd);
  if (sent < 0) {
    set(error, "sendto(" + std::string(socket_path) + "): " + std::strerror(saved_errno));
    return false;
  }
  return true;
}

std::chrono::microseconds watchdog_ping_interval() {
  unsigned long long usec = 0;
  if (!env_number("WATCHDOG_USEC", usec) || usec == 0) return std::chrono::microseconds(0);
  unsigned long long pid = 0;
  // WATCHDOG_PID names the process the watchdog is meant for; a child started by us must not ping.
  if (std::getenv("WATCHDOG_PID") != nullptr &&
      (!env_number("WATCHDOG_PID", pid) || pid != static_cast<unsigned long long>(::getpid()))) {
    return std::chrono::microseconds(0);
  }
  // systemd's own advice (sd_watchdog_enabled(3)): ping at half the interval.
  return std::chrono::microseconds(static_cast<std::int64_t>(usec / 2));
}

}  // namespace vesagent::systemd
