#pragma once
/// Checks of the configuration that need a source's own knowledge (Prometheus rule templates and targets, OpenStack
/// cloud definitions, ...), run after config::load() so that --check-config, start-up and SIGHUP reload all refuse
/// a configuration a source cannot work with. The config module cannot do them: it sits below the sources.
#include "vesagent/config/loader.hpp"

namespace vesagent::app {

/// Appends errors and warnings to `result` (result.ok() turns false on an error).
void check_sources(config::LoadResult& result);

}  // namespace vesagent::app
