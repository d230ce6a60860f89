#include "vesagent/cluster/election.hpp"

#include <algorithm>

namespace vesagent::cluster {

const char* to_string(Role role) noexcept {
  switch (role) {
    case Role::follower:
      return "follower";
    case Role::elected:
      return "elected";
    case Role::leader:
      return "leader";
  }
  return "unknown";
}

Election::Duration Election::retry_delay() const {
  // Often enough to renew several times within the T/3 margin, never more often than pollInterval asks.
  const Duration sixth = ttl() / 6;
  const Duration poll = settings_.poll_interval;
  return std::max<Duration>(std::chrono::milliseconds(100), std::min(poll, sixth));
}

Election::Next Election::next(TimePoint now) const {
  if (lease_id_ == 0) return {Step::grant_lease, grant_due_};
  Next best{Step::keepalive, keepalive_due_};
  auto consider = [&best](Step step, TimePoint at) {
    if (at < best.at) best = Next{step, at};
  };
  switch (role_) {
    case Role::follower:
      // Campaign only with a lease that certainly outlives the margin; otherwise renew first.
      if (lease_safe(now)) consider(Step::campaign, campaign_due_);
      break;
    case Role::elected:
      consider(Step::load_state, load_due_);
      break;
    case Role::leader:
      break;
  }
  return best;
}

void Election::lease_granted(std::int64_t lease_id, std::int64_t ttl_seconds, TimePoint sent_at) {
  lease_id_ = lease_id;
  ttl_seconds_ = ttl_seconds;
  fence_deadline_ = sent_at + ttl() - ttl() / 3;
  keepalive_due_ = sent_at + ttl() / 3;
  campaign_due_ = sent_at;
  step_down();
}

void Election::lease_grant_failed(TimePoint now) { grant_due_ = now + settings_.poll_interval; }

void Election::keepalive_ok(std::int64_t ttl_seconds, TimePoint sent_at) {
  ttl_seconds_ = ttl_seconds;
  // A late answer to an older renewal must not move the deadline backwards.
  fence_deadline_ = std::max(fence_deadline_, sent_at + ttl() - ttl() / 3);
  keepalive_due_ = sent_at + ttl() / 3;
}

void Election::keepalive_failed(TimePoint now) { keepalive_due_ = now + retry_delay(); }

void Election::lease_lost() {
  lease_id_ = 0;
  ttl_seconds_ = 0;
  fence_deadline_ = {};
  grant_due_ = {};
  step_down();
}

void Election::campaign_won(std::int64_t leader_revision, TimePoint sent_at) {
  if (!lease_safe(sent_at)) return;
  role_ = Role::elected;
  leader_revision_ = leader_revision;
  leader_ = settings_.self;
  load_due_ = sent_at;
}

void Election::campaign_lost(std::string leader, TimePoint now) {
  step_down();
  leader_ = std::move(leader);
  campaign_due_ = now + settings_.poll_interval;
}

void Election::campaign_failed(TimePoint now) { campaign_due_ = now + settings_.poll_interval; }

Role Election::state_loaded(TimePoint now) {
  if (role_ == Role::elected && lease_safe(now)) role_ = Role::leader;
  return role_;
}

void Election::state_load_failed(TimePoint now) { load_due_ = now + retry_delay(); }

void Election::leader_key_lost() {
  step_down();
  leader_.clear();
  campaign_due_ = {};
}

bool Election::fence(TimePoint now) {
  if (role_ == Role::follower || now < fence_deadline_) return false;
  step_down();
  campaign_due_ = {};
  return true;
}

void Election::resign() {
  lease_id_ = 0;
  ttl_seconds_ = 0;
  fence_deadline_ = {};
  step_down();
  leader_.clear();
}

}  // namespace vesagent::cluster
