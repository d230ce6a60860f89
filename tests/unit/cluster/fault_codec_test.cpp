// Fault records as stored in etcd: round trip, and refusal of values written by something else.
#include "vesagent/cluster/fault_codec.hpp"

#include <gtest/gtest.h>

namespace vesagent::cluster {
namespace {

TEST(FaultCodecTest, round_trips_active_and_closed_records) {
  state::FaultRecord r;
  r.key = "am/3f2a";
  r.event_id = state::FaultStore::make_event_id(r.key, 1700000000123456);
  r.episode_start_us = 1700000000123456;
  r.start_epoch_us = 1700000000123456;
  r.sequence = 3;
  r.severity = core::Severity::critical;
  for (std::int64_t closed : {std::int64_t{0}, std::int64_t{1700000099000000}}) {
    r.closed_at_us = closed;
    state::FaultRecord back;
    std::string error;
    ASSERT_TRUE(decode_fault(r.key, encode_fault(r), back, error)) << error;
    EXPECT_EQ(back.key, r.key);
    EXPECT_EQ(back.event_id, r.event_id);
    EXPECT_EQ(back.episode_start_us, r.episode_start_us);
    EXPECT_EQ(back.start_epoch_us, r.start_epoch_us);
    EXPECT_EQ(back.sequence, 3);
    EXPECT_EQ(back.severity, core::Severity::critical);
    EXPECT_EQ(back.closed_at_us, closed);
    EXPECT_EQ(back.active(), closed == 0);
  }
}

TEST(FaultCodecTest, refuses_foreign_or_damaged_values) {
  state::FaultRecord out;
  std::string error;
  EXPECT_FALSE(decode_fault("k", "20s", out, error));
  EXPECT_FALSE(decode_fault("k", "[]", out, error));
  EXPECT_FALSE(decode_fault("k", R"({"eventId":"x","episode":1,"start":1,"sequence":1,"closedAt":0})", out, error));
  EXPECT_FALSE(decode_fault("k", R"({"eventId":"x","episode":1,"start":1,"sequence":1,"severity":"LOUD","closedAt":0})",
                            out, error));
  EXPECT_FALSE(decode_fault(
      "k", R"({"eventId":"x","episode":"1","start":1,"sequence":1,"severity":"MAJOR","closedAt":0})", out, error));
  EXPECT_FALSE(decode_fault(
      "k", R"({"eventId":"x","episode":1,"start":1,"sequence":-1,"severity":"MAJOR","closedAt":0})", out, error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace vesagent::cluster
