#include "vesagent/outbox/segment_format.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vesagent::outbox::segment {
namespace {

std::string three_events() {
  std::string s;
  append_file_header(s);
  append_ack(s, 0, 0);
  append_event(s, 1, 1000, core::Domain::fault, "fault-1", R"({"commonEventHeader":{"eventId":"fault-1"}})");
  append_event(s, 2, 2000, core::Domain::measurement, "m-2", R"({"commonEventHeader":{"eventId":"m-2"}})");
  append_event(s, 3, 3000, core::Domain::heartbeat, "hb-3", R"({"commonEventHeader":{"eventId":"hb-3"}})");
  return s;
}

std::vector<std::uint64_t> seqs(std::string_view data, Reader* out = nullptr) {
  Reader r(data);
  Record rec;
  std::vector<std::uint64_t> v;
  while (r.next(rec)) {
    if (rec.type == RecordType::event) v.push_back(rec.seq);
  }
  if (out) *out = r;
  return v;
}

TEST(SegmentFormatTest, crc32c_matches_the_castagnoli_check_value) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283U);
  EXPECT_EQ(crc32c(""), 0U);
  // Continuing a CRC gives the same as one pass (the group commit checksums records one by one).
  EXPECT_EQ(crc32c("56789", crc32c("1234")), crc32c("123456789"));
}

TEST(SegmentFormatTest, the_hardware_and_the_table_crc32c_agree_on_every_length_and_alignment) {
  std::string data;
  std::uint32_t x = 12345;
  for (int i = 0; i < 600; ++i) {
    x = x * 1103515245U + 12345U;
    data.push_back(static_cast<char>(x >> 16));
  }
  for (std::size_t start = 0; start < 9; ++start) {
    for (std::size_t len = 0; start + len <= 300; ++len) {
      const std::string_view v = std::string_view(data).substr(start, len);
      ASSERT_EQ(crc32c(v), crc32c_portable(v)) << start << "+" << len;
      ASSERT_EQ(crc32c(v, 0xDEADBEEFU), crc32c_portable(v, 0xDEADBEEFU)) << start << "+" << len;
    }
  }
  EXPECT_EQ(crc32c_portable("123456789"), 0xE3069283U);
}

TEST(SegmentFormatTest, round_trips_event_and_ack_records_with_exact_bytes) {
  std::string s;
  append_file_header(s);
  ASSERT_EQ(s.size(), kFileHeaderBytes);
  append_ack(s, 7, 9);
  const std::string json = "{\"event\":\"\xC3\xA9t\xC3\xA9\"}";  // UTF-8 payload kept byte for byte
  append_event(s, 42, -5, core::Domain::measurement, "id-42", json);
  EXPECT_EQ(s.size(), kFileHeaderBytes + 32 + event_record_bytes(5, json.size()));

  Reader r(s);
  EXPECT_TRUE(r.header_ok());
  Record rec;
  ASSERT_TRUE(r.next(rec));
  EXPECT_EQ(rec.type, RecordType::ack);
  EXPECT_EQ(rec.acked_through, 7U);
  EXPECT_EQ(rec.dropped_through, 9U);
  EXPECT_EQ(rec.offset, kFileHeaderBytes);
  ASSERT_TRUE(r.next(rec));
  EXPECT_EQ(rec.type, RecordType::event);
  EXPECT_EQ(rec.seq, 42U);
  EXPECT_EQ(rec.enqueued_us, -5);
  EXPECT_EQ(rec.domain, core::Domain::measurement);
  EXPECT_EQ(rec.event_id, "id-42");
  EXPECT_EQ(rec.json, json);
  EXPECT_EQ(rec.offset, kFileHeaderBytes + 32);
  EXPECT_EQ(rec.bytes, event_record_bytes(5, json.size()));
  EXPECT_FALSE(r.next(rec));
  EXPECT_EQ(r.valid_end(), s.size());
  EXPECT_EQ(r.torn_tail_bytes(), 0U);
  EXPECT_EQ(r.corrupt_regions(), 0U);
}

TEST(SegmentFormatTest, a_record_cut_short_is_a_torn_tail_ending_after_the_previous_record) {
  const std::string full = three_events();
  ASSERT_EQ(seqs(full), (std::vector<std::uint64_t>{1, 2, 3}));
  Reader all(full);
  Record rec;
  std::uint64_t third = 0;
  while (all.next(rec)) {
    if (rec.type == RecordType::event && rec.seq == 3) third = rec.offset;
  }
  ASSERT_GT(third, 0U);
  // Every length that ends inside the last record.
  for (std::size_t len = third + 1; len < full.size(); ++len) {
    const std::string torn = full.substr(0, len);
    Reader r(torn);
    EXPECT_EQ(seqs(torn, &r), (std::vector<std::uint64_t>{1, 2})) << "length " << len;
    EXPECT_EQ(r.valid_end(), third) << "length " << len;
    EXPECT_EQ(r.torn_tail_bytes(), len - third) << "length " << len;
    EXPECT_EQ(r.corrupt_regions(), 0U);
  }
}

TEST(SegmentFormatTest, zeros_after_the_last_record_are_the_unused_end_not_damage) {
  // The writer preallocates with zeros, and a power loss can leave zeros where a write did not land: either way
  // nothing was written there.
  std::string s = three_events();
  const auto end = s.size();
  s.append(4096, '\0');
  Reader r(s);
  EXPECT_EQ(seqs(s, &r), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(r.valid_end(), end);
  EXPECT_EQ(r.torn_tail_bytes(), 0U);
  EXPECT_EQ(r.zero_tail_bytes(), 4096U);
  // A record cut short before the zeros is damage, and the zeros with it.
  std::string torn = three_events().substr(0, end - 5);
  torn.append(4096, '\0');
  Reader t(torn);
  EXPECT_EQ(seqs(torn, &t), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_GT(t.torn_tail_bytes(), 4096U);
  EXPECT_EQ(t.zero_tail_bytes(), 0U);
}

TEST(SegmentFormatTest, a_flipped_byte_in_the_middle_loses_that_record_only) {
  const std::string clean = three_events();
  // Every byte of the second event record, one at a time.
  Reader first(clean);
  Record rec;
  std::uint64_t start = 0, bytes = 0;
  while (first.next(rec)) {
    if (rec.type == RecordType::event && rec.seq == 2) {
      start = rec.offset;
      bytes = rec.bytes;
    }
  }
  ASSERT_GT(bytes, 0U);
  for (std::uint64_t i = start; i < start + bytes; ++i) {
    std::string s = clean;
    s[i] = static_cast<char>(s[i] ^ 0x5A);
    Reader r(s);
    EXPECT_EQ(seqs(s, &r), (std::vector<std::uint64_t>{1, 3})) << "byte " << i;
    EXPECT_EQ(r.corrupt_regions(), 1U) << "byte " << i;
    EXPECT_EQ(r.corrupt_bytes(), bytes) << "byte " << i;
    EXPECT_EQ(r.first_damage_offset(), start);
    EXPECT_EQ(r.torn_tail_bytes(), 0U);
    EXPECT_EQ(r.valid_end(), s.size());
  }
}

TEST(SegmentFormatTest, records_are_found_after_a_damaged_file_header) {
  std::string s = three_events();
  s[0] = 'X';
  Reader r(s);
  EXPECT_FALSE(r.header_ok());
  EXPECT_EQ(seqs(s, &r), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(r.corrupt_regions(), 1U);
  EXPECT_EQ(r.corrupt_bytes(), kFileHeaderBytes);
}

TEST(SegmentFormatTest, reads_a_range_starting_mid_file) {
  const std::string s = three_events();
  Reader all(s);
  Record rec;
  std::uint64_t second = 0;
  while (all.next(rec)) {
    if (rec.type == RecordType::event && rec.seq == 2) second = rec.offset;
  }
  Reader part(std::string_view(s).substr(second), second);
  ASSERT_TRUE(part.next(rec));
  EXPECT_EQ(rec.seq, 2U);
  EXPECT_EQ(rec.offset, second);
  ASSERT_TRUE(part.next(rec));
  EXPECT_EQ(rec.seq, 3U);
  EXPECT_FALSE(part.next(rec));
  EXPECT_EQ(part.valid_end(), s.size());
}

TEST(SegmentFormatTest, unknown_domains_and_record_types_are_damage) {
  std::string s;
  append_file_header(s);
  append_event(s, 1, 0, static_cast<core::Domain>(31), "x", "{}");
  Reader r(s);
  Record rec;
  EXPECT_FALSE(r.next(rec));
  EXPECT_GT(r.torn_tail_bytes(), 0U);
}

TEST(SegmentFormatTest, an_ack_with_nonzero_reserved_bytes_is_damage_even_with_a_matching_checksum) {
  // Found by fuzz_outbox_segment: such a record passed the checksum and was read as an ack the writer can never
  // produce. Only records append_ack()/append_event() write are records.
  std::string s;
  append_file_header(s);
  const std::size_t record = s.size();
  append_ack(s, 5, 0);
  const std::size_t body = record + kRecordHeaderBytes;
  s[body + 1] = 7;  // a reserved byte
  const std::uint32_t crc = crc32c(std::string_view(s).substr(body));
  for (int i = 0; i < 4; ++i) s[record + 8 + static_cast<std::size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xFFU);
  Reader r(s);
  Record rec;
  EXPECT_FALSE(r.next(rec));
  EXPECT_EQ(r.valid_end(), kFileHeaderBytes);
}

}  // namespace
}  // namespace vesagent::outbox::segment

namespace vesagent::outbox::segment {
namespace {

TEST(SegmentStateRecordTest, round_trips_between_events_and_rejects_what_the_writer_cannot_produce) {
  std::string data;
  append_file_header(data);
  append_event(data, 1, 5, core::Domain::fault, "e1", "{}");
  append_state(data, 2, "R\tam/x\tline\n");
  EXPECT_EQ(data.size(), kFileHeaderBytes + event_record_bytes(2, 2) + state_record_bytes(12));
  Reader reader(data);
  Record rec;
  ASSERT_TRUE(reader.next(rec));
  EXPECT_EQ(rec.type, RecordType::event);
  ASSERT_TRUE(reader.next(rec));
  EXPECT_EQ(rec.type, RecordType::state);
  EXPECT_EQ(rec.seq, 2U);
  EXPECT_EQ(rec.state, "R\tam/x\tline\n");
  EXPECT_FALSE(reader.next(rec));
  EXPECT_EQ(reader.torn_tail_bytes(), 0U);

  // Non-zero reserved bytes: checksum-valid but not a record append_state writes. It is damage.
  std::string odd;
  append_file_header(odd);
  append_state(odd, 3, "text");
  std::string body = odd.substr(kFileHeaderBytes + kRecordHeaderBytes);
  body[1] = 1;
  const std::uint32_t crc = crc32c(body);
  odd.replace(kFileHeaderBytes + kRecordHeaderBytes, body.size(), body);
  for (int i = 0; i < 4; ++i) odd[kFileHeaderBytes + 8 + static_cast<std::size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xFFU);
  Reader odd_reader(odd);
  EXPECT_FALSE(odd_reader.next(rec));
  EXPECT_GT(odd_reader.torn_tail_bytes(), 0U);
}

}  // namespace
}  // namespace vesagent::outbox::segment
