// The app-level metrics. Names follow STYLE.md §6: vesagent_<noun>_<unit>_total for counters, bounded labels
// (domain, collector=primary|backup, outcome, source, code). docs/operations.md explains each one.
#include "app_metrics.hpp"

#include <string>

#include "vesagent/core/event.hpp"
#include "vesagent/telemetry/logging.hpp"
#include "vesagent/version.hpp"

namespace vesagent::app {

namespace {

using telemetry::MetricsWriter;

constexpr const char* kCollectors[] = {"primary", "backup"};

double d(std::uint64_t v) { return static_cast<double>(v); }

void write_pipeline(const pipeline::PipelineStats& s, MetricsWriter& out) {
  for (const auto& [domain, count] : s.accepted_by_domain) {
    out.counter("vesagent_pipeline_accepted_events_total",
                "Events encoded and queued in the outbox, by VES domain.", d(count),
                {{"domain", core::to_string(domain)}});
  }
  if (s.accepted_by_domain.empty()) {
    // One zero sample, so that rate() and absent() queries work before the first event.
    out.counter("vesagent_pipeline_accepted_events_total", "Events encoded and queued in the outbox, by VES domain.",
                0, {{"domain", "heartbeat"}});
  }
  const char* help =
      "Events that never reached the outbox: encode_error (a bug or impossible field; logged), too_large (over "
      "event.maxSize; kept in the dead-letter store), refused (arrived after shutdown began).";
  out.counter("vesagent_pipeline_refused_events_total", help, d(s.encode_errors), {{"reason", "encode_error"}});
  out.counter("vesagent_pipeline_refused_events_total", help, d(s.too_large), {{"reason", "too_large"}});
  out.counter("vesagent_pipeline_refused_events_total", help, d(s.refused), {{"reason", "refused"}});
}

void write_publisher(const publish::FailoverPublisher& p, bool backup_configured, MetricsWriter& out) {
  const auto& s = p.stats();
  const char* help =
      "Events posted to a collector, by collector, domain and outcome: delivered (2xx), failed (no answer, 5xx, "
      "408, 429, or an endpoint error such as 401/404/3xx: kept and retried), rejected (content refused: moved to "
      "the dead-letter store).";
  for (const auto& [key, counts] : s.events) {
    const std::string_view collector = kCollectors[key.first == 0 ? 0 : 1];
    const std::string_view domain = core::to_string(key.second);
    out.counter("vesagent_publish_events_total", help, d(counts.delivered),
                {{"collector", collector}, {"domain", domain}, {"outcome", "delivered"}});
    out.counter("vesagent_publish_events_total", help, d(counts.failed),
                {{"collector", collector}, {"domain", domain}, {"outcome", "failed"}});
    out.counter("vesagent_publish_events_total", help, d(counts.rejected),
                {{"collector", collector}, {"domain", domain}, {"outcome", "rejected"}});
  }
  if (s.events.empty()) {
    out.counter("vesagent_publish_events_total", help, 0,
                {{"collector", "primary"}, {"domain", "heartbeat"}, {"outcome", "delivered"}});
  }
  out.counter("vesagent_publish_requests_total", "HTTP posts to collectors (single events or batches).",
              d(s.posts));
  out.counter("vesagent_publish_failed_requests_total",
              "Posts that did not deliver (no answer, 5xx, 408, 429, endpoint errors); each counts toward event.maxMissed.",
              d(s.failed_attempts));
  out.gauge("vesagent_publish_last_delivery_timestamp_seconds",
            "Unix time of the last post a collector accepted (0 = none since start).",
            static_cast<double>(s.last_delivery_us) / 1e6);
  const bool on_backup = p.on_backup();
  out.gauge("vesagent_collector_active", "1 for the collector events are posted to now, else 0.",
            on_backup ? 0 : 1, {{"collector", "primary"}});
  if (backup_configured) {
    out.gauge("vesagent_collector_active", "1 for the collector events are posted to now, else 0.",
              on_backup ? 1 : 0, {{"collector", "backup"}});
  }
  out.counter("vesagent_collector_failovers_total",
              "Switches to the other collector after event.maxMissed failed posts.", d(s.failovers));
  out.counter("vesagent_collector_failbacks_total", "Returns to the primary collector after a successful probe.",
              d(s.failbacks));
}

void write_webhook(const sources::alertmanager::WebhookStats& s, MetricsWriter& out) {
  const char* help = "Alertmanager webhook requests by HTTP status answered (413 is answered before counting).";
  for (const auto& [status, count] : s.requests) {
    out.counter("vesagent_webhook_requests_total", help, d(count), {{"code", std::to_string(status)}});
  }
  if (s.requests.empty()) out.counter("vesagent_webhook_requests_total", help, 0, {{"code", "200"}});
  out.counter("vesagent_webhook_alerts_total", "Alerts received in accepted webhook payloads.", d(s.alerts_received));
  const char* decisions =
      "What each received alert became: raise, update (severity change), clear, ignored (repeat, stale or "
      "already cleared: no event).";
  out.counter("vesagent_webhook_alert_decisions_total", decisions, d(s.raises), {{"outcome", "raise"}});
  out.counter("vesagent_webhook_alert_decisions_total", decisions, d(s.updates), {{"outcome", "update"}});
  out.counter("vesagent_webhook_alert_decisions_total", decisions, d(s.clears), {{"outcome", "clear"}});
  out.counter("vesagent_webhook_alert_decisions_total", decisions, d(s.ignored), {{"outcome", "ignored"}});
  out.counter("vesagent_webhook_commit_timeouts_total",
              "Webhook requests answered 503 because their events were not on disk within alertManager.readTimeout.",
              d(s.commit_timeouts));
}

void write_heartbeat(const scheduler::PollLoopStats& s, double interval_s, MetricsWriter& out) {
  const char* polls = "Poll cycles by source and outcome (success, error).";
  out.counter("vesagent_source_polls_total", polls, d(s.polls - s.failures),
              {{"source", "heartbeat"}, {"outcome", "success"}});
  out.counter("vesagent_source_polls_total", polls, d(s.failures), {{"source", "heartbeat"}, {"outcome", "error"}});
  out.counter("vesagent_source_events_total", "Events a source submitted to the pipeline.", d(s.events),
              {{"source", "heartbeat"}});
  out.counter("vesagent_source_skipped_ticks_total",
              "Scheduled polls skipped because the previous poll was still running.", d(s.skipped_ticks),
              {{"source", "heartbeat"}});
  out.gauge("vesagent_heartbeat_interval_seconds",
            "Current heartbeat interval (heartbeat.defaultInterval or the collector's commandList).", interval_s);
}

void write_logging(MetricsWriter& out) {
  const auto c = telemetry::log_counts();
  const char* help = "Log lines written, by level (debug includes trace, error includes critical).";
  out.counter("vesagent_log_messages_total", help, d(c.debug), {{"level", "debug"}});
  out.counter("vesagent_log_messages_total", help, d(c.info), {{"level", "info"}});
  out.counter("vesagent_log_messages_total", help, d(c.warn), {{"level", "warn"}});
  out.counter("vesagent_log_messages_total", help, d(c.error), {{"level", "error"}});
  out.counter("vesagent_log_suppressed_messages_total",
              "Repeated identical log lines held back by the rate limit (reported as repeated=N).", d(c.suppressed));
}

}  // namespace

void write_app_metrics(const AppMetricsInputs& in, MetricsWriter& out) {
  const std::string ves_version = std::to_string(in.ves_version);
  out.gauge("vesagent_build_info", "Always 1; the labels say which ves-agent runs and which VES version it speaks.",
            1, {{"version", kVersion}, {"ves_version", ves_version}});
  out.gauge("vesagent_start_time_seconds", "Unix time the agent started.", static_cast<double>(in.start_time_us) / 1e6);
  out.gauge("vesagent_ready", "1 when /-/ready answers 200.", in.ready ? 1 : 0);
  if (in.pipeline) write_pipeline(*in.pipeline, out);
  if (in.outbox) in.outbox->write_metrics(out);  // depth, bytes, oldest age, appends, drops, corruption
  if (in.publisher) write_publisher(*in.publisher, in.backup_configured, out);
  if (in.webhook) write_webhook(*in.webhook, out);
  if (in.heartbeat) write_heartbeat(*in.heartbeat, in.heartbeat_interval_seconds, out);
  write_logging(out);
}

}  // namespace vesagent::app
