#include "vesagent/telemetry/log_line.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace vesagent::telemetry {

namespace {

bool is_key_char(char c) {
  return c != ' ' && c != '=' && c != '"' && static_cast<unsigned char>(c) > 0x20;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

int syslog_priority(std::string_view level) {
  if (level == "critical") return 2;
  if (level == "error") return 3;
  if (level == "warn") return 4;
  if (level == "info") return 6;
  return 7;
}

std::vector<std::pair<std::string, std::string>> parse_logfmt(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i == text.size()) break;
    std::size_t key_start = i;
    while (i < text.size() && is_key_char(text[i])) ++i;
    if (i == key_start || i == text.size() || text[i] != '=') return {{"msg", std::string(text)}};
    std::string key(text.substr(key_start, i - key_start));
    ++i;  // '='
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i++];
        if (c == '\\' && i < text.size()) {
          char e = text[i++];
          value += e == 'n' ? '\n' : e;
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed) return {{"msg", std::string(text)}};
    } else {
      std::size_t v = i;
      while (i < text.size() && text[i] != ' ') ++i;
      value.assign(text.substr(v, i - v));
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  if (out.empty()) out.emplace_back("msg", std::string(text));
  return out;
}

std::string format_utc(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // generous: GCC's format-truncation check assumes any int width
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string format_log_line(const LogLine& line, LogFormat format, bool journal) {
  std::string out;
  out.reserve(line.payload.size() + 64);
  if (journal) {
    out += '<';
    out += std::to_string(syslog_priority(line.level));
    out += '>';
  }
  if (format == LogFormat::json) {
    out += '{';
    if (!journal) {
      out += "\"ts\":";
      append_json_string(out, format_utc(line.time));
      out += ',';
    }
    out += "\"level\":";
    append_json_string(out, line.level);
    out += ",\"component\":";
    append_json_string(out, line.component);
    for (const auto& [key, value] : parse_logfmt(line.payload)) {
      // The three fields above are the line's own; a payload key of the same name would make duplicate keys.
      if (key == "ts" || key == "level" || key == "component") continue;
      out += ',';
      append_json_string(out, key);
      out += ':';
      append_json_string(out, value);
    }
    out += "}\n";
    return out;
  }
  if (!journal) {
    out += "ts=";
    out += format_utc(line.time);
    out += ' ';
  }
  out += "level=";
  out += line.level;
  out += " component=";
  out += line.component;
  out += ' ';
  out += line.payload;
  out += '\n';
  return out;
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long dev = 0;
  unsigned long long ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

}  // namespace vesagent::telemetry
