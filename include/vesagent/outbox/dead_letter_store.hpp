#pragma once
/// Where events go that a collector refused for their content (400 with its exception, 413 for one event, or an
/// event over event.maxSize): a bounded, rotated store in <datadir>/dead-letters that an operator can list and
/// replay into the outbox.
///
/// Files: `<16 hex digits>.jsonl` (the id of the file's first record), one record per line:
///   {"id":7,"rejectedAtEpochMicrosec":...,"collector":"primary","status":400,"reason":"...","domain":"fault",
///    "eventId":"fault0000000012","event":{...the event exactly as it was posted...}}
/// plus `lock` (flock: one agent per directory; the offline command takes it too). Records are appended to the
/// newest file; a new file starts once the newest holds an eighth of either bound. When the records pass
/// `max_bytes` or `max_events`, whole files go, oldest first; each drop is logged and counted.
///
/// Ids grow by one per record and are never reused while any record is kept (the next id is one past the
/// highest on disk). replay() pushes records into the outbox in id order and forgets them at once, so a second
/// replay never sends them again; their lines are removed from the files (rewrite + rename, crash-safe) once the
/// outbox has the events on disk. A crash between those two steps leaves the records in the store, so a later
/// replay may send such an event twice (same eventId): at least once, never lost.
///
/// Threading: one executor (the outbox's). Appends are synchronous writes with fdatasync: dead letters are rare.
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::telemetry {
class MetricsWriter;
}

namespace vesagent::outbox {

class Outbox;

struct DeadLetterLimits {
  std::uint64_t max_bytes = 64ULL << 20;
  std::uint64_t max_events = 10000;
};

/// One record.
struct DeadLetter {
  std::uint64_t id = 0;
  std::int64_t rejected_us = 0;  ///< wall clock, µs since the epoch
  std::string collector;         ///< "primary", "backup", or empty (refused before any post)
  int status = 0;                ///< the collector's HTTP status; 0 = never posted
  std::string reason;
  core::Domain domain = core::Domain::fault;
  std::string event_id;
  std::string event_json;        ///< the event as posted (no {"event":...} wrapper); empty in list() without events
};

/// Parses one line of a dead-letter file; nothing when it is not a complete record.
std::optional<DeadLetter> parse_dead_letter(std::string_view line);
/// The line for a record (without the newline).
std::string format_dead_letter(const DeadLetter& record);
/// Parses a whole file's text: the records in order; `damaged` counts the lines that are not records.
std::vector<DeadLetter> parse_dead_letter_file(std::string_view text, std::size_t& damaged);

struct DeadLetterQuery {
  bool newest_first = true;
  std::size_t limit = 100;  ///< 0 = no limit
  std::string collector;    ///< exact; empty = any
  std::optional<int> status;
  std::optional<core::Domain> domain;
  std::string text;             ///< substring of eventId or reason; empty = any
  std::int64_t since_us = 0;    ///< rejected at or after; 0 = any
  std::int64_t until_us = 0;    ///< rejected before; 0 = any
  bool with_events = false;     ///< fill DeadLetter::event_json (reads the files)
};

struct DeadLetterPage {
  std::vector<DeadLetter> records;
  std::size_t matched = 0;  ///< records matching the query (before the limit)
  std::size_t total = 0;    ///< records in the store
  std::uint64_t bytes = 0;  ///< bytes of the store's records
};

struct ReplayResult {
  std::size_t replayed = 0;   ///< pushed into the outbox
  std::size_t not_found = 0;  ///< ids asked for that the store does not hold (already replayed, dropped, unknown)
  std::size_t unreadable = 0; ///< records whose line could not be read back (kept in the store)
};

struct DeadLetterStats {
  std::uint64_t added = 0;
  std::uint64_t dropped = 0;        ///< records dropped by rotation (over a bound)
  std::uint64_t dropped_files = 0;
  std::uint64_t replayed = 0;
  std::uint64_t write_errors = 0;
  std::uint64_t damaged_lines = 0;  ///< lines found unreadable at open()
};

class DeadLetterStore {
 public:
  DeadLetterStore(std::filesystem::path directory, DeadLetterLimits limits);
  ~DeadLetterStore();
  DeadLetterStore(const DeadLetterStore&) = delete;
  DeadLetterStore& operator=(const DeadLetterStore&) = delete;

  /// Creates the directory, takes its lock (unless `lock` is false: read-only listing of another process's
  /// store), reads every file, cuts a torn last line, and takes in the legacy `<datadir>/dead-letter.jsonl`
  /// (`legacy_file`, if it exists; renamed to `.imported` after). `warnings` describes damage found.
  Result<void> open(std::string& warnings, bool lock = true,
                    const std::filesystem::path& legacy_file = {});

  /// Stores one refused event. False (logged, counted) when it cannot be written.
  bool add(std::string_view collector, int status, std::string_view reason, core::Domain domain,
           std::string_view event_id, std::string_view event_json);

  DeadLetterPage list(const DeadLetterQuery& query) const;

  /// Pushes the records with these ids (all records when `ids` is empty) into `outbox`, oldest first, and removes
  /// them from the store (see the class comment for crash safety).
  ReplayResult replay(std::span<const std::uint64_t> ids, Outbox& outbox);

  void set_limits(DeadLetterLimits limits);
  std::size_t size() const;
  std::uint64_t bytes() const;
  const DeadLetterStats& stats() const;
  const std::filesystem::path& directory() const;
  /// `vesagent_dead_letters`, `vesagent_dead_letter_bytes` and the `vesagent_dead_letters_*_total` counters.
  void write_metrics(telemetry::MetricsWriter& out) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  ///< shared with the outbox's durability callback of a replay
};

}  // namespace vesagent::outbox
