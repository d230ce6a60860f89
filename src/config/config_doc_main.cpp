// vesagent-config-doc: prints docs/configuration.md, generated from the configuration key table.
//   vesagent-config-doc > docs/configuration.md     regenerate
//   vesagent-config-doc --check docs/configuration.md   exit 1 when the file is not what would be generated
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "vesagent/config/loader.hpp"

int main(int argc, char** argv) {
  const std::string generated = vesagent::config::configuration_markdown();
  if (argc == 1) {
    std::cout << generated;
    return 0;
  }
  if (argc == 3 && std::string_view(argv[1]) == "--check") {
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) {
      std::cerr << "vesagent-config-doc: cannot read " << argv[2] << "\n";
      return 1;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (ss.str() == generated) return 0;
    std::cerr << argv[2] << " is out of date with the configuration key table; regenerate it with:\n"
              << "  vesagent-config-doc > " << argv[2] << "\n";
    return 1;
  }
  std::cerr << "usage: vesagent-config-doc [--check FILE]\n";
  return 2;
}
