// openstack_poll_bench: how much agent CPU a poll of a large cloud costs. The Keystone + Nova double serves
// N VMs (default 10,000, 1,000 per page = 10 pages) from its own thread; the OpenStack service polls it on the main
// thread, whose CPU time (CLOCK_THREAD_CPUTIME_ID) is the agent's cost. Prints, for a full poll and for incremental
// polls with 0, 100 and 1,000 changed VMs: agent CPU, wall time of the poll, and the process RSS.
//   openstack_poll_bench [--vms N] [--page-size N] [--failed-percent P]
#include <time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "support/openstack/openstack_double.hpp"
#include "support/temp_dir.hpp"
#include "vesagent/config/config.hpp"
#include "vesagent/core/event_sink.hpp"
#include "vesagent/http/client.hpp"
#include "vesagent/sources/openstack/openstack_service.hpp"
#include "vesagent/correlate/stage.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace {

using namespace vesagent;
namespace asio = boost::asio;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

struct CountingSink : core::EventSink {
  std::size_t events = 0;
  void submit(core::Event) override { ++events; }
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t vms = 10000;
  int page_size = 1000;
  int failed_percent = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--vms") vms = std::stoul(argv[i + 1]);
    if (a == "--page-size") page_size = std::stoi(argv[i + 1]);
    if (a == "--failed-percent") failed_percent = std::stoi(argv[i + 1]);
  }
  setenv("VESAGENT_TEST_DATA", VESAGENT_TEST_DATA_DIR, 0);
  telemetry::init_logging({"warn", "logfmt"});

  // The double, in its own thread.
  asio::io_context double_ioc{1};
  test::OpenStackDouble::Options o;
  o.max_limit = page_size;
  test::OpenStackDouble os(double_ioc.get_executor(), o);
  auto ids = os.add_servers(vms);
  for (std::size_t i = 0; i < vms; i += failed_percent > 0 ? static_cast<std::size_t>(100 / failed_percent) : vms) {
    os.set_status(ids[i], "SHUTOFF");
  }
  auto work = asio::make_work_guard(double_ioc);
  std::thread double_thread([&] { double_ioc.run(); });
  auto on_double = [&](auto fn) {
    std::promise<void> done;
    asio::post(double_ioc, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  };
  // Pre-render every server once so the double's first listing costs what the later ones do.
  const long rss_before = rss_kib();

  asio::io_context ioc{1};
  test::TempDir dir;
  http::Client client(ioc.get_executor());
  // The real correlation stage (fault decisions, persisted) on a memory-only outbox; the events are counted.
  CountingSink sink;
  outbox::Outbox box(ioc.get_executor());
  correlate::StageOptions so;
  so.state_directory = dir.path();
  correlate::Stage stage(so, sink, box);
  std::string error, warnings;
  if (!stage.open(error, warnings)) {
    std::fprintf(stderr, "correlation stage: %s\n", error.c_str());
    return 1;
  }
  box.set_state_log(stage.state_log());
  config::Config config;
  config.event.reporting_entity_name = "bench";
  config.openstack.interval = std::chrono::milliseconds(300);
  config.openstack.full_resync_interval = std::chrono::hours(1);
  config.openstack.page_size = page_size;
  config::OpenStackCloud cloud;
  cloud.name = "bench";
  cloud.auth_url = os.auth_url();
  cloud.username = "admin";
  cloud.password = "secret";
  cloud.project_name = "admin";
  config.openstack.clouds.push_back(cloud);
  sources::ServiceContext ctx;
  ctx.executor = ioc.get_executor();
  ctx.config = &config;
  ctx.client = &client;
  ctx.correlator = &stage;
  sources::openstack::OpenStackService service(ctx, {});

  auto run_until = [&](auto pred) {
    while (!pred()) ioc.run_for(std::chrono::milliseconds(1));
  };
  std::printf("openstack_poll_bench: %zu VMs, %d per page, %d%% in a fault state at start\n", vms, page_size,
              failed_percent);
  std::printf("%-32s %12s %12s %10s %10s\n", "poll", "agent_cpu_s", "poll_wall_s", "events", "rss_MiB");

  double cpu0 = thread_cpu_seconds();
  std::size_t events0 = sink.events;
  if (!service.start(error)) {
    std::fprintf(stderr, "start: %s\n", error.c_str());
    return 1;
  }
  run_until([&] { return service.cloud_status()[0].full_polls == 1; });
  auto report = [&](const char* what) {
    const auto s = service.cloud_status()[0];
    std::printf("%-32s %12.3f %12.3f %10zu %10.1f\n", what, thread_cpu_seconds() - cpu0, s.last_poll_seconds,
                sink.events - events0, static_cast<double>(rss_kib()) / 1024.0);
    cpu0 = thread_cpu_seconds();
    events0 = sink.events;
  };
  report("full (first, with raises)");

  // The double stamps every server "updated" at its creation, a moment ago; changes-since starts
  // changesSinceOverlap before the previous poll, so until that much time has passed an incremental poll still
  // lists all of them. In a real cloud most servers have not changed for hours: wait the overlap out first.
  const auto settle_until = std::chrono::steady_clock::now() + config.openstack.changes_since_overlap +
                            std::chrono::milliseconds(1500);
  run_until([&] { return std::chrono::steady_clock::now() >= settle_until; });

  for (std::size_t changes : {std::size_t{0}, std::size_t{100}, std::size_t{1000}}) {
    const auto polls = service.cloud_status()[0].incremental_polls;
    // Wait for a poll boundary, then change servers, then measure the next poll alone.
    run_until([&] { return service.cloud_status()[0].incremental_polls > polls; });
    on_double([&] {
      for (std::size_t i = 0; i < changes; ++i) os.set_status(ids[(i * 7 + 1) % vms], i % 2 == 0 ? "PAUSED" : "ACTIVE");
    });
    // Changes made in the same second as the previous poll are listed by the next two polls (the overlap).
    const auto now_polls = service.cloud_status()[0].incremental_polls;
    cpu0 = thread_cpu_seconds();
    events0 = sink.events;
    run_until([&] { return service.cloud_status()[0].incremental_polls > now_polls; });
    const std::string what = "incremental, " + std::to_string(changes) + " changed";
    report(what.c_str());
  }
  std::printf("rss before the service started (double's data included): %.1f MiB\n",
              static_cast<double>(rss_before) / 1024.0);
  service.stop();
  ioc.run_for(std::chrono::milliseconds(100));
  work.reset();
  double_ioc.stop();
  double_thread.join();
  return 0;
}
