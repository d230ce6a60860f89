#pragma once
/// Logging setup: one spdlog sink on stderr shared by named component loggers ("publish", "heartbeat", ...).
/// logfmt (Prometheus convention) or JSON lines; under systemd (JOURNAL_STREAM set) no timestamp, since
/// journald adds its own.
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
};

/// (Re)configures every component logger. Safe to call again on reload.
void init_logging(const LogSettings& settings);

/// The logger of a component, created on first use with the current settings.
std::shared_ptr<spdlog::logger> logger(std::string_view component);

/// Escapes a value for logfmt output: quoted when it has spaces, quotes or '='.
std::string logfmt_value(std::string_view value);

}  // namespace vesagent::telemetry
