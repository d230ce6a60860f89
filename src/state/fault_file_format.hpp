#pragma once
/// Private to the state module: the line format of faults.snapshot and faults.journal (described in
/// include/vesagent/state/fault_store.hpp), and the hashes behind it. Pure functions, no I/O.
#include <cstdint>
#include <string>
#include <string_view>

#include "vesagent/core/event.hpp"

namespace vesagent::state::detail {

/// One fault as kept in memory (the key is the map key, so it is not repeated here) and as written per line.
struct StoredFault {
  std::string event_id;
  std::int64_t episode_start_us = 0;
  std::int64_t start_epoch_us = 0;
  std::int64_t sequence = 0;
  std::int64_t closed_at_us = 0;
  core::Severity severity = core::Severity::major;
  bool dirty = false;  ///< changed since the last persist(); in memory only
  /// Shared durability: 1 + the index of this fault's slot in FaultStore's `undurable` list (a compaction must
  /// write the slot's durable version instead); 0 = memory is durable. In memory only; meaningless in copies.
  std::uint32_t undurable = 0;
  bool active() const { return closed_at_us == 0; }
};

inline constexpr std::string_view kMagic = "vesagent-faults";
inline constexpr std::string_view kFormatVersion = "1";
inline constexpr std::string_view kSnapshotKind = "snapshot";
inline constexpr std::string_view kJournalKind = "journal";

std::uint32_t crc32(std::string_view data) noexcept;
std::uint64_t fnv1a64(std::string_view data, std::uint64_t hash = 14695981039346656037ULL) noexcept;

void append_header(std::string& out, std::string_view kind, std::uint64_t generation);
void append_record(std::string& out, std::string_view key, const StoredFault& fault);
void append_trailer(std::string& out, std::uint64_t record_count);

/// The fields of a record line, unescaped, without copies: the views point into the line or into scratch storage.
struct RecordFields {
  std::string_view key;
  std::string_view event_id;
  std::int64_t episode_start_us = 0;
  std::int64_t start_epoch_us = 0;
  std::int64_t sequence = 0;
  std::int64_t closed_at_us = 0;
  core::Severity severity = core::Severity::major;
};

/// One parsed line. For a record, `key` and `event_id` point into the line, or into the `*_storage` buffers when
/// they had escapes (so a ParsedLine must not be copied while its views are in use; reuse one object for every
/// line, the buffers keep their capacity). Only the fields of its `type` are meaningful.
struct ParsedLine : RecordFields {
  enum class Type { header, record, trailer } type = Type::record;
  std::string_view kind;         ///< header: snapshot | journal
  std::uint64_t number = 0;      ///< header: generation; trailer: record count
  std::string key_storage;       ///< scratch for an escaped key
  std::string event_id_storage;  ///< scratch for an escaped eventId
};

/// Parses one line without its '\n'. Returns false with a reason when the checksum, the fields or the version
/// do not match. Allocates nothing unless a key or eventId has escapes (and then only to grow the scratch).
bool parse_line(std::string_view line, ParsedLine& out, std::string& why);

}  // namespace vesagent::state::detail
