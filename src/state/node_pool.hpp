#pragma once
/// Private to the state module: where FaultStore's hash map nodes live. With 500,000 faults, one malloc per node
/// was a tenth of open() (plus its 16-byte header per node), and the nodes of a freshly loaded state were
/// scattered over the heap. NodePool hands out blocks of one size from large chunks, in order, and keeps freed
/// blocks on a free list (a store that shrinks keeps its chunks: the next burst of faults reuses them).
/// Not thread-safe, like the store.
#include <sys/mman.h>

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace vesagent::state::detail {

/// Fixed-size blocks carved from chunks; the block size is set by the first allocation.
class NodePool {
 public:
  NodePool() = default;
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;
  ~NodePool() {
    for (const auto& [p, bytes] : chunks_) release_chunk(p, bytes);
  }

  /// Whether blocks of `size` bytes come from this pool (one size per pool).
  bool serves(std::size_t size) const noexcept { return block_size_ == 0 || block_size_ == size; }

  void* allocate(std::size_t size) {
    block_size_ = size;
    if (free_ != nullptr) {
      FreeBlock* b = free_;
      free_ = b->next;
      return b;
    }
    if (bump_ == bump_end_) {
      if (reserve_pending_ > 0) {
        add_chunk(reserve_pending_, true);
        reserve_pending_ = 0;
      } else {
        add_chunk(next_chunk_blocks_, false);
      }
    }
    void* p = bump_;
    bump_ += block_size_;
    return p;
  }

  void deallocate(void* p) noexcept {
    auto* b = static_cast<FreeBlock*>(p);
    b->next = free_;
    free_ = b;
  }

  /// Makes room for `count` more blocks in one chunk, its pages set up at once (one mmap with MAP_POPULATE
  /// instead of one page fault per 4 KiB page while the blocks are filled: open() of a large state knows its
  /// record count). Before the first allocation the block size is not known yet: the next chunk is sized then.
  void reserve(std::size_t count) {
    if (count == 0) return;
    if (block_size_ == 0) {
      reserve_pending_ = count;
      return;
    }
    if (static_cast<std::size_t>(bump_end_ - bump_) / block_size_ >= count) return;
    add_chunk(count, true);
  }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  static constexpr std::size_t kFirstChunkBlocks = 64;
  static constexpr std::size_t kMaxChunkBlocks = 16384;
  static constexpr std::size_t kMapBytes = 1 << 20;  ///< chunks at least this large are mmap()ed

  void add_chunk(std::size_t blocks, bool populate) {
    // The rest of the current chunk is given up (at most one chunk's tail, and only at a reserve()).
    const std::size_t bytes = blocks * block_size_;
    char* p = nullptr;
    if (bytes >= kMapBytes) {
      void* m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0),
                       -1, 0);
      if (m == MAP_FAILED) throw std::bad_alloc();
      p = static_cast<char*>(m);
    } else {
      p = static_cast<char*>(::operator new(bytes));
    }
    chunks_.emplace_back(p, bytes);
    bump_ = p;
    bump_end_ = p + bytes;
    if (!populate) next_chunk_blocks_ = std::min(next_chunk_blocks_ * 2, kMaxChunkBlocks);
  }
  static void release_chunk(void* p, std::size_t bytes) noexcept {
    if (bytes >= kMapBytes) {
      ::munmap(p, bytes);
    } else {
      ::operator delete(p);
    }
  }

  FreeBlock* free_ = nullptr;
  char* bump_ = nullptr;
  char* bump_end_ = nullptr;
  std::size_t block_size_ = 0;
  std::size_t next_chunk_blocks_ = kFirstChunkBlocks;
  std::size_t reserve_pending_ = 0;  ///< reserve() before the block size was known
  std::vector<std::pair<void*, std::size_t>> chunks_;
};

/// Allocator for std::unordered_map: its nodes (single objects larger than two pointers) come from the pool;
/// the bucket array (and anything else) from the heap.
template <class T>
class PoolAllocator {
 public:
  using value_type = T;
  explicit PoolAllocator(NodePool* pool) noexcept : pool_(pool) {}
  template <class U>
  PoolAllocator(const PoolAllocator<U>& other) noexcept : pool_(other.pool()) {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    if (pooled(n)) return static_cast<T*>(pool_->allocate(sizeof(T)));
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (pooled(n)) {
      pool_->deallocate(p);
    } else {
      std::allocator<T>{}.deallocate(p, n);
    }
  }
  NodePool* pool() const noexcept { return pool_; }
  template <class U>
  bool operator==(const PoolAllocator<U>& other) const noexcept {
    return pool_ == other.pool();
  }

 private:
  bool pooled(std::size_t n) const noexcept {
    return n == 1 && sizeof(T) > 2 * sizeof(void*) && alignof(T) <= alignof(std::max_align_t) &&
           pool_->serves(sizeof(T));
  }
  NodePool* pool_;
};

}  // namespace vesagent::state::detail
