// Keys of the `openstack` section.
#include "key_factories.hpp"

namespace vesagent::config::detail {

void add_openstack_keys(std::vector<Key>&) {}

void check_openstack(const Config&, Report&, const WhereOf&) {}

}  // namespace vesagent::config::detail
