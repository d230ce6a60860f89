#pragma once
/// Measurement window arithmetic. Windows are aligned to wall-clock multiples of the interval (a 300 s interval
/// gives windows ending at :00, :05, ...), so a restart or a late tick never shifts them, and each window is
/// queried at its end time. All times are milliseconds since the Unix epoch. Pure functions.
#include <cstdint>
#include <optional>
#include <vector>

namespace vesagent::sources::prometheus {

/// How long after a window's end the agent queries it: Prometheus stamps a scrape with its start time but
/// stores it when the scrape ends, so a query right at the boundary could miss a sample that a later query at
/// the same `time` would see. A fifth of the interval, at most 5 s.
std::int64_t settle_delay_ms(std::int64_t interval_ms) noexcept;

/// The end of the newest window that can be queried at `now_ms` (its end plus the settle delay has passed).
std::int64_t latest_window_end(std::int64_t now_ms, std::int64_t interval_ms) noexcept;

/// When the window after `window_end_ms` becomes queryable.
std::int64_t next_collection_time(std::int64_t window_end_ms, std::int64_t interval_ms) noexcept;

struct WindowPlan {
  std::vector<std::int64_t> ends;  ///< window ends to collect, oldest first
  std::int64_t expired = 0;        ///< missed windows older than maxBufferingDuration, given up
};

/// The windows to collect now. `last_delivered_end_ms`: end of the newest window already handed on (nullopt on a
/// first start: only the latest window). Every window after it up to `latest_end_ms` is collected, except those
/// ending more than `max_buffering_ms` before `latest_end_ms`; the latest window is always included. With a
/// changed interval, windows follow the new alignment from the first boundary after the last delivered one.
WindowPlan plan_windows(std::optional<std::int64_t> last_delivered_end_ms, std::int64_t latest_end_ms,
                        std::int64_t interval_ms, std::int64_t max_buffering_ms);

}  // namespace vesagent::sources::prometheus
