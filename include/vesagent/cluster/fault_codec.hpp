#pragma once
/// How one fault record (state::FaultRecord) is stored in etcd when clustering is on: key
/// "<prefix>/faults/<fault key>", value a small JSON object
///   {"eventId":"fault-…","episode":<µs>,"start":<µs>,"sequence":<n>,"severity":"MAJOR","closedAt":<µs, 0 = active>}
/// Pure functions (no I/O, no Asio), fuzzed with the gateway codec.
#include <string>
#include <string_view>

#include "vesagent/state/fault_store.hpp"

namespace vesagent::cluster {

std::string encode_fault(const state::FaultRecord& record);
/// Fills `out` (key = `key`) or returns false with a reason: a value written by something else is skipped.
bool decode_fault(std::string_view key, std::string_view value, state::FaultRecord& out, std::string& error);

}  // namespace vesagent::cluster
