// The dead-letter record format: one JSON line per record (see dead_letter_store.hpp). Asio-free, so the fuzz
// target can compile it alone.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "dead_letter_format.hpp"
#include "vesagent/outbox/dead_letter_store.hpp"

namespace vesagent::outbox {

using Json = nlohmann::json;

namespace detail {

std::optional<core::Domain> parse_domain(std::string_view s) {
  for (auto d : {core::Domain::fault, core::Domain::heartbeat, core::Domain::measurement,
                 core::Domain::state_change}) {
    if (core::to_string(d) == s) return d;
  }
  if (s == "measurementsForVfScaling") return core::Domain::measurement;  // the VES 5 spelling
  return std::nullopt;
}

/// The event's bytes as they are in the line: the envelope's strings cannot hold an unescaped `"`, so the first
/// `,"event":` is the envelope's key, and the event runs from there to the line's closing brace.
std::string raw_event(std::string_view line, const Json& parsed_event) {
  constexpr std::string_view kKey = ",\"event\":";
  auto pos = line.find(kKey);
  auto end = line.find_last_of('}');
  if (pos != std::string_view::npos && end != std::string_view::npos && end > pos + kKey.size()) {
    std::string_view candidate = line.substr(pos + kKey.size(), end - pos - kKey.size());
    Json check = Json::parse(candidate, nullptr, false);
    if (!check.is_discarded() && check == parsed_event) return std::string(candidate);
  }
  return parsed_event.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace detail

using namespace detail;

namespace {
std::string json_string(std::string_view s) {
  return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}
}  // namespace

std::optional<DeadLetter> parse_dead_letter(std::string_view line) {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto id = j.find("id");
  auto event = j.find("event");
  auto domain = j.find("domain");
  auto event_id = j.find("eventId");
  if (id == j.end() || !id->is_number_unsigned() || event == j.end() || !event->is_object() ||
      domain == j.end() || !domain->is_string() || event_id == j.end() || !event_id->is_string()) {
    return std::nullopt;
  }
  DeadLetter r;
  r.id = id->get<std::uint64_t>();
  if (r.id == 0) return std::nullopt;
  auto d = parse_domain(domain->get<std::string>());
  if (!d) return std::nullopt;
  r.domain = *d;
  r.event_id = event_id->get<std::string>();
  if (auto it = j.find("rejectedAtEpochMicrosec"); it != j.end() && it->is_number_integer()) {
    r.rejected_us = it->get<std::int64_t>();
  }
  if (auto it = j.find("collector"); it != j.end() && it->is_string()) r.collector = it->get<std::string>();
  if (auto it = j.find("status"); it != j.end() && it->is_number_integer()) {
    r.status = static_cast<int>(std::clamp<std::int64_t>(it->get<std::int64_t>(), -1, 999));
  }
  if (auto it = j.find("reason"); it != j.end() && it->is_string()) r.reason = it->get<std::string>();
  r.event_json = raw_event(line, *event);
  return r;
}

std::string format_dead_letter(const DeadLetter& r) {
  // The event is kept byte for byte and written last (see raw_event()); only the envelope strings need quoting.
  std::string line = "{\"id\":" + std::to_string(r.id) + ",\"rejectedAtEpochMicrosec\":" +
                     std::to_string(r.rejected_us) + ",\"collector\":" + json_string(r.collector) +
                     ",\"status\":" + std::to_string(r.status) + ",\"reason\":" + json_string(r.reason) +
                     ",\"domain\":" + json_string(core::to_string(r.domain)) + ",\"eventId\":" + json_string(r.event_id) +
                     ",\"event\":" + r.event_json + "}";
  return line;
}

std::vector<DeadLetter> parse_dead_letter_file(std::string_view text, std::size_t& damaged) {
  std::vector<DeadLetter> out;
  damaged = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    if (auto r = parse_dead_letter(line)) {
      out.push_back(std::move(*r));
    } else {
      ++damaged;
    }
  }
  return out;
}

}  // namespace vesagent::outbox
