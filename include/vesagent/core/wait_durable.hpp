#pragma once
/// Awaits a durability notification: wait_durable() for when_durable(callback) (core::EventSink, outbox::Outbox),
/// wait_committed() for core::Correlator::commit(callback). True once everything handed on so far is durable,
/// false when it cannot be made durable now or the wait was cancelled. Header-only so that the core library stays
/// free of coroutine code (the clang-14 fuzz builds link it).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "vesagent/core/correlator.hpp"

namespace vesagent::core {

/// Calls `start(callback)` and waits until the callback runs; its argument is the result.
template <class Start>
boost::asio::awaitable<bool> wait_for_callback(boost::asio::any_io_executor executor, Start start) {
  namespace asio = boost::asio;
  // Shared with the callback: it may run after this coroutine was cancelled and destroyed.
  auto timer = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  auto result = std::make_shared<std::optional<bool>>();
  start(std::function<void(bool)>([timer, result](bool ok) {
    *result = ok;
    timer->cancel();
  }));
  if (!result->has_value()) co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  co_return result->value_or(false);
}

template <class Durable>
boost::asio::awaitable<bool> wait_durable(Durable& durable, boost::asio::any_io_executor executor) {
  return wait_for_callback(std::move(executor),
                           [&durable](std::function<void(bool)> done) { durable.when_durable(std::move(done)); });
}

inline boost::asio::awaitable<bool> wait_committed(Correlator& correlator, boost::asio::any_io_executor executor) {
  return wait_for_callback(std::move(executor),
                           [&correlator](std::function<void(bool)> done) { correlator.commit(std::move(done)); });
}

}  // namespace vesagent::core
