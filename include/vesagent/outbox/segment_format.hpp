#pragma once
/// The on-disk format of the durable outbox: pure encode/decode functions, no I/O and no Asio, so that the reader
/// can be fuzzed and the format tested byte by byte.
///
/// A segment file (`<16 hex digits>.seg`, the segment number) is a 16-byte file header followed by records:
///
///   file header   "VESOUTBX" | u32 format version (1) | u32 CRC-32C of the previous 12 bytes
///   record        u8[4] magic FF FE 'V' 'R' | u32 body length | u32 CRC-32C of the body | body
///   event body    u8 type 1 | u8 domain | u16 eventId length | u64 seq | i64 enqueued µs | eventId | event JSON
///   ack body      u8 type 2 | u8 0 | u16 0 | u64 acked-through seq | u64 dropped-through seq
///   state body    u8 type 3 | u8 0 | u16 0 | u64 seq | state text (at least one byte)
///
/// All integers are little-endian. The magic starts with FF FE, two bytes that never occur in UTF-8 text, so a
/// reader that lost its place (a corrupt length) finds the next record by scanning for the magic and checking
/// the CRC; JSON payloads cannot fake a record start. An ack record says: every event with seq <= acked-through
/// is done (delivered, dead-lettered, or dropped as the oldest entry), and every heartbeat or measurement with
/// seq <= dropped-through was dropped by a bound. Every segment starts with one, so the newest segment always
/// holds the latest ack state. Event seqs increase strictly across all segments.
///
/// A state record carries another component's durable state change (the FaultStore's journal lines for the
/// decisions whose events precede it), so that one fdatasync makes the events and the decisions durable together
/// (see Outbox::push_state). State records take their seq from the same counter as events, so seqs increase
/// strictly across both kinds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "vesagent/core/crc32c.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::outbox::segment {

constexpr std::string_view kFileMagic = "VESOUTBX";
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::size_t kFileHeaderBytes = 16;
constexpr std::size_t kRecordHeaderBytes = 12;
constexpr std::size_t kEventBodyFixedBytes = 20;
constexpr std::size_t kAckBodyBytes = 20;
constexpr std::size_t kStateBodyFixedBytes = 12;
/// Larger bodies are treated as damage (event.maxSize is far below this).
constexpr std::uint32_t kMaxBodyBytes = 256U << 20;

enum class RecordType : std::uint8_t { event = 1, ack = 2, state = 3 };

/// The records' checksum: CRC-32C (core/crc32c.hpp, shared with the fault store's snapshot).
using core::crc32c;
using core::crc32c_portable;

/// True for a domain byte this build knows (core::Domain values).
bool known_domain(std::uint8_t value) noexcept;

void append_file_header(std::string& out);
/// Record size on disk of an event with these lengths.
std::size_t event_record_bytes(std::size_t event_id_bytes, std::size_t json_bytes) noexcept;
/// Appends one event record. event_id is cut to 65535 bytes (eventIds are short in practice).
void append_event(std::string& out, std::uint64_t seq, std::int64_t enqueued_us, core::Domain domain,
                  std::string_view event_id, std::string_view json);
void append_ack(std::string& out, std::uint64_t acked_through, std::uint64_t dropped_through);
/// Record size on disk of a state record with this much text.
std::size_t state_record_bytes(std::size_t text_bytes) noexcept;
/// Appends one state record; `text` must not be empty.
void append_state(std::string& out, std::uint64_t seq, std::string_view text);

/// One decoded record; the views point into the reader's data.
struct Record {
  RecordType type = RecordType::event;
  std::uint64_t offset = 0;  ///< file offset of the record
  std::uint32_t bytes = 0;   ///< whole record, header included
  // event and state
  std::uint64_t seq = 0;
  std::int64_t enqueued_us = 0;
  core::Domain domain = core::Domain::heartbeat;
  std::string_view event_id;
  std::string_view json;
  // state
  std::string_view state;
  // ack
  std::uint64_t acked_through = 0;
  std::uint64_t dropped_through = 0;
};

/// Walks the records of (part of) one segment. Damage never stops it: an invalid record is skipped by scanning
/// for the next valid record start, and the skipped region is counted. Damage that runs to the end of the data
/// (no valid record after it) is a torn tail: valid_end() is where to cut it.
class Reader {
 public:
  /// `data` holds the segment's bytes from file offset `base`; base 0 means the file header comes first.
  explicit Reader(std::string_view data, std::uint64_t base = 0);

  /// The next valid record, or false at the end of the data.
  bool next(Record& out);

  bool header_ok() const { return header_ok_; }
  /// File offset just past the last valid record (or the header); everything after it is a torn tail.
  std::uint64_t valid_end() const { return base_ + valid_end_; }
  /// Damaged regions skipped between valid records (not counting the tail), and their bytes.
  std::uint64_t corrupt_regions() const { return corrupt_regions_; }
  std::uint64_t corrupt_bytes() const { return corrupt_bytes_; }
  /// Bytes after the last valid record that are not a valid record (0 = clean end). Only final after next()
  /// returned false.
  std::uint64_t torn_tail_bytes() const { return torn_tail_bytes_; }
  /// Zero bytes after the last valid record: space the writer preallocated and never used (not damage; a torn
  /// write leaves something other than zeros). Only final after next() returned false.
  std::uint64_t zero_tail_bytes() const { return zero_tail_bytes_; }
  /// File offset of the first damaged byte seen (for the log); 0 = none.
  std::uint64_t first_damage_offset() const { return first_damage_; }

 private:
  bool decode_at(std::size_t pos, Record& out) const;
  void note_damage(std::size_t pos);

  std::string_view data_;
  std::uint64_t base_;
  std::size_t pos_ = 0;
  std::size_t valid_end_ = 0;
  bool header_ok_ = true;
  std::uint64_t corrupt_regions_ = 0;
  std::uint64_t corrupt_bytes_ = 0;
  std::uint64_t torn_tail_bytes_ = 0;
  std::uint64_t zero_tail_bytes_ = 0;
  std::uint64_t first_damage_ = 0;
  bool damage_seen_ = false;
};

}  // namespace vesagent::outbox::segment
