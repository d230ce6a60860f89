#pragma once
/// Command line of ves-collector-sim.
#include <string>
#include <vector>

#include "simulator/collector.hpp"

namespace vesagent::simulator {

/// What the ves-collector-sim process should do; filled from argv by parse_options().
struct Options {
  std::string listen = "127.0.0.1:8080";
  std::string port_file;  ///< the bound port is written here once listening; empty = not written
  std::string log_level = "info";
  bool show_help = false;
  CollectorOptions collector;
  std::vector<std::string> errors;  ///< unknown flag, missing or bad value; the process exits 2 if any
};

/// Accepts "--flag value" and "--flag=value".
Options parse_options(int argc, const char* const* argv);

/// The --help text.
std::string help_text();

}  // namespace vesagent::simulator
