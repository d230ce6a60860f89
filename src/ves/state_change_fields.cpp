#include "state_change_fields.hpp"

#include <limits>
#include <unordered_map>

namespace vesagent::ves::detail {

namespace {

/// Distinct names in first-appearance order with the last value (duplicate JSON keys make the collector's
/// org.json parser throw), as encode.cpp does for the other blocks.
template <class Emit>
void for_each_unique(const core::NameValues& pairs, Emit&& emit) {
  std::unordered_map<std::string_view, std::size_t> last;
  last.reserve(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) last[pairs[i].first] = i;
  constexpr std::size_t kDone = std::numeric_limits<std::size_t>::max();
  for (const auto& pair : pairs) {
    auto it = last.find(pair.first);
    if (it->second == kDone) continue;
    emit(pair.first, pairs[it->second].second);
    it->second = kDone;
  }
}

}  // namespace

bool write_state_change_fields(JsonWriter& w, const core::StateChangeBody& body, bool v7, std::string& error) {
  if (body.state_interface.empty()) {
    error = "stateChangeFields.stateInterface is empty but required";
    return false;
  }
  w.key("stateChangeFields");
  w.begin_object();
  if (v7) {
    w.member("stateChangeFieldsVersion", "4.0");
  } else {
    w.member_raw("stateChangeFieldsVersion", "2.0");
  }
  w.member("oldState", core::to_string(body.old_state));
  w.member("newState", core::to_string(body.new_state));
  w.member("stateInterface", body.state_interface);
  if (!body.additional_fields.empty()) {
    w.key("additionalFields");
    if (v7) {
      w.begin_object();
      for_each_unique(body.additional_fields, [&w](std::string_view n, std::string_view v) { w.member(n, v); });
      w.end_object();
    } else {
      w.begin_array();
      for_each_unique(body.additional_fields, [&w](std::string_view n, std::string_view v) {
        w.begin_object();
        w.member("name", n);
        w.member("value", v);
        w.end_object();
      });
      w.end_array();
    }
  }
  w.end_object();
  return true;
}

}  // namespace vesagent::ves::detail
