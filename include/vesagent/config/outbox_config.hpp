#pragma once
/// The durable outbox (the `outbox` section). Included by config.hpp; the keys live in src/config/keys_outbox.cpp.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vesagent::config {

struct OutboxConfig {};

}  // namespace vesagent::config
