#pragma once
// Internal to the app: the intervals a collector set through its commandList (heartbeatIntervalChange,
// measurementIntervalChange). They outlive the process: kept in <datadir>/collector-intervals.json and, clustered,
// in etcd (KvStore key "collector-intervals"), so a restart or a new leader keeps what the collector asked for.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vesagent::app {

struct CollectorIntervals {
  std::optional<std::int64_t> heartbeat_seconds;    ///< 0 = back to the configured default
  std::optional<std::int64_t> measurement_seconds;  ///< 0 = back to the configured default

  bool empty() const { return !heartbeat_seconds && !measurement_seconds; }
  /// {"heartbeatIntervalSeconds":N,"measurementIntervalSeconds":N} (absent = never set).
  std::string to_json() const;
  /// nullopt when `text` is not such an object.
  static std::optional<CollectorIntervals> from_json(std::string_view text);
};

}  // namespace vesagent::app
