// event_tap: reads what ves-collector-sim received (its --output, one JSON event per line, given here as a FIFO
// so every line is seen the moment the simulator writes it) and prints, when the input ends:
//   events, fault_events, heartbeat_events, first_ns, last_ns (CLOCK_MONOTONIC arrival of the first/last event),
//   events_per_s (between those two), fault_events_per_s (between the first and last fault event), distinct_ids (distinct eventIds), duplicate_ids, and the latency from the
//   alert's bench_sent_ns label (set by webhook_load, same clock) to the arrival here: latency_n p50_ms p99_ms
//   p999_ms max_ms.
//
//   event_tap --input FIFO_OR_FILE [--records FILE]
//
// --records writes one line per event: "<arrival_ns> <domain> <eventId> <sent_ns or 0>", for the failover
// benchmark (first event after a kill, lost and duplicated eventIds). The input ends when the simulator exits.
// Lines are scanned with plain string searches, not parsed as JSON: the simulator writes compact JSON with
// these keys exactly once per event, and a slow reader would slow the simulator down.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {

std::int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/// The string value of `"key":"..."` in `line`, or empty.
std::string_view string_field(std::string_view line, std::string_view quoted_key) {
  auto p = line.find(quoted_key);
  if (p == std::string_view::npos) return {};
  p += quoted_key.size();
  auto e = line.find('"', p);
  if (e == std::string_view::npos) return {};
  return line.substr(p, e - p);
}

double percentile_ms(const std::vector<std::int64_t>& sorted_ns, double p) {
  if (sorted_ns.empty()) return 0;
  auto i = std::min(sorted_ns.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted_ns.size())));
  return static_cast<double>(sorted_ns[i]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input;
  std::string records_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view k = argv[i];
    if (k == "--input") {
      input = argv[i + 1];
    } else if (k == "--records") {
      records_path = argv[i + 1];
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (input.empty()) {
    std::fprintf(stderr, "usage: event_tap --input FIFO_OR_FILE [--records FILE]\n");
    return 2;
  }
  int fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);  // blocks until the simulator opens the FIFO
  if (fd < 0) {
    std::fprintf(stderr, "cannot open %s: %s\n", input.c_str(), std::strerror(errno));
    return 1;
  }
  std::FILE* records = nullptr;
  if (!records_path.empty()) {
    records = std::fopen(records_path.c_str(), "w");
    if (records == nullptr) {
      std::fprintf(stderr, "cannot open %s: %s\n", records_path.c_str(), std::strerror(errno));
      return 1;
    }
  }

  std::uint64_t events = 0, faults = 0, heartbeats = 0, duplicates = 0;
  std::int64_t first_ns = 0, last_ns = 0;
  std::int64_t first_fault_ns = 0, last_fault_ns = 0;
  std::vector<std::int64_t> latency_ns;
  latency_ns.reserve(1 << 20);
  std::unordered_set<std::string> ids;
  ids.reserve(1 << 20);
  std::string pending;
  std::vector<char> chunk(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const std::int64_t now = mono_ns();
    pending.append(chunk.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (;;) {
      auto nl = pending.find('\n', start);
      if (nl == std::string::npos) break;
      std::string_view line(pending.data() + start, nl - start);
      start = nl + 1;
      if (line.empty()) continue;
      ++events;
      if (first_ns == 0) first_ns = now;
      last_ns = now;
      std::string_view domain = string_field(line, "\"domain\":\"");
      std::string_view id = string_field(line, "\"eventId\":\"");
      if (domain == "fault") {
        ++faults;
        if (first_fault_ns == 0) first_fault_ns = now;
        last_fault_ns = now;
      }
      if (domain == "heartbeat") ++heartbeats;
      if (!ids.emplace(id).second) ++duplicates;
      std::int64_t sent = 0;
      if (auto s = string_field(line, "\"bench_sent_ns\":\""); !s.empty()) {
        sent = std::strtoll(std::string(s).c_str(), nullptr, 10);
        latency_ns.push_back(now - sent);
      }
      if (records != nullptr) {
        std::fprintf(records, "%lld %.*s %.*s %lld\n", static_cast<long long>(now), static_cast<int>(domain.size()),
                     domain.data(), static_cast<int>(id.size()), id.data(), static_cast<long long>(sent));
      }
    }
    pending.erase(0, start);
  }
  ::close(fd);
  if (records != nullptr) std::fclose(records);

  std::sort(latency_ns.begin(), latency_ns.end());
  const double span_s = static_cast<double>(last_ns - first_ns) / 1e9;
  const double fault_span_s = static_cast<double>(last_fault_ns - first_fault_ns) / 1e9;
  std::printf("events=%llu fault_events=%llu heartbeat_events=%llu distinct_ids=%zu duplicate_ids=%llu "
              "first_ns=%lld last_ns=%lld events_per_s=%.0f fault_events_per_s=%.0f latency_n=%zu p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f "
              "max_ms=%.3f\n",
              static_cast<unsigned long long>(events), static_cast<unsigned long long>(faults),
              static_cast<unsigned long long>(heartbeats), ids.size(), static_cast<unsigned long long>(duplicates),
              static_cast<long long>(first_ns), static_cast<long long>(last_ns),
              span_s > 0 ? static_cast<double>(events) / span_s : 0.0,
              fault_span_s > 0 ? static_cast<double>(faults) / fault_span_s : 0.0, latency_ns.size(),
              percentile_ms(latency_ns, 0.50), percentile_ms(latency_ns, 0.99), percentile_ms(latency_ns, 0.999),
              latency_ns.empty() ? 0.0 : static_cast<double>(latency_ns.back()) / 1e6);
  return 0;
}
