#pragma once
/// The only sink: drains the outbox, in order, to the active collector, failing over from the primary to the
/// backup after `maxMissed` failed attempts spaced by `retryInterval`, and failing back once a probe finds the
/// primary answering again. Nothing accepted is dropped silently: delivered entries are acknowledged, rejected
/// ones (4xx other than 408/429) go to a dead-letter file, and everything else waits and is retried.
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

#include "vesagent/outbox/outbox.hpp"
#include "vesagent/publish/collector_endpoint.hpp"

namespace vesagent::publish {

struct PublisherSettings {
  std::chrono::milliseconds retry_interval{5000};
  int max_missed = 2;
  std::size_t max_body_bytes = 2000000;  ///< event.maxSize: a batch is cut before it grows past this
  std::size_t max_batch_events = 100;
  std::chrono::milliseconds probe_interval{5000};  ///< how often the primary is probed while on the backup
  std::filesystem::path dead_letter_file;          ///< rejected events are appended here, one JSON line each
};

struct PublisherStats {
  std::uint64_t posts = 0;
  std::uint64_t delivered_events = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t rejected_events = 0;
  std::uint64_t failovers = 0;
  std::uint64_t failbacks = 0;
  // Added for /metrics (issue 7): events per collector (0 = primary, 1 = backup) and domain, and when the last
  // delivery happened.
  struct EventCounts {
    std::uint64_t delivered = 0;
    std::uint64_t failed = 0;    ///< events in posts answered "retry" (they stay queued and are sent again)
    std::uint64_t rejected = 0;  ///< moved to the dead-letter file
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
  const CollectorEndpoint& active_endpoint() const { return *endpoints_[active_]; }
  const PublisherStats& stats() const { return stats_; }

 private:
  std::size_t next_batch_size() const;
  void dead_letter(const std::vector<outbox::Entry>& entries, const CollectorEndpoint& endpoint,
                   const Delivery& delivery);
  void switch_to(std::size_t index, const char* why, const std::string& error);

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
  bool stopping_ = false;
  bool outage_logged_ = false;
  PublisherStats stats_;
};

}  // namespace vesagent::publish
