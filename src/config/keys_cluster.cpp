// Keys of the `cluster` section.
#include "key_factories.hpp"
#include "lists.hpp"

namespace vesagent::config::detail {

void add_cluster_keys(std::vector<Key>& keys) {
  keys.push_back(list_key("cluster", KeyType::map,
                          "VESPA's Raft cluster section (debug, displayLogs, id, peers). Accepted and ignored with a "
                          "warning: Raft is not supported; high availability will use etcd.",
                          parse_cluster, nullptr));
}

void check_cluster(const Config&, Report&, const WhereOf&) {}

}  // namespace vesagent::config::detail
