#include "vesagent/sources/prometheus/window_schedule.hpp"

#include <algorithm>

namespace vesagent::sources::prometheus {
namespace {

std::int64_t floor_to(std::int64_t t, std::int64_t step) noexcept {
  std::int64_t q = t / step;
  if (t % step != 0 && t < 0) --q;
  return q * step;
}

}  // namespace

std::int64_t settle_delay_ms(std::int64_t interval_ms) noexcept { return std::min<std::int64_t>(interval_ms / 5, 5000); }

std::int64_t latest_window_end(std::int64_t now_ms, std::int64_t interval_ms) noexcept {
  return floor_to(now_ms - settle_delay_ms(interval_ms), interval_ms);
}

std::int64_t next_collection_time(std::int64_t window_end_ms, std::int64_t interval_ms) noexcept {
  return floor_to(window_end_ms, interval_ms) + interval_ms + settle_delay_ms(interval_ms);
}

WindowPlan plan_windows(std::optional<std::int64_t> last_delivered_end_ms, std::int64_t latest_end_ms,
                        std::int64_t interval_ms, std::int64_t max_buffering_ms) {
  WindowPlan plan;
  if (interval_ms <= 0) return plan;
  if (!last_delivered_end_ms) {
    plan.ends.push_back(latest_end_ms);
    return plan;
  }
  if (*last_delivered_end_ms >= latest_end_ms) return plan;
  std::int64_t first = floor_to(*last_delivered_end_ms, interval_ms) + interval_ms;
  // Oldest end still within the buffering horizon: ends e with latest - e < max_buffering.
  const std::int64_t horizon = latest_end_ms - std::max<std::int64_t>(max_buffering_ms, 0);
  std::int64_t oldest = floor_to(horizon, interval_ms) + interval_ms;
  oldest = std::min(oldest, latest_end_ms);
  if (first < oldest) {
    plan.expired = (oldest - first) / interval_ms;
    first = oldest;
  }
  for (std::int64_t e = first; e <= latest_end_ms; e += interval_ms) plan.ends.push_back(e);
  return plan;
}

}  // namespace vesagent::sources::prometheus
