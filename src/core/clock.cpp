#include "vesagent/core/clock.hpp"

#include <cstdio>
#include <ctime>
#include <string>

namespace vesagent::core {

std::int64_t now_epoch_us() noexcept {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string_view time_zone_offset() {
  // Computed once: the agent's zone does not change while it runs (systemd restarts it on a TZ change).
  static const std::string offset = [] {
    std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    long minutes = local.tm_gmtoff / 60;
    char sign = minutes < 0 ? '-' : '+';
    if (minutes < 0) minutes = -minutes;
    char buf[32];
    std::snprintf(buf, sizeof buf, "UTC%c%02ld:%02ld", sign, minutes / 60, minutes % 60);
    return std::string(buf);
  }();
  return offset;
}

}  // namespace vesagent::core
