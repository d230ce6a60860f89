#include "vesagent/outbox/outbox.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vesagent::outbox {

namespace asio = boost::asio;

Outbox::Outbox(asio::any_io_executor executor) : signal_(std::move(executor)) {
  signal_.expires_at(asio::steady_timer::time_point::max());
}

void Outbox::push(Entry entry) {
  bytes_ += entry.json.size();
  entries_.push_back(std::move(entry));
  signal_.cancel();  // wakes a waiting publisher; the timer is re-armed by the next wait()
}

void Outbox::pop(std::size_t n) {
  while (n-- > 0 && !entries_.empty()) {
    bytes_ -= entries_.front().json.size();
    entries_.pop_front();
  }
}

asio::awaitable<void> Outbox::wait() {
  if (!entries_.empty()) co_return;
  signal_.expires_at(asio::steady_timer::time_point::max());
  co_await signal_.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace vesagent::outbox
