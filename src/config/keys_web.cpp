// Keys of the `web` section.
#include "key_factories.hpp"

namespace vesagent::config::detail {

void add_web_keys(std::vector<Key>&) {}

void check_web(const Config&, Report&, const WhereOf&) {}

}  // namespace vesagent::config::detail
