// webhook_load: posts Alertmanager webhook payloads (version 4) to ves-agent over N keep-alive connections,
// at a fixed total rate or as fast as it can, and prints what the agent accepted and how fast it answered.
// Every alert has a fresh fingerprint, so every alert is a new fault (a raise), the expensive path.
//
//   webhook_load --target 127.0.0.1:9095 [--path /alerts] [--connections 4] [--alerts 10] [--seconds 10]
//                [--rate PAYLOADS_PER_S] [--total-alerts N] [--serial-base N]
//
// --rate is payloads per second over all connections (0 = as fast as possible). --total-alerts stops after that
// many alerts (with --seconds 0: no time limit). Fingerprints are derived from a serial that starts at
// --serial-base (default: random), so runs against one agent never repeat an alert.
//
// Every alert carries the label bench_sent_ns: CLOCK_MONOTONIC nanoseconds when its payload was due (at a fixed
// rate the scheduled time, so a late send counts against the agent instead of hiding it; otherwise the moment
// the payload is written). The agent copies labels into alarmAdditionalInformation, so event_tap, reading what
// the collector received, can compute webhook-to-collector latency with the same clock.
//
// Output, one line of key=value (tests/bench/bench.py and tests/bench/outbox/webhook_ab.sh parse it):
//   connections alerts_per_payload seconds payloads ok failed alerts_accepted_per_s p50_ms p99_ms p999_ms
//   loadgen_cpu_s alerts_ok payloads_per_s max_ms serial_base
// Latencies are from the payload's due time to the end of the answer.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC on Linux, the clock event_tap uses

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "9095";
  std::string path = "/alerts";
  int connections = 4;
  int alerts = 10;
  double seconds = 10;
  double rate = 0;                 // payloads per second over all connections; 0 = as fast as possible
  std::uint64_t total_alerts = 0;  // 0 = no limit
  std::uint64_t serial_base = 0;
};

struct Results {
  std::uint64_t payloads = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t alerts_started = 0;  // alerts put into payloads so far (for --total-alerts)
  std::vector<double> latency_ms;
};

std::string iso_utc(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::system_clock::to_time_t(t);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us));
  return buf;
}

std::int64_t mono_ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

/// One webhook body with `alerts` new alerts, serials first_serial, first_serial + 1, ...
std::string payload(int alerts, std::uint64_t first_serial, Clock::time_point due) {
  const std::string now = iso_utc(std::chrono::system_clock::now());
  const std::string sent = std::to_string(mono_ns(due));
  std::string body;
  body.reserve(200 + static_cast<std::size_t>(alerts) * 420);
  body += R"({"version":"4","groupKey":"{}:{alertname=\"Load\"}","truncatedAlerts":0,"status":"firing",)"
          R"("receiver":"ves","groupLabels":{"alertname":"Load"},"commonLabels":{"alertname":"Load"},)"
          R"("commonAnnotations":{},"externalURL":"http://am:9093","alerts":[)";
  for (int i = 0; i < alerts; ++i) {
    const std::uint64_t n = first_serial + static_cast<std::uint64_t>(i);
    char fp[17];
    std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(n * 0x9E3779B97F4A7C15ULL));
    const std::string vm = std::to_string(n % 1000);
    if (i) body += ',';
    body += R"({"status":"firing","labels":{"alertname":"Load","bench_sent_ns":")";
    body += sent;
    body += R"(","instance":"vm-)";
    body += vm;
    body += R"(","severity":"major","VNFC":"vm-)";
    body += vm;
    body += R"("},"annotations":{"description":"load test alert )";
    body += std::to_string(n);
    body += R"("},"startsAt":")";
    body += now;
    body += R"(","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom:9090/graph","fingerprint":")";
    body += fp;
    body += R"("})";
  }
  body += "]}";
  return body;
}

asio::awaitable<void> connection(const Options& opt, Results& res, std::uint64_t& next_serial, Clock::time_point end,
                                 double per_conn_rate) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  tcp::socket socket(ex);
  auto endpoints = co_await resolver.async_resolve(opt.host, opt.port, asio::use_awaitable);
  co_await asio::async_connect(socket, endpoints, asio::use_awaitable);
  socket.set_option(tcp::no_delay(true));
  asio::steady_timer pace(ex);
  auto next = Clock::now();
  asio::streambuf buf;
  const auto per_alert = static_cast<std::uint64_t>(opt.alerts);
  while (Clock::now() < end) {
    if (opt.total_alerts != 0 && res.alerts_started >= opt.total_alerts) break;
    Clock::time_point due;
    if (per_conn_rate > 0) {
      next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / per_conn_rate));
      pace.expires_at(next);
      co_await pace.async_wait(asio::use_awaitable);
      due = next;  // a late send counts from when it was due (no coordinated omission)
    } else {
      due = Clock::now();
    }
    const std::uint64_t first = next_serial;
    next_serial += per_alert;
    res.alerts_started += per_alert;
    std::string body = payload(opt.alerts, first, due);
    std::string req = "POST " + opt.path + " HTTP/1.1\r\nHost: " + opt.host + "\r\nUser-Agent: webhook_load\r\n" +
                      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n" + body;
    co_await asio::async_write(socket, asio::buffer(req), asio::use_awaitable);
    co_await asio::async_read_until(socket, buf, "\r\n\r\n", asio::use_awaitable);
    std::string head(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
    auto header_end = head.find("\r\n\r\n") + 4;
    std::size_t content_length = 0;
    for (const char* name : {"Content-Length: ", "content-length: "}) {
      if (auto p = head.find(name); p != std::string::npos && p < header_end) {
        content_length = std::strtoul(head.c_str() + p + 16, nullptr, 10);
        break;
      }
    }
    buf.consume(header_end);
    if (buf.size() < content_length) {
      co_await asio::async_read(socket, buf, asio::transfer_exactly(content_length - buf.size()),
                                asio::use_awaitable);
    }
    buf.consume(content_length);
    res.latency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
    ++res.payloads;
    if (head.compare(9, 3, "200") == 0)
      ++res.ok;
    else
      ++res.failed;
  }
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  opt.serial_base = std::random_device{}() * 1000003ULL + std::random_device{}();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--target") {
      opt.host = v.substr(0, v.rfind(':'));
      opt.port = v.substr(v.rfind(':') + 1);
    } else if (k == "--path") {
      opt.path = v;
    } else if (k == "--connections") {
      opt.connections = std::max(1, std::atoi(v.c_str()));
    } else if (k == "--alerts") {
      opt.alerts = std::max(1, std::atoi(v.c_str()));
    } else if (k == "--seconds") {
      opt.seconds = std::atof(v.c_str());
    } else if (k == "--rate") {
      opt.rate = std::atof(v.c_str());
    } else if (k == "--total-alerts") {
      opt.total_alerts = std::strtoull(v.c_str(), nullptr, 10);
    } else if (k == "--serial-base") {
      opt.serial_base = std::strtoull(v.c_str(), nullptr, 10);
    } else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::cerr << "option " << argv[argc - 1] << " needs a value\n";
    return 2;
  }
  asio::io_context ioc{1};
  Results res;
  std::uint64_t next_serial = opt.serial_base;
  const auto start = Clock::now();
  const auto end = opt.seconds > 0 ? start + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(opt.seconds))
                                   : Clock::time_point::max();
  bool connection_failed = false;
  for (int c = 0; c < opt.connections; ++c) {
    asio::co_spawn(ioc, connection(opt, res, next_serial, end, opt.rate / opt.connections),
                   [&connection_failed](std::exception_ptr e) {
                     if (!e) return;
                     connection_failed = true;
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       std::cerr << "connection failed: " << ex.what() << "\n";
                     }
                   });
  }
  ioc.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::sort(res.latency_ms.begin(), res.latency_ms.end());
  const double alerts_ok = static_cast<double>(res.ok) * opt.alerts;
  std::printf("connections=%d alerts_per_payload=%d seconds=%.3f payloads=%llu ok=%llu failed=%llu "
              "alerts_accepted_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f loadgen_cpu_s=%.2f "
              "alerts_ok=%.0f payloads_per_s=%.1f max_ms=%.3f serial_base=%llu\n",
              opt.connections, opt.alerts, elapsed, static_cast<unsigned long long>(res.payloads),
              static_cast<unsigned long long>(res.ok), static_cast<unsigned long long>(res.failed),
              alerts_ok / elapsed, percentile(res.latency_ms, 0.50), percentile(res.latency_ms, 0.99),
              percentile(res.latency_ms, 0.999), cpu, alerts_ok, static_cast<double>(res.payloads) / elapsed,
              res.latency_ms.empty() ? 0.0 : res.latency_ms.back(),
              static_cast<unsigned long long>(opt.serial_base));
  return res.failed == 0 && !connection_failed ? 0 : 1;
}
