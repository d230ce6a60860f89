#pragma once
// Recorded Alertmanager 0.25 payloads (tests/data/alertmanager, see SOURCES.md) and small helpers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "vesagent/config/config.hpp"
#include "vesagent/sources/alertmanager/payload.hpp"

namespace vesagent::sources::alertmanager::test {

/// Every recorded payload, by file stem.
inline const std::vector<std::string>& fixture_names() {
  static const std::vector<std::string> kNames = {
      "01_firing_single_alert",  "02_firing_group_of_3",       "03_toggle_fire_3_targets",
      "04_toggle_mixed_2_firing_1_resolved", "05_toggle_all_resolved", "06_repeat_interval_resend",
      "07_toggle_textfile_firing", "08_toggle_textfile_resolved", "10_group_by_empty_all_alerts_one_group",
      "11_max_alerts_3_truncated"};
  return kNames;
}

/// The body exactly as Alertmanager sent it (from the .http recording: one JSON line, '&' as \u0026).
inline std::string wire_body(const std::string& name) {
  const std::string text = vesagent::test::read_text(vesagent::test::data_dir() / "alertmanager" / (name + ".http"));
  auto blank = text.find("\n\n");
  EXPECT_NE(blank, std::string::npos) << name << ".http not found or without a header/body separator";
  return blank == std::string::npos ? std::string{} : text.substr(blank + 2);
}

/// The pretty-printed .json copy of the same body.
inline std::string pretty_body(const std::string& name) {
  std::string text = vesagent::test::read_text(vesagent::test::data_dir() / "alertmanager" / (name + ".json"));
  EXPECT_FALSE(text.empty()) << name << ".json not found";
  return text;
}

inline Payload parse_ok(const std::string& body) {
  std::string why;
  auto r = parse_payload(body, why);
  EXPECT_TRUE(r.has_value()) << why;
  return r.has_value() ? *r : Payload{};
}

/// A Config as config::load() leaves it for a VESPA user: nfNamingCode, nfcNamingCodes, reporting entity.
inline config::Config vespa_config() {
  config::Config c;
  c.event.vnf_name = "dpa2bhsxp5001v";
  c.event.nf_naming_code = "hsxp";
  c.event.reporting_entity_name = "ves-agent-host";
  c.event.reporting_entity_id = "1af5bfa9-40b4-4522-b045-40e54f0310fc";
  c.event.nfc_naming_codes = {{"oam", {"vnfc-test-01", "lr-ope-0"}}, {"etl", {"vnfc-test-03"}}};
  return c;
}

}  // namespace vesagent::sources::alertmanager::test
