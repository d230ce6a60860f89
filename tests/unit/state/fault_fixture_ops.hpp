#pragma once
// The operations behind tests/data/state/v1 (a state directory written by the FaultStore of commit 798aa05, before
// the open() speed-up): the test replays them on a fresh store and expects the files to load to the same records.
// Do not change this file: the fixture files were produced from exactly this sequence.
#include <cstdint>
#include <string>

#include "vesagent/state/fault_store.hpp"

namespace vesagent::state::fixture {

inline constexpr std::int64_t kT0 = 1'700'000'000'000'000;
inline constexpr std::int64_t kMinute = 60'000'000;
/// The clock of the fixture's store while the operations run, and a clock at which nothing has expired yet
/// (closed_retention is one hour).
inline constexpr std::int64_t kNow = kT0 + 30 * kMinute;

inline std::string key(int i) {
  static constexpr const char* kOdd[] = {"vm/tab\there", "vm/nl\nhere", "vm/back\\slash", "vm/cr\rhere",
                                        "vm/all\\t\t\n\r\\\\", "am/\\n-literal"};
  if (i % 37 == 5) return std::string(kOdd[(i / 37) % 6]) + "/" + std::to_string(i);
  char buf[32];
  const std::uint64_t h = (static_cast<std::uint64_t>(i) + 1) * 0x9E3779B97F4A7C15ULL;
  constexpr char kHex[] = "0123456789abcdef";
  for (int d = 0; d < 16; ++d) buf[d] = kHex[(h >> (60 - 4 * d)) & 0xFU];
  return (i % 3 == 0 ? "vm/" : "am/") + std::string(buf, 16) + (i % 3 == 0 ? "/power_state" : "");
}

inline core::Severity severity(int i) {
  static constexpr core::Severity kAll[] = {core::Severity::critical, core::Severity::major, core::Severity::minor,
                                            core::Severity::warning};
  return kAll[i % 4];
}

/// Before the snapshot (compacted): raises, updates, clears, superseded episodes, unknown resolves.
inline void snapshot_operations(FaultStore& s) {
  for (int i = 0; i < 240; ++i) {
    const std::int64_t episode = kT0 + i * 1'000'003;
    s.on_firing(key(i), episode, severity(i), kNow);
    if (i % 5 == 1) s.on_firing(key(i), episode, severity(i + 1), kNow);      // update
    if (i % 7 == 2) s.on_resolved(key(i), episode, episode + kMinute);        // clear
    if (i % 11 == 3) s.on_firing(key(i), episode + kMinute, severity(i), kNow);  // newer episode
    if (i % 13 == 4) s.on_resolved(key(i + 1000), episode, 0);               // unknown resolve (send policy)
    if (i % 17 == 6) s.on_changed(key(i), severity(i + 2));
  }
}

/// After the snapshot (left in the journal): more updates, clears and new faults.
inline void journal_operations(FaultStore& s) {
  for (int i = 0; i < 240; i += 3) {
    const std::int64_t episode = kT0 + i * 1'000'003;
    s.on_firing(key(i), episode, severity(i + 3), kNow);
    if (i % 2 == 0) s.on_resolved(key(i), 0, episode + 2 * kMinute);
  }
  for (int i = 240; i < 300; ++i) s.on_firing(key(i), kT0 + i * 1'000'003, severity(i), kNow);
}

}  // namespace vesagent::state::fixture
