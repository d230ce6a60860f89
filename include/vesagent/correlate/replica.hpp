#pragma once
/// The cluster side of the correlation stage (high availability): cluster-wide event numbers and the replication
/// of each commit round to etcd. Implemented by cluster::Member; absent when the agent runs standalone.
///
/// Single-threaded: every call on the event loop.
#include <cstdint>
#include <functional>

#include "vesagent/core/error.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::correlate {

class Replica {
 public:
  virtual ~Replica() = default;
  /// The next cluster-wide number of `domain` (from the block reserved in etcd). Fails when this agent does
  /// not lead or its block is used up before the refill arrived.
  virtual Result<std::uint64_t> next_event_number(core::Domain domain) = 0;
  /// `done(true)` once everything handed to the outbox so far (events and fault decisions) is held in etcd
  /// too, `done(false)` when it cannot be (not the leader any more, etcd failing).
  virtual void when_replicated(std::function<void(bool replicated)> done) = 0;
  /// False while new fault work must be refused: the replicated log is at its bound (refuse policy).
  virtual bool accepting() const = 0;
};

}  // namespace vesagent::correlate
