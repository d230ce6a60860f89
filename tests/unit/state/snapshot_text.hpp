#pragma once
// Test helper: a snapshot file of either format as the text lines of format version 1, so that tests can look at
// what a compaction wrote (format version 2 is binary) with the same expectations as before.
#include <filesystem>
#include <string>

#include "fault_file_format.hpp"
#include "support/temp_dir.hpp"

namespace vesagent::state::test_support {

/// The snapshot at `path` as version 1 lines (header, records, end line); a version 1 file is returned as it is.
/// A damaged binary snapshot gives "damaged: <why>".
inline std::string snapshot_as_text(const std::filesystem::path& path) {
  const std::string bytes = test::read_text(path);
  if (!detail::is_binary_snapshot(bytes)) return bytes;
  std::string out;
  std::size_t pos = detail::kSnapshotMagic.size();
  detail::SnapshotFrame frame;
  std::string why;
  while (pos < bytes.size()) {
    if (!detail::read_snapshot_frame(bytes, pos, frame, why)) return "damaged: " + why;
    switch (frame.type) {
      case detail::SnapshotFrame::Type::header:
        detail::append_header(out, detail::kSnapshotKind, frame.generation);
        break;
      case detail::SnapshotFrame::Type::trailer:
        detail::append_trailer(out, frame.record_count);
        break;
      case detail::SnapshotFrame::Type::record: {
        detail::StoredFault f;
        detail::assign_fields(f, frame);
        detail::append_record(out, frame.key, f);
        break;
      }
    }
  }
  return out;
}

}  // namespace vesagent::state::test_support
