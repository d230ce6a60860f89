// amqp-probe: amqp::Consumer with the notification parser, as a program the integration tests drive. It does what
// the OpenStack source does with a message, minus the VM lifecycle: parse it, report it on stdout, and acknowledge
// it; an unreadable message is logged, counted and acknowledged (Ack::ack_unreadable). On SIGTERM it prints the
// consumer's final counters: {"event":"stopped","unreadable":N,"acked":N,"delivered":N}.
//   amqp-probe --url URL [--url URL...] [--queue NAME] [--exchange NAME] [--prefetch N] [--heartbeat S] [--hold]
//              [--ca FILE] [--insecure] [--quiet]
// stdout, one JSON object per line: {"event":"status",...} on each connection change, {"event":"message",...} per
// notification, {"event":"unreadable","why":...} per unreadable message, {"event":"acked","count":N}.
// --hold: keep every message unacknowledged until a line "ack" arrives on stdin (then acknowledge all held).
// --quiet: instead of a line per message, {"event":"count","messages":N} per 1000 messages (throughput runs).
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/streambuf.hpp>
#include <cstdlib>
#include <iostream>
#include <istream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "vesagent/amqp/consumer.hpp"
#include "vesagent/sources/openstack/notification.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace asio = boost::asio;
using nlohmann::json;

namespace {

void emit(const json& j) { std::cout << j.dump() << std::endl; }

}  // namespace

int main(int argc, char** argv) {
  vesagent::amqp::ConsumerOptions options;
  options.name = "probe";
  options.heartbeat = std::chrono::seconds(5);
  options.reconnect_initial = std::chrono::milliseconds(200);
  options.reconnect_max = std::chrono::milliseconds(2000);
  bool hold = false;
  bool quiet = false;
  std::uint64_t handled = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << a << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--url") {
      options.urls.push_back(next());
    } else if (a == "--queue") {
      options.queue = next();
    } else if (a == "--exchange") {
      options.exchange = next();
    } else if (a == "--prefetch") {
      options.prefetch = static_cast<std::uint16_t>(std::stoi(next()));
    } else if (a == "--heartbeat") {
      options.heartbeat = std::chrono::seconds(std::stoi(next()));
    } else if (a == "--ca") {
      options.tls.ca_cert = next();
    } else if (a == "--insecure") {
      options.tls.verify = false;
    } else if (a == "--quiet") {
      quiet = true;
    } else if (a == "--hold") {
      hold = true;
    } else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  vesagent::telemetry::init_logging({});
  asio::io_context ioc{1};
  std::vector<vesagent::amqp::Ack> held;
  vesagent::amqp::Consumer consumer(
      ioc.get_executor(), options,
      [&](vesagent::amqp::Message m, vesagent::amqp::Ack ack) {
        std::string why;
        auto n = vesagent::sources::openstack::parse_notification(m.body, &why);
        if (!n) {
          emit({{"event", "unreadable"}, {"routing_key", m.routing_key}, {"why", why}});
          ack.ack_unreadable(why);
          return;
        }
        if (quiet) {
          if (++handled % 1000 == 0) emit({{"event", "count"}, {"messages", handled}});
          ack.ack();
          return;
        }
        json j = {{"event", "message"},
                  {"routing_key", m.routing_key},
                  {"redelivered", m.redelivered},
                  {"message_id", n->envelope.message_id},
                  {"event_type", n->envelope.event_type}};
        if (n->instance) {
          j["uuid"] = n->instance->uuid;
          j["status"] = n->instance->status();
        }
        if (n->service) j["host"] = n->service->host;
        emit(j);
        if (hold) {
          held.push_back(std::move(ack));
        } else {
          ack.ack();
        }
      },
      [](const vesagent::amqp::ConnectionStatus& s) {
        emit({{"event", "status"},
              {"connected", s.connected},
              {"broker", s.broker},
              {"error", s.last_error},
              {"connects", s.connects},
              {"failures", s.failures}});
      });
  consumer.start();

  asio::posix::stream_descriptor input(ioc, ::dup(STDIN_FILENO));
  asio::streambuf buffer;
  std::function<void()> read_line = [&] {
    asio::async_read_until(input, buffer, '\n', [&](boost::system::error_code ec, std::size_t) {
      if (ec) return;  // stdin closed: keep running until a signal
      std::istream in(&buffer);
      std::string line;
      std::getline(in, line);
      if (line == "ack") {
        const auto count = held.size();
        for (auto& a : held) a.ack();
        held.clear();
        emit({{"event", "acked"}, {"count", count}});
      }
      read_line();
    });
  };
  read_line();
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    consumer.stop();
    const auto st = consumer.status();
    emit({{"event", "stopped"}, {"unreadable", st.unreadable}, {"acked", st.acked}, {"delivered", st.delivered}});
    input.close();
    ioc.stop();
  });
  ioc.run();
  return 0;
}
