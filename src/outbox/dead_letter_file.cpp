#include "vesagent/outbox/dead_letter_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "vesagent/core/clock.hpp"

namespace vesagent::outbox {

bool DeadLetterFile::append(std::string_view collector, int status, std::string_view reason,
                            std::string_view event_json) const {
  if (path_.empty()) return false;
  std::ofstream out(path_, std::ios::app);
  // The event is already JSON and is kept byte for byte; only the envelope strings need quoting.
  out << "{\"rejectedAtEpochMicrosec\":" << core::now_epoch_us()
      << ",\"collector\":" << nlohmann::json(std::string(collector)).dump() << ",\"status\":" << status
      << ",\"reason\":" << nlohmann::json(std::string(reason)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
      << ",\"event\":" << event_json << "}\n";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace vesagent::outbox
