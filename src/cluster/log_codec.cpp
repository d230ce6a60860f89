#include "vesagent/cluster/log_codec.hpp"

namespace vesagent::cluster {

namespace {

constexpr std::string_view kHeader = "vesagent-log 1";

bool parse_domain(std::string_view text, core::Domain& out) {
  if (text.size() != 1 || text[0] < '0' || text[0] > '3') return false;
  out = static_cast<core::Domain>(text[0] - '0');
  return true;
}

}  // namespace

std::string log_header() { return std::string(kHeader) + "\n"; }

void append_log_event(std::string& value, core::Domain domain, std::string_view event_id, std::string_view json) {
  value.append("E\t").push_back(static_cast<char>('0' + static_cast<int>(domain)));
  value.append("\t").append(event_id).append("\t").append(json).push_back('\n');
}

void append_log_state(std::string& value, std::string_view lines) {
  std::size_t pos = 0;
  while (pos < lines.size()) {
    std::size_t end = lines.find('\n', pos);
    if (end == std::string_view::npos) end = lines.size();
    if (end > pos) value.append("S\t").append(lines.substr(pos, end - pos)).push_back('\n');
    pos = end + 1;
  }
}

bool decode_log_record(std::string_view value, LogRecord& out, std::string& error) {
  out = LogRecord{};
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos < value.size()) {
    std::size_t end = value.find('\n', pos);
    if (end == std::string_view::npos) {
      error = "line " + std::to_string(line_no + 1) + " has no line end (truncated value)";
      return false;
    }
    const std::string_view line = value.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line_no == 1) {
      if (line != kHeader) {
        error = "not a ves-agent log value (first line is not \"" + std::string(kHeader) + "\")";
        return false;
      }
      continue;
    }
    if (line.size() >= 2 && line[0] == 'S' && line[1] == '\t') {
      // An empty item carries nothing (the encoder never writes one).
      if (line.size() > 2) out.state_lines.append(line.substr(2)).push_back('\n');
      continue;
    }
    if (line.size() >= 2 && line[0] == 'E' && line[1] == '\t') {
      const std::string_view rest = line.substr(2);
      const std::size_t t1 = rest.find('\t');
      const std::size_t t2 = t1 == std::string_view::npos ? t1 : rest.find('\t', t1 + 1);
      LogEvent e;
      if (t2 == std::string_view::npos || !parse_domain(rest.substr(0, t1), e.domain) || t2 == t1 + 1 ||
          t2 + 1 >= rest.size()) {
        error = "line " + std::to_string(line_no) + ": malformed event item";
        return false;
      }
      e.event_id = std::string(rest.substr(t1 + 1, t2 - t1 - 1));
      e.json = std::string(rest.substr(t2 + 1));
      out.events.push_back(std::move(e));
      continue;
    }
    error = "line " + std::to_string(line_no) + ": unknown item";
    return false;
  }
  if (line_no == 0) {
    error = "empty value";
    return false;
  }
  return true;
}

}  // namespace vesagent::cluster
