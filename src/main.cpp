// ves-agent: main owns the process (flags, config, signals, systemd notification, exit code); app::App owns the
// pipeline. Exit codes: 0 clean stop, 1 invalid configuration or start-up failure (or, with --once, events left
// undelivered or rejected), 2 bad command line.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <span>
#include <string_view>

#include "vesagent/app/app.hpp"
#include "vesagent/app/source_checks.hpp"
#include "vesagent/cli/dead_letters_command.hpp"
#include "vesagent/cli/options.hpp"
#include "vesagent/config/loader.hpp"
#include "vesagent/systemd/notify.hpp"
#include "vesagent/telemetry/logging.hpp"
#include "vesagent/version.hpp"

namespace {

using namespace vesagent;

/// Reads file + environment + flags. The default file may be absent (built-in defaults apply); a file named with
/// --config.file must exist.
config::LoadResult load_config(const cli::Options& options) {
  config::Inputs inputs;
  std::vector<config::Diagnostic> read_errors;
  std::error_code ec;
  if (options.config_file_given || std::filesystem::exists(options.config_file, ec)) {
    config::read_file(options.config_file, inputs, read_errors);
  }
  inputs.env = config::process_environment();
  inputs.flags = options.overrides;
  if (!read_errors.empty()) {
    config::LoadResult r;
    r.errors = std::move(read_errors);
    return r;
  }
  config::LoadResult result = config::load(inputs);
  app::check_sources(result);
  return result;
}

void print_diagnostics(const config::LoadResult& r, const std::string& file) {
  for (const auto& w : r.warnings) std::cerr << "warning: " << w.to_string(file) << "\n";
  for (const auto& e : r.errors) std::cerr << "error: " << e.to_string(file) << "\n";
}

/// Outside systemd (no NOTIFY_SOCKET) this does nothing; a failed send is logged at debug level only, as
/// sd_notify() callers usually do: the agent works the same without a service manager.
void notify(const char* state) {
  std::string error;
  if (!systemd::notify(state, &error) && !error.empty()) {
    telemetry::logger("main")->debug("msg=\"Cannot notify the service manager.\" error={}",
                                     telemetry::logfmt_value(error));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "dead-letters") {
    telemetry::init_logging({"warn", "logfmt"});
    return cli::run_dead_letters(std::span<const char* const>(argv + 2, static_cast<std::size_t>(argc - 2)),
                                 std::cout, std::cerr);
  }
  cli::Options options = cli::parse(argc, argv);
  if (options.show_help) {
    std::cout << cli::help_text();
    return 0;
  }
  if (options.show_version) {
    std::cout << "ves-agent " << kVersion << "\n";
    return 0;
  }
  if (!options.errors.empty()) {
    for (const auto& e : options.errors) std::cerr << "error: " << e << "\n";
    std::cerr << "Run 'ves-agent --help' for the list of flags.\n";
    return 2;
  }

  config::LoadResult loaded = load_config(options);
  print_diagnostics(loaded, options.config_file);
  if (!loaded.ok()) {
    std::cerr << "ves-agent: configuration is invalid (" << loaded.errors.size() << " error"
              << (loaded.errors.size() == 1 ? "" : "s") << ")\n";
    return 1;
  }
  if (options.check_config) {
    std::cout << "ves-agent: configuration is valid\n";
    return 0;
  }
  if (options.print_config) {
    std::cout << config::to_redacted_yaml(loaded.config);
    return 0;
  }

  telemetry::init_logging({loaded.config.log.level, loaded.config.log.format});
  auto log = telemetry::logger("main");
  log->info("msg=\"Starting ves-agent\" version={} config={}", kVersion, options.config_file);
  for (const auto& w : loaded.warnings) log->warn("msg={}", telemetry::logfmt_value(w.to_string(options.config_file)));

  boost::asio::io_context ioc{1};
  app::RunOptions run;  // --dry-run / --once (issue 7)
  run.dry_run = options.dry_run;
  run.once = options.once;
  app::App app(ioc.get_executor(), loaded.config, run);
  app.on_stopped([&ioc] { ioc.stop(); });

  boost::asio::signal_set signals(ioc, SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
          notify("RELOADING=1");
          auto reloaded = load_config(options);
          if (!reloaded.ok()) {
            for (const auto& e : reloaded.errors)
              log->error("msg=\"Reload refused; keeping the running configuration\" error={}",
                         telemetry::logfmt_value(e.to_string(options.config_file)));
          } else {
            app.reload(std::move(reloaded.config));
          }
          notify("READY=1");
        } else {
          log->info("msg=\"Received signal; shutting down\" signal={}", signo == SIGTERM ? "SIGTERM" : "SIGINT");
          notify("STOPPING=1");
          app.stop();
        }
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  std::string error;
  if (auto started = app.start(error); !started) {
    log->error("msg=\"Cannot start\" error={}", telemetry::logfmt_value(error));
    return 1;
  }
  notify("READY=1");

  // systemd watchdog: pinged from the event loop itself, so a stuck loop stops the pings.
  boost::asio::steady_timer watchdog(ioc);
  const std::chrono::microseconds watchdog_ping = systemd::watchdog_ping_interval();
  std::function<void(const boost::system::error_code&)> on_watchdog = [&](const boost::system::error_code& ec) {
    if (ec) return;
    notify("WATCHDOG=1");
    watchdog.expires_after(watchdog_ping);
    watchdog.async_wait(on_watchdog);
  };
  if (watchdog_ping.count() > 0) on_watchdog({});

  ioc.run();
  const auto status = app.status();
  log->info("msg=\"Stopped\" undelivered={}", status.queued);
  telemetry::flush_suppressed_logs();  // the last "repeated=N" counts, before the process ends
  // --once is used from scripts and timers: say with the exit code whether everything reached a collector.
  if (options.once && (status.queued > 0 || status.rejected > 0)) return 1;
  return 0;
}
