#pragma once
// Validates events against the official VES schemas with tests/support/validate_ves.py (Debian's
// python3-jsonschema), the way tests/unit/ves/schema_validation_test.cpp does.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "vesagent/core/event.hpp"
#include "vesagent/ves/encode.hpp"

namespace vesagent::sources::alertmanager::test {

struct SchemaResult {
  int exit_code = -1;
  std::string output;
  int ok_lines = 0;
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Encodes each event for `version` as a single-event body and validates them all in one validator run.
inline SchemaResult validate_events(ves::Version version, const std::vector<core::Event>& events) {
  namespace fs = std::filesystem;
  SchemaResult result;
  vesagent::test::TempDir dir;
  const fs::path data = vesagent::test::data_dir();
  const fs::path schema = data / "ves" / "schemas" /
                          (version == ves::Version::v7 ? "CommonEventFormat_30.2.1_ONAP.json"
                                                       : "CommonEventFormat_28.4.1.json");
  const fs::path validator = data.parent_path() / "support" / "validate_ves.py";
  std::string cmd = "/usr/bin/python3 " + shell_quote(validator.string()) + " " + shell_quote(schema.string());
  const ves::EncodeContext ctx{version, version == ves::Version::v7 ? "UTC+00:00" : ""};
  for (std::size_t i = 0; i < events.size(); ++i) {
    std::string why;
    auto encoded = ves::encode_event(events[i], ctx, &why);
    EXPECT_TRUE(encoded.has_value()) << "event " << i << ": " << why;
    if (!encoded) continue;
    auto file = dir.write("event" + std::to_string(i) + ".json", ves::wrap_single(*encoded));
    cmd += " " + shell_quote(file.string());
  }
  cmd += " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    result.output = "popen failed: " + cmd;
    return result;
  }
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int status = ::pclose(pipe);
  // WEXITSTATUS without the macro (it trips -Wold-style-cast).
  if (status != -1 && (status & 0x7f) == 0) result.exit_code = (status >> 8) & 0xff;
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
