#include "vesagent/publish/failover_publisher.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "vesagent/core/clock.hpp"
#include "vesagent/outbox/dead_letter_file.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace vesagent::publish {

namespace asio = boost::asio;

namespace {
// Bytes of {"eventList":[...]} around the events, plus one comma per event.
constexpr std::size_t kBatchOverhead = 16;

}  // namespace

FailoverPublisher::FailoverPublisher(asio::any_io_executor executor, outbox::Outbox& outbox,
                                     std::unique_ptr<CollectorEndpoint> primary,
                                     std::unique_ptr<CollectorEndpoint> backup, PublisherSettings settings,
                                     CommandHandler on_commands)
    : outbox_(outbox),
      settings_(std::move(settings)),
      on_commands_(std::move(on_commands)),
      retry_timer_(executor),
      probe_timer_(executor) {
  endpoints_[0] = std::move(primary);
  endpoints_[1] = std::move(backup);
  if (settings_.max_missed < 1) settings_.max_missed = 1;
}

FailoverPublisher::~FailoverPublisher() = default;

void FailoverPublisher::stop_when_drained() {
  stopping_ = true;
  outbox_.wake();
}

void FailoverPublisher::set_endpoints(std::unique_ptr<CollectorEndpoint> primary,
                                      std::unique_ptr<CollectorEndpoint> backup) {
  endpoints_[0] = std::move(primary);
  endpoints_[1] = std::move(backup);
  active_ = 0;
  failures_on_active_ = 0;
}

std::size_t FailoverPublisher::next_batch_size() const {
  const auto& entries = outbox_.entries();
  if (entries.empty()) return 0;
  if (singles_left_ > 0) return 1;
  // A batch holds consecutive entries of one domain only (the collector rejects mixed batches whole) and stays
  // under event.maxSize. Order is kept: a batch never skips over an entry of another domain.
  const auto domain = entries.front().domain;
  std::size_t n = 0;
  std::size_t bytes = kBatchOverhead;
  for (const auto& e : entries) {
    if (e.domain != domain || n >= settings_.max_batch_events) break;
    if (n > 0 && bytes + e.json.size() + 1 > settings_.max_body_bytes) break;
    bytes += e.json.size() + 1;
    ++n;
  }
  return n;
}

void FailoverPublisher::switch_to(std::size_t index, const char* why, const std::string& error) {
  auto log = telemetry::logger("publish");
  const auto& from = *endpoints_[active_];
  const auto& to = *endpoints_[index];
  active_ = index;
  failures_on_active_ = 0;
  if (index == 0 && std::string_view(why) == "probe") {
    ++stats_.failbacks;
    outage_logged_ = false;
    log->info("msg=\"Primary collector answers again; failing back\" from={} to={} url={}", from.name(), to.name(),
              to.url());
  } else {
    ++stats_.failovers;
    log->warn("msg=\"Failing over to the other collector\" from={} to={} url={} reason={} error={}", from.name(),
              to.name(), to.url(), why, telemetry::logfmt_value(error));
  }
}

void FailoverPublisher::dead_letter(const std::vector<outbox::Entry>& entries, const CollectorEndpoint& endpoint,
                                    const Delivery& delivery) {
  // The posted batch, not outbox_.entries(): the outbox may have dropped entries meanwhile (issue 6).
  const std::size_t count = entries.size();
  auto log = telemetry::logger("publish");
  const outbox::DeadLetterFile file(settings_.dead_letter_file);
  bool written = true;
  for (std::size_t i = 0; i < count && i < entries.size(); ++i) {
    const auto& e = entries[i];
    log->error("msg=\"Collector rejected event; kept in dead-letter file\" collector={} status={} event_id={} "
               "file={} body={}",
               endpoint.name(), delivery.status, e.event_id, settings_.dead_letter_file.string(),
               telemetry::logfmt_value(delivery.error));
    written = file.append(endpoint.name(), delivery.status, delivery.error, e.json) && written;
  }
  if (!written) {
    log->error("msg=\"Cannot write dead-letter file\" file={}", settings_.dead_letter_file.string());
  }
  stats_.rejected_events += count;
}

asio::awaitable<void> FailoverPublisher::run() {
  auto log = telemetry::logger("publish");
  for (;;) {
    // entries() is what is ready in memory; empty() means nothing is queued at all (the durable outbox reads
    // younger entries back from disk while the publisher waits; issue 6).
    if (outbox_.entries().empty()) {
      if (stopping_ && outbox_.empty()) co_return;
      co_await outbox_.wait();
      auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none) co_return;
      continue;
    }
    const std::size_t n = next_batch_size();
    const std::size_t index = active_;
    const std::shared_ptr<CollectorEndpoint> endpoint_owner = endpoints_[index];
    CollectorEndpoint& endpoint = *endpoint_owner;
    // What is needed after the post, taken now: the outbox may drop entries meanwhile (issue 6). The events'
    // JSON is copied once, into the body; the entry itself only when it may end in the dead-letter file.
    const auto& queued = outbox_.entries();
    const std::uint64_t last_seq = queued[n - 1].seq;
    const core::Domain domain = queued.front().domain;
    std::vector<outbox::Entry> single;
    if (n == 1) single.push_back(queued.front());
    ++stats_.posts;
    Delivery d = co_await endpoint.post(make_batch(queued, n));
    {
      auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none) co_return;
    }
    switch (d.outcome) {
      case Outcome::delivered:
        outbox_.ack(last_seq);  // removed from disk only now, after the 2xx (issue 6)
        stats_.delivered_events += n;
        stats_.events[{index, domain}].delivered += n;  // a batch holds one domain
        stats_.last_delivery_us = core::now_epoch_us();
        if (singles_left_ > 0) --singles_left_;
        if (index == active_) failures_on_active_ = 0;
        if (outage_logged_ && index == active_) {
          outage_logged_ = false;
          log->info("msg=\"Collector reachable again\" collector={}", endpoint.name());
        }
        log->debug("msg=\"Delivered\" collector={} events={} status={}", endpoint.name(), n, d.status);
        if (!d.error.empty()) log->warn("msg=\"Ignoring collector reply\" collector={} error={}", endpoint.name(),
                                        telemetry::logfmt_value(d.error));
        if (!d.commands.empty() && on_commands_) on_commands_(d.commands);
        break;
      case Outcome::reject:
        if (n > 1) {
          // One bad event makes the collector refuse the whole batch: resend these one by one so that only the
          // culprit ends in the dead-letter file.
          log->warn("msg=\"Collector rejected a batch; resending its events one by one\" collector={} status={} "
                    "events={}",
                    endpoint.name(), d.status, n);
          singles_left_ = n;
          break;
        }
        stats_.events[{index, domain}].rejected += n;
        dead_letter(single, endpoint, d);
        outbox_.ack(last_seq);
        if (singles_left_ > 0) --singles_left_;
        break;
      case Outcome::retry: {
        ++stats_.failed_attempts;
        stats_.events[{index, domain}].failed += n;
        if (index != active_) break;  // a probe switched collectors meanwhile; go again at once
        ++failures_on_active_;
        if (!outage_logged_) {
          outage_logged_ = true;
          log->warn("msg=\"Collector did not take the events; will retry\" collector={} status={} error={} queued={}",
                    endpoint.name(), d.status, telemetry::logfmt_value(d.error), outbox_.size());
        } else {
          log->debug("msg=\"Retry failed\" collector={} status={} error={}", endpoint.name(), d.status,
                     telemetry::logfmt_value(d.error));
        }
        if (failures_on_active_ >= settings_.max_missed && endpoints_[1 - active_]) {
          switch_to(1 - active_, d.status ? "status" : "unreachable",
                    d.status ? "HTTP " + std::to_string(d.status) + " " + d.error : d.error);
          break;  // the other collector is tried at once, without waiting
        }
        retry_timer_.expires_after(settings_.retry_interval);
        auto [ec] = co_await retry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) co_return;
        (void)ec;  // cancelled by a fail-back probe: retry at once on the primary
        break;
      }
    }
  }
}

asio::awaitable<void> FailoverPublisher::probe_primary() {
  for (;;) {
    probe_timer_.expires_after(settings_.probe_interval);
    auto [ec] = co_await probe_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    auto cs = co_await asio::this_coro::cancellation_state;
    if (ec || cs.cancelled() != asio::cancellation_type::none) co_return;
    if (active_ != 1 || !endpoints_[0]) continue;
    const std::shared_ptr<CollectorEndpoint> primary = endpoints_[0];
    const bool up = co_await primary->probe();
    if (up && active_ == 1 && endpoints_[0] == primary) {
      switch_to(0, "probe", {});
      retry_timer_.cancel();  // a drain loop sleeping between retries goes to the primary now
    }
  }
}

}  // namespace vesagent::publish
