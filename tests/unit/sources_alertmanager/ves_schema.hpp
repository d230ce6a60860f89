#pragma once
// Validates events against the official VES schemas with tests/support/validate_ves.py (Debian's
// python3-jsonschema), the way tests/unit/ves/schema_validation_test.cpp does.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "support/ves_validator.hpp"
#include "vesagent/core/event.hpp"
#include "vesagent/ves/encode.hpp"

namespace vesagent::sources::alertmanager::test {

struct SchemaResult {
  int exit_code = -1;
  std::string output;
  int ok_lines = 0;
};

/// Encodes each event for `version` as a single-event body and validates them all in one validator run.
inline SchemaResult validate_events(ves::Version version, const std::vector<core::Event>& events) {
  namespace fs = std::filesystem;
  SchemaResult result;
  vesagent::test::TempDir dir;
  std::vector<fs::path> files;
  const ves::EncodeContext ctx{version, version == ves::Version::v7 ? "UTC+00:00" : ""};
  for (std::size_t i = 0; i < events.size(); ++i) {
    std::string why;
    auto encoded = ves::encode_event(events[i], ctx, &why);
    EXPECT_TRUE(encoded.has_value()) << "event " << i << ": " << why;
    if (!encoded) continue;
    files.push_back(dir.write("event" + std::to_string(i) + ".json", ves::wrap_single(*encoded)));
  }
  auto run = vesagent::test::run_ves_validator(static_cast<int>(version), files);
  result.exit_code = run.exit_code;
  result.output = std::move(run.output);
  std::size_t pos = 0;
  while ((pos = result.output.find("OK ", pos)) != std::string::npos) {
    if (pos == 0 || result.output[pos - 1] == '\n') ++result.ok_lines;
    pos += 3;
  }
  return result;
}

/// Expects every event to encode and to pass the schema of `version`.
inline void expect_schema_valid(ves::Version version, const std::vector<core::Event>& events) {
  ASSERT_FALSE(events.empty());
  SchemaResult r = validate_events(version, events);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.ok_lines, static_cast<int>(events.size())) << r.output;
}

}  // namespace vesagent::sources::alertmanager::test
