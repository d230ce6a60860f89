#pragma once
/// The durable outbox (the `outbox` section). Included by config.hpp; the keys live in src/config/keys_outbox.cpp.
/// The queue itself lives in <datadir>/outbox (see src/outbox/README.md).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vesagent::config {

struct OutboxConfig {
  std::size_t max_bytes = std::size_t{1} << 30;     ///< queued bytes before the overflow policy acts
  std::chrono::milliseconds max_age{std::chrono::hours(24)};  ///< 0 = no age bound
  std::string overflow_policy = "refuse";           ///< refuse | dropOldest
  std::string fsync = "batch";                      ///< always | batch | never
  std::chrono::milliseconds fsync_interval{0};      ///< batch: minimum time between two group commits
  std::size_t segment_bytes = std::size_t{16} << 20;  ///< a new segment file past this size
  std::size_t memory_bytes = std::size_t{32} << 20;   ///< event JSON kept in memory for the publisher
};

/// The dead-letter store (the `deadLetter` section): events a collector refused for their content, in
/// <datadir>/dead-letters (see include/vesagent/outbox/dead_letter_store.hpp).
struct DeadLetterConfig {
  std::size_t max_bytes = std::size_t{64} << 20;  ///< bytes of records kept; the oldest files go beyond
  int max_events = 10000;                         ///< records kept; the oldest files go beyond
};

}  // namespace vesagent::config
