#pragma once
/// Where the end of the last measurement window handed to the pipeline is remembered, so that a restart
/// back-fills exactly the windows that were missed and never sends one twice. Behind a tiny interface: the file
/// below is the standalone store; an HA deployment can keep the mark in etcd instead.
///
/// Called on the event loop; implementations must be quick (the file store writes a few bytes per window).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "vesagent/core/error.hpp"

namespace vesagent::sources::prometheus {

class WindowMarks {
 public:
  virtual ~WindowMarks() = default;
  /// The stored end (ms since the epoch), nullopt when nothing was stored yet. Fails (with `error`) when the
  /// store is unreadable or corrupt.
  virtual Result<std::optional<std::int64_t>> load(std::string& error) = 0;
  /// Remembers `window_end_ms` durably before returning.
  virtual Result<void> store(std::int64_t window_end_ms, std::string& error) = 0;
};

/// The mark as a one-line JSON file, `{"lastWindowEndMs":1795665900000}`, replaced atomically (temporary file,
/// fsync, rename) on every store.
class FileWindowMarks final : public WindowMarks {
 public:
  explicit FileWindowMarks(std::filesystem::path file) : file_(std::move(file)) {}
  Result<std::optional<std::int64_t>> load(std::string& error) override;
  Result<void> store(std::int64_t window_end_ms, std::string& error) override;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace vesagent::sources::prometheus
