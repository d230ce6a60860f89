#pragma once
/// The collector's commandList reply (defined by VES 5; VES 7 dropped it, but collectors and simulators may
/// still send one). Parsed leniently: unknown commands are reported, never fatal.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vesagent::ves {

struct Command {
  enum class Type { heartbeat_interval_change, measurement_interval_change, throttling_specification,
                    provide_throttling_state, unknown };
  Type type = Type::unknown;
  std::int64_t interval_seconds = 0;  ///< for the two interval changes; 0 = back to the configured default
  std::string raw_type;               ///< commandType as received
};

struct CommandListParse {
  std::vector<Command> commands;
  std::string error;  ///< non-empty when the body looked like JSON but was not a valid commandList
};

/// Parses a collector response body. An empty or non-JSON body (the ONAP collector's "Accepted") yields no
/// commands and no error. Accepts {"commandList":[{"commandType":...,...}]} and VES 5's
/// [{"command":{...}}] entry form; "throttllingSpecification" (the spec's typo) is accepted too.
CommandListParse parse_command_list(std::string_view body);

}  // namespace vesagent::ves
