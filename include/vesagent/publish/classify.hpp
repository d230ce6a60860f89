#pragma once
/// What a collector's answer means for the events that were posted.
#include <string_view>

namespace vesagent::publish {

enum class Outcome {
  delivered,  ///< any 2xx: the collector has them
  retry,      ///< 5xx, 408, 429, or no HTTP answer (refused, reset, timeout, TLS): try again / fail over
  reject,     ///< any other status: this payload will never be accepted; dead-letter it
};

Outcome classify(int status, bool transport_failed) noexcept;
std::string_view to_string(Outcome o) noexcept;

}  // namespace vesagent::publish
