#pragma once
/// The Alertmanager webhook: an HTTP listener on alertManager.bind that hands each alert of a notification to the
/// correlation stage as a fault observation (firing or resolved) and answers once the stage's commit says the
/// resulting events and decisions are durable: the events go to the outbox, never to a collector, before the
/// reply.
///
///   POST alertManager.path (default /alerts) or /api/v1/alerts
///   200 {"status":"success"}   every alert was handled (events and decisions durable; clustered, in etcd too)
///   400 <reason>               the body can never be processed (not JSON, wrong shape): Alertmanager gives up
///   401                        missing or wrong credentials (WWW-Authenticate says which scheme)
///   404 / 405 (Allow: POST)    other paths / other methods
///   413                        body over alertManager.maxBodySize (answered by http::Server)
///   415                        a Content-Type other than application/json (parameters such as charset are fine)
///   503 (Retry-After)          can_accept() said no (queue full, not the HA leader): Alertmanager retries soon
///
/// Threading and lifetime: everything runs on the executor given to the constructor. A bcrypt password check
/// runs on a private worker thread and resumes on that executor. The sink and the store are only used between
/// start() and stop(): a request still running when stop() is called (waiting for bcrypt) gets 503 and
/// does not touch the correlator, so it may be destroyed right after stop(). Internal state that such a request still
/// needs is shared with it, so destroying the Webhook while the loop still holds requests is safe.
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "vesagent/config/config.hpp"
#include "vesagent/core/error.hpp"
#include "vesagent/core/correlator.hpp"

namespace vesagent::http {
class Server;
}

namespace vesagent::sources::alertmanager {

/// Counters since start. Requests answered 413 by http::Server never reach the webhook and are not counted.
struct WebhookStats {
  std::map<int, std::uint64_t> requests;  ///< by HTTP status answered (200, 400, 401, 404, 405, 415, 503)
  std::uint64_t alerts_received = 0;      ///< alerts in accepted payloads
  std::uint64_t raises = 0;
  std::uint64_t updates = 0;              ///< severity changes of an active fault
  std::uint64_t clears = 0;               ///< including clears of superseded episodes
  std::uint64_t ignored = 0;              ///< repeats, stale or already-cleared observations: no event
  std::uint64_t commit_timeouts = 0;      ///< requests answered 503: events not durable within the read timeout

  std::uint64_t requests_with(int status) const {
    auto it = requests.find(status);
    return it == requests.end() ? 0 : it->second;
  }
};

/// A push-style source (start/stop). Copies what it needs from the Config at construction.
class Webhook {
 public:
  /// `can_accept` is asked before each notification is processed; false -> 503 with Retry-After and nothing
  /// processed. `correlator` must outlive the Webhook's running time (until stop()).
  Webhook(boost::asio::any_io_executor executor, const config::Config& config, core::Correlator& correlator,
          std::function<bool()> can_accept);
  ~Webhook();
  Webhook(const Webhook&) = delete;
  Webhook& operator=(const Webhook&) = delete;

  /// Binds alertManager.bind ("127.0.0.1:0" picks a free port) and starts serving. Returns the port or the
  /// bind error. The host is resolved synchronously: call before the loop serves traffic. Callable once.
  Result<std::uint16_t> start();
  /// Closes the listener and every connection; idempotent.
  void stop();

  std::uint16_t port() const;
  const WebhookStats& stats() const;

  /// Replaces the wall clock (µs since the epoch) used for lastEpochMicrosec and the observations' times; tests.
  void set_clock(std::function<std::int64_t()> now_us);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace vesagent::sources::alertmanager
