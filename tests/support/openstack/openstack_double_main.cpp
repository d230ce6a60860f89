// openstack-double: the Keystone + Nova test double as a program, for the e2e tests and the benchmark.
//   openstack-double [--listen-port-file FILE] [--servers N] [--token-ttl SECONDS] [--data-dir DIR]
//                    [--user NAME --password SECRET] [--max-limit N] [--max-microversion 2.60]
// Listens on 127.0.0.1:<free port> (written to the port file), serves Keystone under /identity/v3 and Nova under
// /compute/v2.1, and is driven through /_control/* (see openstack_double.cpp). Stops on SIGTERM/SIGINT.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "support/openstack/openstack_double.hpp"

int main(int argc, char** argv) {
  vesagent::test::OpenStackDouble::Options options;
  std::string port_file;
  std::size_t servers = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << a << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--port-file") {
      port_file = next();
    } else if (a == "--servers") {
      servers = std::stoul(next());
    } else if (a == "--token-ttl") {
      options.token_ttl = std::chrono::seconds(std::stol(next()));
    } else if (a == "--data-dir") {
      options.data_dir = next();
    } else if (a == "--user") {
      options.username = next();
    } else if (a == "--password") {
      options.password = next();
    } else if (a == "--max-limit") {
      options.max_limit = std::stoi(next());
    } else if (a == "--max-microversion") {
      options.max_microversion = next();
    } else if (a == "--link-prefix") {
      options.link_prefix = next();
    } else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  boost::asio::io_context ioc{1};
  vesagent::test::OpenStackDouble os(ioc.get_executor(), options);
  if (servers > 0) os.add_servers(servers);
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << os.port() << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::cout << "openstack-double listening on 127.0.0.1:" << os.port() << " auth_url=" << os.auth_url() << std::endl;
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
  ioc.run();
  return 0;
}
