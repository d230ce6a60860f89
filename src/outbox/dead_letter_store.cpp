#include "vesagent/outbox/dead_letter_store.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "dead_letter_format.hpp"
#include "vesagent/core/clock.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/telemetry/logging.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::outbox {

namespace fs = std::filesystem;
using Json = nlohmann::json;

using detail::parse_domain;
using detail::raw_event;

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string file_name(std::uint64_t first_id) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.jsonl", static_cast<unsigned long long>(first_id));
  return name;
}

bool read_all(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = std::move(s).str();
  return true;
}

void fsync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

/// Writes `text` to `path` through `path.tmp`, synced and renamed: a crash leaves the old or the new file.
bool replace_file(const fs::path& path, std::string_view text, std::string& error) {
  const fs::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    error = "cannot create " + tmp.string() + ": " + errno_text();
    return false;
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fdatasync(fd) == 0;
  if (!ok) error = "cannot write " + tmp.string() + ": " + errno_text();
  ::close(fd);
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + tmp.string() + ": " + errno_text();
    ok = false;
  }
  if (!ok) {
    std::error_code ec;
    fs::remove(tmp, ec);
  }
  return ok;
}

}  // namespace

struct DeadLetterStore::Impl {
  struct File {
    std::uint64_t first_id = 0;
    fs::path path;
    std::uint64_t disk_bytes = 0;
    std::uint64_t disk_records = 0;
    std::deque<DeadLetter> records;  ///< kept records, without event_json
    std::uint64_t bytes = 0;         ///< their line bytes
  };

  fs::path dir;
  DeadLetterLimits limits;
  int lock_fd = -1;
  std::deque<File> files;
  std::uint64_t next_id = 1;
  std::uint64_t total_bytes = 0;
  std::uint64_t total_events = 0;
  DeadLetterStats stats;

  ~Impl() {
    if (lock_fd >= 0) ::close(lock_fd);
  }

  std::uint64_t file_bytes() const { return std::max<std::uint64_t>(limits.max_bytes / 8, 1); }
  std::uint64_t file_events() const { return std::max<std::uint64_t>(limits.max_events / 8, 1); }

  static DeadLetter meta(DeadLetter r) {
    r.event_json.clear();
    r.event_json.shrink_to_fit();
    return r;
  }

  void keep(File& f, const DeadLetter& r, std::uint64_t line_bytes) {
    f.records.push_back(meta(r));
    f.bytes += line_bytes;
    total_bytes += line_bytes;
    ++total_events;
  }

  void enforce_bounds() {
    auto log = telemetry::logger("deadletter");
    while ((total_bytes > limits.max_bytes || total_events > limits.max_events) && !files.empty()) {
      File f = std::move(files.front());
      files.pop_front();
      std::error_code ec;
      fs::remove(f.path, ec);
      total_bytes -= f.bytes;
      total_events -= f.records.size();
      stats.dropped += f.records.size();
      ++stats.dropped_files;
      log->warn("msg=\"Dead letters over their bound; dropped the oldest file\" file={} records={} max_bytes={} "
                "max_events={}",
                f.path.string(), f.records.size(), limits.max_bytes, limits.max_events);
    }
  }

  /// Removes the lines of `ids` from `path` (rewrite + rename), or the file when nothing is left.
  void remove_lines(const fs::path& path, const std::set<std::uint64_t>& ids) {
    auto log = telemetry::logger("deadletter");
    std::string text;
    if (!read_all(path, text)) return;  // dropped by rotation meanwhile
    std::string kept;
    std::uint64_t kept_records = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
      auto nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      if (line.empty()) continue;
      auto r = parse_dead_letter(line);
      if (r && ids.count(r->id) != 0) continue;
      kept.append(line);
      kept.push_back('\n');
      ++kept_records;
    }
    auto it = std::find_if(files.begin(), files.end(), [&](const File& f) { return f.path == path; });
    std::string error;
    if (kept.empty()) {
      std::error_code ec;
      fs::remove(path, ec);
      fsync_directory(dir);
      if (it != files.end() && it->records.empty()) files.erase(it);
      else if (it != files.end()) it->disk_bytes = it->disk_records = 0;
      return;
    }
    if (!replace_file(path, kept, error)) {
      ++stats.write_errors;
      log->error("msg=\"Cannot remove replayed dead letters from their file; they may be replayed again\" "
                 "error={}",
                 telemetry::logfmt_value(error));
      return;
    }
    fsync_directory(dir);
    if (it != files.end()) {
      it->disk_bytes = kept.size();
      it->disk_records = kept_records;
    }
  }
};

DeadLetterStore::DeadLetterStore(fs::path directory, DeadLetterLimits limits) : impl_(std::make_shared<Impl>()) {
  impl_->dir = std::move(directory);
  impl_->limits = limits;
}

DeadLetterStore::~DeadLetterStore() = default;

Result<void> DeadLetterStore::open(std::string& warnings, bool lock, const fs::path& legacy_file) {
  auto& m = *impl_;
  auto log = telemetry::logger("deadletter");
  std::error_code ec;
  if (lock) {
    fs::create_directories(m.dir, ec);
    if (ec) {
      warnings = "cannot create dead-letter directory " + m.dir.string() + ": " + ec.message();
      return make_error_code(errc::io_error);
    }
    const fs::path lock_path = m.dir / "lock";
    m.lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (m.lock_fd < 0 || ::flock(m.lock_fd, LOCK_EX | LOCK_NB) != 0) {
      warnings = errno == EWOULDBLOCK ? "dead letters " + m.dir.string() + " are in use by another process"
                                      : "cannot lock " + lock_path.string() + ": " + errno_text();
      if (m.lock_fd >= 0) ::close(m.lock_fd);
      m.lock_fd = -1;
      return make_error_code(errc::io_error);
    }
  }
  std::vector<fs::path> paths;
  if (fs::is_directory(m.dir, ec)) {
    for (const auto& entry : fs::directory_iterator(m.dir, ec)) {
      const auto name = entry.path().filename().string();
      if (name.size() == 22 && name.ends_with(".jsonl")) paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::string text;
    if (!read_all(paths[i], text)) {
      warnings += "cannot read " + paths[i].string() + "; ";
      continue;
    }
    if (lock && i + 1 == paths.size() && !text.empty() && text.back() != '\n') {
      // A torn append: cut it so the next record starts on its own line.
      const auto keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
      warnings += "cut a torn record (" + std::to_string(text.size() - keep) + " bytes) at the end of " +
                  paths[i].string() + "; ";
      ++m.stats.damaged_lines;
      text.resize(keep);
      fs::resize_file(paths[i], keep, ec);
    }
    std::size_t damaged = 0;
    auto records = parse_dead_letter_file(text, damaged);
    if (damaged > 0) {
      warnings += std::to_string(damaged) + " unreadable line(s) in " + paths[i].string() + "; ";
      m.stats.damaged_lines += damaged;
    }
    Impl::File f;
    f.path = paths[i];
    f.first_id = std::strtoull(paths[i].filename().string().c_str(), nullptr, 16);
    f.disk_bytes = text.size();
    f.disk_records = records.size();
    for (const auto& r : records) {
      m.keep(f, r, format_dead_letter(r).size() + 1);
      m.next_id = std::max(m.next_id, r.id + 1);
    }
    m.files.push_back(std::move(f));
  }
  if (lock && !legacy_file.empty() && fs::exists(legacy_file, ec)) {
    // The single append-only file of earlier versions: its records come in with new ids.
    std::string text;
    std::size_t imported = 0;
    if (read_all(legacy_file, text)) {
      std::string_view rest = text;
      while (!rest.empty()) {
        auto nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        Json j = Json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("event") || !j["event"].is_object()) continue;
        const Json& event = j["event"];
        std::string domain = "fault";
        std::string event_id;
        if (auto h = event.find("commonEventHeader"); h != event.end() && h->is_object()) {
          if (auto d = h->find("domain"); d != h->end() && d->is_string()) domain = d->get<std::string>();
          if (auto e = h->find("eventId"); e != h->end() && e->is_string()) event_id = e->get<std::string>();
        }
        auto str = [&](const char* key) {
          auto it = j.find(key);
          return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        const int status = j.contains("status") && j["status"].is_number_integer() ? j["status"].get<int>() : 0;
        if (add(str("collector"), status, str("reason"), parse_domain(domain).value_or(core::Domain::fault),
                event_id, raw_event(line, event))) {
          ++imported;
        }
      }
    }
    fs::rename(legacy_file, legacy_file.string() + ".imported", ec);
    log->info("msg=\"Took the old dead-letter file into the dead-letter store\" file={} records={}",
              legacy_file.string(), imported);
  }
  m.enforce_bounds();
  return {};
}

bool DeadLetterStore::add(std::string_view collector, int status, std::string_view reason, core::Domain domain,
                          std::string_view event_id, std::string_view event_json) {
  auto& m = *impl_;
  auto log = telemetry::logger("deadletter");
  DeadLetter r;
  r.id = m.next_id++;
  r.rejected_us = core::now_epoch_us();
  r.collector = std::string(collector);
  r.status = status;
  r.reason = std::string(reason);
  r.domain = domain;
  r.event_id = std::string(event_id);
  r.event_json = std::string(event_json);
  std::string line = format_dead_letter(r);
  line.push_back('\n');
  const bool fresh = m.files.empty() || m.files.back().disk_bytes >= m.file_bytes() ||
                     m.files.back().disk_records >= m.file_events();
  if (fresh) {
    Impl::File f;
    f.first_id = r.id;
    f.path = m.dir / file_name(r.id);
    m.files.push_back(std::move(f));
  }
  auto& file = m.files.back();
  std::error_code ec;
  fs::create_directories(m.dir, ec);
  int fd = ::open(file.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  bool ok = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fdatasync(fd) == 0;
  const std::string error = ok ? std::string() : errno_text();
  if (fd >= 0) ::close(fd);
  if (!ok) {
    ++m.stats.write_errors;
    if (fresh && file.records.empty()) m.files.pop_back();
    log->error("msg=\"Cannot write a dead letter; the event is only in this log line\" file={} error={} "
               "event={}",
               file.path.string(), telemetry::logfmt_value(error), telemetry::logfmt_value(event_json));
    return false;
  }
  if (fresh) fsync_directory(m.dir);
  file.disk_bytes += line.size();
  ++file.disk_records;
  m.keep(file, r, line.size());
  ++m.stats.added;
  m.enforce_bounds();
  return true;
}

DeadLetterPage DeadLetterStore::list(const DeadLetterQuery& q) const {
  const auto& m = *impl_;
  DeadLetterPage page;
  page.total = m.total_events;
  page.bytes = m.total_bytes;
  std::vector<std::pair<const Impl::File*, const DeadLetter*>> matched;
  for (const auto& f : m.files) {
    for (const auto& r : f.records) {
      if (!q.collector.empty() && r.collector != q.collector) continue;
      if (q.status && r.status != *q.status) continue;
      if (q.domain && r.domain != *q.domain) continue;
      if (q.since_us != 0 && r.rejected_us < q.since_us) continue;
      if (q.until_us != 0 && r.rejected_us >= q.until_us) continue;
      if (!q.text.empty() && r.event_id.find(q.text) == std::string::npos &&
          r.reason.find(q.text) == std::string::npos) {
        continue;
      }
      matched.emplace_back(&f, &r);
    }
  }
  page.matched = matched.size();
  if (q.newest_first) std::reverse(matched.begin(), matched.end());
  if (q.limit != 0 && matched.size() > q.limit) matched.resize(q.limit);
  std::map<const Impl::File*, std::map<std::uint64_t, std::string>> events;
  if (q.with_events) {
    for (const auto& [f, r] : matched) events[f];
    for (auto& [f, by_id] : events) {
      std::string text;
      if (!read_all(f->path, text)) continue;
      std::size_t damaged = 0;
      for (auto& r : parse_dead_letter_file(text, damaged)) by_id[r.id] = std::move(r.event_json);
    }
  }
  for (const auto& [f, r] : matched) {
    page.records.push_back(*r);
    if (q.with_events) page.records.back().event_json = events[f][r->id];
  }
  return page;
}

ReplayResult DeadLetterStore::replay(std::span<const std::uint64_t> ids, Outbox& outbox) {
  auto& m = *impl_;
  auto log = telemetry::logger("deadletter");
  ReplayResult result;
  const std::set<std::uint64_t> wanted(ids.begin(), ids.end());
  std::set<std::uint64_t> found;
  std::map<fs::path, std::set<std::uint64_t>> removed;
  const std::int64_t now = core::now_epoch_us();
  for (auto& f : m.files) {
    std::vector<std::uint64_t> selected;
    for (const auto& r : f.records) {
      if (wanted.empty() || wanted.count(r.id) != 0) selected.push_back(r.id);
    }
    if (selected.empty()) continue;
    std::string text;
    std::map<std::uint64_t, DeadLetter> on_disk;
    if (read_all(f.path, text)) {
      std::size_t damaged = 0;
      for (auto& r : parse_dead_letter_file(text, damaged)) on_disk.emplace(r.id, std::move(r));
    }
    for (std::uint64_t id : selected) {
      found.insert(id);
      auto it = on_disk.find(id);
      if (it == on_disk.end()) {
        ++result.unreadable;
        continue;
      }
      auto& r = it->second;
      const std::uint64_t line_bytes = format_dead_letter(r).size() + 1;
      outbox.push(Entry{r.domain, r.event_id, std::move(r.event_json), now, 0});
      removed[f.path].insert(id);
      auto rec = std::find_if(f.records.begin(), f.records.end(), [&](const DeadLetter& x) { return x.id == id; });
      f.bytes -= std::min(f.bytes, line_bytes);
      m.total_bytes -= std::min(m.total_bytes, line_bytes);
      --m.total_events;
      f.records.erase(rec);
      ++result.replayed;
    }
  }
  for (std::uint64_t id : wanted) {
    if (found.count(id) == 0) ++result.not_found;
  }
  m.stats.replayed += result.replayed;
  if (result.replayed > 0) {
    log->info("msg=\"Replayed dead letters into the outbox\" records={} not_found={} unreadable={}",
              result.replayed, result.not_found, result.unreadable);
    // The lines go once the outbox has the events on disk: a crash before that keeps them here.
    std::weak_ptr<Impl> weak = impl_;
    outbox.when_durable([weak, removed = std::move(removed)](bool durable) {
      auto impl = weak.lock();
      if (!impl) return;
      if (!durable) {
        telemetry::logger("deadletter")
            ->warn("msg=\"Outbox could not write replayed dead letters yet; their lines stay until a restart\"");
        return;
      }
      for (const auto& [path, set] : removed) impl->remove_lines(path, set);
    });
  }
  return result;
}

void DeadLetterStore::set_limits(DeadLetterLimits limits) {
  impl_->limits = limits;
  impl_->enforce_bounds();
}

std::size_t DeadLetterStore::size() const { return impl_->total_events; }
std::uint64_t DeadLetterStore::bytes() const { return impl_->total_bytes; }
const DeadLetterStats& DeadLetterStore::stats() const { return impl_->stats; }
const fs::path& DeadLetterStore::directory() const { return impl_->dir; }

void DeadLetterStore::write_metrics(telemetry::MetricsWriter& out) const {
  const auto& m = *impl_;
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  out.gauge("vesagent_dead_letters", "Events in the dead-letter store (refused by a collector for their content).",
            d(m.total_events));
  out.gauge("vesagent_dead_letter_bytes", "Bytes of the records in the dead-letter store.", d(m.total_bytes));
  out.counter("vesagent_dead_letters_added_total", "Events written to the dead-letter store.", d(m.stats.added));
  out.counter("vesagent_dead_letters_dropped_total",
              "Dead letters dropped because the store passed deadLetter.maxBytes or deadLetter.maxEvents.",
              d(m.stats.dropped));
  out.counter("vesagent_dead_letters_replayed_total", "Dead letters replayed into the outbox.", d(m.stats.replayed));
  out.counter("vesagent_dead_letter_write_errors_total", "Dead letters that could not be written or removed.",
              d(m.stats.write_errors));
}

}  // namespace vesagent::outbox
