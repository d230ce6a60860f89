#pragma once
#include <functional>

#include "vesagent/core/event.hpp"

namespace vesagent::core {

/// The only downstream thing a source sees. Implemented by pipeline::Pipeline; tests use a recording fake.
/// Single-threaded: called on the event loop.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void submit(Event event) = 0;
  /// Calls `done(true)` once every event submitted so far is durable (the outbox wrote it to disk), or
  /// `done(false)` if it cannot be made durable now (disk failing: answer 503 / retry the cycle). A source
  /// acknowledges its input (webhook 200, poll cycle done) only after this. Default: at once (sinks that keep
  /// nothing, test fakes). (Added with the durable outbox, issue 6.)
  virtual void when_durable(std::function<void(bool durable)> done) { done(true); }
};

}  // namespace vesagent::core
