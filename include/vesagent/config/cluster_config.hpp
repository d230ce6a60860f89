#pragma once
/// High availability on etcd (the `cluster` section). Included by config.hpp; the keys live in src/config/keys_cluster.cpp.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vesagent::config {

struct ClusterConfig {};

}  // namespace vesagent::config
