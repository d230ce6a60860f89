#include "vesagent/pipeline/pipeline.hpp"

#include <spdlog/spdlog.h>


#include "vesagent/core/clock.hpp"
#include "vesagent/outbox/dead_letter_store.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace vesagent::pipeline {

Pipeline::Pipeline(ves::EncodeContext context, outbox::Outbox& outbox, std::size_t max_event_bytes,
                   outbox::DeadLetterStore* dead_letters)
    : context_(std::move(context)),
      outbox_(outbox),
      max_event_bytes_(max_event_bytes),
      dead_letters_(dead_letters),
      log_(telemetry::logger("pipeline")) {}

void Pipeline::submit(core::Event event) {
  auto& log = log_;
  if (closed_) {
    ++stats_.refused;
    log->warn("msg=\"Event arrived after shutdown began; not queued\" event_id={} domain={}", event.event_id,
              core::to_string(event.domain));
    return;
  }
  std::string why;
  auto encoded = ves::encode_event(event, context_, &why);
  if (!encoded) {
    ++stats_.encode_errors;
    log->error("msg=\"Cannot encode event; dropped\" event_id={} domain={} error={}", event.event_id,
               core::to_string(event.domain), telemetry::logfmt_value(why.empty() ? encoded.error().message() : why));
    return;
  }
  if (throttle_ != nullptr) throttle_->suppress(*encoded);  // VES 5 throttlingSpecification
  // {"event":...} adds 10 bytes; an event that cannot fit in one request would be refused by every collector.
  if (encoded->size() + 10 > max_event_bytes_) {
    ++stats_.too_large;
    log->error("msg=\"Event larger than event.maxSize; kept in the dead-letter store\" event_id={} bytes={} "
               "max_size={}",
               event.event_id, encoded->size(), max_event_bytes_);
    if (dead_letters_) {
      dead_letters_->add("", 0, "larger than event.maxSize", event.domain, event.event_id, *encoded);
    }
    return;
  }
  ++stats_.accepted;
  ++stats_.accepted_by_domain[event.domain];
  outbox_.push(outbox::Entry{event.domain, event.event_id, std::move(*encoded), core::now_epoch_us()});
}

}  // namespace vesagent::pipeline
