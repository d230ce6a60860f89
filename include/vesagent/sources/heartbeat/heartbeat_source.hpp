#pragma once
/// The heartbeat source: one VES heartbeat event per poll. eventName and sourceName stay the same for the whole
/// life of the agent (the ONAP heartbeat consumer tracks (eventName, sourceName) pairs). The correlation stage
/// gives each one its eventId (never repeated).
#include <chrono>
#include <string>

#include "vesagent/config/config.hpp"
#include "vesagent/core/poller.hpp"

namespace vesagent::sources::heartbeat {

class HeartbeatSource final : public core::Poller {
 public:
  explicit HeartbeatSource(const config::Config& config);

  std::string_view name() const override { return "heartbeat"; }
  boost::asio::awaitable<Result<std::vector<core::Event>>> poll() override;

  /// The interval announced in heartbeatFields; follows the collector's heartbeatIntervalChange.
  void set_interval(std::chrono::milliseconds interval) { interval_ = interval; }

  /// Builds the event for time `now_us` (without eventId); used by poll() and by tests.
  core::Event make_event(std::int64_t now_us) const;

 private:
  std::string event_name_;
  std::string source_name_;
  std::string reporting_entity_name_;
  std::string reporting_entity_id_;
  std::string nf_naming_code_;
  std::chrono::milliseconds interval_;
};

}  // namespace vesagent::sources::heartbeat
