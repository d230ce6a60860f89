// The election state machine: what to do next and when leadership must end, with made-up steady-clock times.
#include "vesagent/cluster/election.hpp"

#include <gtest/gtest.h>

namespace vesagent::cluster {
namespace {

using namespace std::chrono_literals;
using Step = Election::Step;

const Election::TimePoint t0 = Election::TimePoint{} + 1000s;

Election make() { return Election(Election::Settings{"agent-a", 1000ms}); }

/// A member that got a TTL-3 lease at t0 and won the campaign at t0; not yet leading (state to load).
Election elected() {
  Election e = make();
  e.lease_granted(7, 3, t0);
  e.campaign_won(42, t0);
  return e;
}

TEST(ElectionTest, starts_by_granting_a_lease_then_campaigns_at_once) {
  Election e = make();
  EXPECT_EQ(e.next(t0).step, Step::grant_lease);
  EXPECT_LE(e.next(t0).at, t0);
  e.lease_granted(7, 3, t0);
  auto n = e.next(t0);
  EXPECT_EQ(n.step, Step::campaign);
  EXPECT_LE(n.at, t0);
  EXPECT_EQ(e.fence_deadline(), t0 + 2s);  // T - T/3
}

TEST(ElectionTest, a_failed_grant_is_retried_after_the_poll_interval) {
  Election e = make();
  e.lease_grant_failed(t0);
  EXPECT_EQ(e.next(t0).step, Step::grant_lease);
  EXPECT_EQ(e.next(t0).at, t0 + 1s);
}

TEST(ElectionTest, a_lost_campaign_follows_and_campaigns_again_each_poll_interval) {
  Election e = make();
  e.lease_granted(7, 6, t0);
  e.campaign_lost("agent-b", t0);
  EXPECT_EQ(e.role(), Role::follower);
  EXPECT_EQ(e.leader(), "agent-b");
  EXPECT_FALSE(e.leading());
  auto n = e.next(t0);
  EXPECT_EQ(n.step, Step::campaign);
  EXPECT_EQ(n.at, t0 + 1s);
  // The follower also keeps its lease alive every T/3, so that it can win at once.
  e.campaign_lost("agent-b", t0 + 1s);
  n = e.next(t0 + 1s);
  EXPECT_EQ(n.step, Step::keepalive);
  EXPECT_EQ(n.at, t0 + 2s);
}

TEST(ElectionTest, winning_needs_the_state_loaded_before_leading) {
  Election e = elected();
  EXPECT_EQ(e.role(), Role::elected);
  EXPECT_FALSE(e.leading());
  EXPECT_EQ(e.leader(), "agent-a");
  EXPECT_EQ(e.leader_revision(), 42);
  EXPECT_EQ(e.next(t0).step, Step::load_state);
  EXPECT_EQ(e.state_loaded(t0 + 100ms), Role::leader);
  EXPECT_TRUE(e.leading());
  EXPECT_EQ(e.next(t0 + 100ms).step, Step::keepalive);
  EXPECT_EQ(e.next(t0 + 100ms).at, t0 + 1s);
}

TEST(ElectionTest, a_state_load_that_ends_after_the_deadline_does_not_lead) {
  Election e = elected();
  EXPECT_EQ(e.state_loaded(t0 + 2s), Role::elected);
  EXPECT_FALSE(e.leading());
  EXPECT_TRUE(e.fence(t0 + 2s));
  EXPECT_EQ(e.role(), Role::follower);
}

TEST(ElectionTest, renewals_move_the_fence_deadline_from_the_time_they_were_sent) {
  Election e = elected();
  e.state_loaded(t0);
  e.keepalive_ok(3, t0 + 1s);
  EXPECT_EQ(e.fence_deadline(), t0 + 3s);
  EXPECT_FALSE(e.fence(t0 + 2900ms));
  // A late answer to an older renewal never moves the deadline back.
  e.keepalive_ok(3, t0 + 500ms);
  EXPECT_EQ(e.fence_deadline(), t0 + 3s);
}

TEST(ElectionTest, a_leader_that_cannot_renew_is_fenced_a_third_of_the_ttl_before_expiry) {
  Election e = elected();
  e.state_loaded(t0);
  e.keepalive_failed(t0 + 1s);
  // Retried at min(poll, T/6) = 500 ms.
  EXPECT_EQ(e.next(t0 + 1s).step, Step::keepalive);
  EXPECT_EQ(e.next(t0 + 1s).at, t0 + 1500ms);
  e.keepalive_failed(t0 + 1500ms);
  EXPECT_FALSE(e.fence(t0 + 1999ms));
  EXPECT_TRUE(e.leading());
  EXPECT_TRUE(e.fence(t0 + 2s));
  EXPECT_FALSE(e.leading());
  // The lease can only have expired at t0 + 3s: a full T/3 after the leader stopped.
  EXPECT_LE(e.fence_deadline() + 1s, t0 + 3s);
  EXPECT_FALSE(e.fence(t0 + 2s));  // reported once
}

TEST(ElectionTest, a_fenced_member_renews_before_it_campaigns_again) {
  Election e = elected();
  e.state_loaded(t0);
  ASSERT_TRUE(e.fence(t0 + 2s));
  e.keepalive_failed(t0 + 2s);
  // No campaign with a lease that may be gone: only renewals.
  EXPECT_EQ(e.next(t0 + 2600ms).step, Step::keepalive);
  e.campaign_won(42, t0 + 2600ms);  // even a win reported now is ignored
  EXPECT_EQ(e.role(), Role::follower);
  // The lease survived (etcd was slow, not gone): renew, then campaign, and reclaim the same key.
  e.keepalive_ok(3, t0 + 2700ms);
  EXPECT_EQ(e.next(t0 + 2700ms).step, Step::campaign);
  e.campaign_won(42, t0 + 2700ms);
  EXPECT_EQ(e.role(), Role::elected);
}

TEST(ElectionTest, a_lost_lease_ends_leadership_at_once_and_asks_for_a_new_one) {
  Election e = elected();
  e.state_loaded(t0);
  e.lease_lost();
  EXPECT_FALSE(e.leading());
  EXPECT_FALSE(e.has_lease());
  EXPECT_EQ(e.leader_revision(), 0);
  EXPECT_EQ(e.next(t0).step, Step::grant_lease);
}

TEST(ElectionTest, a_changed_leader_key_ends_leadership_and_campaigns_at_once) {
  Election e = elected();
  e.state_loaded(t0);
  e.leader_key_lost();
  EXPECT_FALSE(e.leading());
  EXPECT_EQ(e.leader(), "");
  auto n = e.next(t0 + 100ms);
  EXPECT_EQ(n.step, Step::campaign);
  EXPECT_LE(n.at, t0 + 100ms);
}

TEST(ElectionTest, a_failed_state_load_is_retried_while_elected) {
  Election e = elected();
  e.state_load_failed(t0);
  auto n = e.next(t0);
  EXPECT_EQ(n.step, Step::load_state);
  EXPECT_EQ(n.at, t0 + 500ms);
}

TEST(ElectionTest, resign_forgets_lease_and_role) {
  Election e = elected();
  e.state_loaded(t0);
  e.resign();
  EXPECT_FALSE(e.leading());
  EXPECT_FALSE(e.has_lease());
  EXPECT_EQ(e.next(t0).step, Step::grant_lease);
}

TEST(ElectionTest, role_names_are_stable) {
  EXPECT_STREQ(to_string(Role::follower), "follower");
  EXPECT_STREQ(to_string(Role::elected), "elected");
  EXPECT_STREQ(to_string(Role::leader), "leader");
}

}  // namespace
}  // namespace vesagent::cluster
