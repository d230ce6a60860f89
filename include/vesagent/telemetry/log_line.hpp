#pragma once
/// How one log line is written. Components log logfmt payloads (`msg="Sentence." key=value ...`); this adds the
/// timestamp, level and component, and for --log.format=json turns the payload into JSON fields
/// ({"ts":...,"level":"info","component":"app","msg":"...","key":"value"}), as Prometheus' go-kit logger does.
/// Under journald the timestamp is left out (the journal stamps each line) and a "<N>" syslog priority prefix
/// lets `journalctl -p err` filter by level.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vesagent::telemetry {

enum class LogFormat { logfmt, json };

struct LogLine {
  std::chrono::system_clock::time_point time;
  std::string_view level;      ///< "debug", "info", "warn", "error"
  std::string_view component;  ///< logger name
  std::string_view payload;    ///< logfmt text
};

/// Syslog priority of a level name (3 = err ... 7 = debug), used for the journal prefix.
int syslog_priority(std::string_view level);

/// The complete line, ending in '\n'.
std::string format_log_line(const LogLine& line, LogFormat format, bool journal);

/// logfmt text -> key/value pairs, quotes and escapes removed. Text that is not logfmt becomes {"msg", text}.
std::vector<std::pair<std::string, std::string>> parse_logfmt(std::string_view text);

/// RFC 3339 UTC with milliseconds: 2024-05-01T12:00:00.123Z
std::string format_utc(std::chrono::system_clock::time_point t);

/// True when stderr is the stream systemd connected to the journal (JOURNAL_STREAM names its device and inode;
/// a child that inherited the variable but writes elsewhere is not fooled).
bool stderr_is_journal();

}  // namespace vesagent::telemetry
