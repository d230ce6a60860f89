#include "vesagent/telemetry/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <mutex>

#include "vesagent/telemetry/log_line.hpp"
#include "vesagent/telemetry/repeat_filter.hpp"

namespace vesagent::telemetry {
namespace {

std::string_view level_name(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "info";
  }
}

/// Formats, rate-limits and writes lines to stderr. spdlog calls sink_it_ under the sink's mutex (a bcrypt
/// worker thread may log too).
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void configure(const LogSettings& settings) {
    std::lock_guard lock(mutex_);
    // A reload must not lose the counts held back so far: write them in the old format first.
    for (const auto& held : filter_.take_all()) write_held(held);
    format_ = settings.format == "json" ? LogFormat::json : LogFormat::logfmt;
    journal_ = stderr_is_journal();
    filter_ = RepeatFilter(settings.repeat_burst, settings.repeat_window);
  }

  void flush_held() {
    std::lock_guard lock(mutex_);
    for (const auto& held : filter_.take_all()) write_held(held);
    std::fflush(stderr);
  }

  LogCounts counts() const {
    LogCounts c;
    c.debug = counts_[0].load(std::memory_order_relaxed);
    c.info = counts_[1].load(std::memory_order_relaxed);
    c.warn = counts_[2].load(std::memory_order_relaxed);
    c.error = counts_[3].load(std::memory_order_relaxed);
    c.suppressed = suppressed_.load(std::memory_order_relaxed);
    return c;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const std::string_view component(msg.logger_name.data(), msg.logger_name.size());
    // Lines of other keys whose window ended with lines held back: report them before the new line.
    for (const auto& held : filter_.take_expired(msg.time)) write_held(held);
    if (msg.level >= spdlog::level::info) {
      std::string key(component);
      key += '\x1f';
      key += level_name(msg.level);
      key += '\x1f';
      key += RepeatFilter::message_of(payload);
      const auto decision = filter_.check(key, payload, static_cast<int>(msg.level), msg.time);
      if (!decision.write) {
        suppressed_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      if (decision.repeated > 1) {
        write(msg.time, msg.level, component, std::string(payload) + " repeated=" + std::to_string(decision.repeated));
        return;
      }
    }
    write(msg.time, msg.level, component, payload);
  }

  void flush_() override { std::fflush(stderr); }

 private:
  void write_held(const RepeatFilter::Held& held) {
    // key = component \x1f level \x1f message
    const std::string_view component = std::string_view(held.key).substr(0, held.key.find('\x1f'));
    write(spdlog::log_clock::now(), static_cast<spdlog::level::level_enum>(held.level), component,
          held.line + " repeated=" + std::to_string(held.repeated));
  }

  void write(spdlog::log_clock::time_point time, spdlog::level::level_enum level, std::string_view component,
             std::string_view payload) {
    const std::string line = format_log_line(LogLine{time, level_name(level), component, payload}, format_, journal_);
    std::fwrite(line.data(), 1, line.size(), stderr);
    if (level >= spdlog::level::info) std::fflush(stderr);
    const std::size_t slot = level <= spdlog::level::debug ? 0
                             : level == spdlog::level::info ? 1
                             : level == spdlog::level::warn ? 2
                                                            : 3;
    counts_[slot].fetch_add(1, std::memory_order_relaxed);
  }

  LogFormat format_ = LogFormat::logfmt;
  bool journal_ = false;
  RepeatFilter filter_{5, std::chrono::seconds(60)};
  std::array<std::atomic<std::uint64_t>, 4> counts_{};
  std::atomic<std::uint64_t> suppressed_{0};
};

struct State {
  LogSettings settings;
  std::shared_ptr<StderrSink> sink = std::make_shared<StderrSink>();
  State() { sink->configure(settings); }
};

State& state() {
  static State s;
  return s;
}

void apply(spdlog::logger& lg, const State& s) {
  lg.set_level(spdlog::level::from_str(s.settings.level));
}

}  // namespace

void init_logging(const LogSettings& settings) {
  auto& s = state();
  s.settings = settings;
  s.sink->configure(settings);
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& lg) { apply(*lg, s); });
}

std::shared_ptr<spdlog::logger> logger(std::string_view component) {
  auto& s = state();
  std::string name(component);
  if (auto existing = spdlog::get(name)) return existing;
  auto lg = std::make_shared<spdlog::logger>(name, s.sink);
  apply(*lg, s);
  spdlog::register_logger(lg);
  return lg;
}

LogCounts log_counts() { return state().sink->counts(); }

void flush_suppressed_logs() { state().sink->flush_held(); }

std::string logfmt_value(std::string_view value) {
  bool quote = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      quote = true;
      break;
    }
  }
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace vesagent::telemetry
