#pragma once
/// The only sink: drains the outbox, in order, to the active collector. Nothing accepted is dropped silently:
///   - delivered (2xx): acknowledged;
///   - retry (no answer, 5xx, 408, 429): kept; after `maxMissed` failed attempts spaced by `retryInterval` the
///     other collector takes over;
///   - endpoint_error (3xx, 401, 403, 404, 405, 407, 415, TLS...): kept; the endpoint is marked unusable and the
///     other collector takes over at once (retrying a wrong password or path cannot help). The cause and the
///     likely fix are logged once per streak. With both collectors unusable the events wait, an error is logged
///     periodically, and each collector is tried again every retryInterval, in turn;
///   - event_rejected (400 with the collector's exception, 413/422 for one event): a batch is resent one event at
///     a time so only the culprit goes; a single event goes to the dead-letter store;
///   - batch_too_large (413 for a batch): later batches hold at most half as many events.
/// The fail-back probe (CollectorEndpoint::probe) runs while the backup is active and fails back only when the
/// primary answers like a working collector.
///
/// Threading: one executor. run() and probe_primary() are long-lived coroutines co_spawned by the app.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "vesagent/outbox/dead_letter_store.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/publish/collector_endpoint.hpp"

namespace vesagent::publish {

struct PublisherSettings {
  std::chrono::milliseconds retry_interval{5000};
  int max_missed = 2;
  std::size_t max_body_bytes = 2000000;  ///< event.maxSize: a batch is cut before it grows past this
  std::size_t max_batch_events = 100;
  std::chrono::milliseconds probe_interval{5000};  ///< how often the primary is probed while on the backup
  /// Where refused events go; null = nowhere but the log (tests).
  outbox::DeadLetterStore* dead_letters = nullptr;
  /// While no collector is usable, the error saying so is repeated at most this often.
  std::chrono::milliseconds unusable_log_interval{60000};
};

struct PublisherStats {
  std::uint64_t posts = 0;
  std::uint64_t delivered_events = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t rejected_events = 0;
  std::uint64_t failovers = 0;
  std::uint64_t failbacks = 0;
  std::uint64_t endpoint_errors = 0;  ///< posts and probes answered with an endpoint error
  std::uint64_t batch_splits = 0;     ///< batches resent one by one (400) or in smaller batches (413)
  // Events per collector (0 = primary, 1 = backup) and domain, and when the last delivery happened.
  struct EventCounts {
    std::uint64_t delivered = 0;
    std::uint64_t failed = 0;    ///< events in posts answered retry or endpoint_error (kept, sent again)
    std::uint64_t rejected = 0;  ///< moved to the dead-letter store
  };
  std::map<std::pair<std::size_t, core::Domain>, EventCounts> events;
  std::int64_t last_delivery_us = 0;  ///< wall clock of the last delivered post; 0 = none yet
};

class FailoverPublisher {
 public:
  using CommandHandler = std::function<void(const std::vector<ves::Command>&)>;

  FailoverPublisher(boost::asio::any_io_executor executor, outbox::Outbox& outbox,
                    std::unique_ptr<CollectorEndpoint> primary, std::unique_ptr<CollectorEndpoint> backup,
                    PublisherSettings settings, CommandHandler on_commands);
  ~FailoverPublisher();

  /// Delivers until stopped: returns once stop_when_drained() was called and the outbox is empty.
  /// Cancelling it (the shutdown deadline) leaves undelivered entries in the outbox.
  boost::asio::awaitable<void> run();
  /// While the backup is active, probes the primary every probe_interval and fails back when it answers.
  boost::asio::awaitable<void> probe_primary();

  /// Asks run() to return as soon as everything queued is delivered.
  void stop_when_drained();

  /// Replaces the collectors (config reload). Takes effect at the next post; the primary becomes active.
  void set_endpoints(std::unique_ptr<CollectorEndpoint> primary, std::unique_ptr<CollectorEndpoint> backup);

  bool on_backup() const { return active_ == 1; }
  /// Why collector `index` (0 = primary, 1 = backup) is unusable (an endpoint error's reason), or empty while it
  /// is not known to be.
  const std::string& endpoint_problem(std::size_t index) const { return problem_[index == 0 ? 0 : 1]; }
  const CollectorEndpoint& active_endpoint() const { return *endpoints_[active_]; }
  const PublisherStats& stats() const { return stats_; }

 private:
  std::size_t next_batch_size() const;
  void dead_letter(const outbox::Entry& entry, const CollectorEndpoint& endpoint, const Delivery& delivery);
  void switch_to(std::size_t index, const char* why, const std::string& error);
  /// Marks endpoint `index` unusable with this reason; logs the reason once per streak (and when it changes).
  void note_endpoint_error(std::size_t index, const Delivery& delivery);
  /// Endpoint `index` works again: forgets its problem, logs the end of the streak.
  void note_usable(std::size_t index);
  boost::asio::awaitable<bool> wait_retry_interval();

  outbox::Outbox& outbox_;
  // shared: a reload may replace an endpoint while a post or probe on the old one is still in flight.
  std::shared_ptr<CollectorEndpoint> endpoints_[2];
  std::size_t active_ = 0;
  PublisherSettings settings_;
  CommandHandler on_commands_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer probe_timer_;
  int failures_on_active_ = 0;
  std::size_t singles_left_ = 0;  ///< after a rejected batch, its entries are retried one by one
  std::size_t batch_cap_ = 0;     ///< after a 413 for a batch: most events per batch (0 = settings)
  bool stopping_ = false;
  bool outage_logged_ = false;
  std::string problem_[2];        ///< endpoint_problem()
  std::chrono::steady_clock::time_point unusable_logged_{};  ///< last "no collector usable" error
  PublisherStats stats_;
};

}  // namespace vesagent::publish
