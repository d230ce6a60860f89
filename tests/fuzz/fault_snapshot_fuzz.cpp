// libFuzzer target for the fault state files (src/state/fault_file_format.cpp): the binary snapshot of format
// version 2 and the text lines of version 1 (journal, outbox state records, old snapshots). After a crash, a disk
// error or an operator's edit these bytes can be anything. Pure functions, no I/O; links only vesagent::state.
// Properties checked besides "no crash": a frame read lies inside the input and advances; re-encoding a record
// read from a checked frame gives exactly the bytes it was read from; a record read from a text line re-encodes
// to a line that parses to the same fields; eventIds are rebuilt byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fault_file_format.hpp"

namespace d = vesagent::state::detail;

namespace {

d::StoredFault stored(const d::RecordFields& r) {
  d::StoredFault f;
  d::assign_fields(f, r);
  return f;
}

bool same_fields(const d::RecordFields& a, const d::RecordFields& b) {
  return a.key == b.key && a.episode_start_us == b.episode_start_us && a.start_epoch_us == b.start_epoch_us &&
         a.sequence == b.sequence && a.closed_at_us == b.closed_at_us && a.severity == b.severity;
}

void binary(std::string_view bytes) {
  if (!d::is_binary_snapshot(bytes)) return;
  std::size_t pos = d::kSnapshotMagic.size();
  d::SnapshotFrame frame;
  std::string why;
  while (pos < bytes.size()) {
    const std::size_t start = pos;
    if (!d::read_snapshot_frame(bytes, pos, frame, why)) {
      if (pos != start || why.empty()) std::abort();
      return;
    }
    if (pos <= start || pos > bytes.size()) std::abort();
    if (frame.type != d::SnapshotFrame::Type::record) continue;
    if (frame.key.data() < bytes.data() || frame.key.data() + frame.key.size() > bytes.data() + bytes.size()) {
      std::abort();
    }
    std::string again;
    d::append_snapshot_record(again, frame.key, stored(frame));
    // A non-canonical eventId that happens to be canonical is written back in the shorter form: same fields.
    d::SnapshotFrame reread;
    std::size_t p = 0;
    std::string padded = std::string(d::kSnapshotMagic) + again;
    p = d::kSnapshotMagic.size();
    if (!d::read_snapshot_frame(padded, p, reread, why) || p != padded.size() || !same_fields(frame, reread)) {
      std::abort();
    }
    if (stored(frame).event_id.str(frame.episode_start_us) != stored(reread).event_id.str(reread.episode_start_us)) {
      std::abort();
    }
    if (frame.event_id_canonical == stored(frame).event_id.is_canonical() &&
        again != bytes.substr(start, pos - start)) {
      std::abort();
    }
  }
}

void text(std::string_view bytes) {
  d::ParsedLine parsed;
  std::string why;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    auto nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) nl = bytes.size();
    const auto line = bytes.substr(pos, nl - pos);
    pos = nl + 1;
    if (!d::parse_line(line, parsed, why) || parsed.type != d::ParsedLine::Type::record) continue;
    const d::RecordFields fields(parsed);
    const std::string id_text(fields.event_id);
    const d::StoredFault f = stored(fields);
    if (f.event_id.str(fields.episode_start_us) != id_text) std::abort();
    std::string again;
    d::append_record(again, fields.key, f);
    d::ParsedLine reparsed;
    if (again.empty() || again.back() != '\n' ||
        !d::parse_line(std::string_view(again).substr(0, again.size() - 1), reparsed, why) ||
        !same_fields(parsed, reparsed) || reparsed.event_id != id_text) {
      std::abort();
    }
    // And through the binary format.
    std::string snapshot;
    d::append_snapshot_header(snapshot, 1);
    d::append_snapshot_record(snapshot, fields.key, f);
    d::finish_snapshot(snapshot, 1);
    binary(snapshot);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  binary(bytes);
  text(bytes);
  return 0;
}
