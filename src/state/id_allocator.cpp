#include "vesagent/state/id_allocator.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vesagent::state {

Result<void> write_file_atomically(const std::filesystem::path& path, const std::string& content, std::string& error) {
  const auto tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    error = "cannot create " + tmp + ": " + std::strerror(errno);
    return make_error_code(errc::io_error);
  }
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = "cannot write " + tmp + ": " + std::strerror(errno);
      ::close(fd);
      return make_error_code(errc::io_error);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  // fsync before rename: otherwise a power loss can leave the new name pointing at an empty file.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    error = "cannot sync " + tmp + ": " + std::strerror(errno);
    return make_error_code(errc::io_error);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + tmp + ": " + std::strerror(errno);
    return make_error_code(errc::io_error);
  }
  int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

IdAllocator::IdAllocator(std::filesystem::path file, std::uint64_t block_size)
    : file_(std::move(file)), block_size_(block_size == 0 ? 1 : block_size) {}

Result<void> IdAllocator::open(std::uint64_t floor) {
  std::error_code ec;
  if (std::filesystem::exists(file_, ec)) {
    std::ifstream in(file_);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    std::uint64_t value = 0;
    auto [ptr, perr] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!in || perr != std::errc{} || ptr != text.data() + text.size() || value == 0) {
      last_error_ = "corrupt event counter file " + file_.string() + " (expected a positive integer)";
      return make_error_code(errc::io_error);
    }
    next_ = value;
  } else {
    next_ = 1;
  }
  next_ = std::max(next_, floor);
  reserved_end_ = next_;
  return reserve_block();
}

Result<void> IdAllocator::reserve_block() {
  const std::uint64_t end = next_ + block_size_;
  if (auto r = write_file_atomically(file_, std::to_string(end) + "\n", last_error_); !r) return r;
  reserved_end_ = end;
  return {};
}

Result<std::uint64_t> IdAllocator::next() {
  if (next_ >= reserved_end_) {
    if (auto r = reserve_block(); !r) return r.error();
  }
  return next_++;
}

}  // namespace vesagent::state
