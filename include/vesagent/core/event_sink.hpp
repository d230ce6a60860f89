#pragma once
#include "vesagent/core/event.hpp"

namespace vesagent::core {

/// The only downstream thing a source sees. Implemented by pipeline::Pipeline; tests use a recording fake.
/// Single-threaded: called on the event loop.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void submit(Event event) = 0;
};

}  // namespace vesagent::core
