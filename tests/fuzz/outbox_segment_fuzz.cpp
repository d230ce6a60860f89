// libFuzzer target for the outbox segment reader: after a crash, a power loss or a disk error, these bytes can be
// anything. Build with clang: -fsanitize=fuzzer,address,undefined; links only the Asio-free segment format.
// Properties checked besides "no crash": every record returned lies inside the data, in increasing offsets;
// re-encoding a returned record gives exactly the bytes it was read from (nothing is half-parsed); the damage
// counters add up with the records to the whole input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/outbox/segment_format.hpp"

namespace seg = vesagent::outbox::segment;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  seg::Reader reader(bytes);
  seg::Record rec;
  std::uint64_t next_free = 0;
  std::uint64_t record_bytes = 0;
  while (reader.next(rec)) {
    if (rec.offset < next_free || rec.offset + rec.bytes > size) std::abort();
    next_free = rec.offset + rec.bytes;
    record_bytes += rec.bytes;
    std::string again;
    if (rec.type == seg::RecordType::event) {
      seg::append_event(again, rec.seq, rec.enqueued_us, rec.domain, rec.event_id, rec.json);
    } else {
      seg::append_ack(again, rec.acked_through, rec.dropped_through);
    }
    if (again != bytes.substr(rec.offset, rec.bytes)) std::abort();
  }
  if (reader.valid_end() > size || reader.valid_end() + reader.torn_tail_bytes() + reader.zero_tail_bytes() != size) std::abort();
  const std::uint64_t header = reader.header_ok() ? seg::kFileHeaderBytes : 0;
  if (header + record_bytes + reader.corrupt_bytes() + reader.torn_tail_bytes() + reader.zero_tail_bytes() != size) std::abort();
  return 0;
}
