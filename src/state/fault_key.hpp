#pragma once
/// Private to the state module: the key of a fault in FaultStore's map. A std::string holds 15 characters
/// inline, and an Alertmanager key ("am/" + 16 hex digits) has 19, so every fault cost a heap block of its own
/// (malloc time at open() and ~32 bytes of memory per fault). FaultKey keeps up to 20 characters inside its 24
/// bytes; longer keys (OpenStack's "vm/<uuid>/...") go to the heap. Keys never change once stored.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace vesagent::state::detail {

/// An immutable string, inline up to kInline characters.
class FaultKey {
 public:
  static constexpr std::size_t kInline = 20;

  FaultKey() noexcept = default;
  explicit FaultKey(std::string_view text) { init(text); }
  FaultKey(const FaultKey& other) { init(other.view()); }
  FaultKey(FaultKey&& other) noexcept : size_(other.size_) {
    std::memcpy(buf_, other.buf_, sizeof buf_);
    other.size_ = 0;
  }
  FaultKey& operator=(const FaultKey& other) {
    if (this != &other) {
      FaultKey copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  FaultKey& operator=(FaultKey&& other) noexcept {
    if (this != &other) {
      release();
      size_ = other.size_;
      std::memcpy(buf_, other.buf_, sizeof buf_);
      other.size_ = 0;
    }
    return *this;
  }
  ~FaultKey() { release(); }

  const char* data() const noexcept { return size_ <= kInline ? buf_ : heap(); }
  std::size_t size() const noexcept { return size_; }
  std::string_view view() const noexcept { return {data(), size_}; }
  operator std::string_view() const noexcept { return view(); }  // NOLINT: used wherever a key is read

  friend bool operator==(const FaultKey& a, const FaultKey& b) noexcept { return a.view() == b.view(); }
  friend bool operator==(const FaultKey& a, std::string_view b) noexcept { return a.view() == b; }

 private:
  char* heap() const noexcept {
    char* p = nullptr;
    std::memcpy(&p, buf_, sizeof p);
    return p;
  }
  void init(std::string_view text) {
    if (text.size() > UINT32_MAX) throw std::length_error("fault key too long");
    if (text.size() <= kInline) {
      if (!text.empty()) std::memcpy(buf_, text.data(), text.size());
    } else {
      char* p = new char[text.size()];
      std::memcpy(p, text.data(), text.size());
      std::memcpy(buf_, &p, sizeof p);
    }
    size_ = static_cast<std::uint32_t>(text.size());
  }
  void release() noexcept {
    if (size_ > kInline) delete[] heap();
    size_ = 0;
  }

  std::uint32_t size_ = 0;
  char buf_[kInline] = {};  // the characters, or (longer keys) the heap pointer in its first 8 bytes
};

}  // namespace vesagent::state::detail
