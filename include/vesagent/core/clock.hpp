#pragma once
#include <chrono>
#include <cstdint>
#include <string_view>

namespace vesagent::core {

/// Wall-clock time in microseconds since the Unix epoch, as VES wants it.
std::int64_t now_epoch_us() noexcept;

/// The local UTC offset formatted as VES 7 timeZoneOffset, e.g. "UTC+01:00".
std::string_view time_zone_offset();

}  // namespace vesagent::core
