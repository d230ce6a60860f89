// Validates real encoder output against the official VES schemas with tests/support/validate_ves.py (Debian's
// python3-jsonschema), and proves with negative controls that the validator really rejects broken events.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fixtures.hpp"
#include "support/temp_dir.hpp"
#include "support/ves_validator.hpp"
#include "vesagent/ves/encode.hpp"

namespace vesagent::ves {
namespace {

namespace fs = std::filesystem;
using namespace vesagent::ves::test;


struct Validation {
  int exit_code = -1;
  std::string output;

  /// The validator printed an "INVALID" line for this file (or for a batch member of it).
  bool rejected(const fs::path& file) const { return count("INVALID " + file.string()) > 0; }
  bool accepted(const fs::path& file) const { return count("OK      " + file.string()) > 0 && !rejected(file); }
  /// Number of output lines starting with `prefix`.
  int count(const std::string& prefix) const {
    int n = 0;
    std::size_t start = 0;
    while (start < output.size()) {
      std::size_t end = output.find('\n', start);
      if (end == std::string::npos) end = output.size();
      if (std::string_view(output).substr(start, end - start).starts_with(prefix)) ++n;
      start = end + 1;
    }
    return n;
  }
};

Validation validate(Version version, const std::vector<fs::path>& files) {
  auto run = vesagent::test::run_ves_validator(static_cast<int>(version), files);
  return Validation{run.exit_code, std::move(run.output)};
}

std::string encode_ok(const core::Event& e, const EncodeContext& ctx) {
  std::string why;
  auto r = encode_event(e, ctx, &why);
  EXPECT_TRUE(r.has_value()) << why;
  return r.has_value() ? *r : std::string{};
}

/// Writes each event as a single body and each group as a batch; returns the files and the number of events.
struct Written {
  std::vector<fs::path> files;
  int events = 0;
};

Written write_bodies(const vesagent::test::TempDir& dir, const EncodeContext& ctx,
                     const std::vector<std::pair<std::string, core::Event>>& singles,
                     const std::vector<std::pair<std::string, std::vector<core::Event>>>& batches) {
  Written w;
  for (const auto& [name, event] : singles) {
    w.files.push_back(dir.write(name + ".json", wrap_single(encode_ok(event, ctx))));
    ++w.events;
  }
  for (const auto& [name, events] : batches) {
    std::vector<std::string> encoded;
    for (const auto& e : events) encoded.push_back(encode_ok(e, ctx));
    w.files.push_back(dir.write(name + ".json", wrap_batch(encoded)));
    w.events += static_cast<int>(events.size());
  }
  return w;
}

core::Event second_heartbeat() {
  core::Event e = heartbeat();
  e.event_id = "heartbeat0000000043";
  return e;
}

std::vector<std::pair<std::string, core::Event>> singles(Version v) {
  return {{"heartbeat", heartbeat()},
          {"heartbeat_with_fields", heartbeat_with_fields()},
          {"fault_raise", fault_raise()},
          {"fault_clear", fault_clear()},
          {"fault_minimal", fault_minimal()},
          {"fault_odd_strings", fault_odd_strings()},
          {"measurement", measurement(v)},
          {"measurement_empty", measurement_empty()}};
}

std::vector<std::pair<std::string, std::vector<core::Event>>> batches(Version v) {
  return {{"batch_faults", {fault_raise(), fault_clear(), fault_minimal(), fault_odd_strings()}},
          {"batch_measurements", {measurement(v), measurement_empty()}},
          {"batch_heartbeats", {heartbeat(), second_heartbeat()}}};
}

// A complete, valid v7 heartbeat body written by hand; kBadVersion differs only in the header version type.
constexpr const char* kHandMadeOk =
    R"({"event":{"commonEventHeader":{"domain":"heartbeat","eventId":"hb1","eventName":"Heartbeat_X",)"
    R"("lastEpochMicrosec":1716200000000000,"priority":"Normal","reportingEntityName":"r","sequence":0,)"
    R"("sourceName":"s","startEpochMicrosec":1716200000000000,"version":"4.1","vesEventListenerVersion":"7.2.1"}}})";
constexpr const char* kHandMadeBadVersion =
    R"({"event":{"commonEventHeader":{"domain":"heartbeat","eventId":"hb1","eventName":"Heartbeat_X",)"
    R"("lastEpochMicrosec":1716200000000000,"priority":"Normal","reportingEntityName":"r","sequence":0,)"
    R"("sourceName":"s","startEpochMicrosec":1716200000000000,"version":4.1,"vesEventListenerVersion":"7.2.1"}}})";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "'" << from << "' not in " << text;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

TEST(SchemaValidationTest, v7_encoder_output_passes_the_official_30_2_1_schema) {
  vesagent::test::TempDir dir;
  const EncodeContext ctx{Version::v7, "UTC+02:00"};
  Written w = write_bodies(dir, ctx, singles(Version::v7), batches(Version::v7));
  w.files.push_back(dir.write("handmade_ok.json", kHandMadeOk));
  ++w.events;
  // Without timeZoneOffset as well.
  w.files.push_back(dir.write("heartbeat_no_tz.json", wrap_single(encode_ok(heartbeat(), EncodeContext{}))));
  ++w.events;

  Validation v = validate(Version::v7, w.files);
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_EQ(v.count("OK "), w.events) << v.output;
  for (const auto& f : w.files) EXPECT_TRUE(v.accepted(f)) << f << "\n" << v.output;
}

TEST(SchemaValidationTest, v5_encoder_output_passes_the_official_28_4_1_schema) {
  vesagent::test::TempDir dir;
  const EncodeContext ctx{Version::v5, "UTC+02:00"};
  Written w = write_bodies(dir, ctx, singles(Version::v5), batches(Version::v5));
  Validation v = validate(Version::v5, w.files);
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_EQ(v.count("OK "), w.events) << v.output;
  for (const auto& f : w.files) EXPECT_TRUE(v.accepted(f)) << f << "\n" << v.output;
}

TEST(SchemaValidationTest, validator_rejects_broken_v7_bodies) {
  vesagent::test::TempDir dir;
  const EncodeContext v7{Version::v7, ""};
  const std::string hb = encode_ok(heartbeat(), v7);
  const std::string fault = encode_ok(fault_raise(), v7);
  const std::vector<fs::path> bad = {
      dir.write("handmade_version_number.json", kHandMadeBadVersion),
      dir.write("encoded_version_number.json", wrap_single(replaced(hb, R"("version":"4.1")", R"("version":4.1)"))),
      dir.write("interval_as_string.json",
                wrap_single(replaced(hb, R"("heartbeatInterval":60)", R"("heartbeatInterval":"60")"))),
      dir.write("unknown_header_key.json",
                wrap_single(replaced(fault, R"({"commonEventHeader":{)", R"({"commonEventHeader":{"foo":"bar",)"))),
      dir.write("hashmap_number.json",
                wrap_single(replaced(fault, R"("alertname":"HostCpuHigh")", R"("alertname":1)"))),
      dir.write("no_wrapper.json", hb),
      dir.write("mixed_batch.json", wrap_batch(std::vector<std::string>{hb, fault})),
      dir.write("empty_batch.json", wrap_batch(std::vector<std::string>{})),
      dir.write("v5_event_on_v7.json", wrap_single(encode_ok(heartbeat(), EncodeContext{Version::v5, ""}))),
  };
  Validation v = validate(Version::v7, bad);
  EXPECT_EQ(v.exit_code, 1) << v.output;
  for (const auto& f : bad) EXPECT_TRUE(v.rejected(f)) << f.filename() << " was not rejected:\n" << v.output;
}

TEST(SchemaValidationTest, validator_rejects_v7_shapes_on_v5) {
  vesagent::test::TempDir dir;
  const std::vector<fs::path> bad = {
      dir.write("v7_measurement.json", wrap_single(encode_ok(measurement_empty(), EncodeContext{}))),
      dir.write("v7_fault.json", wrap_single(encode_ok(fault_raise(), EncodeContext{}))),
      dir.write("version_string.json",
                wrap_single(replaced(encode_ok(heartbeat(), EncodeContext{Version::v5, ""}), R"("version":3.0)",
                                     R"("version":"3.0")"))),
  };
  Validation v = validate(Version::v5, bad);
  EXPECT_EQ(v.exit_code, 1) << v.output;
  for (const auto& f : bad) EXPECT_TRUE(v.rejected(f)) << f.filename() << " was not rejected:\n" << v.output;
}

}  // namespace
}  // namespace vesagent::ves
