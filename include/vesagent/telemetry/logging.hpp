#pragma once
/// Logging setup: one sink on stderr shared by named component loggers ("publish", "heartbeat", ...).
/// logfmt or JSON lines (--log.format, Prometheus convention); under systemd (stderr is the journal stream) no
/// timestamp of our own, since journald adds its own, and a syslog priority prefix. Repeated identical lines
/// (same component, level and msg="...") are rate-limited and counted (telemetry::RepeatFilter): at most
/// LogSettings::repeat_burst per repeat_window, the rest reported as `repeated=N` on the next line written.
/// Debug and trace lines are never held back (an operator who turns them on wants them all).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace vesagent::telemetry {

struct LogSettings {
  std::string level = "info";     ///< trace, debug, info, warn, error
  std::string format = "logfmt";  ///< logfmt or json
  std::size_t repeat_burst = 5;   ///< identical lines written per window before the rest are counted
  std::chrono::milliseconds repeat_window{60000};
};

/// (Re)configures every component logger. Safe to call again on reload.
void init_logging(const LogSettings& settings);

/// The logger of a component, created on first use with the current settings.
std::shared_ptr<spdlog::logger> logger(std::string_view component);

/// Escapes a value for logfmt output: quoted when it has spaces, quotes or '='.
std::string logfmt_value(std::string_view value);

/// Lines written and held back since start, for /metrics.
struct LogCounts {
  std::uint64_t debug = 0;  ///< trace and debug
  std::uint64_t info = 0;
  std::uint64_t warn = 0;
  std::uint64_t error = 0;  ///< error and critical
  std::uint64_t suppressed = 0;
};
LogCounts log_counts();

/// Writes every held-back repeated line with its count now (at exit, so the last count is not lost).
void flush_suppressed_logs();

}  // namespace vesagent::telemetry
