#include "vesagent/app/source_checks.hpp"

namespace vesagent::app {

void check_sources(config::LoadResult& result) {
  if (!result.ok()) return;  // the sections may be half-parsed: their checks would only add noise
  // One line per source that has checks, e.g. sources::prometheus::check_rules(result.config, result);
}

}  // namespace vesagent::app
