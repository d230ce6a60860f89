#include "vesagent/cluster/fault_codec.hpp"

#include <nlohmann/json.hpp>

namespace vesagent::cluster {

using nlohmann::json;

std::string encode_fault(const state::FaultRecord& r) {
  return json{{"eventId", r.event_id},
              {"episode", r.episode_start_us},
              {"start", r.start_epoch_us},
              {"sequence", r.sequence},
              {"severity", std::string(core::to_string(r.severity))},
              {"closedAt", r.closed_at_us}}
      .dump();
}

bool decode_fault(std::string_view key, std::string_view value, state::FaultRecord& out, std::string& error) {
  json j = json::parse(value.begin(), value.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "fault record is not a JSON object";
    return false;
  }
  auto int_field = [&j](const char* name, std::int64_t& field) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_integer()) return false;
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return false;
    field = it->get<std::int64_t>();
    return true;
  };
  auto id = j.find("eventId");
  auto severity = j.find("severity");
  if (id == j.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    error = "fault record has no eventId";
    return false;
  }
  if (severity == j.end() || !severity->is_string()) {
    error = "fault record has no severity";
    return false;
  }
  auto parsed = core::parse_severity(severity->get_ref<const std::string&>());
  if (!parsed) {
    error = "fault record has an unknown severity";
    return false;
  }
  state::FaultRecord r;
  if (!int_field("episode", r.episode_start_us) || !int_field("start", r.start_epoch_us) ||
      !int_field("sequence", r.sequence) || !int_field("closedAt", r.closed_at_us)) {
    error = "fault record has a missing or malformed number";
    return false;
  }
  if (r.sequence < 0 || r.closed_at_us < 0) {
    error = "fault record has a negative sequence or closedAt";
    return false;
  }
  r.key = std::string(key);
  r.event_id = id->get<std::string>();
  r.severity = *parsed;
  out = std::move(r);
  return true;
}

}  // namespace vesagent::cluster
