#include "vesagent/publish/failover_publisher.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "vesagent/core/clock.hpp"
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
  batch_cap_ = 0;
  problem_[0].clear();
  problem_[1].clear();
}

std::size_t FailoverPublisher::next_batch_size() const {
  const auto& entries = outbox_.entries();
  if (entries.empty()) return 0;
  if (singles_left_ > 0) return 1;
  const std::size_t max_events = batch_cap_ > 0 ? std::min(batch_cap_, settings_.max_batch_events)
                                                : settings_.max_batch_events;
  // A batch holds consecutive entries of one domain only (the collector rejects mixed batches whole) and stays
  // under event.maxSize. Order is kept: a batch never skips over an entry of another domain.
  const auto domain = entries.front().domain;
  std::size_t n = 0;
  std::size_t bytes = kBatchOverhead;
  for (const auto& e : entries) {
    if (e.domain != domain || n >= max_events) break;
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

void FailoverPublisher::dead_letter(const outbox::Entry& e, const CollectorEndpoint& endpoint,
                                    const Delivery& delivery) {
  auto log = telemetry::logger("publish");
  const auto* store = settings_.dead_letters;
  log->error("msg=\"Collector refused the event; kept in the dead-letter store\" collector={} status={} "
             "event_id={} reason={} directory={}",
             endpoint.name(), delivery.status, e.event_id, telemetry::logfmt_value(delivery.reason),
             store ? store->directory().string() : std::string("none"));
  if (settings_.dead_letters) {
    settings_.dead_letters->add(endpoint.name(), delivery.status, delivery.reason, e.domain, e.event_id, e.json);
  }
  ++stats_.rejected_events;
}

void FailoverPublisher::note_endpoint_error(std::size_t index, const Delivery& d) {
  ++stats_.endpoint_errors;
  auto& problem = problem_[index];
  if (problem == d.reason) return;  // same streak, already said
  problem = d.reason;
  telemetry::logger("publish")->error("msg={} collector={} status={}", telemetry::logfmt_value(d.reason),
                                      endpoints_[index] ? endpoints_[index]->name() : std::string("?"), d.status);
}

void FailoverPublisher::note_usable(std::size_t index) {
  if (problem_[index].empty()) return;
  problem_[index].clear();
  telemetry::logger("publish")->info("msg=\"Collector answers like a working collector again\" collector={}",
                                     endpoints_[index] ? endpoints_[index]->name() : std::string("?"));
}

asio::awaitable<bool> FailoverPublisher::wait_retry_interval() {
  retry_timer_.expires_after(settings_.retry_interval);
  auto [ec] = co_await retry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ec;  // cancelled by a fail-back probe: go on at once
  auto cs = co_await asio::this_coro::cancellation_state;
  co_return cs.cancelled() == asio::cancellation_type::none;
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
    // What is needed after the post, taken now: the outbox may drop entries meanwhile. The events' JSON is
    // copied once, into the body; the entry itself only when it may end in the dead-letter store.
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
        outbox_.ack(last_seq);  // removed from disk only now, after the 2xx
        stats_.delivered_events += n;
        stats_.events[{index, domain}].delivered += n;  // a batch holds one domain
        stats_.last_delivery_us = core::now_epoch_us();
        if (singles_left_ > 0) --singles_left_;
        if (index == active_) failures_on_active_ = 0;
        note_usable(index);
        unusable_logged_ = {};
        if (outage_logged_ && index == active_) {
          outage_logged_ = false;
          log->info("msg=\"Collector reachable again\" collector={}", endpoint.name());
        }
        log->debug("msg=\"Delivered\" collector={} events={} status={}", endpoint.name(), n, d.status);
        if (!d.error.empty()) log->warn("msg=\"Ignoring collector reply\" collector={} error={}", endpoint.name(),
                                        telemetry::logfmt_value(d.error));
        if (!d.commands.empty() && on_commands_) on_commands_(d.commands);
        break;
      case Outcome::event_rejected:
        if (n > 1) {
          // The collector refuses the whole batch for one bad event: resend these one by one so that only the
          // culprit goes to the dead-letter store.
          ++stats_.batch_splits;
          log->warn("msg=\"Collector refused a batch; resending its events one by one\" collector={} status={} "
                    "events={} reason={}",
                    endpoint.name(), d.status, n, telemetry::logfmt_value(d.reason));
          singles_left_ = n;
          break;
        }
        if (index == active_) note_usable(index);  // it judged the event, so the endpoint itself works
        stats_.events[{index, domain}].rejected += n;
        dead_letter(single.front(), endpoint, d);
        outbox_.ack(last_seq);
        if (singles_left_ > 0) --singles_left_;
        break;
      case Outcome::batch_too_large:
        ++stats_.batch_splits;
        batch_cap_ = std::max<std::size_t>(1, n / 2);
        log->warn("msg=\"Collector refused a batch as too large; posting smaller batches\" collector={} events={} "
                  "max_events={}",
                  endpoint.name(), n, batch_cap_);
        break;
      case Outcome::endpoint_error: {
        ++stats_.failed_attempts;
        stats_.events[{index, domain}].failed += n;
        note_endpoint_error(index, d);
        if (index != active_) break;  // a probe or reload switched collectors meanwhile; go again at once
        ++failures_on_active_;
        const std::size_t other = 1 - active_;
        // Retrying a wrong password or path cannot help: the other collector takes over at once.
        if (endpoints_[other] && problem_[other].empty()) {
          switch_to(other, "endpoint_error", d.reason);
          break;
        }
        // No usable collector: the events wait. Say so now and then, and try each collector in turn.
        const auto now = std::chrono::steady_clock::now();
        if (unusable_logged_ == std::chrono::steady_clock::time_point{} ||
            now - unusable_logged_ >= settings_.unusable_log_interval) {
          unusable_logged_ = now;
          log->error("msg=\"No collector takes events; keeping them queued and retrying\" queued={} "
                     "primary={} backup={}",
                     outbox_.size(), telemetry::logfmt_value(problem_[0].empty() ? "-" : problem_[0]),
                     telemetry::logfmt_value(!endpoints_[1] ? "not configured"
                                             : problem_[1].empty() ? "-" : problem_[1]));
        }
        if (!co_await wait_retry_interval()) co_return;
        if (endpoints_[other] && index == active_) {
          active_ = other;  // quietly: a turn, not a failover
          failures_on_active_ = 0;
        }
        break;
      }
      case Outcome::retry: {
        ++stats_.failed_attempts;
        stats_.events[{index, domain}].failed += n;
        if (index != active_) break;  // a probe switched collectors meanwhile; go again at once
        ++failures_on_active_;
        if (!outage_logged_) {
          outage_logged_ = true;
          log->warn("msg=\"Collector did not take the events; will retry\" collector={} status={} reason={} "
                    "queued={}",
                    endpoint.name(), d.status, telemetry::logfmt_value(d.reason), outbox_.size());
        } else {
          log->debug("msg=\"Retry failed\" collector={} status={} reason={}", endpoint.name(), d.status,
                     telemetry::logfmt_value(d.reason));
        }
        if (failures_on_active_ >= settings_.max_missed && endpoints_[1 - active_]) {
          switch_to(1 - active_, d.status ? "status" : "unreachable", d.reason);
          break;  // the other collector is tried at once, without waiting
        }
        if (!co_await wait_retry_interval()) co_return;
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
    const Delivery d = co_await primary->probe();
    if (active_ != 1 || endpoints_[0] != primary) continue;
    const bool healthy = d.outcome == Outcome::delivered || d.outcome == Outcome::event_rejected;
    if (d.outcome == Outcome::endpoint_error) note_endpoint_error(0, d);
    if (healthy) {
      note_usable(0);
      switch_to(0, "probe", {});
      retry_timer_.cancel();  // a drain loop sleeping between retries goes to the primary now
    }
  }
}

}  // namespace vesagent::publish
