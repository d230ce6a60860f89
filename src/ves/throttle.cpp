#include "vesagent/ves/throttle.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "vesagent/state/id_allocator.hpp"  // write_file_atomically

namespace vesagent::ves {
namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

/// Fields the VES 5.4.1 (28.4.1) and 7.2.1 schemas require in each domain block the agent sends: a specification
/// naming one of them is not obeyed for that field, since the collector would refuse the event.
struct RequiredFields {
  std::string_view block;
  std::array<std::string_view, 6> fields;
};
constexpr std::array<RequiredFields, 5> kRequired{{
    {"faultFields",
     {"alarmCondition", "eventSeverity", "eventSourceType", "faultFieldsVersion", "specificProblem", "vfStatus"}},
    {"heartbeatFields", {"heartbeatFieldsVersion", "heartbeatInterval"}},
    {"measurementsForVfScalingFields", {"measurementInterval", "measurementsForVfScalingVersion"}},
    {"measurementFields", {"measurementInterval", "measurementFieldsVersion"}},
    {"stateChangeFields", {"newState", "oldState", "stateChangeFieldsVersion", "stateInterface"}},
}};

bool is_required(std::string_view block, std::string_view field) noexcept {
  for (const auto& r : kRequired) {
    if (r.block != block) continue;
    for (auto f : r.fields) {
      if (!f.empty() && f == field) return true;
    }
  }
  return false;
}

void add_problem(std::string& error, const std::string& what) {
  if (!error.empty()) error += "; ";
  error += what;
}

std::vector<std::string> string_list(const json& object, const char* key, std::string& error) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) {
    add_problem(error, std::string(key) + " is not an array");
    return out;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& item = (*it)[i];
    if (!item.is_string()) {
      add_problem(error, std::string(key) + "[" + std::to_string(i) + "] is not a string");
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

bool read_domain_throttle(const json& spec, DomainThrottle& out, std::string& error) {
  if (!spec.is_object()) {
    error = "eventDomainThrottleSpecification is not an object";
    return false;
  }
  auto domain = spec.find("eventDomain");
  if (domain == spec.end() || !domain->is_string() || domain->get_ref<const std::string&>().empty()) {
    error = "eventDomainThrottleSpecification.eventDomain is missing or not a string";
    return false;
  }
  out = DomainThrottle{};
  out.event_domain = domain->get<std::string>();
  out.suppressed_field_names = string_list(spec, "suppressedFieldNames", error);
  auto pairs = spec.find("suppressedNvPairsList");
  if (pairs != spec.end() && !pairs->is_null()) {
    if (!pairs->is_array()) {
      add_problem(error, "suppressedNvPairsList is not an array");
    } else {
      for (std::size_t i = 0; i < pairs->size(); ++i) {
        const json& p = (*pairs)[i];
        auto name = p.is_object() ? p.find("nvPairFieldName") : p.end();
        if (!p.is_object() || name == p.end() || !name->is_string()) {
          add_problem(error, "suppressedNvPairsList[" + std::to_string(i) + "] has no string nvPairFieldName");
          continue;
        }
        SuppressedNvPairs s;
        s.field_name = name->get<std::string>();
        s.names = string_list(p, "suppressedNvPairNames", error);
        out.suppressed_nv_pairs.push_back(std::move(s));
      }
    }
  }
  return true;
}

ordered_json to_json(const DomainThrottle& d) {
  ordered_json j;
  j["eventDomain"] = d.event_domain;
  if (!d.suppressed_field_names.empty()) j["suppressedFieldNames"] = d.suppressed_field_names;
  if (!d.suppressed_nv_pairs.empty()) {
    ordered_json list = ordered_json::array();
    for (const auto& p : d.suppressed_nv_pairs) {
      list.push_back(ordered_json{{"nvPairFieldName", p.field_name}, {"suppressedNvPairNames", p.names}});
    }
    j["suppressedNvPairsList"] = std::move(list);
  }
  return j;
}

/// Drops the suppressed names from a name/value field: a v5 [{"name":..,"value":..}] array (also
/// additionalMeasurements' named groups) or a v7 hashMap object. Returns true when something was removed.
bool drop_pairs(ordered_json& field, const std::vector<std::string>& names) {
  auto listed = [&](std::string_view n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  bool changed = false;
  if (field.is_array()) {
    ordered_json kept = ordered_json::array();
    for (auto& item : field) {
      auto name = item.is_object() ? item.find("name") : item.end();
      if (item.is_object() && name != item.end() && name->is_string() && listed(name->get_ref<const std::string&>())) {
        changed = true;
        continue;
      }
      kept.push_back(std::move(item));
    }
    field = std::move(kept);
  } else if (field.is_object()) {
    for (const auto& n : names) changed = field.erase(n) > 0 || changed;
  }
  return changed;
}

std::string domain_of(std::string_view encoded) {
  // Cheap pre-check before a full parse: the encoder writes "domain":"<name>" first in the header.
  constexpr std::string_view kKey = "\"domain\":\"";
  const auto pos = encoded.find(kKey);
  if (pos == std::string_view::npos) return {};
  const auto start = pos + kKey.size();
  const auto end = encoded.find('"', start);
  if (end == std::string_view::npos) return {};
  return std::string(encoded.substr(start, end - start));
}

}  // namespace

bool parse_domain_throttle(std::string_view json_object, DomainThrottle& out, std::string& error) {
  const json doc = json::parse(json_object.begin(), json_object.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    error = "not valid JSON";
    return false;
  }
  return read_domain_throttle(doc, out, error);
}

bool parse_throttling_state(std::string_view text, std::vector<DomainThrottle>& out, std::string& error) {
  try {
    const json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      error = "not valid JSON";
      return false;
    }
    auto state = doc.is_object() ? doc.find("eventThrottlingState") : doc.end();
    if (!doc.is_object() || state == doc.end() || !state->is_object()) {
      error = "no eventThrottlingState object";
      return false;
    }
    auto mode = state->find("eventThrottlingMode");
    if (mode == state->end() || !mode->is_string() ||
        (mode->get_ref<const std::string&>() != "normal" && mode->get_ref<const std::string&>() != "throttled")) {
      error = "eventThrottlingMode is not \"normal\" or \"throttled\"";
      return false;
    }
    out.clear();
    auto list = state->find("eventDomainThrottleSpecificationList");
    if (mode->get_ref<const std::string&>() == "normal" || list == state->end() || list->is_null()) return true;
    if (!list->is_array()) {
      error = "eventDomainThrottleSpecificationList is not an array";
      return false;
    }
    for (const auto& spec : *list) {
      DomainThrottle d;
      std::string why;
      if (!read_domain_throttle(spec, d, why)) {
        error = why;
        return false;
      }
      if (!why.empty()) add_problem(error, why);
      if (d.empty()) continue;
      auto same = std::find_if(out.begin(), out.end(), [&](const auto& o) { return o.event_domain == d.event_domain; });
      if (same != out.end()) {
        *same = std::move(d);
      } else {
        out.push_back(std::move(d));
      }
    }
    return true;
  } catch (const std::exception& e) {
    error = std::string("cannot read throttling state: ") + e.what();
    return false;
  }
}

Throttle::Throttle(std::filesystem::path file) : file_(std::move(file)) {}

Result<void> Throttle::load(std::string& error) {
  specs_.clear();
  if (file_.empty()) return {};
  std::error_code ec;
  if (!std::filesystem::exists(file_, ec)) return {};
  std::ifstream in(file_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    error = "cannot read " + file_.string();
    return make_error_code(errc::io_error);
  }
  std::vector<DomainThrottle> specs;
  std::string why;
  if (!parse_throttling_state(text.str(), specs, why)) {
    error = file_.string() + ": " + why + "; throttling stays off until the collector sends a specification again";
    return make_error_code(errc::io_error);
  }
  specs_ = std::move(specs);
  return {};
}

Result<void> Throttle::apply(const DomainThrottle& spec, std::string& error) {
  auto same = std::find_if(specs_.begin(), specs_.end(),
                           [&](const auto& s) { return s.event_domain == spec.event_domain; });
  if (spec.empty()) {
    if (same != specs_.end()) specs_.erase(same);
  } else if (same != specs_.end()) {
    *same = spec;
  } else {
    specs_.push_back(spec);
  }
  if (file_.empty()) return {};
  return state::write_file_atomically(file_, state_body() + "\n", error);
}

bool Throttle::suppress(std::string& encoded_event) const {
  if (specs_.empty()) return false;
  const std::string domain = domain_of(encoded_event);
  auto spec = std::find_if(specs_.begin(), specs_.end(), [&](const auto& s) { return s.event_domain == domain; });
  if (spec == specs_.end()) return false;
  ordered_json event = ordered_json::parse(encoded_event, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return false;
  auto header = event.find("commonEventHeader");
  if (header == event.end() || !header->is_object() || header->value("domain", std::string{}) != domain) return false;
  bool changed = false;
  for (auto& [block_name, block] : event.items()) {
    if (block_name == "commonEventHeader" || !block.is_object()) continue;
    for (const auto& field : spec->suppressed_field_names) {
      if (is_required(block_name, field)) continue;
      changed = block.erase(field) > 0 || changed;
    }
    for (const auto& pairs : spec->suppressed_nv_pairs) {
      auto field = block.find(pairs.field_name);
      if (field != block.end()) changed = drop_pairs(*field, pairs.names) || changed;
    }
  }
  if (changed) encoded_event = event.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
  return changed;
}

std::string Throttle::state_body() const {
  ordered_json state;
  state["eventThrottlingMode"] = throttled() ? "throttled" : "normal";
  if (throttled()) {
    ordered_json list = ordered_json::array();
    for (const auto& s : specs_) list.push_back(to_json(s));
    state["eventDomainThrottleSpecificationList"] = std::move(list);
  }
  return ordered_json{{"eventThrottlingState", std::move(state)}}.dump(-1, ' ', false,
                                                                       nlohmann::detail::error_handler_t::replace);
}

}  // namespace vesagent::ves
