#pragma once
/// eventIds for the domains whose events have no natural identity: one allocator per domain (heartbeat,
/// measurement, stateChange, and any later one), each with its own number space and its own spelling
/// ("heartbeat0000000042", "Measurements0000000042" as VESPA writes them, "stateChange42"). A number is never
/// handed out twice for a domain: standalone, numbers are reserved in blocks in `<datadir>/event-counter.<domain>`
/// (state::IdAllocator: a crash loses the rest of a block, never repeats one); clustered, they come from blocks
/// reserved in etcd by the leader (Replica), so a new leader continues where the previous one stopped.
/// Fault eventIds are not counted: they derive from the fault's key and episode (state::FaultStore).
///
/// The single `<datadir>/event-counter` of earlier versions is the floor of every domain's first block.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "vesagent/core/error.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::state {
class IdAllocator;
}

namespace vesagent::correlate {

class Replica;

/// The domains with counted eventIds, in the order of their allocators.
inline constexpr std::array<core::Domain, 3> kCountedDomains = {core::Domain::heartbeat, core::Domain::measurement,
                                                                core::Domain::state_change};

class EventIds {
 public:
  /// Counter files live in `directory` (the state directory).
  explicit EventIds(std::filesystem::path directory);
  ~EventIds();
  EventIds(const EventIds&) = delete;
  EventIds& operator=(const EventIds&) = delete;

  /// Opens every domain's counter file; the message names the file that cannot be read or written.
  Result<void> open(std::string& error);
  /// Clustered: numbers come from `replica` (nullptr = standalone again).
  void set_replica(Replica* replica) { replica_ = replica; }

  /// The next eventId of `domain` in its spelling. Fails for fault (faults have derived ids) and when no number
  /// is available (`error` says why).
  Result<std::string> next(core::Domain domain, std::string& error);
  /// The next local number of `domain` (the floor for the cluster's blocks, so a standalone agent turned HA
  /// never repeats its own numbers).
  Result<std::uint64_t> next_local(core::Domain domain, std::string& error);

  /// "heartbeat0000000042" etc.
  static std::string format(core::Domain domain, std::uint64_t number);
  /// "heartbeat", "measurement", "stateChange": the file suffix and the etcd key suffix.
  static std::string_view counter_name(core::Domain domain);

 private:
  state::IdAllocator* allocator(core::Domain domain);

  std::filesystem::path directory_;
  std::array<std::unique_ptr<state::IdAllocator>, kCountedDomains.size()> local_;
  Replica* replica_ = nullptr;
};

}  // namespace vesagent::correlate
