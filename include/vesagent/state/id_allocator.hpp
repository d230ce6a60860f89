#pragma once
/// Hands out increasing event numbers that are never reused, even across crashes and restarts: the ONAP
/// consumers treat a repeated eventId as a duplicate. Numbers are reserved in blocks written to a file in the
/// state directory (write to a temporary file, fsync, rename), so the disk is touched once per block.
/// A crash loses the unused rest of a block, never repeats a number.
#include <cstdint>
#include <filesystem>
#include <string>

#include "vesagent/core/error.hpp"

namespace vesagent::state {

class IdAllocator {
 public:
  IdAllocator(std::filesystem::path file, std::uint64_t block_size = 1000);

  /// Reads the file (absent = start at `floor`, at least 1) and reserves the first block; a file below `floor`
  /// starts at `floor`. Fails when the file is unreadable, corrupt or the directory is not writable; the
  /// message names the file.
  Result<void> open(std::uint64_t floor = 1);
  /// The next number. Reserves a new block when the current one is used up.
  Result<std::uint64_t> next();
  const std::string& last_error() const { return last_error_; }

 private:
  Result<void> reserve_block();

  std::filesystem::path file_;
  std::uint64_t block_size_;
  std::uint64_t next_ = 1;
  std::uint64_t reserved_end_ = 1;  ///< first number not covered by the reservation on disk
  std::string last_error_;
};

/// Writes `content` to `path` atomically (temporary file in the same directory, fsync, rename, fsync dir).
Result<void> write_file_atomically(const std::filesystem::path& path, const std::string& content, std::string& error);

}  // namespace vesagent::state
