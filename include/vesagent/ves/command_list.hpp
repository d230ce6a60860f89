#pragma once
/// The collector's commandList reply (defined by VES 5; VES 7 dropped it, but collectors and simulators may
/// still send one). Parsed leniently: unknown commands are reported, never fatal.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/ves/throttle.hpp"

namespace vesagent::ves {

/// One command from the collector.
struct Command {
  enum class Type { heartbeat_interval_change, measurement_interval_change, throttling_specification,
                    provide_throttling_state, unknown };
  Type type = Type::unknown;
  /// For the two interval changes: 0..INT32_MAX seconds; 0 (or the value absent, as VESPA's simulator sends
  /// it) = back to the configured default.
  std::int64_t interval_seconds = 0;
  std::string raw_type;               ///< commandType as received
  /// throttlingSpecification: its eventDomainThrottleSpecification (a command without a readable one is dropped
  /// and reported).
  DomainThrottle throttle;
};

/// The outcome of parsing one response body.
struct CommandListParse {
  std::vector<Command> commands;  ///< the well-formed commands, in order (also when `error` is set)
  /// Non-empty when the body looked like JSON but was not a valid commandList, or when single entries were
  /// dropped (not an object, no commandType, a negative / non-integer interval): "commandList[2]: ...; ...".
  std::string error;
};

/// Parses a collector response body. An empty or non-JSON body (the ONAP collector's "Accepted") yields no
/// commands and no error. Accepts {"commandList":[{"commandType":...,...}]} and VES 5's
/// [{"command":{...}}] entry form; "throttllingSpecification" (the spec's typo) is accepted too. Intervals
/// may be JSON integers, whole floats or numeric strings. A JSON body without "commandList" yields nothing.
/// Never throws.
CommandListParse parse_command_list(std::string_view body);

}  // namespace vesagent::ves
