#pragma once
#include <filesystem>
#include <string>

namespace vesagent::test {

/// A fresh directory under $TMPDIR, removed with everything in it when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// Writes `content` to path()/name and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

/// Directory of tests/data (from $VESAGENT_TEST_DATA, set by CTest).
std::filesystem::path data_dir();
/// Reads a whole file; empty string if it cannot be read.
std::string read_text(const std::filesystem::path& path);

}  // namespace vesagent::test
