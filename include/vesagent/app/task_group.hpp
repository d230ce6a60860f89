#pragma once
/// Owns the app's long-lived coroutines: each one is co_spawned with its own cancellation signal so that
/// shutdown can cancel them one by one, in order, and learn when the last one has ended.
/// No exception escapes a task: a failing task is logged and counted as ended.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <functional>
#include <list>
#include <memory>
#include <string>

namespace vesagent::app {

class TaskGroup {
 public:
  explicit TaskGroup(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  /// Starts `task`; `on_done` runs on the loop when it has ended, however it ended.
  void spawn(std::string name, boost::asio::awaitable<void> task, std::function<void()> on_done = {});
  /// Emits terminal cancellation to the named running task (no-op if it has ended).
  void cancel(const std::string& name);
  void cancel_all();
  bool running(const std::string& name) const;
  std::size_t running_count() const;
  /// Called once every spawned task has ended (after the last on_done).
  void on_all_done(std::function<void()> callback) { all_done_ = std::move(callback); }

  /// One spawned task (internal; public so the implementation's helpers can name it).
  struct Task {
    std::string name;
    boost::asio::cancellation_signal signal;
    bool done = false;
    /// Shared with the task's coroutine: whether it has begun, and whether it was cancelled before that.
    std::shared_ptr<std::pair<bool, bool>> started_cancelled = std::make_shared<std::pair<bool, bool>>(false, false);
  };

 private:
  boost::asio::any_io_executor executor_;
  std::list<Task> tasks_;  ///< std::list: Task addresses stay valid while others are added
  std::function<void()> all_done_;
};

}  // namespace vesagent::app
