#include "vesagent/app/source_checks.hpp"

#include "vesagent/sources/openstack/openstack_service.hpp"  // OpenStack cloud credentials
#include "vesagent/sources/prometheus/rule_set.hpp"  // measurement rule templates and targets

namespace vesagent::app {

void check_sources(config::LoadResult& result) {
  if (!result.ok()) return;  // the sections may be half-parsed: their checks would only add noise
  // One line per source that has checks, e.g. sources::prometheus::check_rules(result.config, result);
  sources::prometheus::check_config(result);  // rule templates, targets, required fields per ves.version
  sources::openstack::check_config(result);   // every cloud's credentials resolve (clouds.yaml, OS_*)
}

}  // namespace vesagent::app
