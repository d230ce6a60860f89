#pragma once
// Internal: the POSIX file operations of the outbox directory. Not thread-safe: Outbox::open() uses it before any
// job runs, then only the outbox's I/O thread touches it (jobs run there one at a time, in order).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vesagent::outbox::detail {

/// `<16 hex digits>.seg`
std::string segment_file_name(std::uint64_t number);
/// The number of a segment file name, 0 if `name` is not one.
std::uint64_t parse_segment_file_name(std::string_view name);

class SegmentFiles {
 public:
  struct Chunk {
    std::uint64_t segment = 0;
    std::string bytes;
  };

  SegmentFiles(std::filesystem::path directory, bool sync);
  ~SegmentFiles();
  SegmentFiles(const SegmentFiles&) = delete;
  SegmentFiles& operator=(const SegmentFiles&) = delete;

  const std::filesystem::path& directory() const { return directory_; }
  std::filesystem::path path_of(std::uint64_t segment) const { return directory_ / segment_file_name(segment); }

  /// Creates the directory and takes an exclusive flock on `lock` in it (two agents never share an outbox).
  bool lock(std::string& error);
  /// Segment numbers present, ascending.
  bool list(std::vector<std::uint64_t>& out, std::string& error) const;
  bool read_all(std::uint64_t segment, std::string& out, std::string& error) const;
  bool read_range(std::uint64_t segment, std::uint64_t offset, std::size_t length, std::string& out,
                  std::string& error) const;
  /// Cuts a segment to `size` bytes (torn tail), synced.
  bool truncate(std::uint64_t segment, std::uint64_t size, std::string& error);
  bool remove(std::uint64_t segment, std::string& error);

  /// Appends the chunks in order (creating files as needed), then syncs every touched file (and the directory
  /// when a file was created) unless sync is off. Segments below `keep_open_from` are closed afterwards. On
  /// failure every touched file is cut back to its size before the call, and false is returned; if even that
  /// fails, broken() becomes true and every later append fails (offsets can no longer be trusted). After a
  /// failure, appends fail at once until one is called with `resume` (the caller's retry of the failed chunks
  /// first): jobs queued behind a failed one must not land at the failed one's offsets.
  bool append(const std::vector<Chunk>& chunks, std::uint64_t keep_open_from, std::string& error, bool resume);
  bool broken() const { return broken_; }
  std::uint64_t syncs() const { return syncs_; }

 private:
  struct Open {
    int fd = -1;
    std::uint64_t size = 0;       ///< end of the records: the next append goes here
    std::uint64_t allocated = 0;  ///< file size: `size` plus zeros written ahead (files created by this process)
    bool preallocate = false;
  };
  /// Writes zeros past the records so that most fdatasyncs find the file size unchanged (see append()).
  bool preallocate(Open& file, std::uint64_t needed, std::string& error, std::uint64_t segment);
  bool open_for_append(std::uint64_t segment, Open*& out, bool& created, std::string& error);
  void close_segment(std::uint64_t segment);

  std::filesystem::path directory_;
  bool sync_;
  int lock_fd_ = -1;
  int dir_fd_ = -1;
  bool broken_ = false;
  bool failed_ = false;
  std::uint64_t syncs_ = 0;
  std::map<std::uint64_t, Open> open_;
};

}  // namespace vesagent::outbox::detail
