#pragma once
/// The stage between sources and the publisher: encodes each Event for the configured VES version and
/// queues it in the outbox. An event that cannot be encoded or is larger than event.maxSize never reaches a
/// collector; it is logged, counted and kept in the dead-letter store instead of vanishing.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>

#include "vesagent/core/event_sink.hpp"
#include "vesagent/outbox/dead_letter_store.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/ves/encode.hpp"
#include "vesagent/ves/throttle.hpp"

namespace spdlog {
class logger;
}

namespace vesagent::pipeline {

struct PipelineStats {
  std::uint64_t accepted = 0;
  std::uint64_t encode_errors = 0;
  std::uint64_t too_large = 0;
  // Added for /metrics (issue 7): accepted events per domain, and events refused after close() (shutdown).
  std::map<core::Domain, std::uint64_t> accepted_by_domain;
  std::uint64_t refused = 0;
};

class Pipeline final : public core::EventSink {
 public:
  Pipeline(ves::EncodeContext context, outbox::Outbox& outbox, std::size_t max_event_bytes,
           outbox::DeadLetterStore* dead_letters);

  void submit(core::Event event) override;
  /// Durable once the outbox wrote everything queued so far (issue 6).
  void when_durable(std::function<void(bool durable)> done) override { outbox_.when_durable(std::move(done)); }

  /// VES 5 throttling: what `throttle` suppresses is removed from every event as it is queued. Null = none.
  void set_throttle(const ves::Throttle* throttle) { throttle_ = throttle; }

  /// Closed pipelines refuse new events (shutdown); they are logged as refused.
  void close() { closed_ = true; }
  const PipelineStats& stats() const { return stats_; }

 private:
  ves::EncodeContext context_;
  outbox::Outbox& outbox_;
  std::size_t max_event_bytes_;
  outbox::DeadLetterStore* dead_letters_;  ///< events over max_event_bytes go here; null = log only
  bool closed_ = false;
  const ves::Throttle* throttle_ = nullptr;
  PipelineStats stats_;
  std::shared_ptr<spdlog::logger> log_;  ///< looked up once: submit() runs for every event
};

}  // namespace vesagent::pipeline
