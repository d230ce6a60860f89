#pragma once
/// Internal: the app-level metrics (pipeline, outbox, publisher, webhook, heartbeat, logging, build info),
/// written on each /metrics scrape from the stats the modules keep. Each core::Service writes its own.
#include <cstdint>

#include "vesagent/outbox/outbox.hpp"
#include "vesagent/pipeline/pipeline.hpp"
#include "vesagent/publish/failover_publisher.hpp"
#include "vesagent/scheduler/poll_loop.hpp"
#include "vesagent/sources/alertmanager/webhook.hpp"

#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::app {

/// Read-only views of what the app owns; a null pointer leaves its metrics out (before start()).
struct AppMetricsInputs {
  const pipeline::PipelineStats* pipeline = nullptr;
  const outbox::Outbox* outbox = nullptr;
  const publish::FailoverPublisher* publisher = nullptr;
  bool backup_configured = false;
  const sources::alertmanager::WebhookStats* webhook = nullptr;
  const scheduler::PollLoopStats* heartbeat = nullptr;
  double heartbeat_interval_seconds = 0;
  int ves_version = 7;
  std::int64_t start_time_us = 0;
  bool ready = false;
};

void write_app_metrics(const AppMetricsInputs& in, telemetry::MetricsWriter& out);

}  // namespace vesagent::app
