// ves-collector-sim: a VES collector stand-in for the README demo, the tests and operators trying a config.
// Exit codes: 0 after SIGTERM/SIGINT, 1 when it cannot start (bind, output or port file), 2 for bad flags.
#include <spdlog/logger.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <system_error>

#include "simulator/collector.hpp"
#include "simulator/options.hpp"
#include "vesagent/http/server.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace {

namespace sim = vesagent::simulator;

/// Writes the port through a temporary file and a rename, so a test polling for the file never reads it half
/// written.
bool write_port_file(const std::string& path, std::uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = sim::parse_options(argc, argv);
  if (!options.errors.empty()) {
    for (const auto& error : options.errors) std::cerr << "ves-collector-sim: " << error << '\n';
    std::cerr << "Try ves-collector-sim --help\n";
    return 2;
  }
  if (options.show_help) {
    std::cout << sim::help_text();
    return 0;
  }

  // stdout carries only the per-event summary lines; every log line goes to stderr (telemetry's sink).
  vesagent::telemetry::init_logging({options.log_level, "logfmt"});
  auto logger = vesagent::telemetry::logger("simulator");
  const auto q = [](std::string_view v) { return vesagent::telemetry::logfmt_value(v); };

  boost::asio::io_context ioc{1};
  std::unique_ptr<sim::Collector> collector;
  try {
    collector = std::make_unique<sim::Collector>(ioc.get_executor(), options.collector, &std::cout);
  } catch (const std::system_error& e) {
    logger->error("msg=\"Cannot start.\" error={}", q(e.what()));
    return 1;
  }

  vesagent::http::ServerOptions server_options;
  server_options.server_name = "ves-collector-sim";
  vesagent::http::Server server{
      ioc.get_executor(), server_options,
      [&collector](vesagent::http::ServerRequest request) { return collector->handle(std::move(request)); }};
  auto port = server.listen(options.listen);
  if (!port) {
    logger->error("msg=\"Cannot listen.\" address={} error={}", q(options.listen), q(port.error().message()));
    return 1;
  }
  if (!options.port_file.empty() && !write_port_file(options.port_file, *port)) {
    logger->error("msg=\"Cannot write the port file.\" path={}", q(options.port_file));
    return 1;
  }
  const auto& behaviour = collector->behaviour();
  logger->info("msg=\"Listening.\" address={} port={} root={} auth={} mode={} output={}", q(options.listen), *port,
               q("/" + options.collector.server_root), options.collector.user.empty() ? "none" : "basic",
               sim::to_string(behaviour.mode),
               q(options.collector.output_path.empty() ? "-" : options.collector.output_path));

  boost::asio::signal_set signals{ioc, SIGINT, SIGTERM};
  signals.async_wait([&server, &logger](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    logger->info("msg=\"Stopping.\" signal={}", signal_number);
    // Closing the listener and every connection (hung requests included) lets ioc.run() return.
    server.stop();
  });

  ioc.run();
  std::cout.flush();
  return 0;
}
