// webhook_load: posts Alertmanager webhook payloads (version 4) to ves-agent over N keep-alive connections,
// at a fixed total rate or as fast as it can, and prints what the agent accepted and how fast it answered.
// Every alert has a fresh fingerprint, so every alert is a new fault (a raise), the expensive path.
//
//   webhook_load --target 127.0.0.1:9095 --path /alerts --connections 4 --alerts 10 --seconds 10 [--rate 100]
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
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
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "9095";
  std::string path = "/alerts";
  int connections = 4;
  int alerts = 10;
  double seconds = 10;
  double rate = 0;  // payloads per second over all connections; 0 = as fast as possible
};

struct Results {
  std::uint64_t payloads = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::vector<double> latency_ms;
};

std::uint64_t g_serial = 0;

std::string iso_now() {
  auto t = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(t);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us));
  return buf;
}

std::string payload(int alerts) {
  std::string now = iso_now();
  std::string body = R"({"version":"4","groupKey":"{}:{alertname=\"Load\"}","truncatedAlerts":0,"status":"firing",)"
                     R"("receiver":"ves","groupLabels":{"alertname":"Load"},"commonLabels":{"alertname":"Load"},)"
                     R"("commonAnnotations":{},"externalURL":"http://am:9093","alerts":[)";
  for (int i = 0; i < alerts; ++i) {
    std::uint64_t n = ++g_serial;
    char fp[17];
    std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(n * 0x9E3779B97F4A7C15ULL));
    if (i) body += ',';
    body += R"({"status":"firing","labels":{"alertname":"Load","severity":"major","instance":"vm-)" +
            std::to_string(n % 1000) + R"(","VNFC":"vm-)" + std::to_string(n % 1000) +
            R"("},"annotations":{"description":"load test alert )" + std::to_string(n) + R"("},"startsAt":")" + now +
            R"(","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom:9090/graph","fingerprint":")" + fp +
            R"("})";
  }
  body += "]}";
  return body;
}

asio::awaitable<void> connection(Options opt, Results& res, Clock::time_point end, double per_conn_rate) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  tcp::socket socket(ex);
  auto endpoints = co_await resolver.async_resolve(opt.host, opt.port, asio::use_awaitable);
  co_await asio::async_connect(socket, endpoints, asio::use_awaitable);
  socket.set_option(tcp::no_delay(true));
  asio::steady_timer pace(ex);
  auto next = Clock::now();
  asio::streambuf buf;
  while (Clock::now() < end) {
    if (per_conn_rate > 0) {
      next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / per_conn_rate));
      pace.expires_at(next);
      co_await pace.async_wait(asio::use_awaitable);
    }
    std::string body = payload(opt.alerts);
    std::string req = "POST " + opt.path + " HTTP/1.1\r\nHost: " + opt.host + "\r\nUser-Agent: webhook_load\r\n" +
                      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n" + body;
    auto t0 = Clock::now();
    co_await asio::async_write(socket, asio::buffer(req), asio::use_awaitable);
    co_await asio::async_read_until(socket, buf, "\r\n\r\n", asio::use_awaitable);
    std::string head(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
    auto header_end = head.find("\r\n\r\n") + 4;
    std::size_t content_length = 0;
    if (auto p = head.find("Content-Length: "); p != std::string::npos && p < header_end)
      content_length = std::strtoul(head.c_str() + p + 16, nullptr, 10);
    else if (auto q = head.find("content-length: "); q != std::string::npos && q < header_end)
      content_length = std::strtoul(head.c_str() + q + 16, nullptr, 10);
    buf.consume(header_end);
    if (buf.size() < content_length) {
      co_await asio::async_read(socket, buf, asio::transfer_exactly(content_length - buf.size()),
                                asio::use_awaitable);
    }
    buf.consume(content_length);
    res.latency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    ++res.payloads;
    if (head.compare(9, 3, "200") == 0)
      ++res.ok;
    else
      ++res.failed;
  }
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--target") {
      opt.host = v.substr(0, v.rfind(':'));
      opt.port = v.substr(v.rfind(':') + 1);
    } else if (k == "--path") {
      opt.path = v;
    } else if (k == "--connections") {
      opt.connections = std::atoi(v.c_str());
    } else if (k == "--alerts") {
      opt.alerts = std::atoi(v.c_str());
    } else if (k == "--seconds") {
      opt.seconds = std::atof(v.c_str());
    } else if (k == "--rate") {
      opt.rate = std::atof(v.c_str());
    } else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  asio::io_context ioc{1};
  Results res;
  auto start = Clock::now();
  auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.seconds));
  for (int c = 0; c < opt.connections; ++c) {
    asio::co_spawn(ioc, connection(opt, res, end, opt.rate / opt.connections), [](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          std::cerr << "connection failed: " << ex.what() << "\n";
        }
      }
    });
  }
  ioc.run();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("connections=%d alerts_per_payload=%d seconds=%.1f payloads=%llu ok=%llu failed=%llu "
              "alerts_accepted_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f loadgen_cpu_s=%.2f\n",
              opt.connections, opt.alerts, elapsed, static_cast<unsigned long long>(res.payloads),
              static_cast<unsigned long long>(res.ok), static_cast<unsigned long long>(res.failed),
              static_cast<double>(res.ok) * opt.alerts / elapsed, percentile(res.latency_ms, 0.50),
              percentile(res.latency_ms, 0.99), percentile(res.latency_ms, 0.999), cpu);
  return res.failed == 0 ? 0 : 1;
}
