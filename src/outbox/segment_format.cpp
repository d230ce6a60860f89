#include "vesagent/outbox/segment_format.hpp"

#include <cstring>

#include "vesagent/core/little_endian.hpp"

namespace vesagent::outbox::segment {
namespace {

constexpr unsigned char kRecordMagic[4] = {0xFF, 0xFE, 'V', 'R'};

using core::little_endian::load32;
using core::little_endian::load64;
using core::little_endian::put16;
using core::little_endian::put32;
using core::little_endian::put64;
using core::little_endian::store32;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

/// Reserves the record header, lets `body` append the body, then fills in length and CRC.
template <class Body>
void append_record(std::string& out, Body&& body) {
  const std::size_t start = out.size();
  out.append(reinterpret_cast<const char*>(kRecordMagic), 4);
  put32(out, 0);
  put32(out, 0);
  body();
  const std::size_t body_start = start + kRecordHeaderBytes;
  const auto body_len = static_cast<std::uint32_t>(out.size() - body_start);
  store32(out, start + 4, body_len);
  store32(out, start + 8, crc32c(std::string_view(out).substr(body_start)));
}

}  // namespace

bool known_domain(std::uint8_t value) noexcept {
  // core::to_string() names every domain this build has and answers "other" past the last one.
  return value < 32 && core::to_string(static_cast<core::Domain>(value)) != "other";
}

void append_file_header(std::string& out) {
  const std::size_t start = out.size();
  out.append(kFileMagic);
  put32(out, kFormatVersion);
  put32(out, crc32c(std::string_view(out).substr(start, 12)));
}

std::size_t event_record_bytes(std::size_t event_id_bytes, std::size_t json_bytes) noexcept {
  if (event_id_bytes > 0xFFFF) event_id_bytes = 0xFFFF;
  return kRecordHeaderBytes + kEventBodyFixedBytes + event_id_bytes + json_bytes;
}

void append_event(std::string& out, std::uint64_t seq, std::int64_t enqueued_us, core::Domain domain,
                  std::string_view event_id, std::string_view json) {
  if (event_id.size() > 0xFFFF) event_id = event_id.substr(0, 0xFFFF);
  append_record(out, [&] {
    out.push_back(static_cast<char>(RecordType::event));
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(domain)));
    put16(out, static_cast<std::uint16_t>(event_id.size()));
    put64(out, seq);
    put64(out, static_cast<std::uint64_t>(enqueued_us));
    out.append(event_id);
    out.append(json);
  });
}

void append_ack(std::string& out, std::uint64_t acked_through, std::uint64_t dropped_through) {
  append_record(out, [&] {
    out.push_back(static_cast<char>(RecordType::ack));
    out.push_back(0);
    put16(out, 0);
    put64(out, acked_through);
    put64(out, dropped_through);
  });
}

std::size_t state_record_bytes(std::size_t text_bytes) noexcept {
  return kRecordHeaderBytes + kStateBodyFixedBytes + text_bytes;
}

void append_state(std::string& out, std::uint64_t seq, std::string_view text) {
  append_record(out, [&] {
    out.push_back(static_cast<char>(RecordType::state));
    out.push_back(0);
    put16(out, 0);
    put64(out, seq);
    out.append(text);
  });
}

Reader::Reader(std::string_view data, std::uint64_t base) : data_(data), base_(base) {
  if (base != 0) return;
  const bool ok = data.size() >= kFileHeaderBytes && data.substr(0, 8) == kFileMagic &&
                  load32(bytes(data) + 8) == kFormatVersion && load32(bytes(data) + 12) == crc32c(data.substr(0, 12));
  if (ok) {
    pos_ = valid_end_ = kFileHeaderBytes;
  } else {
    // Records after a damaged header are still found by scanning; the header counts as damage.
    header_ok_ = false;
  }
}

bool Reader::decode_at(std::size_t pos, Record& out) const {
  if (data_.size() - pos < kRecordHeaderBytes) return false;
  const unsigned char* p = bytes(data_) + pos;
  if (std::memcmp(p, kRecordMagic, 4) != 0) return false;
  const std::uint32_t body_len = load32(p + 4);
  if (body_len <= kStateBodyFixedBytes || body_len > kMaxBodyBytes) return false;  // the smallest: a state record
  if (data_.size() - pos - kRecordHeaderBytes < body_len) return false;
  const std::string_view body = data_.substr(pos + kRecordHeaderBytes, body_len);
  if (crc32c(body) != load32(p + 8)) return false;
  const unsigned char* b = bytes(body);
  out = Record{};
  out.offset = base_ + pos;
  out.bytes = static_cast<std::uint32_t>(kRecordHeaderBytes + body_len);
  if (b[0] == static_cast<std::uint8_t>(RecordType::event)) {
    if (body_len < kEventBodyFixedBytes) return false;
    const std::size_t id_len = static_cast<std::size_t>(b[2]) | static_cast<std::size_t>(b[3]) << 8;
    if (!known_domain(b[1]) || body_len < kEventBodyFixedBytes + id_len) return false;
    out.type = RecordType::event;
    out.domain = static_cast<core::Domain>(b[1]);
    out.seq = load64(b + 4);
    out.enqueued_us = static_cast<std::int64_t>(load64(b + 12));
    out.event_id = body.substr(kEventBodyFixedBytes, id_len);
    out.json = body.substr(kEventBodyFixedBytes + id_len);
    return out.seq != 0;
  }
  // An ack's reserved bytes are zero as append_ack() writes them: a record is only what the writer can produce.
  if (b[0] == static_cast<std::uint8_t>(RecordType::ack) && body_len == kAckBodyBytes && b[1] == 0 && b[2] == 0 &&
      b[3] == 0) {
    out.type = RecordType::ack;
    out.acked_through = load64(b + 4);
    out.dropped_through = load64(b + 12);
    return true;
  }
  if (b[0] == static_cast<std::uint8_t>(RecordType::state) && b[1] == 0 && b[2] == 0 && b[3] == 0) {
    out.type = RecordType::state;
    out.seq = load64(b + 4);
    out.state = body.substr(kStateBodyFixedBytes);
    return out.seq != 0;
  }
  return false;
}

void Reader::note_damage(std::size_t pos) {
  if (!damage_seen_) {
    damage_seen_ = true;
    first_damage_ = base_ + pos;
  }
}

bool Reader::next(Record& out) {
  if (pos_ >= data_.size()) return false;
  if (decode_at(pos_, out)) {
    pos_ += out.bytes;
    valid_end_ = pos_;
    return true;
  }
  // The writer preallocates segment space with zeros (SegmentFiles): an all-zero rest is the unused end.
  if (data_.find_first_not_of('\0', pos_) == std::string_view::npos) {
    zero_tail_bytes_ = data_.size() - pos_;
    pos_ = data_.size();
    return false;
  }
  // Damage: look for the next valid record. Only positions holding the magic are worth decoding.
  note_damage(pos_);
  const std::string_view magic(reinterpret_cast<const char*>(kRecordMagic), 4);
  std::size_t candidate = pos_ + 1;
  while ((candidate = data_.find(magic, candidate)) != std::string_view::npos) {
    if (decode_at(candidate, out)) {
      ++corrupt_regions_;
      corrupt_bytes_ += candidate - pos_;
      pos_ = candidate + out.bytes;
      valid_end_ = pos_;
      return true;
    }
    ++candidate;
  }
  torn_tail_bytes_ = data_.size() - pos_;
  pos_ = data_.size();
  return false;
}

}  // namespace vesagent::outbox::segment
