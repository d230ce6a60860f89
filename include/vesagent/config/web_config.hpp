#pragma once
/// The agent's own HTTP endpoint: /metrics, /-/healthy, /-/ready and status pages (the `web` section). Included by config.hpp; the keys live in src/config/keys_web.cpp.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vesagent::config {

struct WebConfig {};

}  // namespace vesagent::config
