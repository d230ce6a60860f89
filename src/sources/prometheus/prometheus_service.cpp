#include "vesagent/sources/prometheus/prometheus_service.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "vesagent/config/config.hpp"
#include "vesagent/http/peer_settings.hpp"
#include "vesagent/core/clock.hpp"
#include "vesagent/core/correlator.hpp"
#include "vesagent/http/client.hpp"
#include "vesagent/sources/prometheus/measurement_builder.hpp"
#include "vesagent/sources/prometheus/query_response.hpp"
#include "vesagent/sources/prometheus/rule_set.hpp"
#include "vesagent/sources/prometheus/window_schedule.hpp"
#include "vesagent/telemetry/logging.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::sources::prometheus {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

/// Queries of one window in flight at once: enough to hide Prometheus' latency, few enough not to flood it.
constexpr std::size_t kMaxInFlight = 8;

std::int64_t now_ms() { return core::now_epoch_us() / 1000; }

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

/// Milliseconds as Prometheus' float seconds, e.g. "1795665900" or "2.5".
std::string seconds_text(std::int64_t ms) {
  char buf[40];
  if (ms % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(ms / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                  static_cast<long long>(ms % 1000));
  }
  return buf;
}

/// A window mark for the logs: its end in seconds, or "none" when no window was handed on yet.
std::string mark_text(const std::optional<std::int64_t>& end_ms) {
  return end_ms ? seconds_text(*end_ms) : std::string("none");
}

std::string short_rule(const std::string& path) {
  const auto pos = path.rfind('.');
  return pos == std::string::npos ? path : path.substr(pos + 1);  // "metrics[3]"
}

/// What became of one rule's query in one window.
struct RuleOutcome {
  enum class Kind { pending, ok, transient, permanent } kind = Kind::pending;
  std::string error_type;  ///< transport, timeout, http, prometheus, wrong_result_type, malformed
  std::string error;
  std::size_t samples = 0;
  std::array<std::size_t, kSkipReasons> skipped{};
  std::array<std::string, kSkipReasons> skip_detail;
};

}  // namespace

/// One window's queries, shared by the workers that run them (they may outlive a stop() by a moment).
struct Cycle {
  Cycle(asio::any_io_executor ex, std::shared_ptr<const RuleSet> r, std::int64_t start_ms, std::int64_t end,
        std::int64_t interval_s, std::string default_vm)
      : rules(std::move(r)),
        end_ms(end),
        interval_seconds(interval_s),
        builder(*rules, start_ms * 1000, end * 1000, interval_s, std::move(default_vm)),
        outcomes(rules->rules.size()),
        done(ex) {}

  std::shared_ptr<const RuleSet> rules;
  std::int64_t end_ms;
  std::int64_t interval_seconds;
  MeasurementBuilder builder;
  std::vector<RuleOutcome> outcomes;
  std::array<asio::cancellation_signal, kMaxInFlight> signals;
  std::size_t next = 0;
  std::size_t running = 0;
  bool abandoned = false;
  asio::steady_timer done;  ///< cancelled by the last worker
};

/// One start()..stop() of the service.
struct Run {
  explicit Run(asio::any_io_executor ex) : timer(ex) {}
  bool stopped = false;
  asio::steady_timer timer;  ///< sleep until the next window; cancelled to re-plan or stop
  std::shared_ptr<Cycle> cycle;
};

struct PrometheusService::Core {
  sources::ServiceContext ctx;
  std::unique_ptr<WindowMarks> marks;
  std::unique_ptr<SharedWindowMark> shared_mark;  ///< clustered: the mark in etcd (issue 6)
  std::shared_ptr<const RuleSet> rules;
  HeaderSettings header;
  std::optional<std::int64_t> last_end_ms;
  std::int64_t interval_override_ms = 0;
  std::shared_ptr<Run> run;
  bool off_by_config = false;  ///< stopped by a reload that emptied measurement.prometheus.address
  std::shared_ptr<spdlog::logger> log = telemetry::logger("prometheus");
  std::set<std::string> logged;  ///< (rule, problem) pairs already logged: one line per problem, not per window

  // Counters for write_metrics.
  std::uint64_t queries_ok = 0;
  std::map<std::pair<std::string, std::string>, std::uint64_t> query_errors;  ///< (rule, error_type)
  std::map<std::pair<std::string, std::string>, std::uint64_t> skipped;       ///< (rule, reason)
  std::map<std::pair<std::string, std::string>, std::uint64_t> dropped;       ///< (array, missing field)
  std::uint64_t events = 0;
  std::uint64_t windows_collected = 0;
  std::uint64_t windows_backfilled = 0;
  std::uint64_t windows_deferred = 0;
  std::uint64_t windows_expired = 0;
  std::uint64_t mark_errors = 0;
  double last_cycle_seconds = 0;

  std::int64_t interval_ms() const {
    if (interval_override_ms > 0) return interval_override_ms;
    const auto d = ctx.config->measurement.default_interval.count();
    return d > 0 ? d : 300000;
  }

  bool log_once(const std::string& key) { return logged.insert(key).second; }
  void forget(const std::string& rule_path) {
    for (auto it = logged.lower_bound(rule_path + "|"); it != logged.end() && it->rfind(rule_path + "|", 0) == 0;) {
      it = logged.erase(it);
    }
  }

  http::Request make_request(const CompiledRule& rule, std::int64_t end_ms, std::int64_t interval_s) const {
    const auto& p = ctx.config->measurement.prometheus;
    std::string expr;
    rule.expr.render(TemplateData{{}, {}, interval_s}, expr);
    http::Request req;
    req.method = "POST";  // a form POST: long PromQL never hits a URL length limit
    std::string base = p.address;
    while (!base.empty() && base.back() == '/') base.pop_back();
    req.url = base + "/api/v1/query";
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    req.headers.emplace_back("Accept", "application/json");
    if (!p.bearer_token.empty()) req.headers.emplace_back("Authorization", "Bearer " + p.bearer_token);
    req.user = p.user;
    req.password = p.password;
    http::apply_peer_settings(p.tls, req);
    req.timeout = p.timeout;
    req.connect_timeout = std::min<milliseconds>(p.timeout, milliseconds(5000));
    req.accept_gzip = true;  // 100,000 series: 16.5 MB plain, 0.6 MB gzipped
    req.body = "query=" + url_encode(expr) + "&time=" + seconds_text(end_ms) +
               "&timeout=" + seconds_text(p.timeout.count());
    return req;
  }

  void handle(Cycle& cycle, const CompiledRule& rule, RuleOutcome& out, const http::Response& resp) {
    if (resp.transport_failed()) {
      out.kind = RuleOutcome::Kind::transient;
      out.error_type = resp.error == http::TransportError::timeout ? "timeout" : "transport";
      out.error = std::string(http::to_string(resp.error)) + ": " + resp.error_text;
      return;
    }
    std::string detail;
    SampleCallback on_sample;
    if (resp.status == 200) {
      on_sample = [&](const Sample& s) {
        if (auto reason = cycle.builder.add(rule, s, detail)) {
          const auto r = static_cast<std::size_t>(*reason);
          if (out.skipped[r]++ == 0) out.skip_detail[r] = detail;
        }
      };
    }
    const QueryResponse parsed = parse_query_response(resp.body, on_sample);
    out.samples = parsed.samples;
    const bool transient = resp.status >= 500;
    if (resp.status == 200 && parsed.ok()) {
      out.kind = RuleOutcome::Kind::ok;
      return;
    }
    out.kind = transient ? RuleOutcome::Kind::transient : RuleOutcome::Kind::permanent;
    switch (parsed.error) {
      case ResponseError::prometheus_error:
        out.error_type = parsed.error_type == "timeout" ? "timeout" : "prometheus";
        out.error = "HTTP " + std::to_string(resp.status) + " " + parsed.error_type + ": " + parsed.message;
        break;
      case ResponseError::wrong_result_type:
        out.error_type = "wrong_result_type";
        out.error = parsed.message;
        break;
      case ResponseError::malformed:
        out.error_type = resp.status == 200 ? "malformed" : "http";
        out.error = resp.status == 200 ? "unreadable answer: " + parsed.message
                                       : "HTTP " + std::to_string(resp.status) + ": " + resp.body.substr(0, 200);
        break;
      case ResponseError::none:
        out.error_type = "http";
        out.error = "HTTP " + std::to_string(resp.status);
        break;
    }
  }

  /// Logs and counts what the rules did in this window. Returns true when every rule failed transiently
  /// (Prometheus unreachable): the window is then retried later instead of being sent empty.
  bool account(Cycle& cycle) {
    bool any = false;
    bool all_transient = true;
    for (std::size_t i = 0; i < cycle.outcomes.size(); ++i) {
      const auto& rule = cycle.rules->rules[i];
      const auto& o = cycle.outcomes[i];
      const std::string rule_name = short_rule(rule.path);
      any = true;
      all_transient = all_transient && o.kind == RuleOutcome::Kind::transient;
      if (o.kind == RuleOutcome::Kind::ok) {
        ++queries_ok;
        if (logged.count(rule.path + "|query") > 0) {
          log->info("msg=\"Measurement rule works again\" rule={}", rule.path);
          forget(rule.path);
        }
      } else {
        ++query_errors[{rule_name, o.error_type}];
        if (log_once(rule.path + "|query")) {
          log->error("msg=\"Measurement rule failed; other rules go on\" rule={} expr={} error_type={} error={}",
                     rule.path, telemetry::logfmt_value(rule.expr_text), o.error_type,
                     telemetry::logfmt_value(o.error));
        }
      }
      for (std::size_t r = 0; r < kSkipReasons; ++r) {
        if (o.skipped[r] == 0) continue;
        const auto reason = to_string(static_cast<SkipReason>(r));
        skipped[{rule_name, std::string(reason)}] += o.skipped[r];
        if (log_once(rule.path + "|skip|" + std::string(reason))) {
          log->warn("msg=\"Series skipped by a measurement rule\" rule={} reason={} series={} example={}", rule.path,
                    reason, o.skipped[r], telemetry::logfmt_value(o.skip_detail[r]));
        }
      }
    }
    return any && all_transient;
  }
};

namespace {

using CorePtr = std::shared_ptr<PrometheusService::Core>;

asio::awaitable<void> worker(CorePtr core, std::shared_ptr<Cycle> cycle) {
  try {
    while (!cycle->abandoned && cycle->next < cycle->rules->rules.size()) {
      const std::size_t i = cycle->next++;
      const CompiledRule& rule = cycle->rules->rules[i];
      http::Response resp =
          co_await core->ctx.client->send(core->make_request(rule, cycle->end_ms, cycle->interval_seconds));
      if (cycle->abandoned) break;
      core->handle(*cycle, rule, cycle->outcomes[i], resp);
    }
  } catch (const std::exception& e) {
    if (!cycle->abandoned) core->log->error("msg=\"Measurement query failed\" error={}", telemetry::logfmt_value(e.what()));
  }
  if (--cycle->running == 0) cycle->done.cancel();
}

enum class WindowOutcome { sent, deferred, stopped };

asio::awaitable<WindowOutcome> collect(CorePtr core, std::shared_ptr<Run> run, std::int64_t end_ms,
                                       std::int64_t interval_ms) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t interval_s = std::max<std::int64_t>(1, (interval_ms + 500) / 1000);
  auto cycle = std::make_shared<Cycle>(core->ctx.executor, core->rules, end_ms - interval_ms, end_ms, interval_s,
                                       core->header.default_vm_id);
  run->cycle = cycle;
  const std::size_t workers = std::min(kMaxInFlight, cycle->rules->rules.size());
  cycle->running = workers;
  for (std::size_t k = 0; k < workers; ++k) {
    asio::co_spawn(core->ctx.executor, worker(core, cycle),
                   asio::bind_cancellation_slot(cycle->signals[k].slot(), [cycle](std::exception_ptr) {}));
  }
  if (cycle->running > 0) {
    cycle->done.expires_at(asio::steady_timer::time_point::max());
    co_await cycle->done.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  run->cycle.reset();
  if (run->stopped) co_return WindowOutcome::stopped;

  if (core->account(*cycle)) co_return WindowOutcome::deferred;
  std::vector<DroppedElement> dropped;
  std::vector<core::Event> events = cycle->builder.finish(core->header, dropped);
  for (const auto& d : dropped) {
    core->dropped[{d.array, d.missing_field}] += d.count;
    if (core->log_once("drop|" + d.array + "|" + d.missing_field)) {
      core->log->warn("msg=\"Measurement elements dropped: no rule gave a required field (no value is invented)\" "
                      "array={} missing_field={} elements={}",
                      d.array, d.missing_field, d.count);
    }
  }
  std::size_t sent = 0;
  for (auto& e : events) {
    core->ctx.correlator->submit(std::move(e));  // the stage gives it its eventId ("Measurements0000000042")
    ++sent;
  }
  core->events += sent;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  core->last_cycle_seconds = seconds;
  core->log->info("msg=\"Measurement window collected\" window_end={} events={} rules={} duration_ms={:.1f}",
                  seconds_text(end_ms), sent, cycle->rules->rules.size(), seconds * 1000);
  co_return WindowOutcome::sent;
}

/// The loop moves on at once; the persisted mark follows once the outbox has the window's events on disk, so a
/// crash never skips a window, and a stop right after a cycle (the mark still pending) never repeats one.
void remember(const CorePtr& core, std::int64_t end_ms) {
  core->last_end_ms = end_ms;
  if (!core->marks && !core->shared_mark) return;
  core->ctx.correlator->commit([core, end_ms](bool durable) {
    if (!durable) {
      // Not marked: after a restart the window is collected again (at least once; the outbox still holds it).
      core->log->warn("msg=\"Outbox cannot write; the measurement window is not marked as sent\" window_end={}",
                      seconds_text(end_ms));
      return;
    }
    if (core->shared_mark) core->shared_mark->store(end_ms);
    std::string error;
    if (core->marks && !core->marks->store(end_ms, error)) {
      ++core->mark_errors;
      if (core->log_once("marks|store")) {
        core->log->error("msg=\"Cannot save the last measurement window; a restart may resend it\" error={}",
                         telemetry::logfmt_value(error));
      }
    }
  });
}

/// Clustered: continue from the later of this agent's own mark and the cluster's (the previous leader's), so a
/// failover neither repeats nor skips a window.
asio::awaitable<void> adopt_shared_mark(const CorePtr& core) {
  auto shared = co_await core->shared_mark->load();
  if (!shared) {
    core->log->warn("msg=\"Cannot read the cluster's last measurement window; continuing from this agent's own\" "
                    "error={} last_window_end={}",
                    telemetry::logfmt_value(shared.error().message()),
                    mark_text(core->last_end_ms));
    co_return;
  }
  if (*shared && (!core->last_end_ms || **shared > *core->last_end_ms)) {
    core->log->info("msg=\"Continuing from the cluster's last measurement window\" last_window_end={} own={}",
                    seconds_text(**shared),
                    mark_text(core->last_end_ms));
    core->last_end_ms = **shared;
  }
}

asio::awaitable<void> run_loop(CorePtr core, std::shared_ptr<Run> run) {
  try {
    if (core->shared_mark) {
      co_await adopt_shared_mark(core);
      if (run->stopped) co_return;
    }
    while (!run->stopped) {
      const std::int64_t interval = core->interval_ms();
      const std::int64_t latest = latest_window_end(now_ms(), interval);
      const auto max_buffering = core->ctx.config->measurement.max_buffering_duration.count();
      const WindowPlan plan = plan_windows(core->last_end_ms, latest, interval, max_buffering);
      if (plan.expired > 0) {
        core->windows_expired += static_cast<std::uint64_t>(plan.expired);
        core->log->warn("msg=\"Missed measurement windows older than maxBufferingDuration are not back-filled\" "
                        "windows={} max_buffering_s={}",
                        plan.expired, max_buffering / 1000);
      }
      for (std::size_t i = 0; i < plan.ends.size(); ++i) {
        const std::int64_t end = plan.ends[i];
        const WindowOutcome outcome = co_await collect(core, run, end, interval);
        if (outcome == WindowOutcome::stopped || run->stopped) co_return;
        if (outcome == WindowOutcome::deferred) {
          ++core->windows_deferred;
          core->log->warn("msg=\"Prometheus unreachable; the window will be back-filled later\" window_end={} "
                          "pending_windows={}",
                          seconds_text(end), plan.ends.size() - i);
          break;
        }
        ++core->windows_collected;
        if (i + 1 < plan.ends.size()) ++core->windows_backfilled;
        remember(core, end);
      }
      if (core->ctx.once) {
        if (core->ctx.once_done) core->ctx.once_done("prometheus");
        co_return;
      }
      const std::int64_t wait = next_collection_time(latest, interval) - now_ms();
      if (wait > 0) {
        run->timer.expires_after(milliseconds(wait));
        co_await run->timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
    }
  } catch (const std::exception& e) {
    core->log->error("msg=\"Measurement loop ended unexpectedly\" error={}", telemetry::logfmt_value(e.what()));
  }
}

}  // namespace

PrometheusService::PrometheusService(const sources::ServiceContext& context, std::unique_ptr<WindowMarks> marks,
                                     std::unique_ptr<SharedWindowMark> shared)
    : core_(std::make_shared<Core>()) {
  core_->ctx = context;
  core_->marks = std::move(marks);
  core_->shared_mark = std::move(shared);
}

PrometheusService::~PrometheusService() { stop(); }

Result<void> PrometheusService::start(std::string& error) {
  auto& c = *core_;
  if (c.run && !c.run->stopped) return {};
  std::vector<RuleProblem> errors;
  std::vector<RuleProblem> warnings;
  auto rules = compile_rules(*c.ctx.config, errors, warnings);
  if (!rules) {
    error = errors.empty() ? "invalid measurement rules" : errors.front().path + ": " + errors.front().message;
    return make_error_code(errc::invalid_config);
  }
  c.rules = std::make_shared<const RuleSet>(std::move(*rules));
  c.header = header_settings(*c.ctx.config);
  c.logged.clear();
  if (c.marks && !c.last_end_ms) {
    std::string why;
    auto loaded = c.marks->load(why);
    if (!loaded) {
      c.log->warn("msg=\"Cannot read the last measurement window; starting without back-fill\" error={}",
                  telemetry::logfmt_value(why));
    } else {
      c.last_end_ms = *loaded;
    }
  }
  c.run = std::make_shared<Run>(c.ctx.executor);
  c.log->info("msg=\"Prometheus measurements started\" address={} rules={} interval_s={} last_window_end={}",
              c.ctx.config->measurement.prometheus.address, c.rules->rules.size(), c.interval_ms() / 1000,
              mark_text(c.last_end_ms));
  asio::co_spawn(c.ctx.executor, run_loop(core_, c.run), [](std::exception_ptr) {});
  return {};
}

void PrometheusService::stop() {
  auto& c = *core_;
  if (!c.run || c.run->stopped) return;
  auto run = c.run;
  run->stopped = true;
  run->timer.cancel();
  if (auto cycle = run->cycle) {
    cycle->abandoned = true;
    for (auto& s : cycle->signals) s.emit(asio::cancellation_type::terminal);
    cycle->done.cancel();
  }
}

void PrometheusService::reload() {
  auto& c = *core_;
  const bool running = c.run && !c.run->stopped;
  if (c.ctx.config->measurement.prometheus.address.empty()) {
    // Measurements switched off by the new configuration: stop querying until an address comes back.
    if (running) {
      c.log->info("msg=\"measurement.prometheus.address is now empty; measurements stop\"");
      stop();
      c.off_by_config = true;
    }
    return;
  }
  if (c.off_by_config && !running) {
    c.off_by_config = false;
    std::string error;
    if (!start(error)) c.log->error("msg=\"Cannot restart measurements\" error={}", telemetry::logfmt_value(error));
    return;
  }
  std::vector<RuleProblem> errors;
  std::vector<RuleProblem> warnings;
  auto rules = compile_rules(*c.ctx.config, errors, warnings);
  if (!rules) {
    c.log->error("msg=\"Reloaded measurement rules are invalid; keeping the running ones\" error={}",
                 telemetry::logfmt_value(errors.empty() ? "" : errors.front().path + ": " + errors.front().message));
    return;
  }
  c.rules = std::make_shared<const RuleSet>(std::move(*rules));  // a window in progress keeps the old set
  c.header = header_settings(*c.ctx.config);
  c.logged.clear();
  if (c.run && !c.run->stopped) c.run->timer.cancel();  // re-plan with a possibly new defaultInterval
}

void PrometheusService::set_measurement_interval_seconds(std::int64_t seconds) {
  auto& c = *core_;
  c.interval_override_ms = seconds > 0 ? seconds * 1000 : 0;
  c.log->info("msg=\"Measurement interval changed\" interval_s={}", c.interval_ms() / 1000);
  if (c.run && !c.run->stopped) c.run->timer.cancel();
}

std::chrono::milliseconds PrometheusService::interval() const { return milliseconds(core_->interval_ms()); }

void PrometheusService::write_metrics(telemetry::MetricsWriter& out) const {
  const auto& c = *core_;
  out.counter("vesagent_prometheus_queries_total", "Prometheus queries answered with a usable result.",
              static_cast<double>(c.queries_ok));
  for (const auto& [k, v] : c.query_errors) {
    out.counter("vesagent_prometheus_query_errors_total",
                "Prometheus queries that failed, by rule and error type (transport, timeout, http, prometheus, "
                "wrong_result_type, malformed).",
                static_cast<double>(v), {{"rule", k.first}, {"error_type", k.second}});
  }
  for (const auto& [k, v] : c.skipped) {
    out.counter("vesagent_prometheus_series_skipped_total", "Series a rule could not place, by rule and reason.",
                static_cast<double>(v), {{"rule", k.first}, {"reason", k.second}});
  }
  for (const auto& [k, v] : c.dropped) {
    out.counter("vesagent_prometheus_elements_dropped_total",
                "Measurement elements not sent because no rule gave one of their required fields.",
                static_cast<double>(v), {{"array", k.first}, {"missing_field", k.second}});
  }
  out.counter("vesagent_prometheus_events_total", "Measurement events handed to the pipeline.",
              static_cast<double>(c.events));
  out.counter("vesagent_prometheus_windows_total", "Measurement windows by outcome.",
              static_cast<double>(c.windows_collected), {{"outcome", "collected"}});
  out.counter("vesagent_prometheus_windows_total", "Measurement windows by outcome.",
              static_cast<double>(c.windows_backfilled), {{"outcome", "backfilled"}});
  out.counter("vesagent_prometheus_windows_total", "Measurement windows by outcome.",
              static_cast<double>(c.windows_deferred), {{"outcome", "deferred"}});
  out.counter("vesagent_prometheus_windows_total", "Measurement windows by outcome.",
              static_cast<double>(c.windows_expired), {{"outcome", "expired"}});
  out.counter("vesagent_prometheus_window_mark_errors_total", "Failed writes of the last delivered window.",
              static_cast<double>(c.mark_errors));
  if (c.shared_mark) {
    out.counter("vesagent_prometheus_cluster_window_mark_errors_total",
                "Failed writes of the last delivered window to the cluster (etcd); the next leader may repeat it.",
                static_cast<double>(c.shared_mark->write_failures()));
  }
  out.gauge("vesagent_prometheus_last_window_end_seconds", "End of the last window handed to the pipeline.",
            c.last_end_ms ? static_cast<double>(*c.last_end_ms) / 1000.0 : 0.0);
  out.gauge("vesagent_prometheus_last_cycle_duration_seconds", "Wall time of the last window's queries and mapping.",
            c.last_cycle_seconds);
  out.gauge("vesagent_prometheus_interval_seconds", "Measurement interval in force.",
            static_cast<double>(c.interval_ms()) / 1000.0);
}

std::unique_ptr<core::Service> make_service(const sources::ServiceContext& context) {
  if (context.config == nullptr || context.config->measurement.prometheus.address.empty()) return nullptr;
  auto marks = std::make_unique<FileWindowMarks>(std::filesystem::path(context.config->datadir) /
                                                 "prometheus-window.json");
  std::unique_ptr<SharedWindowMark> shared;
  if (context.cluster_kv != nullptr) shared = std::make_unique<SharedWindowMark>(context.executor, *context.cluster_kv);
  return std::make_unique<PrometheusService>(context, std::move(marks), std::move(shared));
}

}  // namespace vesagent::sources::prometheus
