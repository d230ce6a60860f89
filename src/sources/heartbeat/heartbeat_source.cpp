#include "vesagent/sources/heartbeat/heartbeat_source.hpp"

#include "vesagent/core/clock.hpp"

namespace vesagent::sources::heartbeat {

HeartbeatSource::HeartbeatSource(const config::Config& config)
    : event_name_(config.heartbeat.event_name),
      source_name_(config.heartbeat.source_name),
      reporting_entity_name_(config.event.reporting_entity_name),
      reporting_entity_id_(config.event.reporting_entity_id),
      nf_naming_code_(config.event.nf_naming_code),
      interval_(config.heartbeat.default_interval) {}

core::Event HeartbeatSource::make_event(std::int64_t now_us) const {
  core::Event e;
  e.domain = core::Domain::heartbeat;
  e.key = "heartbeat";
  e.event_name = event_name_;
  e.source_name = source_name_;
  e.reporting_entity_name = reporting_entity_name_;
  e.reporting_entity_id = reporting_entity_id_;
  e.nf_naming_code = nf_naming_code_;
  e.priority = core::Priority::normal;
  e.sequence = 0;
  e.start_epoch_us = now_us;
  e.last_epoch_us = now_us;
  core::HeartbeatBody body;
  // heartbeatInterval is whole seconds in both schemas; sub-second test intervals round up to 1.
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(interval_).count();
  body.interval_seconds = seconds < 1 ? 1 : seconds;
  e.body = std::move(body);
  return e;
}

boost::asio::awaitable<Result<std::vector<core::Event>>> HeartbeatSource::poll() {
  std::vector<core::Event> events;
  events.push_back(make_event(core::now_epoch_us()));
  co_return events;
}

}  // namespace vesagent::sources::heartbeat
