#pragma once
/// The end of the last measurement window handed on, shared by the agents of a cluster (etcd HA, issue 6). The
/// leader writes it behind its local file mark (WindowMarks); an agent that starts leading reads it and continues
/// from the later of the two, so a failover neither re-sends the previous leader's windows nor skips one.
///
/// Stored as decimal milliseconds under the cluster KvStore name "measurement/last-window-end-ms". Writes are
/// fenced by the KvStore (only the leader's succeed), queued one at a time in order, and never move the mark back.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "vesagent/cluster/kv_store.hpp"
#include "vesagent/core/error.hpp"

namespace vesagent::sources::prometheus {

class SharedWindowMark {
 public:
  static constexpr std::string_view kName = "measurement/last-window-end-ms";

  /// `kv` must outlive every store() started.
  SharedWindowMark(boost::asio::any_io_executor executor, cluster::KvStore& kv);
  ~SharedWindowMark();
  SharedWindowMark(const SharedWindowMark&) = delete;
  SharedWindowMark& operator=(const SharedWindowMark&) = delete;

  /// The cluster's mark; nullopt when none was written yet. Fails when etcd cannot be read or the value is not a
  /// positive number (the caller then continues from its local mark).
  boost::asio::awaitable<Result<std::optional<std::int64_t>>> load();

  /// Writes the mark and returns at once. A failed write (not the leader any more, etcd unreachable) is logged
  /// once per failure streak and counted; the next leader may then repeat that one window (at least once).
  void store(std::int64_t window_end_ms);

  std::uint64_t write_failures() const;

  struct State;  ///< shared with the writer coroutine, which may outlive this object by one put

 private:
  std::shared_ptr<State> state_;
};

}  // namespace vesagent::sources::prometheus
