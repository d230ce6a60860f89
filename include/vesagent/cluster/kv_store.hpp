#pragma once
/// A small key-value store shared by the agents of one cluster, for state a new leader must continue from (the
/// measurement delivered-window mark, "measurement/last-window-end-ms"). Values are opaque strings;
/// names are relative and live under "<cluster.prefix>/kv/" in etcd.
///
/// Writes are FENCED: put() succeeds only while this agent holds the leadership it had when the put was sent (an
/// etcd txn that compares the leader key's create_revision), so a deposed leader can never overwrite what the
/// new one wrote. Reads are linearizable.
///
/// Errors: boost::system::errc::operation_not_permitted = not the leader (or leadership lost meanwhile);
/// vesagent::errc::io_error = etcd unreachable or answered with an error (details in the log).
///
/// Threading: the cluster member's executor; calls may overlap.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "vesagent/core/error.hpp"

namespace vesagent::cluster {

class KvStore {
 public:
  virtual ~KvStore() = default;
  /// The value stored under `name`; nullopt when there is none.
  virtual boost::asio::awaitable<Result<std::optional<std::string>>> get(std::string name) = 0;
  /// Stores `value` under `name` if this agent is the leader (see above).
  virtual boost::asio::awaitable<Result<void>> put(std::string name, std::string value) = 0;
  /// Deletes `name` (fenced like put); deleting a missing name succeeds.
  virtual boost::asio::awaitable<Result<void>> erase(std::string name) = 0;
};

}  // namespace vesagent::cluster
