#pragma once
/// Awaits a when_durable(callback) notification (core::EventSink, outbox::Outbox): true once everything submitted
/// so far is on disk, false when it cannot be made durable now or the wait was cancelled. Header-only so that the
/// core library stays free of coroutine code (the clang-14 fuzz builds link it).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>

namespace vesagent::core {

template <class Durable>
boost::asio::awaitable<bool> wait_durable(Durable& durable, boost::asio::any_io_executor executor) {
  namespace asio = boost::asio;
  // Shared with the callback: it may run after this coroutine was cancelled and destroyed.
  auto timer = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  auto result = std::make_shared<std::optional<bool>>();
  durable.when_durable([timer, result](bool ok) {
    *result = ok;
    timer->cancel();
  });
  if (!result->has_value()) co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  co_return result->value_or(false);
}

}  // namespace vesagent::core
