#include "collector_intervals.hpp"

#include <nlohmann/json.hpp>

namespace vesagent::app {

namespace {
constexpr const char* kHeartbeat = "heartbeatIntervalSeconds";
constexpr const char* kMeasurement = "measurementIntervalSeconds";
}  // namespace

std::string CollectorIntervals::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (heartbeat_seconds) j[kHeartbeat] = *heartbeat_seconds;
  if (measurement_seconds) j[kMeasurement] = *measurement_seconds;
  return j.dump();
}

std::optional<CollectorIntervals> CollectorIntervals::from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  CollectorIntervals out;
  for (auto [name, field] : {std::pair{kHeartbeat, &out.heartbeat_seconds},
                             std::pair{kMeasurement, &out.measurement_seconds}}) {
    auto it = j.find(name);
    if (it == j.end()) continue;
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0) return std::nullopt;
    *field = it->get<std::int64_t>();
  }
  return out;
}

}  // namespace vesagent::app
