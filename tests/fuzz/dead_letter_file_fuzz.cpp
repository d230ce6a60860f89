// libFuzzer target for the dead-letter file reader (src/outbox/dead_letter_format.cpp): after a crash, a full disk
// or an operator's edit a dead-letter file can hold anything. Pure functions, no I/O.
// Properties checked besides "no crash": every record read re-formats to a line that reads back to the same
// fields and the same event bytes; the event bytes are valid JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "vesagent/outbox/dead_letter_store.hpp"

namespace o = vesagent::outbox;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t damaged = 0;
  const auto records = o::parse_dead_letter_file(text, damaged);
  for (const auto& r : records) {
    if (nlohmann::json::parse(r.event_json, nullptr, false).is_discarded()) std::abort();
    const auto again = o::parse_dead_letter(o::format_dead_letter(r));
    if (!again) std::abort();
    if (again->id != r.id || again->status != r.status || again->domain != r.domain ||
        again->event_id != r.event_id || again->event_json != r.event_json || again->rejected_us != r.rejected_us) {
      std::abort();
    }
  }
  return 0;
}
