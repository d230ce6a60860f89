#pragma once
/// The Prometheus measurement source (core::Service "prometheus"): at every measurement window boundary it runs
/// the instant queries of measurement.prometheus.rules at the window's end time, maps the answers onto VES
/// measurement fields (MeasurementBuilder) and hands one event per vmId to the pipeline. Missed windows (agent
/// down, Prometheus unreachable) are back-filled from Prometheus, oldest first, up to
/// measurement.maxBufferingDuration; the last window handed on is persisted (WindowMarks), so none is sent twice.
///
/// Threading: everything runs on the executor of the ServiceContext; no method blocks (the window mark is a
/// few bytes written once per window).
#include <chrono>
#include <memory>

#include "vesagent/core/service.hpp"
#include "vesagent/sources/service_context.hpp"
#include "vesagent/sources/prometheus/shared_window_mark.hpp"
#include "vesagent/sources/prometheus/window_marks.hpp"

namespace vesagent::sources::prometheus {

class PrometheusService final : public core::Service {
 public:
  /// `marks` remembers the last window handed on; make_service() uses <datadir>/prometheus-window.json. In a
  /// cluster `shared` keeps the same mark in etcd (written behind the local one, read on every start), so the next
  /// leader continues where this one stopped.
  PrometheusService(const sources::ServiceContext& context, std::unique_ptr<WindowMarks> marks,
                    std::unique_ptr<SharedWindowMark> shared = nullptr);
  ~PrometheusService() override;
  PrometheusService(const PrometheusService&) = delete;
  PrometheusService& operator=(const PrometheusService&) = delete;

  std::string_view name() const override { return "prometheus"; }
  Result<void> start(std::string& error) override;
  void stop() override;
  void reload() override;
  void set_measurement_interval_seconds(std::int64_t seconds) override;
  void write_metrics(telemetry::MetricsWriter& out) const override;

  /// The interval in force (the collector's, else measurement.defaultInterval).
  std::chrono::milliseconds interval() const;

  struct Core;

 private:
  std::shared_ptr<Core> core_;  ///< shared with the running coroutines, which may outlive a stop() by a moment
};

/// The service for `context`, or nullptr when measurement.prometheus.address is empty (measurements off).
std::unique_ptr<core::Service> make_service(const sources::ServiceContext& context);

}  // namespace vesagent::sources::prometheus
