// Fault state benchmark: how long FaultStore::open() takes with a large persisted state (the agent is not READY
// before it returns), and what persist() costs per webhook commit round.
//
//   fault_store_bench [--dir DIR] [--repeat R] [N ...]        (default N: 100000 500000)
//
// For each N: N active faults with Alertmanager-style keys ("am/<16 hex fingerprint>") are raised and persisted
// in rounds of 10 (as the webhook's group commit does), with fsync off so the numbers are CPU, not disk. Then:
//   persist      per round of 10 changed faults (the hot path on the event loop)
//   compact      writing the whole state as a snapshot (at a compaction, and at a clean stop)
//   open/snap    open() of the snapshot alone (what a clean stop leaves when it compacts)
//   open/snap+j  open() of the snapshot plus a journal with one update per fault (what a clean stop left when it
//                only persisted)
// open() times are the median of R runs (default 3) in a fresh FaultStore; the page cache is warm. DIR defaults
// to a fresh directory under $TMPDIR, removed at the end. Not part of the test suite.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/state/fault_store.hpp"

namespace {

namespace fs = std::filesystem;
using vesagent::core::Severity;
using vesagent::state::FaultStore;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kT0 = 1'700'000'000'000'000;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double file_mb(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  return ec ? 0.0 : static_cast<double>(size) / 1e6;
}

FaultStore::Options options_for(const fs::path& dir) {
  FaultStore::Options o;
  o.directory = dir;
  o.fsync = false;  // CPU cost, not the disk's
  o.clock = [] { return kT0 + 3'600'000'000; };
  o.compact_min_bytes = std::uint64_t{1} << 40;  // compactions only when the benchmark asks for them
  return o;
}

std::string key_of(std::uint64_t i) {
  // An Alertmanager fingerprint is a 64-bit hash in 16 hex digits; spread the bits like one.
  std::uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ULL;
  char buf[3 + 16 + 1];
  std::snprintf(buf, sizeof buf, "am/%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void die(const char* what, const std::string& error) {
  std::fprintf(stderr, "%s: %s\n", what, error.c_str());
  std::exit(1);
}

/// Median open() time of `repeat` fresh stores on `dir`.
double open_ms(const fs::path& dir, int repeat, std::size_t expect_active) {
  std::vector<double> times;
  for (int r = 0; r < repeat; ++r) {
    FaultStore store(options_for(dir));
    std::string error;
    const auto start = Clock::now();
    if (!store.open(error)) die("open", error);
    times.push_back(ms_since(start));
    if (store.active_count() != expect_active) {
      std::fprintf(stderr, "open: %zu active faults, expected %zu\n", store.active_count(), expect_active);
      std::exit(1);
    }
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void run(const fs::path& dir, std::uint64_t n, int repeat) {
  fs::remove_all(dir);
  constexpr std::uint64_t kRound = 10;
  std::vector<std::string> keys;
  keys.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) keys.push_back(key_of(i));
  double persist_ms = 0;
  double compact_ms = 0;
  {
    FaultStore store(options_for(dir));
    std::string error;
    if (!store.open(error)) die("open", error);
    for (std::uint64_t i = 0; i < n; i += kRound) {
      for (std::uint64_t j = i; j < std::min(n, i + kRound); ++j) {
        store.on_firing(keys[j], kT0 + static_cast<std::int64_t>(j), Severity::major, kT0);
      }
      const auto start = Clock::now();
      if (!store.persist(error)) die("persist", error);
      persist_ms += ms_since(start);
    }
    const auto start = Clock::now();
    if (!store.compact(error)) die("compact", error);
    compact_ms = ms_since(start);
  }
  const double snapshot_mb = file_mb(dir / "faults.snapshot");
  const double open_snapshot = open_ms(dir, repeat, n);
  {
    // One update per fault after the snapshot: the journal a busy agent had before a stop that did not compact.
    FaultStore store(options_for(dir));
    std::string error;
    if (!store.open(error)) die("open", error);
    for (std::uint64_t i = 0; i < n; i += kRound) {
      for (std::uint64_t j = i; j < std::min(n, i + kRound); ++j) {
        store.on_firing(keys[j], kT0 + static_cast<std::int64_t>(j), Severity::critical, kT0);
      }
      if (!store.persist(error)) die("persist", error);
    }
  }
  const double journal_mb = file_mb(dir / "faults.journal");
  const double open_both = open_ms(dir, repeat, n);
  const double rounds = static_cast<double>((n + kRound - 1) / kRound);
  std::printf("%9llu  %11.2f  %11.2f  %14.1f  %14.1f  %11.1f  %10.2f  %9.1f\n", static_cast<unsigned long long>(n),
              snapshot_mb, journal_mb, open_snapshot, open_both, compact_ms, persist_ms * 1000.0 / rounds,
              open_snapshot > 0 ? snapshot_mb / open_snapshot * 1000.0 : 0.0);
  std::printf("BENCH|FaultStore::open() with %llu active faults (snapshot of %.1f MB, warm cache)|%.1f ms "
              "(%.1f ms with a %.1f MB journal beside it)|-\n",
              static_cast<unsigned long long>(n), snapshot_mb, open_snapshot, open_both, journal_mb);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir;
  int repeat = 3;
  std::vector<std::uint64_t> counts;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (!arg.empty() && arg[0] != '-') {
      counts.push_back(std::strtoull(argv[i], nullptr, 10));
    } else {
      std::fprintf(stderr, "usage: fault_store_bench [--dir DIR] [--repeat R] [N ...]\n");
      return 2;
    }
  }
  if (counts.empty()) counts = {100'000, 500'000};
  bool own_dir = false;
  if (dir.empty()) {
    const char* tmp = std::getenv("BENCH_WORK");
    if (tmp == nullptr) tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/fault_store_bench.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) die("mkdtemp", pattern);
    dir = pattern;
    own_dir = true;
  }
  std::printf("fault_store_bench: all faults active, fsync off, open() median of %d runs (warm page cache)\n", repeat);
  std::printf("   faults  snapshot_MB   journal_MB  open/snap_ms  open/snap+j_ms  compact_ms  persist_us  open_MB/s\n");
  std::printf("                                                                                (10 faults)\n");
  for (std::uint64_t n : counts) run(dir / ("n" + std::to_string(n)), n, repeat);
  if (own_dir) fs::remove_all(dir);
  return 0;
}
