#pragma once
/// The value of one key of the leader's replicated log in etcd (<prefix>/log/<term>-<round>): the events one
/// commit round queued (already encoded) and the fault decisions that rode with them (state::FaultStore journal
/// lines). A new leader delivers the events of every log key, oldest key first, and applies the decisions over
/// the fault records in etcd. Pure functions (fuzzed: etcd's content is outside input).
///
/// Text, one item per line (no item holds a line break: event JSON is compact, eventIds have no whitespace, and
/// the journal lines are single lines):
///   vesagent-log 1
///   E <TAB> <domain number> <TAB> <eventId> <TAB> <event JSON without the {"event":...} wrapper>
///   S <TAB> <one fault journal line>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/event.hpp"

namespace vesagent::cluster {

struct LogEvent {
  core::Domain domain = core::Domain::heartbeat;
  std::string event_id;
  std::string json;
};

struct LogRecord {
  std::vector<LogEvent> events;
  std::string state_lines;  ///< journal lines, each ending in '\n'
};

/// The header line every log value starts with.
std::string log_header();
/// Appends one event / the state lines (each line of `lines` becomes one S item) to a value being built.
void append_log_event(std::string& value, core::Domain domain, std::string_view event_id, std::string_view json);
void append_log_state(std::string& value, std::string_view lines);
/// Parses a whole value. False with a reason on any malformed line (nothing of it is used then).
bool decode_log_record(std::string_view value, LogRecord& out, std::string& error);

}  // namespace vesagent::cluster
