#include "vesagent/state/fault_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <deque>
#include <limits>
#include <unordered_map>
#include <vector>

#include "fault_file_format.hpp"
#include "fault_key.hpp"
#include "node_pool.hpp"
#include "vesagent/state/id_allocator.hpp"  // write_file_atomically

namespace vesagent::state {
namespace {

using detail::StoredFault;

/// Lets find() take a string_view without building a std::string per observation.
/// Deliberately NOT noexcept: libstdc++ caches the hash code in each node only for hashers that are not "fast and
/// nothrow". Without the cache every bucket scan and every rehash hashed the stored keys again (a quarter of
/// open() with 500,000 faults); the cache costs 8 bytes per fault.
/// The hash is computed inline, 8 bytes at a time (std::hash's out-of-line byte-string hash was a tenth of open()
/// with 500,000 faults: every key is hashed twice there). Any deterministic hash works: a snapshot is written in
/// the bucket order of this function (a different one only costs open() speed, never correctness).
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
    const char* p = s.data();
    std::size_t n = s.size();
    for (; n >= 8; n -= 8, p += 8) {
      std::uint64_t k;
      std::memcpy(&k, p, 8);
      h = (h ^ k) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
    }
    if (n > 0) {
      std::uint64_t k = 0;
      for (std::size_t i = 0; i < n; ++i) k |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
      h = (h ^ k) * 0x94D049BB133111EBULL;
      h ^= h >> 29;
    }
    // MurmurHash3's 64-bit finaliser: every input bit reaches the low bits the bucket index is taken from.
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return static_cast<std::size_t>(h);
  }
};
/// Keys inline up to 20 characters (an Alertmanager key has 19) and nodes from a pool: one node of 96 bytes per
/// fault and no other heap block, instead of three heap blocks (node, key, eventId) of ~230 bytes in all.
using FaultMap = std::unordered_map<detail::FaultKey, StoredFault, KeyHash, std::equal_to<>,
                                    detail::PoolAllocator<std::pair<const detail::FaultKey, StoredFault>>>;
using Entry = FaultMap::value_type;

constexpr std::string_view kSnapshotFile = "faults.snapshot";
constexpr std::string_view kJournalFile = "faults.journal";
constexpr std::string_view kLockFile = "lock";
/// persist()'s reused buffers are dropped after a round larger than this (e.g. thousands of faults at once).
constexpr std::size_t kKeptBufferBytes = 256 * 1024;
constexpr std::size_t kKeptBufferRecords = 1024;

std::int64_t system_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

FaultRecord to_record(std::string_view key, const StoredFault& f) {
  FaultRecord r;
  r.key = std::string(key);
  r.event_id = f.event_id.str(f.episode_start_us);
  r.episode_start_us = f.episode_start_us;
  r.start_epoch_us = f.start_epoch_us;
  r.sequence = f.sequence;
  r.severity = f.severity;
  r.closed_at_us = f.closed_at_us;
  return r;
}

std::string errno_text() { return std::strerror(errno); }

/// A whole file, read-only: mapped (the page cache's pages, no copy into a buffer; the state files can be tens of
/// MB), or read into a buffer where mapping is not possible. The store holds the directory's lock, so no other
/// process truncates a file while it is mapped; the owner unmaps before it truncates the journal itself.
class FileContent {
 public:
  FileContent() = default;
  FileContent(const FileContent&) = delete;
  FileContent& operator=(const FileContent&) = delete;
  ~FileContent() { release(); }

  /// Returns false with `error` set on failure; a missing file sets `missing` instead (and returns true).
  bool load(const std::filesystem::path& path, bool& missing, std::string& error) {
    release();
    missing = false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) {
        missing = true;
        return true;
      }
      error = "cannot open " + path.string() + ": " + errno_text();
      return false;
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      const auto size = static_cast<std::size_t>(st.st_size);
      // MAP_POPULATE: one call sets up every page instead of one fault per page while parsing.
      void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) {
        ::close(fd);
        map_ = p;
        map_size_ = size;
        text_ = std::string_view(static_cast<const char*>(p), size);
        return true;
      }
    }
    // Empty, not mappable (or fstat failed): read it.
    buffer_.clear();
    char buf[1 << 16];
    while (true) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        error = "cannot read " + path.string() + ": " + errno_text();
        ::close(fd);
        return false;
      }
      if (n == 0) break;
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    text_ = buffer_;
    return true;
  }

  std::string_view text() const { return text_; }

  void release() {
    if (map_ != nullptr) ::munmap(map_, map_size_);
    map_ = nullptr;
    map_size_ = 0;
    buffer_ = std::string();
    text_ = {};
  }

 private:
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::string buffer_;
  std::string_view text_;
};

/// The record count of a snapshot's end line ("E <count> <crc>", the file's last line), to size the map before
/// loading; 0 when the end line is missing or damaged (the load reports that itself).
std::uint64_t snapshot_record_count(std::string_view text) {
  if (text.size() < 2 || text.back() != '\n') return 0;
  const auto start = text.rfind('\n', text.size() - 2);
  const auto line = text.substr(start == std::string_view::npos ? 0 : start + 1);
  detail::ParsedLine parsed;
  std::string why;
  if (!detail::parse_line(line.substr(0, line.size() - 1), parsed, why) ||
      parsed.type != detail::ParsedLine::Type::trailer) {
    return 0;
  }
  return parsed.number;
}

/// 64 buckets = 512 bytes of the bucket array: one group's inserts touch a few cache lines of it.
constexpr std::size_t kBucketsPerGroup = 64;

/// Copies a parsed record into a stored fault.
void assign_parsed(StoredFault& f, const detail::RecordFields& p) {
  detail::assign_fields(f, p);
  f.dirty = false;
}

/// Splits `text` at `pos` into the next line (without '\n'); false when no complete line is left.
bool next_line(std::string_view text, std::size_t& pos, std::string_view& line) {
  const auto nl = text.find('\n', pos);
  if (nl == std::string_view::npos) return false;
  line = text.substr(pos, nl - pos);
  pos = nl + 1;
  return true;
}

/// The eventId hash of make_event_id(): FNV-1a 64 of key + "-" + decimal episode_start_us.
std::uint64_t event_id_hash(std::string_view key, std::int64_t episode_start_us) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, episode_start_us).ptr;
  std::uint64_t h = detail::fnv1a64(key);
  h = detail::fnv1a64("-", h);
  return detail::fnv1a64(std::string_view(digits, static_cast<std::size_t>(end - digits)), h);
}

/// The bucket count of an empty map after reserve(count), as in open(): the order in which a compaction writes.
std::size_t loader_bucket_count(std::size_t count) {
  std::unordered_map<int, int> probe;  // every unordered_map has the same default rehash policy
  probe.reserve(count);
  return std::max<std::size_t>(1, probe.bucket_count());
}

/// The visiting order that puts records into the map bucket group by bucket group (stable: records of one group
/// keep their order, so the last line of a key still wins).
std::vector<std::uint32_t> bucket_order(const std::vector<std::uint32_t>& group, std::size_t groups) {
  std::vector<std::uint32_t> first(groups + 1, 0);
  for (const auto g : group) ++first[g + 1];
  for (std::size_t g = 1; g < first.size(); ++g) first[g] += first[g - 1];
  std::vector<std::uint32_t> order(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) order[first[group[i]]++] = static_cast<std::uint32_t>(i);
  return order;
}

}  // namespace

struct FaultStore::Impl {
  Options options;
  detail::NodePool pool;  ///< the map's nodes (declared first: it outlives the map)
  FaultMap faults{0, KeyHash{}, std::equal_to<>{}, FaultMap::allocator_type(&pool)};
  /// Entries changed since the last persist. unordered_map never moves its nodes, and entries are only erased
  /// when this list is empty (open, compaction), so the pointers stay valid.
  std::vector<Entry*> dirty;
  std::size_t active = 0;
  int journal_fd = -1;
  int lock_fd = -1;
  std::uint64_t generation = 0;     ///< of the snapshot on disk (0 = none yet)
  std::uint64_t journal_bytes = 0;  ///< size of the journal's valid content
  std::uint64_t snapshot_bytes = 0;
  std::uint64_t compact_retry_at = 0;  ///< after a failed compaction: journal size at which to try again
  bool opened = false;
  /// The journal on disk belongs to an older generation (or is missing): it must be replaced before any append.
  bool journal_stale = false;
  /// The journal may end in a partial line we could not cut: rewrite everything instead of appending.
  bool must_compact = false;
  /// The snapshot on disk is of format version 1 (text, from an older version): checkpoint() rewrites it even
  /// with an empty journal, so that the next start reads the faster format.
  bool snapshot_v1 = false;
  FaultStore::ChangeListener change_listener;  ///< cluster mirror (set_change_listener); empty = none
  std::uint64_t journal_header_bytes = 0;  ///< the journal holds records when journal_bytes is larger
  /// Reused by persist() (it runs on the event loop for every commit round): no allocation per round once warm.
  std::string journal_buffer;
  std::vector<FaultRecord> changed;  ///< reused by notify_changes(); its strings keep their capacity
  /// Oldest closed_at_us seen while loading: when it is within the retention, open() skips the expiry scan.
  std::int64_t oldest_closed_at = std::numeric_limits<std::int64_t>::max();

  // ---- durability shared with the outbox (share_durability) ----
  /// Set: persist() hands the changes' lines to this (the outbox) instead of writing and syncing the journal.
  std::function<void(std::string)> shared_push;
  /// A key changed since the files last held it durably. The snapshot written by a compaction must hold only what
  /// is durable somewhere (files or outbox): a decision whose event is not on disk yet must not survive a crash
  /// in the snapshot, or Alertmanager's retry would find "already raised" and the raise would never be sent.
  /// One slot per such key, found through StoredFault::undurable (no hashing: a slot per change was a third of
  /// the store's cost under webhook load). The map never moves its nodes and does not erase an entry that has a
  /// slot, so `entry` stays valid.
  struct Undurable {
    Entry* entry = nullptr;
    std::optional<StoredFault> durable;  ///< what the files (and so a restart) hold for the key; none = no record
    std::vector<std::pair<std::uint64_t, StoredFault>> in_flight;  ///< (round, version) handed to the outbox
    bool pending = false;  ///< changed since the last persist(): not even handed over yet
  };
  std::vector<Undurable> undurable;

  Undurable& slot_of(Entry& e, std::optional<StoredFault> durable) {
    if (e.second.undurable == 0) {
      undurable.push_back(Undurable{&e, std::move(durable), {}, false});
      e.second.undurable = static_cast<std::uint32_t>(undurable.size());
    }
    return undurable[e.second.undurable - 1];
  }
  /// Swaps the last slot into `index`'s place.
  void erase_slot(std::size_t index) {
    undurable[index].entry->second.undurable = 0;
    if (index + 1 != undurable.size()) {
      undurable[index] = std::move(undurable.back());
      undurable[index].entry->second.undurable = static_cast<std::uint32_t>(index + 1);
    }
    undurable.pop_back();
  }
  std::uint64_t pushed_rounds = 0;   ///< persist() calls that handed lines over
  std::uint64_t written_rounds = 0;  ///< append_written() calls (the outbox reports them in push order)
  std::uint64_t skip_rounds_through = 0;  ///< rounds pushed before replace_all(): their lines are obsolete

  /// Called before every change of an existing entry (shared mode): remembers what the files hold for it.
  void before_change(Entry& e) {
    if (!shared_push) return;
    slot_of(e, e.second.undurable == 0 ? std::optional<StoredFault>(e.second) : std::nullopt).pending = true;
  }
  /// The same for an entry just created for a key without a record (the files hold none).
  void after_insert(Entry& e) {
    if (!shared_push) return;
    slot_of(e, std::nullopt).pending = true;
  }
  /// What a compaction may write for `e`: the durable version, or null when the files hold no record of it.
  const StoredFault* durable_version(const Entry& e) const {
    if (e.second.undurable == 0) return &e.second;
    const Undurable& u = undurable[e.second.undurable - 1];
    return u.durable ? &*u.durable : nullptr;
  }

  /// Hands the pending changes to the change listener (clustering).
  void notify_changes() {
    if (!change_listener || dirty.empty()) return;
    // Assigning into the kept records reuses their strings' buffers (no allocation per record per round).
    changed.resize(dirty.size());
    for (std::size_t i = 0; i < dirty.size(); ++i) {
      const Entry& e = *dirty[i];
      FaultRecord& r = changed[i];
      r.key.assign(e.first);
      r.event_id.clear();
      e.second.event_id.append_to(r.event_id, e.second.episode_start_us);
      r.episode_start_us = e.second.episode_start_us;
      r.start_epoch_us = e.second.start_epoch_us;
      r.sequence = e.second.sequence;
      r.severity = e.second.severity;
      r.closed_at_us = e.second.closed_at_us;
    }
    change_listener(changed);
    if (changed.size() > kKeptBufferRecords) std::vector<FaultRecord>().swap(changed);  // after a huge round
  }

  /// Counts a loaded record (open(): `active` is kept up to date while loading instead of a scan afterwards).
  void count_loaded(const StoredFault& f, int sign) {
    if (f.active()) {
      active = sign > 0 ? active + 1 : active - 1;
    } else if (sign > 0) {
      oldest_closed_at = std::min(oldest_closed_at, f.closed_at_us);
    }
  }

  /// Records read from a file, checked, waiting to be put into the map (their views point into the mapped file or
  /// into `escaped`).
  struct PendingRecords {
    std::vector<detail::RecordFields> records;
    std::deque<std::string> escaped;  ///< keys and eventIds that had escapes (stable addresses for the views)
    void add(const detail::ParsedLine& parsed) {
      detail::RecordFields& r = records.emplace_back(parsed);
      if (parsed.key.data() == parsed.key_storage.data()) r.key = escaped.emplace_back(parsed.key);
      if (parsed.event_id.data() == parsed.event_id_storage.data()) r.event_id = escaped.emplace_back(parsed.event_id);
    }
  };

  /// Puts the records into the map in the order of their buckets (stable: a key's lines keep their order). In file
  /// order each insert missed the cache two or three times (the bucket array, then the nodes of the bucket): 40 %
  /// of open() with 500,000 faults. In bucket order those are the cache lines touched just before.
  void load_in_bucket_order(const PendingRecords& pending, bool new_keys_likely) {
    const auto& recs = pending.records;
    const std::size_t bucket_count = std::max<std::size_t>(1, faults.bucket_count());
    const auto hasher = faults.hash_function();
    std::vector<std::uint32_t> group(recs.size());
    for (std::size_t i = 0; i < recs.size(); ++i) {
      group[i] = static_cast<std::uint32_t>(hasher(recs[i].key) % bucket_count / kBucketsPerGroup);
    }
    const auto order = bucket_order(group, bucket_count / kBucketsPerGroup + 1);
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < order.size(); ++i) {
      // Visited out of file order: fetch the record and its key's bytes a few iterations early.
      if (i + 2 * kAhead < order.size()) __builtin_prefetch(&recs[order[i + 2 * kAhead]]);
      if (i + kAhead < order.size()) __builtin_prefetch(recs[order[i + kAhead]].key.data());
      load_record(recs[order[i]], new_keys_likely);
    }
  }

  /// Inserts or replaces a record read from a file (the last line of a key wins).
  void load_record(const detail::RecordFields& p, bool new_key_likely) {
    if (!new_key_likely) {
      // Journal: mostly changes of known faults; updating in place needs no key string and reuses the eventId's
      // buffer.
      if (auto it = faults.find(p.key); it != faults.end()) {
        count_loaded(it->second, -1);
        assign_parsed(it->second, p);
        count_loaded(it->second, +1);
        return;
      }
    }
    // Snapshot: keys are unique, so hash once and build the node directly.
    auto [it, inserted] = faults.try_emplace(detail::FaultKey(p.key));
    if (!inserted) count_loaded(it->second, -1);
    assign_parsed(it->second, p);
    count_loaded(it->second, +1);
  }

  std::filesystem::path snapshot_path() const { return options.directory / kSnapshotFile; }
  std::filesystem::path journal_path() const { return options.directory / kJournalFile; }
  std::int64_t now() const { return options.clock ? options.clock() : system_now_us(); }

  bool expired(const StoredFault& f, std::int64_t now_us) const { return expired(f.closed_at_us, now_us); }
  /// A record closed at `closed_at_us` (0 = active) is past the retention.
  bool expired(std::int64_t closed_at_us, std::int64_t now_us) const {
    const auto retention_us = std::chrono::duration_cast<std::chrono::microseconds>(options.closed_retention).count();
    // Subtracting cannot overflow (closed_at_us >= 1), adding could for an absurd endsAt.
    return closed_at_us != 0 && now_us - closed_at_us > retention_us;
  }

  /// Shared durability: appends lines the outbox holds durably to the journal, unsynced. A failure leaves the
  /// journal behind the outbox, so the next sync_journal() or compaction writes a snapshot instead; nothing is
  /// appended after such a failure.
  Result<void> append_unsynced(std::string_view lines, std::string& error) {
    if (must_compact) return {};
    if (journal_stale) {
      if (auto r = reset_journal(error); !r) {
        must_compact = true;
        return r;
      }
    }
    if (auto r = append_journal(lines, error, false); !r) {
      must_compact = true;
      return r;
    }
    return {};
  }

  /// The journal has outgrown the snapshot (and compact_min_bytes), and no failed compaction asks to wait.
  bool compaction_due() const {
    return journal_bytes > std::max(snapshot_bytes, options.compact_min_bytes) && journal_bytes >= compact_retry_at;
  }

  void mark_dirty(Entry& e) {
    if (!e.second.dirty) {
      e.second.dirty = true;
      dirty.push_back(&e);
    }
  }

  /// Replaces the entry's fault (a new episode) without losing its place in the dirty list.
  void assign(Entry& e, StoredFault f) {
    const bool was_active = e.second.active();
    f.dirty = e.second.dirty;
    f.undurable = e.second.undurable;
    e.second = std::move(f);
    if (was_active) --active;
    if (e.second.active()) ++active;
    mark_dirty(e);
  }

  Entry& entry_for(std::string_view key, FaultMap::iterator it) {
    if (it != faults.end()) {
      before_change(*it);
      return *it;
    }
    // A fresh entry counts as closed (closed_at 1) until assign() gives it its episode.
    StoredFault placeholder;
    placeholder.closed_at_us = 1;
    Entry& e = *faults.try_emplace(detail::FaultKey(key), std::move(placeholder)).first;
    after_insert(e);
    return e;
  }

  static FaultDecision unchanged(const Entry& e) {
    FaultDecision d;
    d.record = to_record(e.first, e.second);
    return d;
  }

  /// The clear of an active fault whose episode was overtaken by `new_episode`.
  static FaultRecord superseded_clear(const Entry& e, std::int64_t new_episode) {
    FaultRecord r = to_record(e.first, e.second);
    ++r.sequence;
    r.closed_at_us = std::max<std::int64_t>(1, new_episode);
    return r;
  }

  void recount() {
    active = static_cast<std::size_t>(
        std::count_if(faults.begin(), faults.end(), [](const Entry& e) { return e.second.active(); }));
  }

  void forget_expired(std::int64_t now_us) {
    // Shared mode: an entry still changing (dirty, or its change not durable yet) stays; the next compaction
    // looks at it again.
    std::erase_if(faults, [&](const Entry& e) {
      return expired(e.second, now_us) && !e.second.dirty && e.second.undurable == 0;
    });
  }

  /// persist() in shared mode: the pending changes' lines go to the outbox; no file I/O here.
  Result<void> push_round() {
    notify_changes();  // cluster mirror
    if (dirty.empty()) return {};
    std::string text;
    text.reserve(dirty.size() * 128);
    const std::uint64_t round = ++pushed_rounds;
    for (Entry* e : dirty) {
      detail::append_record(text, e->first, e->second);
      // (A missing slot is not reached: every change calls before_change first.)
      Undurable& u = slot_of(*e, e->second);
      u.in_flight.emplace_back(round, e->second);
      u.pending = false;
      e->second.dirty = false;
    }
    dirty.clear();
    shared_push(std::move(text));
    return {};
  }

  Result<void> reset_journal(std::string& error) {
    std::string header;  // (not journal_buffer: persist() may be in the middle of using it)
    detail::append_header(header, detail::kJournalKind, generation);
    journal_stale = true;
    if (auto r = write_file_atomically(journal_path(), header, error); !r) return r;
    int fd = ::open(journal_path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
      error = "cannot open " + journal_path().string() + ": " + errno_text();
      return make_error_code(errc::io_error);
    }
    if (journal_fd >= 0) ::close(journal_fd);
    journal_fd = fd;
    journal_bytes = header.size();
    journal_header_bytes = header.size();
    journal_stale = false;
    compact_retry_at = 0;
    return {};
  }

  Result<void> append_journal(std::string_view text, std::string& error, bool sync = true) {
    const char* p = text.data();
    std::size_t left = text.size();
    // One write() for the whole batch: the kernel may still split it, hence the loop.
    while (left > 0) {
      ssize_t n = ::write(journal_fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        error = "cannot append to " + journal_path().string() + ": " + errno_text();
        // Cut what was written of this batch, or later appends would sit behind a torn line and be lost at open.
        if (::ftruncate(journal_fd, static_cast<off_t>(journal_bytes)) != 0) must_compact = true;
        return make_error_code(errc::io_error);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    journal_bytes += text.size();
    if (sync && options.fsync && ::fdatasync(journal_fd) != 0) {
      error = "cannot sync " + journal_path().string() + ": " + errno_text();
      return make_error_code(errc::io_error);
    }
    return {};
  }

  Result<void> load_snapshot(std::string& error) {
    FileContent file;
    bool missing = false;
    if (!file.load(snapshot_path(), missing, error)) return make_error_code(errc::io_error);
    if (missing) return {};
    const std::string_view text = file.text();
    if (detail::is_binary_snapshot(text)) return load_binary_snapshot(text, error);
    auto corrupt = [&](std::size_t line_no, const std::string& why) {
      error = "corrupt fault snapshot " + snapshot_path().string() + " at line " + std::to_string(line_no) + ": " +
              why + " (move it away to start without fault state)";
      return make_error_code(errc::io_error);
    };
    // Sized once from the end line: growing to 500,000 faults rehashed the map about 20 times.
    const auto expected = std::min<std::uint64_t>(snapshot_record_count(text), text.size() / 16);
    faults.reserve(static_cast<std::size_t>(expected));
    pool.reserve(static_cast<std::size_t>(expected));
    // The records are inserted after the whole file is checked, in the order of their buckets: inserted in file
    // order, each one missed the cache two or three times (bucket array, then the nodes of the bucket), which was
    // 40 % of open() with 500,000 faults. In bucket order those are the lines and nodes touched just before.
    PendingRecords pending;
    pending.records.reserve(static_cast<std::size_t>(expected));
    std::size_t pos = 0;
    std::size_t line_no = 0;
    std::string_view line;
    detail::ParsedLine parsed;
    std::string why;
    std::uint64_t records = 0;
    bool trailer = false;
    while (next_line(text, pos, line)) {
      ++line_no;
      if (trailer) return corrupt(line_no, "data after the end line");
      if (!detail::parse_line(line, parsed, why)) return corrupt(line_no, why);
      if (line_no == 1) {
        if (parsed.type != detail::ParsedLine::Type::header || parsed.kind != detail::kSnapshotKind) {
          return corrupt(line_no, "not a snapshot header");
        }
        generation = parsed.number;
        continue;
      }
      if (parsed.type == detail::ParsedLine::Type::trailer) {
        if (parsed.number != records) return corrupt(line_no, "record count does not match the end line");
        trailer = true;
        continue;
      }
      if (parsed.type != detail::ParsedLine::Type::record) return corrupt(line_no, "unexpected header");
      ++records;
      pending.add(parsed);
    }
    if (pos != text.size()) return corrupt(line_no + 1, "incomplete last line");
    if (!trailer) return corrupt(line_no, "missing end line (file cut short)");
    load_in_bucket_order(pending, true);
    snapshot_v1 = true;
    snapshot_bytes = text.size();
    return {};
  }

  /// A snapshot of format version 2 (README.md): checked frame by frame, then put into the map in bucket order.
  /// Any damage fails open(), as with a version 1 snapshot: the file is replaced atomically, so damage is from
  /// outside (disk, operator), and starting without part of the state would re-raise or orphan faults silently.
  Result<void> load_binary_snapshot(std::string_view text, std::string& error) {
    auto corrupt = [&](std::size_t frame_no, std::size_t offset, const std::string& why) {
      error = "corrupt fault snapshot " + snapshot_path().string() + " at byte " + std::to_string(offset) +
              " (frame " + std::to_string(frame_no) + "): " + why + " (move it away to start without fault state)";
      return make_error_code(errc::io_error);
    };
    std::size_t pos = detail::kSnapshotMagic.size();
    detail::SnapshotFrame frame;
    std::string why;
    if (!detail::read_snapshot_frame(text, pos, frame, why)) return corrupt(1, pos, why);
    if (frame.type != detail::SnapshotFrame::Type::header) return corrupt(1, pos, "not a snapshot header");
    generation = frame.generation;
    // The count is checksummed, but a count the file cannot hold would still reserve memory for nothing.
    const std::uint64_t expected = frame.record_count;
    if (expected > text.size() / (detail::kFrameHeaderBytes + detail::kRecordFixedBytes + 1)) {
      return corrupt(1, pos, "record count larger than the file can hold");
    }
    // Sized once: the bucket array, and the nodes in one populated chunk.
    faults.reserve(static_cast<std::size_t>(expected));
    pool.reserve(static_cast<std::size_t>(expected));
    const std::size_t bucket_count = std::max<std::size_t>(1, faults.bucket_count());
    const auto hasher = faults.hash_function();
    // Pass 1: every frame checked, and the bucket group of each record. Nothing enters the map before the whole
    // file is known to be good (a failed open() leaves the store empty).
    std::vector<std::size_t> offsets;
    std::vector<std::uint32_t> group;
    offsets.reserve(static_cast<std::size_t>(expected));
    group.reserve(static_cast<std::size_t>(expected));
    std::size_t frame_no = 1;
    bool trailer = false;
    while (pos < text.size()) {
      ++frame_no;
      if (trailer) return corrupt(frame_no, pos, "data after the end frame");
      const std::size_t start = pos;
      if (!detail::read_snapshot_frame(text, pos, frame, why)) return corrupt(frame_no, start, why);
      if (frame.type == detail::SnapshotFrame::Type::trailer) {
        if (frame.record_count != offsets.size() || frame.record_count != expected) {
          return corrupt(frame_no, start, "record count does not match the end frame");
        }
        trailer = true;
        continue;
      }
      if (frame.type != detail::SnapshotFrame::Type::record) return corrupt(frame_no, start, "unexpected header");
      if (offsets.size() == expected) return corrupt(frame_no, start, "more records than the header says");
      offsets.push_back(start);
      group.push_back(static_cast<std::uint32_t>(hasher(frame.key) % bucket_count / kBucketsPerGroup));
    }
    if (!trailer) return corrupt(frame_no + 1, pos, "missing end frame (file cut short)");
    // Pass 2: in bucket order (see load_in_bucket_order); the frames were checked above.
    const auto order = bucket_order(group, bucket_count / kBucketsPerGroup + 1);
    std::vector<std::uint32_t>().swap(group);
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (i + kAhead < order.size()) {
        const char* ahead = text.data() + offsets[order[i + kAhead]];
        __builtin_prefetch(ahead);
        __builtin_prefetch(ahead + 64);  // the key starts 60 bytes into the frame
      }
      std::size_t at = offsets[order[i]];
      if (!detail::read_snapshot_frame(text, at, frame, why, false)) return corrupt(0, at, why);  // not reached
      load_record(frame, true);
    }
    snapshot_bytes = text.size();
    return {};
  }

  Result<void> load_journal(std::string& warnings, std::string& error) {
    FileContent file;
    bool missing = false;
    if (!file.load(journal_path(), missing, error)) return make_error_code(errc::io_error);
    const std::string_view text = file.text();
    if (missing) {
      journal_stale = true;
      return {};
    }
    auto warn = [&](const std::string& message) {
      if (!warnings.empty()) warnings += "; ";
      warnings += message;
    };
    std::size_t pos = 0;
    std::string_view line;
    detail::ParsedLine parsed;
    std::string why;
    if (!next_line(text, pos, line) || !detail::parse_line(line, parsed, why) ||
        parsed.type != detail::ParsedLine::Type::header || parsed.kind != detail::kJournalKind) {
      // write_file_atomically creates the header, so this is damage from outside: nothing in it can be trusted.
      warn("ignored fault journal " + journal_path().string() + " with an unreadable header; changes since the last " +
           "snapshot are lost");
      journal_stale = true;
      return {};
    }
    if (parsed.number < generation) {
      // Left over from a compaction that crashed between the new snapshot and the new journal: all of it is in
      // the snapshot already.
      journal_stale = true;
      return {};
    }
    if (parsed.number > generation) {
      warn("fault journal " + journal_path().string() + " (generation " + std::to_string(parsed.number) +
           ") is newer than the snapshot (generation " + std::to_string(generation) +
           "): the snapshot was lost or replaced; replaying the journal alone");
      generation = parsed.number;
    }
    const std::size_t header_bytes = pos;
    std::size_t good = pos;
    std::size_t line_no = 1;
    why.clear();
    PendingRecords pending;
    // Sized for the shortest plausible lines: pages never filled are never touched (growing by doubling copied
    // the records several times over).
    pending.records.reserve((text.size() - pos) / 48);
    while (next_line(text, pos, line)) {
      ++line_no;
      if (!detail::parse_line(line, parsed, why)) break;
      if (parsed.type != detail::ParsedLine::Type::record) {
        why = "unexpected header or end line";
        break;
      }
      pending.add(parsed);
      good = pos;
    }
    // Records of one key keep their file order (the sort is stable), so the last line of a key still wins.
    if (!pending.records.empty()) {
      faults.reserve(std::max(faults.size(), pending.records.size()));
      load_in_bucket_order(pending, false);
    }
    if (good < text.size()) {
      if (why.empty()) {
        why = "incomplete last line";
        ++line_no;
      }
      warn("cut a torn or corrupt tail of " + std::to_string(text.size() - good) + " bytes from fault journal " +
           journal_path().string() + " at byte " + std::to_string(good) + " (line " + std::to_string(line_no) + ": " +
           why + "); changes in it are lost");
    }
    const std::size_t text_size = text.size();
    file.release();  // unmapped before the file is cut
    journal_fd = ::open(journal_path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (journal_fd < 0) {
      error = "cannot open " + journal_path().string() + ": " + errno_text();
      return make_error_code(errc::io_error);
    }
    if (good < text_size && ::ftruncate(journal_fd, static_cast<off_t>(good)) != 0) {
      // Appending behind the damage would lose the appended lines at the next open: rewrite everything instead.
      must_compact = true;
    }
    journal_bytes = good;
    journal_header_bytes = header_bytes;
    return {};
  }
};

FaultStore::FaultStore(Options options) : impl_(std::make_unique<Impl>()) { impl_->options = std::move(options); }

FaultStore::~FaultStore() {
  if (impl_->journal_fd >= 0) ::close(impl_->journal_fd);
  if (impl_->lock_fd >= 0) ::close(impl_->lock_fd);  // releases the flock
}

Result<void> FaultStore::open(std::string& error) {
  auto& m = *impl_;
  if (m.opened) {
    error = "fault store " + m.options.directory.string() + " is already open";
    return make_error_code(errc::io_error);
  }
  std::error_code ec;
  std::filesystem::create_directories(m.options.directory, ec);
  if (ec) {
    error = "cannot create state directory " + m.options.directory.string() + ": " + ec.message();
    return make_error_code(errc::io_error);
  }
  const auto lock_path = m.options.directory / kLockFile;
  m.lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (m.lock_fd < 0) {
    error = "cannot open " + lock_path.string() + ": " + errno_text();
    return make_error_code(errc::io_error);
  }
  if (::flock(m.lock_fd, LOCK_EX | LOCK_NB) != 0) {
    error = errno == EWOULDBLOCK ? "state directory " + m.options.directory.string() + " is in use by another process"
                                 : "cannot lock " + lock_path.string() + ": " + errno_text();
    ::close(m.lock_fd);
    m.lock_fd = -1;
    return make_error_code(errc::io_error);
  }
  auto fail = [&](Result<void> r) {
    m.faults.clear();
    m.active = 0;
    m.oldest_closed_at = std::numeric_limits<std::int64_t>::max();
    m.generation = 0;
    m.snapshot_bytes = 0;
    m.journal_stale = false;
    m.must_compact = false;
    m.snapshot_v1 = false;
    if (m.journal_fd >= 0) ::close(m.journal_fd);
    m.journal_fd = -1;
    ::close(m.lock_fd);
    m.lock_fd = -1;
    return r;
  };
  if (auto r = m.load_snapshot(error); !r) return fail(r);
  std::string warnings;
  if (auto r = m.load_journal(warnings, error); !r) return fail(r);
  if (m.journal_stale) {
    if (auto r = m.reset_journal(error); !r) return fail(r);
  }
  // `active` was counted while loading; the scan for expired closed records runs only when there can be one.
  const auto now = m.now();
  const auto retention_us = std::chrono::duration_cast<std::chrono::microseconds>(m.options.closed_retention).count();
  if (m.oldest_closed_at != std::numeric_limits<std::int64_t>::max() && now - m.oldest_closed_at > retention_us) {
    m.forget_expired(now);
  }
  m.opened = true;
  error = std::move(warnings);
  return {};
}

FaultDecision FaultStore::on_firing(std::string_view key, std::int64_t episode_start_us, core::Severity severity,
                                    std::int64_t now_us) {
  auto& m = *impl_;
  auto it = m.faults.find(key);
  if (episode_start_us == 0) {
    episode_start_us = it != m.faults.end() && it->second.active() ? it->second.episode_start_us : now_us;
  }
  FaultDecision d;
  if (it != m.faults.end()) {
    StoredFault& f = it->second;
    // A stale retry of an older episode, or a firing retry that arrives after its own resolve.
    if (f.episode_start_us > episode_start_us || (f.episode_start_us == episode_start_us && !f.active())) {
      return Impl::unchanged(*it);
    }
    if (f.episode_start_us == episode_start_us) {
      if (f.severity == severity) return Impl::unchanged(*it);
      m.before_change(*it);
      f.severity = severity;
      ++f.sequence;
      m.mark_dirty(*it);
      d.action = FaultAction::update;
      d.record = to_record(it->first, f);
      return d;
    }
    if (f.active()) d.superseded = Impl::superseded_clear(*it, episode_start_us);
  }
  Entry& e = m.entry_for(key, it);
  StoredFault raised;
  raised.event_id = detail::StoredEventId::canonical(event_id_hash(key, episode_start_us));
  raised.episode_start_us = episode_start_us;
  raised.start_epoch_us = episode_start_us;
  raised.sequence = 1;
  raised.severity = severity;
  m.assign(e, std::move(raised));
  d.action = FaultAction::raise;
  d.record = to_record(e.first, e.second);
  return d;
}

FaultDecision FaultStore::on_resolved(std::string_view key, std::int64_t episode_start_us, std::int64_t end_us) {
  auto& m = *impl_;
  auto it = m.faults.find(key);
  FaultDecision d;
  if (episode_start_us == 0) {
    if (it == m.faults.end()) {
      d.unknown_resolve = true;  // nothing to derive an eventId from, whatever the policy
      d.record.key = std::string(key);
      return d;
    }
    if (!it->second.active()) return Impl::unchanged(*it);
    episode_start_us = it->second.episode_start_us;
  }
  const std::int64_t closed_at = std::max<std::int64_t>(1, end_us > 0 ? end_us : m.now());
  if (it != m.faults.end()) {
    StoredFault& f = it->second;
    if (f.episode_start_us > episode_start_us) return Impl::unchanged(*it);  // never clears a newer episode
    if (f.episode_start_us == episode_start_us) {
      if (!f.active()) return Impl::unchanged(*it);  // resolved alerts are re-sent for ~15 minutes
      m.before_change(*it);
      ++f.sequence;
      f.closed_at_us = closed_at;
      --m.active;
      m.mark_dirty(*it);
      d.action = FaultAction::clear;
      d.record = to_record(it->first, f);
      return d;
    }
    if (f.active()) d.superseded = Impl::superseded_clear(*it, episode_start_us);
  }
  // An episode we never saw raised (state lost, or its firing never reached us).
  const bool send = m.options.unknown_resolve == UnknownResolvePolicy::send;
  Entry& e = m.entry_for(key, it);
  StoredFault cleared;
  cleared.event_id = detail::StoredEventId::canonical(event_id_hash(key, episode_start_us));
  cleared.episode_start_us = episode_start_us;
  cleared.start_epoch_us = episode_start_us;
  cleared.sequence = send ? 2 : 0;  // the lost raise had 1; 0 = nothing was sent
  cleared.closed_at_us = closed_at;
  m.assign(e, std::move(cleared));
  d.action = send ? FaultAction::clear : FaultAction::none;
  d.unknown_resolve = true;
  d.record = to_record(e.first, e.second);
  return d;
}

Result<void> FaultStore::persist(std::string& error) {
  auto& m = *impl_;
  if (!m.opened) {
    error = "fault store " + m.options.directory.string() + " is not open";
    return make_error_code(errc::io_error);
  }
  if (m.shared_push) return m.push_round();
  if (m.must_compact) return compact(error);  // compact() notifies the change listener
  m.notify_changes();  // cluster mirror
  if (m.journal_stale) {
    if (auto r = m.reset_journal(error); !r) return r;
  }
  if (m.dirty.empty()) return {};
  std::string& text = m.journal_buffer;  // kept between rounds: no allocation per round once warm
  text.clear();
  for (const Entry* e : m.dirty) detail::append_record(text, e->first, e->second);
  auto appended = m.append_journal(text, error);
  if (text.capacity() > kKeptBufferBytes) std::string().swap(text);  // a huge round does not pin its memory
  if (!appended) return appended;
  for (Entry* e : m.dirty) e->second.dirty = false;
  m.dirty.clear();
  if (m.compaction_due()) compact_after_append(error);
  return {};
}

void FaultStore::compact_after_append(std::string& error) {
  auto& m = *impl_;
  std::string why;
  if (auto r = compact(why); !r) {
    // The changes are durable (journal or outbox); only the journal's growth is not bounded until a compaction
    // succeeds.
    m.compact_retry_at = m.journal_bytes + m.options.compact_min_bytes;
    error = "fault journal compaction failed, will retry: " + why;
  }
}

Result<void> FaultStore::compact(std::string& error) {
  auto& m = *impl_;
  if (!m.opened) {
    error = "fault store " + m.options.directory.string() + " is not open";
    return make_error_code(errc::io_error);
  }
  const bool shared = static_cast<bool>(m.shared_push);
  // Cluster mirror: compaction clears the pending changes too. In shared mode it does not: they are handed to
  // the outbox by the next persist() as usual, and the snapshot holds only what is durable already.
  if (!shared) m.notify_changes();
  const auto now = m.now();
  const auto next_generation = m.generation + 1;
  std::string text;
  text.reserve(m.faults.size() * 96 + 128);
  // Format version 2 (binary, README.md): open() reads it several times faster than the text lines of version 1.
  detail::append_snapshot_header(text, next_generation);
  // One pass over the map picks what goes into the snapshot.
  std::vector<std::pair<const Entry*, const StoredFault*>> kept;
  kept.reserve(m.faults.size());
  std::size_t active = 0;
  bool any_expired = false;
  for (const auto& e : m.faults) {
    const StoredFault* f = m.durable_version(e);
    if (f == nullptr) continue;
    if (m.expired(*f, now)) {
      any_expired = true;
      continue;
    }
    kept.emplace_back(&e, f);
    if (f->active()) ++active;
  }
  // Written in the order open() puts them into a map reserved for this many records (see load_binary_snapshot):
  // it then reads the file front to back. In any other order each record cost a cache miss on the mapped file
  // (a third of open() with 500,000 faults).
  const std::size_t buckets = loader_bucket_count(kept.size());
  std::vector<std::uint32_t> group(kept.size());
  for (std::size_t i = 0; i < kept.size(); ++i) {
    group[i] = static_cast<std::uint32_t>(m.faults.hash_function()(kept[i].first->first) % buckets / kBucketsPerGroup);
  }
  const auto order = bucket_order(group, buckets / kBucketsPerGroup + 1);
  std::vector<std::uint32_t>().swap(group);
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i + kAhead < order.size()) {  // the nodes are visited out of their memory order
      __builtin_prefetch(kept[order[i + kAhead]].first);
      __builtin_prefetch(kept[order[i + kAhead]].second);
    }
    const auto& [e, f] = kept[order[i]];
    detail::append_snapshot_record(text, e->first, *f);
  }
  const std::uint64_t count = kept.size();
  detail::finish_snapshot(text, count);
  // Until this rename succeeds the old snapshot + journal stay authoritative, so a failure changes nothing.
  if (auto r = write_file_atomically(m.snapshot_path(), text, error); !r) return r;
  m.generation = next_generation;
  m.snapshot_bytes = text.size();
  m.must_compact = false;
  m.snapshot_v1 = false;
  if (shared) {
    // The snapshot holds the durable versions; what is in flight is appended to the new journal once written.
    // `active` counts memory, kept up to date by every change; forgetting expired (closed) records leaves it.
    if (any_expired) m.forget_expired(now);
    return m.reset_journal(error);
  }
  // Everything, pending changes included, is in the snapshot now; the old journal is of an older generation.
  for (Entry* e : m.dirty) e->second.dirty = false;
  m.dirty.clear();
  if (any_expired) m.forget_expired(now);
  m.active = active;
  return m.reset_journal(error);
}

Result<void> FaultStore::checkpoint(std::string& error) {
  auto& m = *impl_;
  std::string warning;
  if (auto r = persist(warning); !r) {
    error = std::move(warning);
    return r;
  }
  if (m.journal_bytes <= m.journal_header_bytes && !m.must_compact && !m.journal_stale && !m.snapshot_v1) {
    error = std::move(warning);  // nothing to fold (a compaction inside persist() may have left a warning)
    return {};
  }
  std::string why;
  if (auto r = compact(why); !r) {
    if (!warning.empty()) warning += "; ";
    warning += "fault journal not folded into the snapshot at shutdown (the next start replays it): " + why;
  } else {
    warning.clear();  // an earlier failed compaction is resolved by this one
  }
  error = std::move(warning);
  return {};
}

// Added for sources/openstack: a VM changing from one fault status to another updates its fault.
FaultDecision FaultStore::on_changed(std::string_view key, core::Severity severity) {
  auto& m = *impl_;
  auto it = m.faults.find(key);
  FaultDecision d;
  if (it == m.faults.end()) {
    d.record.key = std::string(key);
    return d;
  }
  if (!it->second.active()) return Impl::unchanged(*it);
  m.before_change(*it);
  it->second.severity = severity;
  ++it->second.sequence;
  m.mark_dirty(*it);
  d.action = FaultAction::update;
  d.record = to_record(it->first, it->second);
  return d;
}

// Added for sources/openstack: find the faults of VMs that vanished while the agent was not looking.
void FaultStore::for_each_active(std::string_view prefix, const std::function<void(const FaultRecord&)>& fn) const {
  for (const auto& [key, fault] : impl_->faults) {
    if (fault.active() && std::string_view(key).starts_with(prefix)) fn(to_record(key, fault));
  }
}

// Added for cluster (etcd high availability), see the header.
void FaultStore::set_change_listener(ChangeListener listener) { impl_->change_listener = std::move(listener); }

Result<void> FaultStore::replace_all(const std::vector<FaultRecord>& records, std::string& error) {
  auto& m = *impl_;
  for (Entry* e : m.dirty) e->second.dirty = false;
  m.dirty.clear();
  // Shared mode: the rounds still in the outbox describe the replaced state; their lines must not be appended.
  m.undurable.clear();
  m.skip_rounds_through = m.pushed_rounds;
  m.faults.clear();
  for (const auto& r : records) {
    StoredFault f;
    f.event_id = detail::StoredEventId::from_text(r.event_id, r.episode_start_us);
    f.episode_start_us = r.episode_start_us;
    f.start_epoch_us = r.start_epoch_us;
    f.sequence = r.sequence;
    f.severity = r.severity;
    f.closed_at_us = r.closed_at_us;
    m.faults.insert_or_assign(detail::FaultKey(r.key), std::move(f));
  }
  m.recount();
  if (!m.opened) return {};
  // The listener must not echo the cluster's own state back to it.
  auto listener = std::move(m.change_listener);
  auto r = compact(error);
  m.change_listener = std::move(listener);
  if (!r) m.must_compact = true;
  return r;
}

std::vector<FaultRecord> FaultStore::records() const {
  std::vector<FaultRecord> out;
  out.reserve(impl_->faults.size());
  for (const auto& [key, fault] : impl_->faults) out.push_back(to_record(key, fault));
  return out;
}

std::size_t FaultStore::active_count() const { return impl_->active; }

std::size_t FaultStore::closed_count() const { return impl_->faults.size() - impl_->active; }

std::optional<FaultRecord> FaultStore::find(std::string_view key) const {
  auto it = impl_->faults.find(key);
  if (it == impl_->faults.end()) return std::nullopt;
  return to_record(it->first, it->second);
}

// ---- durability shared with the outbox ----

void FaultStore::share_durability(std::function<void(std::string lines)> push) {
  impl_->shared_push = std::move(push);
}

bool FaultStore::durability_shared() const { return static_cast<bool>(impl_->shared_push); }

Result<void> FaultStore::append_written(std::string_view lines, std::string& error) {
  auto& m = *impl_;
  error.clear();
  const std::uint64_t round = ++m.written_rounds;
  if (round <= m.skip_rounds_through) return {};  // pushed before replace_all(): obsolete
  // These versions are durable now (in the outbox): a compaction may write them.
  for (std::size_t i = m.undurable.size(); i-- > 0;) {  // backwards: erase_slot() moves the last slot here
    auto& u = m.undurable[i];
    std::size_t done = 0;
    while (done < u.in_flight.size() && u.in_flight[done].first <= round) ++done;
    if (done > 0) {
      u.durable = std::move(u.in_flight[done - 1].second);
      u.in_flight.erase(u.in_flight.begin(), u.in_flight.begin() + static_cast<std::ptrdiff_t>(done));
    }
    if (u.in_flight.empty() && !u.pending) m.erase_slot(i);
  }
  if (!m.opened) {
    error = "fault store " + m.options.directory.string() + " is not open";
    return make_error_code(errc::io_error);
  }
  // Not synced: the outbox holds these lines durably until sync_journal() says the journal does.
  if (auto r = m.append_unsynced(lines, error); !r) return r;
  if (m.must_compact || m.compaction_due()) compact_after_append(error);
  return {};
}

Result<void> FaultStore::sync_journal(std::string& error) {
  auto& m = *impl_;
  error.clear();
  if (!m.opened) {
    error = "fault store " + m.options.directory.string() + " is not open";
    return make_error_code(errc::io_error);
  }
  if (m.must_compact || m.journal_stale) return compact(error);  // the snapshot is written and synced
  if (m.options.fsync && ::fdatasync(m.journal_fd) != 0) {
    error = "cannot sync " + m.journal_path().string() + ": " + errno_text();
    return make_error_code(errc::io_error);
  }
  return {};
}

std::size_t FaultStore::replay_lines(std::string_view lines, std::string& warnings,
                                     std::vector<FaultRecord>* applied_records) {
  auto& m = *impl_;
  if (!m.opened) return 0;
  const auto now = m.now();
  std::size_t pos = 0, applied = 0, damaged = 0;
  std::string_view line;
  detail::ParsedLine parsed;
  std::string why;
  std::string text;
  while (next_line(lines, pos, line)) {
    if (!detail::parse_line(line, parsed, why) || parsed.type != detail::ParsedLine::Type::record) {
      ++damaged;
      continue;
    }
    const detail::RecordFields fields(parsed);
    auto it = m.faults.find(fields.key);
    if (it != m.faults.end()) {
      // Newer = a later episode, or a later event of the same one: the files may hold a newer version than an
      // old segment still waiting for its events to be delivered.
      const StoredFault& f = it->second;
      const bool newer = fields.episode_start_us > f.episode_start_us ||
                         (fields.episode_start_us == f.episode_start_us && fields.sequence > f.sequence);
      if (!newer) continue;
    }
    if (m.expired(fields.closed_at_us, now)) continue;
    m.load_record(fields, it == m.faults.end());
    text.append(line).push_back('\n');
    ++applied;
    if (applied_records != nullptr) {
      auto loaded = m.faults.find(fields.key);
      if (loaded != m.faults.end()) applied_records->push_back(to_record(loaded->first, loaded->second));
    }
  }
  if (damaged > 0) {
    warnings += (warnings.empty() ? "" : "; ") + std::to_string(damaged) +
                " unreadable fault state line(s) in the outbox ignored";
  }
  if (!text.empty()) {
    std::string error;
    if (!m.append_unsynced(text, error)) warnings += (warnings.empty() ? "" : "; ") + error;
  }
  return applied;
}

std::string FaultStore::make_event_id(std::string_view key, std::int64_t episode_start_us) {
  std::string id;
  id.reserve(6 + 16 + 1 + 20);
  detail::append_canonical_event_id(id, event_id_hash(key, episode_start_us), episode_start_us);
  return id;
}

}  // namespace vesagent::state
