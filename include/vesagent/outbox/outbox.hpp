#pragma once
/// The queue between the pipeline and the publisher: encoded events wait here, in order, until a collector
/// acknowledged them. This version keeps entries in memory; the durable, disk-backed outbox replaces it behind
/// the same interface.
///
/// Threading: one executor; push() may be called from any coroutine on it, wait() wakes the publisher.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <string>

#include "vesagent/core/event.hpp"

namespace vesagent::outbox {

/// One encoded event, without the {"event":...} wrapper so that consecutive entries can form a batch.
struct Entry {
  core::Domain domain = core::Domain::heartbeat;
  std::string event_id;
  std::string json;
  std::int64_t enqueued_us = 0;
};

class Outbox {
 public:
  explicit Outbox(boost::asio::any_io_executor executor);

  void push(Entry entry);
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  std::size_t bytes() const { return bytes_; }
  /// Entries in order; front() is the oldest.
  const std::deque<Entry>& entries() const { return entries_; }
  /// Removes the n oldest entries after the collector acknowledged them.
  void pop(std::size_t n);
  /// Completes when an entry is pushed (or at once if not empty), on wake(), or when cancelled.
  boost::asio::awaitable<void> wait();
  /// Wakes a pending wait() without pushing, e.g. so the publisher notices a stop request.
  void wake() { signal_.cancel(); }

 private:
  std::deque<Entry> entries_;
  std::size_t bytes_ = 0;
  boost::asio::steady_timer signal_;
};

}  // namespace vesagent::outbox
