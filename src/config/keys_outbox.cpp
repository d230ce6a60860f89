// Keys of the `outbox` section: the durable queue in <datadir>/outbox.
#include "key_factories.hpp"

namespace vesagent::config::detail {

void add_outbox_keys(std::vector<Key>& keys) {
  keys.push_back(size_key("outbox.maxBytes",
                          "Bound on the events waiting for a collector (bytes on disk). When reached, "
                          "outbox.overflowPolicy applies. Must hold at least one event of event.maxSize.",
                          [](auto& c) -> auto& { return c.outbox.max_bytes; }, 1 << 20));
  keys.push_back(duration_key("outbox.maxAge",
                              "Bound on the age of waiting events; 0s = none. Heartbeats and measurements older "
                              "than this are dropped; with overflowPolicy refuse, an older fault makes the webhook "
                              "answer 503 until it is delivered.",
                              [](auto& c) -> auto& { return c.outbox.max_age; }, Zero::allowed));
  keys.push_back(choice_key("outbox.overflowPolicy",
                            "What happens at a bound. refuse: drop the oldest heartbeats and measurements, never a "
                            "fault; once faults alone reach a bound the webhook answers 503 (Alertmanager retries). "
                            "dropOldest: drop the oldest events of any domain, faults included, and keep accepting. "
                            "Every drop is logged and counted.",
                            [](auto& c) -> auto& { return c.outbox.overflow_policy; }, {"refuse", "dropOldest"}));
  keys.push_back(choice_key("outbox.fsync",
                            "When appended events are forced to disk. batch: group commit, one fdatasync for "
                            "everything appended meanwhile (at most one per fsyncInterval). always: one fdatasync "
                            "per event (slow). never: no fdatasync (survives an agent crash, not a power loss). "
                            "The webhook answers 200 only after the fdatasync (batch, always).",
                            [](auto& c) -> auto& { return c.outbox.fsync; }, {"batch", "always", "never"}));
  keys.push_back(duration_key("outbox.fsyncInterval",
                              "With fsync batch: minimum time between two group commits. 0s = the next one starts "
                              "as soon as the previous one ends (lowest latency); larger values mean fewer "
                              "fdatasync calls but make the webhook answer up to this much later.",
                              [](auto& c) -> auto& { return c.outbox.fsync_interval; }, Zero::allowed));
  keys.push_back(size_key("outbox.segmentBytes",
                          "Size at which a new segment file is started; a segment is deleted once every event in "
                          "it was delivered. At most 1 GiB.",
                          [](auto& c) -> auto& { return c.outbox.segment_bytes; }, 64 << 10));
  keys.push_back(size_key("outbox.memoryBytes",
                          "Event JSON kept in memory for the publisher; younger waiting events are read back from "
                          "disk as the older ones are delivered.",
                          [](auto& c) -> auto& { return c.outbox.memory_bytes; }, 64 << 10));
  keys.push_back(size_key("deadLetter.maxBytes",
                          "Bound on the dead-letter store (<datadir>/dead-letters: events a collector refused for "
                          "their content, kept for `ves-agent dead-letters list|replay`). Past it, the oldest "
                          "file of records (an eighth of the bound) is dropped, logged and counted.",
                          [](auto& c) -> auto& { return c.dead_letter.max_bytes; }, 64 << 10));
  keys.push_back(int_key("deadLetter.maxEvents",
                         "Bound on the number of records in the dead-letter store; past it, the oldest file of "
                         "records is dropped, logged and counted.",
                         [](auto& c) -> auto& { return c.dead_letter.max_events; }, 1, 10000000));
}

void check_outbox(const Config& config, Report& report, const WhereOf& where_of) {
  if (config.outbox.max_bytes < config.event.max_size) {
    report.error(where_of("outbox.maxBytes"), "outbox.maxBytes",
                 "must be at least event.maxSize (" + std::to_string(config.event.max_size) + "), got " +
                     std::to_string(config.outbox.max_bytes));
  }
  if (config.outbox.segment_bytes > (std::size_t{1} << 30)) {
    report.error(where_of("outbox.segmentBytes"), "outbox.segmentBytes",
                 "must be at most 1073741824 (1 GiB), got " + std::to_string(config.outbox.segment_bytes));
  }
}

}  // namespace vesagent::config::detail
