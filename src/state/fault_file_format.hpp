#pragma once
/// Private to the state module: the formats of faults.snapshot and faults.journal (see README.md here): the text
/// lines of format version 1 (the journal, the lines handed to the outbox, and snapshots written by older
/// versions) and the binary snapshot of format version 2; the hashes behind them. Pure functions, no I/O.
#include <cstdint>
#include <string>
#include <string_view>

#include "vesagent/core/crc32c.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::state::detail {

/// A fault's eventId in 16 bytes. Every id this store derives is "fault-<hash16>-<episode start seconds>" (see
/// FaultStore::make_event_id), and the episode is in the record anyway, so such an id is kept as its 64-bit
/// hash alone: no heap block per fault (a 33-character string does not fit std::string's inline buffer). Any
/// other text (a file or a cluster peer may hold anything) is kept as it is, on the heap, and written back
/// unchanged. The text is always rebuilt byte for byte: "canonical" means the text equals the rebuilt one.
class StoredEventId {
 public:
  StoredEventId() noexcept = default;  ///< the canonical id with hash 0 (a placeholder until assigned)
  static StoredEventId canonical(std::uint64_t hash) noexcept {
    StoredEventId id;
    id.hash_ = hash;
    return id;
  }
  /// `text` as stored for a record of episode `episode_us`: kept as a hash when it is the canonical form.
  static StoredEventId from_text(std::string_view text, std::int64_t episode_us);
  StoredEventId(const StoredEventId& other);
  StoredEventId(StoredEventId&& other) noexcept : hash_(other.hash_), text_(other.text_) { other.text_ = nullptr; }
  StoredEventId& operator=(const StoredEventId& other);
  StoredEventId& operator=(StoredEventId&& other) noexcept;
  ~StoredEventId() { delete text_; }

  bool is_canonical() const noexcept { return text_ == nullptr; }
  std::uint64_t hash() const noexcept { return hash_; }  ///< canonical ids only
  std::string_view text() const noexcept { return text_ != nullptr ? std::string_view(*text_) : std::string_view(); }
  /// Appends the id's text (`episode_us`: the record's episode).
  void append_to(std::string& out, std::int64_t episode_us) const;
  std::string str(std::int64_t episode_us) const {
    std::string out;
    append_to(out, episode_us);
    return out;
  }

 private:
  std::uint64_t hash_ = 0;
  std::string* text_ = nullptr;  ///< non-canonical text; null = canonical
};

/// Appends "fault-<16 lower-case hex digits of hash>-<episode_us / 1,000,000 in decimal>".
void append_canonical_event_id(std::string& out, std::uint64_t hash, std::int64_t episode_us);

/// One fault as kept in memory (the key is the map key, so it is not repeated here) and as written per line.
struct StoredFault {
  StoredEventId event_id;
  std::int64_t episode_start_us = 0;
  std::int64_t start_epoch_us = 0;
  std::int64_t sequence = 0;
  std::int64_t closed_at_us = 0;
  core::Severity severity = core::Severity::major;
  // The two bookkeeping fields share 4 bytes with each other (bit-fields), so the record is 56 bytes and a map
  // node 96 (a bool of its own padded the record to 64).
  std::uint32_t dirty : 1 = 0;  ///< changed since the last persist(); in memory only
  /// Shared durability: 1 + the index of this fault's slot in FaultStore's `undurable` list (a compaction must
  /// write the slot's durable version instead); 0 = memory is durable. In memory only; meaningless in copies.
  std::uint32_t undurable : 31 = 0;
  bool active() const { return closed_at_us == 0; }
};

inline constexpr std::string_view kMagic = "vesagent-faults";
inline constexpr std::string_view kFormatVersion = "1";
inline constexpr std::string_view kSnapshotKind = "snapshot";
inline constexpr std::string_view kJournalKind = "journal";

std::uint32_t crc32(std::string_view data) noexcept;
/// The checksum of format version 2: CRC-32C (core/crc32c.hpp, shared with the outbox's segments).
using core::crc32c;
std::uint64_t fnv1a64(std::string_view data, std::uint64_t hash = 14695981039346656037ULL) noexcept;

void append_header(std::string& out, std::string_view kind, std::uint64_t generation);
void append_record(std::string& out, std::string_view key, const StoredFault& fault);
void append_trailer(std::string& out, std::uint64_t record_count);

/// The fields of a record line, unescaped, without copies: the views point into the line or into scratch storage.
struct RecordFields {
  std::string_view key;
  std::string_view event_id;       ///< when !event_id_canonical
  std::uint64_t event_id_hash = 0;  ///< when event_id_canonical (binary snapshot records)
  bool event_id_canonical = false;
  std::int64_t episode_start_us = 0;
  std::int64_t start_epoch_us = 0;
  std::int64_t sequence = 0;
  std::int64_t closed_at_us = 0;
  core::Severity severity = core::Severity::major;
};

/// Copies a parsed record's fields into `f`; its in-memory bookkeeping (dirty, undurable) is left as it is.
void assign_fields(StoredFault& f, const RecordFields& r);

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

// ---- format version 2: the binary snapshot (README.md here) ----

inline constexpr std::string_view kSnapshotMagic{"\x89VESFLT\n", 8};
inline constexpr std::uint32_t kSnapshotVersion = 2;
inline constexpr std::size_t kFrameHeaderBytes = 8;       ///< u32 length, u32 CRC-32C
inline constexpr std::size_t kRecordFixedBytes = 52;      ///< a record's body without its key and eventId

/// Whether `file` starts like a binary snapshot (a version 1 snapshot starts with "H\t").
inline bool is_binary_snapshot(std::string_view file) { return file.substr(0, kSnapshotMagic.size()) == kSnapshotMagic; }

/// Writes the magic and the header frame; the record count is patched in by finish_snapshot().
void append_snapshot_header(std::string& out, std::uint64_t generation);
void append_snapshot_record(std::string& out, std::string_view key, const StoredFault& fault);
/// Writes the end frame and puts `record_count` into the header frame (written at offset 0 of `out`).
void finish_snapshot(std::string& out, std::uint64_t record_count);

/// One frame of a binary snapshot. For a record, the views point into the file.
struct SnapshotFrame : RecordFields {
  enum class Type { header, record, trailer } type = Type::record;
  std::uint64_t generation = 0;    ///< header
  std::uint64_t record_count = 0;  ///< header and trailer
};

/// Reads the frame at `pos` of a binary snapshot (`pos` >= the magic's size) and advances `pos` past it. Returns
/// false with a reason on a torn or damaged frame (`pos` unchanged). With `check` false the checksum is not
/// verified (a second pass over frames checked before).
bool read_snapshot_frame(std::string_view file, std::size_t& pos, SnapshotFrame& out, std::string& why,
                         bool check = true);

}  // namespace vesagent::state::detail
