#include "support/ves_validator.hpp"

#include <cstdio>

#include "support/temp_dir.hpp"

namespace vesagent::test {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::filesystem::path ves_schema_path(int ves_major) {
  return data_dir() / "ves" / "schemas" /
         (ves_major == 7 ? "CommonEventFormat_30.2.1_ONAP.json" : "CommonEventFormat_28.4.1.json");
}

ValidatorRun run_ves_validator(int ves_major, const std::vector<std::filesystem::path>& files) {
  ValidatorRun run;
  if (!std::filesystem::exists(kPython)) {
    run.output = std::string(kPython) + " not found (install python3 and python3-jsonschema)";
    return run;
  }
  const auto validator = data_dir().parent_path() / "support" / "validate_ves.py";
  std::string cmd = std::string(kPython) + " " + shell_quote(validator.string()) + " " +
                    shell_quote(ves_schema_path(ves_major).string());
  for (const auto& f : files) cmd += " " + shell_quote(f.string());
  cmd += " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    run.output = "popen failed for: " + cmd;
    return run;
  }
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  const int status = ::pclose(pipe);
  // Exit status of a normally ending child, as WEXITSTATUS computes it (the macro trips -Wold-style-cast).
  if (status != -1 && (status & 0x7f) == 0) run.exit_code = (status >> 8) & 0xff;
  return run;
}

}  // namespace vesagent::test
