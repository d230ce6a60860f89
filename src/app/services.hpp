#pragma once
/// Internal: the list of services (core::Service) the app runs besides the webhook and the heartbeat.
#include <memory>
#include <vector>

#include "vesagent/core/service.hpp"
#include "vesagent/sources/service_context.hpp"

namespace vesagent::app {

/// One line per source: each factory returns nullptr when its section of the Config leaves it off.
std::vector<std::unique_ptr<core::Service>> make_services(const sources::ServiceContext& context);

}  // namespace vesagent::app
