// libFuzzer target for the Alertmanager webhook: anyone who can reach alertManager.bind controls these bytes.
// Build with clang: -fsanitize=fuzzer,address,undefined, linking vesagent::sources_alertmanager.
// Properties checked besides "no crash": the parser never throws; a refusal comes with a one-line reason of
// bounded size (it goes into a log line and a 400 body); an accepted payload maps to fault events whose required
// fields are never empty, with the correlation key of its fingerprint. A JSON syntax refusal quotes the body as
// ASCII only (the body may not be UTF-8); an accepted alert never has two labels or annotations of one name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>

#include "vesagent/config/config.hpp"
#include "vesagent/sources/alertmanager/fault_mapper.hpp"
#include "vesagent/sources/alertmanager/payload.hpp"
#include "vesagent/state/fault_store.hpp"

namespace am = vesagent::sources::alertmanager;

namespace {

const am::FaultMapper& mapper() {
  static const am::FaultMapper kMapper = [] {
    vesagent::config::Config config;
    config.event.nf_naming_code = "fuzz";
    config.event.reporting_entity_name = "fuzz-host";
    config.event.nfc_naming_codes = {{"oam", {"vnfc-test-01"}}};
    return am::FaultMapper(config);
  }();
  return kMapper;
}

void check_unique_names(const vesagent::core::NameValues& values) {
  std::unordered_set<std::string_view> names;
  for (const auto& [name, value] : values) {
    if (!names.insert(name).second) std::abort();
  }
}

void check_event(const vesagent::core::Event& e, const std::string& key) {
  const auto& f = std::get<vesagent::core::FaultBody>(e.body);
  if (e.key != key || e.event_name.empty() || e.source_name.empty() || e.reporting_entity_name.empty() ||
      f.alarm_condition.empty() || f.specific_problem.empty() || e.last_epoch_us < e.start_epoch_us) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto payload = am::parse_payload(body, why);
  if (!payload) {
    if (why.empty() || why.size() > 300) std::abort();
    const bool syntax = why.rfind("invalid JSON", 0) == 0;
    for (char c : why) {
      if (static_cast<unsigned char>(c) < 0x20 || (syntax && static_cast<unsigned char>(c) >= 0x7f)) std::abort();
    }
    return 0;
  }
  if (payload->truncated_alerts < 0) std::abort();
  for (const auto& alert : payload->alerts) {
    check_unique_names(alert.labels);
    check_unique_names(alert.annotations);
    const std::string key = mapper().key(alert);
    if (key.size() < 4 || key.compare(0, 3, "am/") != 0) std::abort();
    vesagent::core::FaultIdentity record;
    record.key = key;
    record.event_id = vesagent::state::FaultStore::make_event_id(key, alert.starts_at_us);
    record.start_epoch_us = alert.starts_at_us;
    record.sequence = 1;
    record.severity = mapper().severity(alert);
    check_event(mapper().fault_event(alert, record, alert.starts_at_us), key);
    check_event(mapper().clear_event(alert, record, alert.ends_at_us), key);
  }
  return 0;
}
