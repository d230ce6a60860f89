#include "vesagent/outbox/outbox.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "segment_files.hpp"
#include "vesagent/core/wait_durable.hpp"
#include "vesagent/outbox/segment_format.hpp"
#include "vesagent/telemetry/logging.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::outbox {

namespace net = boost::asio;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

namespace {

/// An acknowledgement alone is not urgent (losing it only means a duplicate after a crash): it waits this long
/// for an append to ride along with before it is written on its own.
constexpr milliseconds kAckFlushDelay{200};
constexpr milliseconds kRetryDelay{1000};
/// Drops are logged once per streak and then summed up at most this often.
constexpr std::int64_t kDropLogIntervalUs = 10'000'000;
constexpr std::uint64_t kReadChunkBytes = 1U << 20;
constexpr std::size_t kAckRecordBytes = segment::kRecordHeaderBytes + segment::kAckBodyBytes;

std::int64_t system_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string q(std::string_view v) { return telemetry::logfmt_value(v); }

}  // namespace

std::uint64_t OutboxStats::dropped_total() const {
  std::uint64_t n = 0;
  for (const auto& [key, count] : dropped) n += count;
  return n;
}

struct Outbox::Impl : std::enable_shared_from_this<Outbox::Impl> {
  struct Slot {
    std::uint64_t seq = 0;
    std::uint64_t segment = 0;
    std::int64_t enqueued_us = 0;
    std::uint32_t offset = 0;
    std::uint32_t bytes = 0;  ///< record size on disk
    core::Domain domain = core::Domain::heartbeat;
    bool dropped = false;
  };
  struct Segment {
    std::uint64_t bytes = 0;         ///< assigned bytes (pushed, maybe not yet written)
    std::uint64_t written = 0;       ///< bytes on disk, readable
    std::uint64_t max_keep_seq = 0;  ///< newest fault/stateChange event in it
    std::uint64_t max_drop_seq = 0;  ///< newest heartbeat/measurement event in it
    std::uint64_t max_state_seq = 0; ///< newest state record in it (StateLog)
  };
  struct Waiter {
    std::uint64_t seq;
    std::function<void(bool)> done;
  };
  using Chunk = detail::SegmentFiles::Chunk;

  Impl(net::any_io_executor ex, Options o)
      : executor(std::move(ex)),
        options(std::move(o)),
        signal(executor, net::steady_timer::time_point::max()),
        flush_timer(executor),
        refill_timer(executor),
        log(telemetry::logger("outbox")) {}

  static bool droppable(core::Domain d) { return d == core::Domain::heartbeat || d == core::Domain::measurement; }
  std::int64_t now_us() const { return options.clock ? options.clock() : system_now_us(); }
  bool disk() const { return files != nullptr; }
  std::int64_t max_age_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(options.max_age).count();
  }

  /// The slot of `seq`, or null once it left the queue. Slots are in seq order: binary search.
  Slot* find_slot(std::uint64_t seq) {
    auto it = std::lower_bound(slots.begin(), slots.end(), seq, [](const Slot& s, std::uint64_t v) { return s.seq < v; });
    return it != slots.end() && it->seq == seq ? &*it : nullptr;
  }

  /// First queued (not dropped) slot with seq >= `seq`.
  Slot* first_live_from(std::uint64_t seq) {
    auto it = std::lower_bound(slots.begin(), slots.end(), seq, [](const Slot& s, std::uint64_t v) { return s.seq < v; });
    for (; it != slots.end(); ++it) {
      if (!it->dropped) return &*it;
    }
    return nullptr;
  }

  Chunk& pending_chunk() {
    if (pending.empty() || pending.back().segment != current_segment) pending.push_back(Chunk{current_segment, {}});
    return pending.back();
  }

  void start_segment() {
    current_segment = segments.empty() ? std::max<std::uint64_t>(current_segment + 1, 1) : segments.rbegin()->first + 1;
    Chunk& chunk = pending_chunk();
    segment::append_file_header(chunk.bytes);
    // Every segment starts with the ack state, so the newest segment always holds the latest one.
    segment::append_ack(chunk.bytes, acked_through, dropped_through);
    queued_ack = acked_through;
    queued_drop = dropped_through;
    segments[current_segment].bytes = chunk.bytes.size();
  }

  void append_ack_record_if_changed() {
    if (acked_through == queued_ack && dropped_through == queued_drop) return;
    segment::append_ack(pending_chunk().bytes, acked_through, dropped_through);
    segments[current_segment].bytes += kAckRecordBytes;
    queued_ack = acked_through;
    queued_drop = dropped_through;
  }

  /// The segment a new record of `record_bytes` goes to (a new one once the current one is full), with the
  /// record's bytes counted in it; returns it and the record's offset.
  Segment& place_record(std::size_t record_bytes, std::uint64_t& offset) {
    const Segment& cur = segments[current_segment];
    if (cur.bytes + record_bytes > options.segment_bytes &&
        (cur.max_keep_seq != 0 || cur.max_drop_seq != 0 || cur.max_state_seq != 0)) {
      start_segment();
    }
    Segment& seg = segments[current_segment];
    offset = seg.bytes;
    seg.bytes += record_bytes;
    return seg;
  }

  /// After a push: write at once (always) or in the next group commit.
  void flush_soon() {
    if (options.fsync == FsyncPolicy::always) {
      start_flush();
    } else {
      schedule_flush(milliseconds(0));
    }
  }

  void signal_ready() {
    if (!window.empty()) signal.cancel();
  }

  // ---- queue bookkeeping ----

  /// Counts `slot` out of the queue (acknowledged, dropped or lost) and takes it out of the window.
  void forget(Slot& slot) {
    slot.dropped = true;
    --live;
    live_bytes -= slot.bytes;
    if (droppable(slot.domain)) droppable_bytes -= slot.bytes;
    if (spill_from == 0 || slot.seq < spill_from) {
      auto it = std::find_if(window.begin(), window.end(), [&](const Entry& e) { return e.seq == slot.seq; });
      if (it != window.end()) {
        window_bytes -= it->json.size();
        window.erase(it);
      }
    }
  }

  void drop(Slot& slot, const char* reason) {
    // Always the oldest droppable entry (refuse) or the oldest entry (drop_oldest), so a horizon describes
    // every drop so far and survives a restart in one ack record.
    if (droppable(slot.domain)) {
      dropped_through = std::max(dropped_through, slot.seq);
    } else {
      acked_through = std::max(acked_through, slot.seq);
    }
    forget(slot);
    ++stats.dropped[{reason, slot.domain}];
    ++drops_unlogged;
    const auto now = now_us();
    if (last_drop_log_us == 0 || now - last_drop_log_us >= kDropLogIntervalUs) {
      log->warn("msg=\"Outbox bound reached; dropped the oldest events\" reason={} domain={} event_seq={} "
                "dropped={} dropped_total={} queued_events={} queued_bytes={} max_bytes={} max_age_s={}",
                reason, core::to_string(slot.domain), slot.seq, drops_unlogged, stats.dropped_total(), live,
                live_bytes, options.max_bytes,
                std::chrono::duration_cast<std::chrono::seconds>(options.max_age).count());
      last_drop_log_us = now;
      drops_unlogged = 0;
    }
  }

  /// Pops acknowledged and dropped slots off the front, so the front slot is always a queued one.
  void remove_front_done() {
    while (!slots.empty() && (slots.front().dropped || slots.front().seq <= acked_through)) {
      Slot& s = slots.front();
      if (!s.dropped) {
        forget(s);
        ++stats.acknowledged;
      }
      slots.pop_front();
    }
    while (!droppables.empty() && (droppables.front() <= acked_through || droppables.front() <= dropped_through)) {
      droppables.pop_front();
    }
    if (spill_from != 0) {
      const Slot* next = first_live_from(spill_from);
      spill_from = next ? next->seq : 0;
    }
  }

  /// The oldest queued heartbeat/measurement, or null.
  Slot* oldest_droppable() {
    while (!droppables.empty()) {
      Slot* s = find_slot(droppables.front());
      if (s && !s->dropped) return s;
      droppables.pop_front();
    }
    return nullptr;
  }

  void enforce_bounds() {
    if (!disk() || live == 0) return;
    const std::int64_t cutoff = options.max_age.count() > 0 ? now_us() - max_age_us() : INT64_MIN;
    if (options.overflow == OverflowPolicy::drop_oldest) {
      while (live > 0) {
        remove_front_done();
        Slot& front = slots.front();
        if (front.enqueued_us < cutoff) {
          drop(front, "max_age");
        } else if (live_bytes > options.max_bytes && live > 1) {
          drop(front, "max_bytes");
        } else {
          break;
        }
      }
    } else {
      while (Slot* s = oldest_droppable()) {
        if (s->enqueued_us < cutoff) {
          drop(*s, "max_age");
        } else if (live_bytes > options.max_bytes) {
          drop(*s, "max_bytes");
        } else {
          break;
        }
        droppables.pop_front();
      }
    }
    remove_front_done();
  }

  /// A segment's state records may go once the owner's own files hold them durably. Asked at most once per
  /// call: the owner syncs everything handed to it so far in one go.
  bool state_released(const Segment& s, bool& asked) {
    if (s.max_state_seq <= state_durable_seq) return true;
    if (asked || !state_log.make_durable) return false;
    asked = true;
    // Every state record up to state_written_seq was handed to the owner (written or replay) before this call.
    if (!state_log.make_durable()) return false;
    state_durable_seq = state_written_seq;
    return s.max_state_seq <= state_durable_seq;
  }

  /// Everything in the segment is written and done (delivered, dropped, its state records released), and
  /// appends go elsewhere: it may be deleted. `asked`: see state_released().
  bool segment_done(std::uint64_t number, const Segment& s, bool& asked) {
    return number != current_segment && s.written == s.bytes && s.max_keep_seq <= acked_through &&
           s.max_drop_seq <= std::max(acked_through, dropped_through) && state_released(s, asked);
  }

  void delete_done_segments() {
    if (!io) return;
    bool asked = false;
    for (auto it = segments.begin(); it != segments.end();) {
      if (!segment_done(it->first, it->second, asked)) {
        ++it;
        continue;
      }
      // After the writes already posted (one I/O thread, jobs in order); nothing queued refers to it any more.
      net::post(*io, [files = files, segment = it->first, log = log] {
        std::string error;
        if (!files->remove(segment, error)) log->warn("msg=\"Cannot delete an acknowledged outbox segment\" error={}", q(error));
      });
      it = segments.erase(it);
    }
  }

  // ---- writing ----

  void schedule_flush(milliseconds delay) {
    if (!disk() || !io) return;
    if (inflight > 0 && options.fsync != FsyncPolicy::always) return;  // on_flushed schedules the next one
    auto now = SteadyClock::now();
    auto due = now + delay;
    if (options.fsync == FsyncPolicy::batch) due = std::max(due, last_flush_start + options.fsync_interval);
    if (due >= flush_due) return;  // an earlier flush is already scheduled
    flush_due = due;
    if (due <= now) {
      // Posted, not run now: requests already ready on the loop push first and share this commit.
      net::post(executor, [w = weak_from_this()] {
        if (auto m = w.lock()) {
          m->flush_due = SteadyClock::time_point::max();
          m->start_flush();
        }
      });
      return;
    }
    flush_timer.expires_at(due);
    flush_timer.async_wait([w = weak_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (auto m = w.lock()) {
        m->flush_due = SteadyClock::time_point::max();
        m->start_flush();
      }
    });
  }

  void start_flush() {
    if (!disk() || !io) return;
    if (inflight > 0 && (options.fsync != FsyncPolicy::always || disk_failing)) return;
    if (disk_failing && SteadyClock::now() < retry_at) {
      schedule_flush(std::chrono::duration_cast<milliseconds>(retry_at - SteadyClock::now()) + milliseconds(1));
      return;
    }
    append_ack_record_if_changed();
    if (pending.empty()) return;
    std::vector<Chunk> chunks = std::move(pending);
    pending.clear();
    const std::uint64_t last_seq = pending_last_seq;
    const bool resume = disk_failing;
    ++inflight;
    last_flush_start = SteadyClock::now();
    auto work = net::prefer(executor, net::execution::outstanding_work.tracked);
    net::post(*io, [files = files, chunks = std::move(chunks), keep_open_from = current_segment, last_seq, resume,
                    work = std::move(work), w = weak_from_this()]() mutable {
      std::string error;
      const std::uint64_t syncs_before = files->syncs();
      const bool ok = files->append(chunks, keep_open_from, error, resume);
      std::vector<std::pair<std::uint64_t, std::uint64_t>> written;
      if (ok) {
        for (const auto& c : chunks) written.emplace_back(c.segment, c.bytes.size());
        chunks.clear();
      }
      const std::uint64_t syncs = files->syncs() - syncs_before;
      net::post(work, [w, ok, error = std::move(error), last_seq, written = std::move(written),
                       chunks = std::move(chunks), syncs]() mutable {
        if (auto m = w.lock()) m->on_flushed(ok, error, last_seq, written, std::move(chunks), syncs);
      });
    });
  }

  void on_flushed(bool ok, const std::string& error, std::uint64_t last_seq,
                  const std::vector<std::pair<std::uint64_t, std::uint64_t>>& written, std::vector<Chunk> chunks,
                  std::uint64_t syncs) {
    --inflight;
    if (ok) {
      ++stats.group_commits;
      stats.fsyncs += syncs;
      for (const auto& [segment, bytes] : written) {
        if (auto it = segments.find(segment); it != segments.end()) it->second.written += bytes;
      }
      written_seq = std::max(written_seq, last_seq);
      durable_seq = std::max(durable_seq, last_seq);
      if (disk_failing) {
        disk_failing = false;
        log->info("msg=\"Outbox writes again\" queued_events={}", live);
      }
      hand_over_written_state();
      complete_waiters();
      maybe_refill();
      delete_done_segments();
    } else {
      ++stats.write_errors;
      if (!disk_failing) {
        log->error("msg=\"Cannot write the outbox; events stay in memory, the webhook answers 503 and the write is "
                   "retried\" error={}",
                   q(error));
      }
      disk_failing = true;
      retry_at = SteadyClock::now() + kRetryDelay;
      for (auto& c : chunks) failed.push_back(std::move(c));
      fail_waiters();
    }
    if (inflight == 0 && !failed.empty()) {
      // Written again later in the same order, at the same offsets (the failed write was cut back).
      for (auto& c : pending) failed.push_back(std::move(c));
      pending = std::move(failed);
      failed.clear();
    }
    if (!pending.empty() || acked_through != queued_ack || dropped_through != queued_drop) {
      schedule_flush(disk_failing ? kRetryDelay : (pending.empty() ? kAckFlushDelay : milliseconds(0)));
    }
  }

  /// State records now on disk go to their owner, in push order (before the waiters of the same commit run).
  void hand_over_written_state() {
    while (!state_inflight.empty() && state_inflight.front().first <= durable_seq) {
      auto [seq, text] = std::move(state_inflight.front());
      state_inflight.pop_front();
      state_written_seq = seq;
      if (state_log.written) state_log.written(text);
    }
  }

  void complete_waiters() {
    std::vector<std::function<void(bool)>> ready;
    while (!waiters.empty() && waiters.front().seq <= durable_seq) {
      ready.push_back(std::move(waiters.front().done));
      waiters.pop_front();
    }
    for (auto& done : ready) done(true);
  }

  void fail_waiters() {
    std::deque<Waiter> failing = std::move(waiters);
    waiters.clear();
    for (auto& w : failing) w.done(false);
  }

  // ---- reading back ----

  void load_into_window(std::string_view data, std::uint64_t segment, std::uint64_t base) {
    segment::Reader reader(data, base);
    segment::Record rec;
    bool budget_full = false;
    while (spill_from != 0 && reader.next(rec)) {
      if (rec.type != segment::RecordType::event || rec.seq < spill_from) continue;
      Slot* slot = find_slot(rec.seq);
      if (slot == nullptr || slot->dropped || slot->segment != segment) continue;
      if (!window.empty() && window_bytes + rec.json.size() > options.memory_bytes) {
        budget_full = true;
        break;
      }
      window.push_back(Entry{rec.domain, std::string(rec.event_id), std::string(rec.json), rec.enqueued_us, rec.seq});
      window_bytes += rec.json.size();
      const Slot* next = first_live_from(rec.seq + 1);
      spill_from = next ? next->seq : 0;
    }
    // The reader went through all the bytes: an entry whose record lies inside them but was not found was damaged
    // on disk after it was written. It would stall the queue: count it as lost and go on.
    while (!budget_full && spill_from != 0) {
      Slot* next = find_slot(spill_from);
      if (next == nullptr || next->segment != segment || next->offset < base ||
          next->offset + next->bytes > base + data.size()) {
        break;
      }
      ++stats.corrupt_records;
      stats.corrupt_bytes += next->bytes;
      log->error("msg=\"Outbox record unreadable on disk; event lost\" segment={} offset={} event_seq={}", segment,
                 next->offset, next->seq);
      forget(*next);
      const Slot* after = first_live_from(spill_from);
      spill_from = after ? after->seq : 0;
      remove_front_done();
    }
    signal_ready();
  }

  /// Range to read for the first spilled entry, or false when nothing can be read now.
  bool refill_range(std::uint64_t& segment, std::uint64_t& offset, std::size_t& length) {
    if (spill_from == 0) return false;
    if (!window.empty() && window_bytes >= options.memory_bytes / 2) return false;
    const Slot* first = first_live_from(spill_from);
    if (first == nullptr) {
      spill_from = 0;
      return false;
    }
    spill_from = first->seq;
    if (first->seq > written_seq) return false;  // still on its way to disk; on_flushed() calls again
    auto it = segments.find(first->segment);
    if (it == segments.end() || it->second.written < first->offset + first->bytes) return false;
    segment = first->segment;
    offset = first->offset;
    // At most 1 MiB per read (or one record): the bytes are parsed on the loop, in slices that keep it responsive.
    const std::uint64_t want = std::min<std::uint64_t>(options.memory_bytes / 2, kReadChunkBytes);
    length = static_cast<std::size_t>(
        std::min<std::uint64_t>(it->second.written - first->offset, std::max<std::uint64_t>(want, first->bytes)));
    return true;
  }

  void maybe_refill() {
    if (!disk() || !io || refill_inflight) return;
    std::uint64_t segment = 0, offset = 0;
    std::size_t length = 0;
    if (!refill_range(segment, offset, length)) return;
    refill_inflight = true;
    auto work = net::prefer(executor, net::execution::outstanding_work.tracked);
    net::post(*io, [files = files, segment, offset, length, work = std::move(work), w = weak_from_this()] {
      std::string data, error;
      const bool ok = files->read_range(segment, offset, length, data, error);
      net::post(work, [w, ok, segment, offset, data = std::move(data), error = std::move(error)] {
        auto m = w.lock();
        if (!m) return;
        m->refill_inflight = false;
        if (!ok) {
          ++m->stats.read_errors;
          m->log->error("msg=\"Cannot read queued events back from the outbox; retrying\" error={}", q(error));
          m->refill_timer.expires_after(kRetryDelay);
          m->refill_timer.async_wait([w](boost::system::error_code ec) {
            if (auto again = w.lock(); again && !ec) again->maybe_refill();
          });
          return;
        }
        m->load_into_window(data, segment, offset);
        m->maybe_refill();
      });
    });
  }

  /// open(): the same, synchronously, before the I/O thread exists.
  void refill_now() {
    for (int guard = 0; guard < 100000; ++guard) {
      std::uint64_t segment = 0, offset = 0;
      std::size_t length = 0;
      const std::uint64_t before = spill_from;
      if (!refill_range(segment, offset, length)) return;
      std::string data, error;
      if (!files->read_range(segment, offset, length, data, error)) {
        ++stats.read_errors;
        log->error("msg=\"Cannot read queued events back from the outbox\" error={}", q(error));
        return;
      }
      load_into_window(data, segment, offset);
      if (spill_from == before) return;
    }
  }

  net::any_io_executor executor;
  Options options;
  std::shared_ptr<detail::SegmentFiles> files;  ///< null = memory only
  std::unique_ptr<net::thread_pool> io;          ///< the I/O thread, from open() on

  std::deque<Entry> window;  ///< the oldest queued entries with their JSON
  std::uint64_t window_bytes = 0;
  std::deque<Slot> slots;    ///< every queued entry, oldest first (dropped ones until they reach the front)
  std::deque<std::uint64_t> droppables;  ///< seqs of queued heartbeats/measurements, oldest first
  std::map<std::uint64_t, Segment> segments;
  std::uint64_t current_segment = 0;
  std::vector<Chunk> pending;  ///< bytes not yet handed to the I/O thread, in order
  std::vector<Chunk> failed;   ///< bytes of failed writes, written again first
  std::uint64_t pending_last_seq = 0;

  std::size_t live = 0;
  std::uint64_t live_bytes = 0;
  std::uint64_t droppable_bytes = 0;
  std::uint64_t next_seq = 1;
  std::uint64_t acked_through = 0;    ///< every entry <= this is done
  std::uint64_t dropped_through = 0;  ///< every heartbeat/measurement <= this was dropped
  std::uint64_t queued_ack = 0;       ///< horizons of the last ack record handed to disk
  std::uint64_t queued_drop = 0;
  std::uint64_t spill_from = 0;  ///< first queued seq not in `window` (0 = the window holds them all)
  std::uint64_t durable_seq = 0;
  std::uint64_t written_seq = 0;
  bool opened = false;
  bool refill_inflight = false;
  bool disk_failing = false;
  int inflight = 0;
  SteadyClock::time_point retry_at{};
  SteadyClock::time_point flush_due = SteadyClock::time_point::max();
  SteadyClock::time_point last_flush_start{};
  std::int64_t last_drop_log_us = 0;
  std::uint64_t drops_unlogged = 0;
  std::int64_t last_over_bound_log_us = 0;

  net::steady_timer signal;
  net::steady_timer flush_timer;
  net::steady_timer refill_timer;
  std::deque<Waiter> waiters;
  StateLog state_log;
  Observer observer;  ///< set_observer(); empty = none
  /// State records pushed but not yet on disk (seq, text), oldest first.
  std::deque<std::pair<std::uint64_t, std::string>> state_inflight;
  std::uint64_t state_written_seq = 0;  ///< newest state record handed to the owner (written or replay)
  std::uint64_t state_durable_seq = 0;  ///< the owner's files hold every state record up to this one
  OutboxStats stats;
  std::shared_ptr<spdlog::logger> log;
};

Outbox::Outbox(net::any_io_executor executor) : Outbox(std::move(executor), Options{}) {}

Outbox::Outbox(net::any_io_executor executor, Options options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Outbox::~Outbox() {
  auto& m = *impl_;
  if (m.io) {
    // The latest acknowledgements (and anything pushed after the last commit): written now, so a clean stop does
    // not resend delivered events.
    if (m.opened && !m.disk_failing) {
      m.append_ack_record_if_changed();
      if (!m.pending.empty()) {
        net::post(*m.io, [files = m.files, chunks = std::move(m.pending)] {
          std::string error;
          files->append(chunks, 0, error, false);
        });
      }
    }
    m.io->join();
  }
}

Result<void> Outbox::open(std::string& warnings) {
  auto& m = *impl_;
  warnings.clear();
  if (m.options.directory.empty() || m.opened) return {};
  auto files = std::make_shared<detail::SegmentFiles>(m.options.directory, m.options.fsync != FsyncPolicy::never);
  std::string error;
  if (!files->lock(error)) {
    warnings = error;
    return make_error_code(errc::io_error);
  }
  std::vector<std::uint64_t> numbers;
  if (!files->list(numbers, error)) {
    warnings = error;
    return make_error_code(errc::io_error);
  }
  auto warn = [&](const std::string& text) { warnings += (warnings.empty() ? "" : "; ") + text; };
  std::vector<Impl::Slot> found;
  std::uint64_t max_seq = 0;
  std::string data;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    const std::uint64_t n = numbers[i];
    const bool last = i + 1 == numbers.size();
    if (!files->read_all(n, data, error)) {
      warnings = error;
      return make_error_code(errc::io_error);
    }
    segment::Reader reader(data);
    segment::Record rec;
    Impl::Segment seg;
    std::uint64_t out_of_order = 0;
    while (reader.next(rec)) {
      if (rec.type == segment::RecordType::ack) {
        m.acked_through = std::max(m.acked_through, rec.acked_through);
        m.dropped_through = std::max(m.dropped_through, rec.dropped_through);
        continue;
      }
      if (rec.seq <= max_seq) {
        ++out_of_order;  // cannot happen with files this agent wrote: treat as damage, never deliver twice
        continue;
      }
      max_seq = rec.seq;
      if (rec.type == segment::RecordType::state) {
        // Handed over at once, in log order: the owner applies what is newer than its own files.
        seg.max_state_seq = rec.seq;
        m.state_written_seq = rec.seq;
        if (m.state_log.replay) m.state_log.replay(rec.state);
        continue;
      }
      found.push_back(Impl::Slot{rec.seq, n, rec.enqueued_us, static_cast<std::uint32_t>(rec.offset), rec.bytes,
                                 rec.domain, false});
      (Impl::droppable(rec.domain) ? seg.max_drop_seq : seg.max_keep_seq) = rec.seq;
    }
    const std::string path = files->path_of(n).string();
    if (!reader.header_ok()) warn("damaged file header in outbox segment " + path);
    if (reader.corrupt_regions() > 0 || out_of_order > 0) {
      m.stats.corrupt_records += reader.corrupt_regions() + out_of_order;
      m.stats.corrupt_bytes += reader.corrupt_bytes();
      warn("skipped " + std::to_string(reader.corrupt_regions() + out_of_order) + " damaged region(s) of " +
           std::to_string(reader.corrupt_bytes()) + " bytes in outbox segment " + path + " (first at byte " +
           std::to_string(reader.first_damage_offset()) + "); the events in them are lost");
    }
    std::uint64_t size = data.size();
    if (reader.zero_tail_bytes() > 0) {
      size = reader.valid_end();  // preallocated and unused: the segment ends with its last record
      // No segment is appended to after a restart (a start opens a new one): give the newest one's space back.
      if (last && !files->truncate(n, size, error)) warn(error);
    }
    if (reader.torn_tail_bytes() > 0) {
      ++m.stats.corrupt_records;
      m.stats.corrupt_bytes += reader.torn_tail_bytes();
      if (last) {
        // Only the newest segment was being appended to: damage at its end is an interrupted write. Cut it.
        if (!files->truncate(n, reader.valid_end(), error)) {
          warnings = error;
          return make_error_code(errc::io_error);
        }
        size = reader.valid_end();
        warn("cut a torn or corrupt tail of " + std::to_string(reader.torn_tail_bytes()) + " bytes at byte " +
             std::to_string(reader.valid_end()) + " of outbox segment " + path);
      } else {
        warn("ignored a damaged end of " + std::to_string(reader.torn_tail_bytes()) + " bytes at byte " +
             std::to_string(reader.valid_end()) + " of outbox segment " + path + "; the events in it are lost");
      }
    }
    seg.bytes = seg.written = size;
    m.segments[n] = seg;
  }
  m.queued_ack = m.acked_through;
  m.queued_drop = m.dropped_through;
  m.next_seq = std::max({max_seq, m.acked_through, m.dropped_through}) + 1;
  for (const auto& s : found) {
    if (s.seq <= m.acked_through || (Impl::droppable(s.domain) && s.seq <= m.dropped_through)) continue;
    m.slots.push_back(s);
    ++m.live;
    m.live_bytes += s.bytes;
    if (Impl::droppable(s.domain)) {
      m.droppables.push_back(s.seq);
      m.droppable_bytes += s.bytes;
    }
  }
  found = {};
  m.stats.replayed = m.live;
  m.written_seq = m.durable_seq = max_seq;
  m.files = std::move(files);
  // Appends go to a new segment: the old ones stay as they are until everything in them is done.
  m.start_segment();
  bool asked = false;
  for (auto it = m.segments.begin(); it != m.segments.end();) {
    if (m.segment_done(it->first, it->second, asked)) {
      if (!m.files->remove(it->first, error)) warn(error);
      it = m.segments.erase(it);
    } else {
      ++it;
    }
  }
  m.spill_from = m.slots.empty() ? 0 : m.slots.front().seq;
  m.refill_now();
  m.opened = true;
  m.io = std::make_unique<net::thread_pool>(1);
  m.enforce_bounds();
  m.schedule_flush(milliseconds(0));
  return {};
}

void Outbox::push(Entry entry) {
  auto& m = *impl_;
  entry.seq = m.next_seq++;
  if (entry.enqueued_us == 0) entry.enqueued_us = m.now_us();
  if (m.observer.pushed) m.observer.pushed(entry);
  ++m.stats.appended;
  if (!m.disk()) {
    ++m.live;
    m.live_bytes += entry.json.size();
    m.window_bytes += entry.json.size();
    m.window.push_back(std::move(entry));
    m.durable_seq = m.window.back().seq;
    m.signal.cancel();  // wakes a waiting publisher; the timer is re-armed by the next wait()
    return;
  }
  const std::size_t record_bytes = segment::event_record_bytes(entry.event_id.size(), entry.json.size());
  std::uint64_t offset = 0;
  Impl::Segment& seg = m.place_record(record_bytes, offset);
  (Impl::droppable(entry.domain) ? seg.max_drop_seq : seg.max_keep_seq) = entry.seq;
  segment::append_event(m.pending_chunk().bytes, entry.seq, entry.enqueued_us, entry.domain, entry.event_id,
                        entry.json);
  m.pending_last_seq = entry.seq;
  m.slots.push_back(Impl::Slot{entry.seq, m.current_segment, entry.enqueued_us, static_cast<std::uint32_t>(offset),
                               static_cast<std::uint32_t>(record_bytes), entry.domain, false});
  ++m.live;
  m.live_bytes += record_bytes;
  const bool droppable = Impl::droppable(entry.domain);
  if (droppable) {
    m.droppables.push_back(entry.seq);
    m.droppable_bytes += record_bytes;
  } else if (m.options.overflow == OverflowPolicy::refuse && m.live_bytes - m.droppable_bytes > m.options.max_bytes) {
    // Admission (accepting()) keeps the webhook out; this is a source that cannot be refused (a poller).
    ++m.stats.over_bound;
    const auto now = m.now_us();
    if (now - m.last_over_bound_log_us >= kDropLogIntervalUs) {
      m.last_over_bound_log_us = now;
      m.log->warn("msg=\"Outbox over outbox.maxBytes with events that are never dropped; queued anyway\" "
                  "event_id={} domain={} queued_bytes={} max_bytes={}",
                  q(entry.event_id), core::to_string(entry.domain), m.live_bytes, m.options.max_bytes);
    }
  }
  // The window holds a prefix of the queue: once one entry spilled to disk only, the younger ones do too.
  if (m.spill_from == 0 && (m.window.empty() || m.window_bytes + entry.json.size() <= m.options.memory_bytes)) {
    m.window_bytes += entry.json.size();
    m.window.push_back(std::move(entry));
    m.signal.cancel();
  } else if (m.spill_from == 0) {
    m.spill_from = entry.seq;
  }
  m.enforce_bounds();
  m.flush_soon();
}

void Outbox::set_state_log(StateLog log) { impl_->state_log = std::move(log); }

void Outbox::push_state(std::string text) {
  auto& m = *impl_;
  if (text.empty()) return;
  if (m.observer.state_pushed) m.observer.state_pushed(text);
  if (!m.disk()) {
    if (m.state_log.written) m.state_log.written(text);  // nothing to wait for
    return;
  }
  const std::uint64_t seq = m.next_seq++;
  std::uint64_t offset = 0;
  m.place_record(segment::state_record_bytes(text.size()), offset).max_state_seq = seq;
  segment::append_state(m.pending_chunk().bytes, seq, text);
  m.pending_last_seq = seq;
  m.state_inflight.emplace_back(seq, std::move(text));
  ++m.stats.state_records;
  m.flush_soon();
}

void Outbox::ack(std::uint64_t seq) {
  auto& m = *impl_;
  if (m.observer.acknowledged) m.observer.acknowledged(seq);
  if (!m.disk()) {
    while (!m.window.empty() && m.window.front().seq <= seq) {
      --m.live;
      m.live_bytes -= m.window.front().json.size();
      m.window_bytes -= m.window.front().json.size();
      m.window.pop_front();
      ++m.stats.acknowledged;
    }
    return;
  }
  if (seq <= m.acked_through) return;
  m.acked_through = seq;
  m.remove_front_done();
  m.enforce_bounds();
  m.delete_done_segments();
  m.maybe_refill();
  m.schedule_flush(kAckFlushDelay);
}

const std::deque<Entry>& Outbox::entries() const { return impl_->window; }

std::uint64_t Outbox::last_seq() const { return impl_->next_seq - 1; }

void Outbox::set_observer(Observer observer) { impl_->observer = std::move(observer); }
bool Outbox::empty() const { return impl_->live == 0; }
std::size_t Outbox::size() const { return impl_->live; }
std::uint64_t Outbox::bytes() const { return impl_->live_bytes; }
const OutboxStats& Outbox::stats() const { return impl_->stats; }
std::size_t Outbox::segment_count() const { return impl_->segments.size(); }
void Outbox::wake() { impl_->signal.cancel(); }

std::chrono::milliseconds Outbox::oldest_age() const {
  const auto& m = *impl_;
  if (m.live == 0) return milliseconds(0);
  const std::int64_t oldest = m.disk() ? m.slots.front().enqueued_us : m.window.front().enqueued_us;
  return milliseconds(std::max<std::int64_t>(0, (m.now_us() - oldest) / 1000));
}

net::awaitable<void> Outbox::wait() {
  auto& m = *impl_;
  m.maybe_refill();
  if (!m.window.empty()) co_return;
  m.signal.expires_at(net::steady_timer::time_point::max());
  co_await m.signal.async_wait(net::as_tuple(net::use_awaitable));
}

void Outbox::when_durable(std::function<void(bool)> done) {
  auto& m = *impl_;
  const std::uint64_t seq = m.next_seq - 1;
  if (!m.disk() || seq <= m.durable_seq) {
    done(true);
    return;
  }
  if (m.disk_failing) {
    done(false);
    return;
  }
  m.waiters.push_back(Impl::Waiter{seq, std::move(done)});
}

net::awaitable<bool> Outbox::wait_durable() { return core::wait_durable(*this, impl_->executor); }

bool Outbox::accepting() {
  auto& m = *impl_;
  if (!m.disk()) return true;
  if (m.disk_failing) return false;
  m.enforce_bounds();
  if (m.options.overflow == OverflowPolicy::drop_oldest) return true;
  if (m.live_bytes - m.droppable_bytes >= m.options.max_bytes) return false;
  // After enforce_bounds() an entry older than max_age can only be one that is never dropped.
  if (m.options.max_age.count() > 0 && m.live > 0 && oldest_age() >= m.options.max_age) return false;
  return true;
}

void Outbox::set_limits(std::uint64_t max_bytes, std::chrono::milliseconds max_age, OverflowPolicy overflow) {
  auto& m = *impl_;
  m.options.max_bytes = max_bytes;
  m.options.max_age = max_age;
  m.options.overflow = overflow;
  m.enforce_bounds();
}

void Outbox::write_metrics(telemetry::MetricsWriter& out) const {
  const auto& m = *impl_;
  const auto& s = m.stats;
  out.gauge("vesagent_outbox_events", "Events waiting in the outbox for a collector.", static_cast<double>(m.live));
  out.gauge("vesagent_outbox_bytes", "Bytes of the events waiting in the outbox (records on disk).",
            static_cast<double>(m.live_bytes));
  out.gauge("vesagent_outbox_oldest_event_age_seconds", "Age of the oldest event waiting in the outbox.",
            static_cast<double>(oldest_age().count()) / 1000.0);
  out.gauge("vesagent_outbox_segments", "Segment files in the outbox directory.",
            static_cast<double>(m.segments.size()));
  out.gauge("vesagent_outbox_accepting",
            "1 while the outbox takes new webhook work, 0 while it is full of faults or cannot write.",
            m.disk_failing || (m.disk() && m.options.overflow == OverflowPolicy::refuse &&
                               m.live_bytes - m.droppable_bytes >= m.options.max_bytes)
                ? 0.0
                : 1.0);
  out.counter("vesagent_outbox_appended_events_total", "Events appended to the outbox.",
              static_cast<double>(s.appended));
  out.counter("vesagent_outbox_acknowledged_events_total",
              "Events removed from the outbox after a collector took them (or they were dead-lettered).",
              static_cast<double>(s.acknowledged));
  out.counter("vesagent_outbox_replayed_events_total", "Events found in the outbox at start and sent again.",
              static_cast<double>(s.replayed));
  for (const auto& [key, count] : s.dropped) {
    out.counter("vesagent_outbox_dropped_events_total", "Events dropped because the outbox reached a bound.",
                static_cast<double>(count), {{"reason", key.first}, {"domain", core::to_string(key.second)}});
  }
  if (s.dropped.empty()) {
    out.counter("vesagent_outbox_dropped_events_total", "Events dropped because the outbox reached a bound.", 0,
                {{"reason", "max_bytes"}, {"domain", "measurement"}});
  }
  out.counter("vesagent_outbox_corrupt_records_total",
              "Damaged outbox regions (torn tails, checksum mismatches) cut or skipped.",
              static_cast<double>(s.corrupt_records));
  out.counter("vesagent_outbox_corrupt_bytes_total", "Bytes of damaged outbox regions cut or skipped.",
              static_cast<double>(s.corrupt_bytes));
  out.counter("vesagent_outbox_over_bound_events_total",
              "Faults queued while the outbox was over outbox.maxBytes (never dropped).",
              static_cast<double>(s.over_bound));
  out.counter("vesagent_outbox_group_commits_total", "Outbox writes (each covers every event appended meanwhile).",
              static_cast<double>(s.group_commits));
  out.counter("vesagent_outbox_fsyncs_total", "fdatasync calls on outbox segment files.",
              static_cast<double>(s.fsyncs));
  out.counter("vesagent_outbox_state_records_total",
              "Fault-state records written in the outbox's group commits (with the events they decided).",
              static_cast<double>(s.state_records));
  out.counter("vesagent_outbox_write_errors_total", "Failed outbox writes (retried).",
              static_cast<double>(s.write_errors));
  out.counter("vesagent_outbox_read_errors_total", "Failed reads of queued events back from disk (retried).",
              static_cast<double>(s.read_errors));
}

}  // namespace vesagent::outbox
