#pragma once
/// Runs tests/support/validate_ves.py (Debian's python3-jsonschema) over request-body files with the official
/// schema of a VES version. Shared by every test that checks real encoder output against the schemas.
#include <filesystem>
#include <string>
#include <vector>

namespace vesagent::test {

struct ValidatorRun {
  int exit_code = -1;  ///< 0 all valid, 1 something invalid, 2 usage/schema problem, -1 could not run
  std::string output;  ///< one "OK"/"INVALID" line per event, then a summary
};

/// `ves_major` is 7 (CommonEventFormat_30.2.1_ONAP.json) or 5 (CommonEventFormat_28.4.1.json).
std::filesystem::path ves_schema_path(int ves_major);
ValidatorRun run_ves_validator(int ves_major, const std::vector<std::filesystem::path>& files);

}  // namespace vesagent::test
