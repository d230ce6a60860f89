// Keys of the `outbox` section.
#include "key_factories.hpp"

namespace vesagent::config::detail {

void add_outbox_keys(std::vector<Key>&) {}

void check_outbox(const Config&, Report&, const WhereOf&) {}

}  // namespace vesagent::config::detail
