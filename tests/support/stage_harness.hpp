#pragma once
// A real correlation stage for source tests: correlate::Stage on a memory-only outbox, with the events it hands
// downstream recorded instead of encoded. Header-only: a test binary that includes it links vesagent::correlate
// and vesagent::outbox.
#include <boost/asio/any_io_executor.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "vesagent/core/event_sink.hpp"
#include "vesagent/correlate/stage.hpp"
#include "vesagent/outbox/outbox.hpp"

namespace vesagent::test {

/// Records what the stage hands downstream.
class RecordingSink final : public core::EventSink {
 public:
  void submit(core::Event event) override { events.push_back(std::move(event)); }
  std::vector<core::Event> take() { return std::exchange(events, {}); }
  std::vector<core::Event> events;
};

class StageHarness {
 public:
  /// State (faults, event counters) in `directory`; `clock` is the stage's wall clock (empty = system clock).
  /// The events go to `downstream` (default: the harness' own RecordingSink).
  StageHarness(boost::asio::any_io_executor executor, std::filesystem::path directory,
               std::function<std::int64_t()> clock = {}, core::EventSink* downstream = nullptr)
      : StageHarness(std::move(executor), options_for(std::move(directory), std::move(clock)), downstream) {}
  /// With every stage option given (StageOptions::from_config(config), for example).
  StageHarness(boost::asio::any_io_executor executor, correlate::StageOptions options,
               core::EventSink* downstream = nullptr)
      : executor_(std::move(executor)),
        options_(std::move(options)),
        downstream_(downstream != nullptr ? downstream : &sink_) {
    open();
  }

  correlate::Stage& stage() { return *stage_; }
  RecordingSink& sink() { return sink_; }
  std::vector<core::Event> take() { return sink_.take(); }

  /// A restart: the stage saves its state and a new one opens the same directory.
  void restart() {
    stage_->commit([](bool) {});
    stage_->checkpoint();
    stage_.reset();
    outbox_.reset();
    open();
  }

 private:
  static correlate::StageOptions options_for(std::filesystem::path directory, std::function<std::int64_t()> clock) {
    correlate::StageOptions o;
    o.state_directory = std::move(directory);
    o.clock = std::move(clock);
    return o;
  }

  void open() {
    outbox_ = std::make_unique<outbox::Outbox>(executor_);
    stage_ = std::make_unique<correlate::Stage>(options_, *downstream_, *outbox_);
    std::string error, warnings;
    auto r = stage_->open(error, warnings);
    EXPECT_TRUE(r.has_value()) << error;
    outbox_->set_state_log(stage_->state_log());
  }

  boost::asio::any_io_executor executor_;
  correlate::StageOptions options_;
  RecordingSink sink_;
  core::EventSink* downstream_;
  std::unique_ptr<outbox::Outbox> outbox_;
  std::unique_ptr<correlate::Stage> stage_;
};

}  // namespace vesagent::test
