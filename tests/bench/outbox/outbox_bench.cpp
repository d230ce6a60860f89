// Durable outbox benchmark: how many events per second the outbox makes durable with each fsync policy, and how
// long a start takes with 1,000,000 events left by a previous run (open() = read + checksum every segment, then
// read the first window back) plus how long draining them takes (read back + acknowledge, no network).
//
//   outbox_bench [--dir DIR] [--events N] [--replay-events N] [--always-events N] [--bytes B]
//
// DIR defaults to a fresh directory under $TMPDIR (removed at the end). Events are measurements of about B bytes
// of JSON (default 600, a typical VES fault or small measurement). Not part of the test suite.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unistd.h>

#include "vesagent/outbox/outbox.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace {

namespace fs = std::filesystem;
using vesagent::outbox::Entry;
using vesagent::outbox::FsyncPolicy;
using vesagent::outbox::Options;
using vesagent::outbox::Outbox;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

Entry make_event(std::uint64_t n, std::size_t bytes) {
  Entry e;
  e.domain = n % 10 == 0 ? vesagent::core::Domain::fault : vesagent::core::Domain::measurement;
  e.event_id = "bench-" + std::to_string(n);
  e.json = R"({"commonEventHeader":{"domain":"measurement","eventId":")" + e.event_id + R"(","sequence":0},"p":")";
  if (e.json.size() + 2 < bytes) e.json.append(bytes - e.json.size() - 2, 'x');
  e.json += "\"}";
  return e;
}

Options options_for(const fs::path& dir, FsyncPolicy policy) {
  Options o;
  o.directory = dir;
  o.fsync = policy;
  o.max_bytes = std::uint64_t{64} << 30;  // no bound in the benchmark
  o.max_age = std::chrono::milliseconds(0);
  return o;
}

/// Pushes `count` events from a producer that hands the loop back every `burst` events (as the webhook does
/// between requests), then waits until all are durable. Returns events/s.
double append_rate(const fs::path& dir, FsyncPolicy policy, std::uint64_t count, std::size_t bytes,
                   std::uint64_t& commits, std::uint64_t& fsyncs) {
  fs::remove_all(dir);
  boost::asio::io_context ioc;
  Outbox box(ioc.get_executor(), options_for(dir, policy));
  std::string warnings;
  if (!box.open(warnings)) {
    std::fprintf(stderr, "cannot open %s: %s\n", dir.c_str(), warnings.c_str());
    std::exit(1);
  }
  ioc.run();
  ioc.restart();
  constexpr std::uint64_t kBurst = 100;
  std::uint64_t pushed = 0;
  bool done = false;
  const auto start = Clock::now();
  std::function<void()> produce = [&] {
    for (std::uint64_t i = 0; i < kBurst && pushed < count; ++i) box.push(make_event(++pushed, bytes));
    if (pushed < count) {
      boost::asio::post(ioc, produce);
    } else {
      box.when_durable([&](bool ok) {
        if (!ok) std::fprintf(stderr, "write failed\n");
        done = true;
      });
    }
  };
  boost::asio::post(ioc, produce);
  while (!done) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one();
  }
  const double rate = static_cast<double>(count) / seconds_since(start);
  commits = box.stats().group_commits;
  fsyncs = box.stats().fsyncs;
  ioc.run();
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir;
  std::uint64_t events = 200000, replay_events = 1000000, always_events = 3000;
  std::size_t bytes = 600;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--dir") dir = value;
    else if (flag == "--events") events = std::strtoull(value, nullptr, 10);
    else if (flag == "--replay-events") replay_events = std::strtoull(value, nullptr, 10);
    else if (flag == "--always-events") always_events = std::strtoull(value, nullptr, 10);
    else if (flag == "--bytes") bytes = std::strtoull(value, nullptr, 10);
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  const bool own_dir = dir.empty();
  if (own_dir) dir = fs::temp_directory_path() / ("outbox-bench." + std::to_string(::getpid()));
  vesagent::telemetry::init_logging({"warn", "logfmt"});

  std::printf("%-8s %10s %14s %14s %12s\n", "fsync", "events", "events/s", "group_commits", "fdatasyncs");
  for (auto [policy, name, count] : {std::tuple{FsyncPolicy::batch, "batch", events},
                                     std::tuple{FsyncPolicy::always, "always", always_events},
                                     std::tuple{FsyncPolicy::never, "never", events}}) {
    std::uint64_t commits = 0, fsyncs = 0;
    const double rate = append_rate(dir / name, policy, count, bytes, commits, fsyncs);
    std::printf("%-8s %10llu %14.0f %14llu %12llu\n", name, static_cast<unsigned long long>(count), rate,
                static_cast<unsigned long long>(commits), static_cast<unsigned long long>(fsyncs));
    fs::remove_all(dir / name);
  }

  // Replay: a previous run left replay_events undelivered events.
  const fs::path replay_dir = dir / "replay";
  {
    std::uint64_t commits = 0, fsyncs = 0;
    append_rate(replay_dir, FsyncPolicy::never, replay_events, bytes, commits, fsyncs);
  }
  std::uint64_t disk_bytes = 0;
  for (const auto& f : fs::directory_iterator(replay_dir)) disk_bytes += f.is_regular_file() ? f.file_size() : 0;
  {
    // Cold page cache is not measured (that needs root and drop_caches); this is the warm-cache start.
    boost::asio::io_context ioc;
    Outbox box(ioc.get_executor(), options_for(replay_dir, FsyncPolicy::batch));
    std::string warnings;
    const auto start = Clock::now();
    if (!box.open(warnings)) {
      std::fprintf(stderr, "cannot open: %s\n", warnings.c_str());
      return 1;
    }
    const double open_s = seconds_since(start);
    const auto drain_start = Clock::now();
    std::uint64_t sent = 0;
    while (!box.empty()) {
      while (box.entries().empty()) {
        // poll() stops the io_context whenever it runs out of work for a moment; a stopped one runs nothing.
        if (ioc.stopped()) ioc.restart();
        if (ioc.run_one() == 0) {
          std::fprintf(stderr, "stalled: %zu events queued, none ready, nothing in flight\n", box.size());
          return 1;
        }
      }
      sent += box.entries().size();
      box.ack(box.entries().back().seq);
      if (ioc.stopped()) ioc.restart();
      ioc.poll();
    }
    const double drain_s = seconds_since(drain_start);
    std::printf("replay: %llu events (%.0f MB on disk): open %.2f s (%.0f events/s), then read back + acknowledge "
                "all %.2f s (%.0f events/s)\n",
                static_cast<unsigned long long>(box.stats().replayed), static_cast<double>(disk_bytes) / 1e6, open_s,
                static_cast<double>(box.stats().replayed) / open_s, drain_s, static_cast<double>(sent) / drain_s);
  }
  if (own_dir) fs::remove_all(dir);
  return 0;
}
