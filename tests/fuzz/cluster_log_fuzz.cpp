// libFuzzer target for the values of the leader's replicated log in etcd (<prefix>/log/): whoever controls an etcd
// endpoint controls these bytes, and a new leader decodes every one of them at its election.
// Properties checked besides "no crash": a refusal comes with a reason; a decoded value re-encodes to a value that
// decodes to the same events and the same state lines.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/cluster/log_codec.hpp"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  vesagent::cluster::LogRecord record;
  std::string error;
  if (!vesagent::cluster::decode_log_record(value, record, error)) {
    check(!error.empty());
    return 0;
  }
  std::string again = vesagent::cluster::log_header();
  for (const auto& e : record.events) vesagent::cluster::append_log_event(again, e.domain, e.event_id, e.json);
  vesagent::cluster::append_log_state(again, record.state_lines);
  vesagent::cluster::LogRecord second;
  check(vesagent::cluster::decode_log_record(again, second, error));
  check(second.events.size() == record.events.size());
  for (std::size_t i = 0; i < record.events.size(); ++i) {
    check(second.events[i].domain == record.events[i].domain);
    check(second.events[i].event_id == record.events[i].event_id);
    check(second.events[i].json == record.events[i].json);
  }
  check(second.state_lines == record.state_lines);
  return 0;
}
