#pragma once
/// OpenStack VM polling (the `openstack` section). Included by config.hpp; the keys live in src/config/keys_openstack.cpp.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vesagent::config {

struct OpenStackConfig {};

}  // namespace vesagent::config
