#include "services.hpp"

#include "vesagent/sources/openstack/openstack_service.hpp"  // OpenStack VM faults
#include "vesagent/sources/prometheus/prometheus_service.hpp"  // Prometheus measurements

namespace vesagent::app {

std::vector<std::unique_ptr<core::Service>> make_services(const sources::ServiceContext& context) {
  std::vector<std::unique_ptr<core::Service>> services;
  auto add = [&services](std::unique_ptr<core::Service> s) {
    if (s) services.push_back(std::move(s));
  };
  (void)context;
  (void)add;
  add(sources::prometheus::make_service(context));  // Prometheus rules -> measurement events
  add(sources::openstack::make_service(context));  // OpenStack VM states -> fault (and stateChange) events
  return services;
}

}  // namespace vesagent::app
