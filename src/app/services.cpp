#include "services.hpp"

namespace vesagent::app {

std::vector<std::unique_ptr<core::Service>> make_services(const core::ServiceContext& context) {
  std::vector<std::unique_ptr<core::Service>> services;
  auto add = [&services](std::unique_ptr<core::Service> s) {
    if (s) services.push_back(std::move(s));
  };
  (void)context;
  (void)add;
  // add(sources::prometheus::make_service(context));
  // add(sources::openstack::make_service(context));
  return services;
}

}  // namespace vesagent::app
