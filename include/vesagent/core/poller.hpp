#pragma once
#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::core {

/// A pull-style source: one poll produces the events of one cycle. scheduler::PollLoop runs it.
/// Returning events instead of pushing them keeps a poller testable without a sink.
class Poller {
 public:
  virtual ~Poller() = default;
  virtual std::string_view name() const = 0;
  virtual boost::asio::awaitable<Result<std::vector<Event>>> poll() = 0;
};

}  // namespace vesagent::core
