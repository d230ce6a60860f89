#include "vesagent/app/task_group.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <exception>

#include "vesagent/telemetry/logging.hpp"

namespace vesagent::app {

namespace asio = boost::asio;

namespace {

/// Runs `task` unless it was cancelled before its coroutine began. Cancelling a coroutine that has not begun yet
/// (cancel_all() right after spawn(), as a stop does when delivery ends at once) makes Boost 1.81's co_spawn entry
/// point throw the cancellation out of io_context::run() instead of handing it to the completion handler, so such
/// a cancellation is only recorded, and honoured here.
asio::awaitable<void> unless_cancelled_early(std::shared_ptr<std::pair<bool, bool>> started_cancelled,
                                             asio::awaitable<void> task) {
  started_cancelled->first = true;
  if (started_cancelled->second) co_return;
  co_await std::move(task);
}

}  // namespace

void TaskGroup::spawn(std::string name, asio::awaitable<void> task, std::function<void()> on_done) {
  Task& t = tasks_.emplace_back();
  t.name = std::move(name);
  asio::co_spawn(executor_, unless_cancelled_early(t.started_cancelled, std::move(task)),
                 asio::bind_cancellation_slot(t.signal.slot(), [this, &t, on_done = std::move(on_done)](
                                                                   std::exception_ptr error) {
                   if (error) {
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       telemetry::logger("app")->error("msg=\"Task failed\" task={} error={}", t.name,
                                                       telemetry::logfmt_value(e.what()));
                     } catch (...) {
                       telemetry::logger("app")->error("msg=\"Task failed\" task={} error=unknown", t.name);
                     }
                   }
                   t.done = true;
                   if (on_done) on_done();
                   if (running_count() == 0 && all_done_) all_done_();
                 }));
}

namespace {
void cancel_task(TaskGroup::Task& t) {
  if (t.done) return;
  if (!t.started_cancelled->first) {
    t.started_cancelled->second = true;  // it ends as soon as it begins
    return;
  }
  t.signal.emit(asio::cancellation_type::terminal);
}
}  // namespace

void TaskGroup::cancel(const std::string& name) {
  for (auto& t : tasks_) {
    if (t.name == name) cancel_task(t);
  }
}

void TaskGroup::cancel_all() {
  for (auto& t : tasks_) cancel_task(t);
}

bool TaskGroup::running(const std::string& name) const {
  for (const auto& t : tasks_) {
    if (t.name == name && !t.done) return true;
  }
  return false;
}

std::size_t TaskGroup::running_count() const {
  std::size_t n = 0;
  for (const auto& t : tasks_) n += t.done ? 0 : 1;
  return n;
}

}  // namespace vesagent::app
