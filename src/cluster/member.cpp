#include "vesagent/cluster/member.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "vesagent/cluster/etcd_client.hpp"
#include "vesagent/cluster/fault_codec.hpp"
#include "vesagent/cluster/gateway_codec.hpp"
#include "vesagent/state/fault_store.hpp"
#include "vesagent/telemetry/logging.hpp"
#include "vesagent/telemetry/metrics_writer.hpp"

namespace vesagent::cluster {

namespace asio = boost::asio;
using Clock = Election::Clock;
using std::chrono::milliseconds;

namespace {

/// etcd's default --max-txn-ops is 128; stay below it with the compare and the failure op.
constexpr std::size_t kMaxOpsPerTxn = 100;
/// Event numbers reserved per block in <prefix>/event-counter; a new block is fetched at half use.
constexpr std::uint64_t kIdBlock = 10000;
/// How often a long-lived leader deletes closed fault records older than closedFaultRetention from etcd.
constexpr auto kSweepInterval = std::chrono::minutes(10);
/// Failed state loads after which an elected member gives the leader key up.
constexpr int kMaxLoadFailures = 5;

std::shared_ptr<spdlog::logger> logger() { return telemetry::logger("cluster"); }

std::int64_t now_epoch_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool parse_u64(std::string_view text, std::uint64_t& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

/// Why an etcd call did not give a usable answer, for one log line.
std::string describe(const EtcdReply& reply) {
  if (reply.status == 0) return reply.error;
  auto e = gateway::parse_error(reply.body);
  std::string text = "HTTP " + std::to_string(reply.status);
  if (e) text += ": " + e->message;
  if (!reply.error.empty()) text += " (" + reply.error + ")";
  return text;
}

bool lease_not_found(const EtcdReply& reply) {
  if (reply.status != 404) return false;
  auto e = gateway::parse_error(reply.body);
  return e && e->code == gateway::kGrpcNotFound;
}

}  // namespace

struct Member::Impl final : KvStore {
  asio::any_io_executor executor;
  config::ClusterConfig settings;
  std::string name;
  std::string leader_key;
  std::string faults_prefix;
  std::string kv_prefix;
  std::string counter_key;
  std::string marker_key;
  std::chrono::milliseconds closed_retention;
  EtcdClient etcd;
  Election election;
  asio::steady_timer wake;         ///< the loop's sleep; cancelled to wake it early
  asio::steady_timer fence_timer;  ///< the watchdog's sleep until the fence deadline
  std::function<void(bool)> on_change;
  std::function<Result<std::uint64_t>()> local_ids;
  state::FaultStore* faults = nullptr;
  std::map<std::string, state::FaultRecord> pending;  ///< fault changes not yet in etcd (latest per key)
  Clock::time_point flush_retry_at{};
  Clock::time_point refill_retry_at{};
  Clock::time_point next_sweep{};
  std::uint64_t id_next = 0;
  std::uint64_t id_end = 0;
  bool id_refill_wanted = false;
  int load_failures = 0;
  bool stopping = false;
  bool loop_done = false;  ///< run()'s loop has ended: the watchdog ends too
  bool watchdog_running = false;
  bool reported_leader = false;
  bool etcd_failing = false;
  std::string last_leader_logged;
  MemberStats stats;

  Impl(asio::any_io_executor ex, http::Client& client, const config::Config& config)
      : executor(ex),
        settings(config.cluster),
        name(!config.cluster.name.empty() ? config.cluster.name : config.event.reporting_entity_name),
        leader_key(config.cluster.prefix + "/leader"),
        faults_prefix(config.cluster.prefix + "/faults/"),
        kv_prefix(config.cluster.prefix + "/kv/"),
        counter_key(config.cluster.prefix + "/event-counter"),
        marker_key(config.cluster.prefix + "/faults-initialized"),
        closed_retention(std::chrono::duration_cast<milliseconds>(config.alert_manager.faults.closed_fault_retention)),
        etcd(client, etcd_settings(config.cluster)),
        election(Election::Settings{name, config.cluster.poll_interval}),
        wake(ex),
        fence_timer(ex) {}

  ~Impl() override {
    if (faults != nullptr) faults->set_change_listener({});
  }

  static EtcdSettings etcd_settings(const config::ClusterConfig& c) {
    EtcdSettings s;
    s.endpoints = c.endpoints;
    s.request_timeout = c.request_timeout;
    s.user = c.user;
    s.password = c.password;
    s.peer = c.tls;
    return s;
  }

  // ---- role changes ----

  /// Tells the app when the role it acts on (leading or not) changed, with the reason for a loss.
  void sync_role(const char* reason) {
    const bool leading = election.leading() && !stopping;
    if (leading == reported_leader) return;
    reported_leader = leading;
    if (leading) {
      ++stats.elections_won;
      logger()->info("msg=\"This agent is now the cluster leader\" member={} revision={} lease={} faults_loaded={}",
                     telemetry::logfmt_value(name), election.leader_revision(), election.lease_id(),
                     stats.faults_loaded);
    } else {
      if (!stopping) ++stats.leadership_lost;
      logger()->warn("msg=\"This agent stopped leading the cluster\" member={} reason={}",
                     telemetry::logfmt_value(name), reason);
      if (!pending.empty()) {
        stats.fault_write_failures += pending.size();
        logger()->error(
            "msg=\"Fault changes not written to etcd before the leadership ended; the next leader "
            "starts without them\" count={}",
            pending.size());
        pending.clear();
      }
      id_next = id_end = 0;
    }
    last_leader_logged = election.leader();
    if (on_change) on_change(leading);
    fence_timer.cancel();  // re-arm the watchdog for the new role
  }

  void note_etcd_ok() {
    if (etcd_failing) logger()->info("msg=\"etcd answers again\" member={}", telemetry::logfmt_value(name));
    etcd_failing = false;
  }

  void note_etcd_error(const char* what, const std::string& detail) {
    ++stats.etcd_errors;
    // One line per failure streak: a follower cut off from etcd would otherwise log every pollInterval.
    if (etcd_failing) {
      logger()->debug("msg=\"etcd call failed\" call={} error={}", what, telemetry::logfmt_value(detail));
      return;
    }
    etcd_failing = true;
    logger()->error("msg=\"etcd call failed\" call={} role={} error={}", what, to_string(election.role()),
                    telemetry::logfmt_value(detail));
  }

  /// True once the coroutine was cancelled (shutdown deadline). Its own statement: GCC 12 corrupts `this` when a
  /// co_await is an argument of a member function call.
  static asio::awaitable<bool> cancelled() {
    const auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
  }

  // ---- election steps ----

  asio::awaitable<void> grant_lease() {
    const auto sent = Clock::now();
    const auto ttl_s = std::chrono::duration_cast<std::chrono::seconds>(settings.lease_ttl).count();
    auto reply = co_await etcd.call("/v3/lease/grant", gateway::lease_grant_request(ttl_s));
    gateway::LeaseGrant grant;
    std::string error;
    if (!reply.ok() || !gateway::parse_lease_grant(reply.body, grant, error)) {
      note_etcd_error("lease_grant", reply.ok() ? error : describe(reply));
      election.lease_grant_failed(Clock::now());
      co_return;
    }
    note_etcd_ok();
    election.lease_granted(grant.id, grant.ttl_seconds, sent);
    logger()->debug("msg=\"Lease granted\" lease={} ttl_s={}", grant.id, grant.ttl_seconds);
  }

  asio::awaitable<void> keepalive() {
    const auto sent = Clock::now();
    auto reply = co_await etcd.call("/v3/lease/keepalive", gateway::lease_id_request(election.lease_id()));
    gateway::Keepalive ka;
    std::string error;
    if (lease_not_found(reply) ||
        (reply.ok() && gateway::parse_keepalive(reply.body, ka, error) && ka.ttl_seconds == 0)) {
      note_etcd_ok();
      logger()->warn("msg=\"The cluster lease expired\" member={} lease={}", telemetry::logfmt_value(name),
                     election.lease_id());
      election.lease_lost();
      sync_role("lease_expired");
      co_return;
    }
    if (!reply.ok() || !gateway::parse_keepalive(reply.body, ka, error)) {
      ++stats.keepalive_failures;
      note_etcd_error("lease_keepalive", reply.ok() ? error : describe(reply));
      election.keepalive_failed(Clock::now());
      co_return;
    }
    note_etcd_ok();
    election.keepalive_ok(ka.ttl_seconds, sent);
    fence_timer.cancel();  // the deadline moved: re-arm the watchdog
    if (election.role() != Role::follower) co_await check_leader_key();
  }

  /// A leader verifies that its key is still its own (deleted by hand, or expired and re-created by another).
  asio::awaitable<void> check_leader_key() {
    auto reply = co_await etcd.call("/v3/kv/range", gateway::range_request(leader_key));
    gateway::Range range;
    std::string error;
    if (!reply.ok() || !gateway::parse_range(reply.body, range, error)) {
      note_etcd_error("leader_check", reply.ok() ? error : describe(reply));
      co_return;  // the fence deadline decides if this lasts
    }
    if (range.kvs.empty() || range.kvs.front().create_revision != election.leader_revision()) {
      election.leader_key_lost();
      sync_role("leader_key_changed");
    }
  }

  asio::awaitable<void> campaign() {
    const auto sent = Clock::now();
    auto reply = co_await etcd.call("/v3/kv/txn", gateway::campaign_request(leader_key, name, election.lease_id()));
    if (lease_not_found(reply)) {
      election.lease_lost();
      co_return;
    }
    gateway::Txn txn;
    std::string error;
    if (!reply.ok() || !gateway::parse_txn(reply.body, txn, error)) {
      note_etcd_error("campaign", reply.ok() ? error : describe(reply));
      election.campaign_failed(Clock::now());
      co_return;
    }
    note_etcd_ok();
    if (txn.succeeded) {
      election.campaign_won(txn.revision, sent);
    } else if (!txn.kvs.empty() && txn.kvs.front().lease == election.lease_id()) {
      // Our own key, still bound to our live lease (we were fenced but the lease survived): take it back.
      election.campaign_won(txn.kvs.front().create_revision, sent);
    } else {
      election.campaign_lost(txn.kvs.empty() ? std::string() : txn.kvs.front().value, Clock::now());
      if (election.leader() != last_leader_logged) {
        last_leader_logged = election.leader();
        logger()->info("msg=\"Following the cluster leader\" member={} leader={}", telemetry::logfmt_value(name),
                       telemetry::logfmt_value(last_leader_logged));
      }
    }
    if (election.role() == Role::elected) fence_timer.cancel();
  }

  /// A txn guarded by our leader key's create_revision. 1 = done, 0 = fenced off (not the leader any more),
  /// -1 = etcd failed (retry later).
  asio::awaitable<int> fenced_txn(std::vector<gateway::TxnOp> ops, std::vector<gateway::TxnCompare> extra = {},
                                  gateway::Txn* out = nullptr) {
    std::vector<gateway::TxnCompare> compares(1);
    compares[0].key = leader_key;
    compares[0].revision = election.leader_revision();
    for (auto& c : extra) compares.push_back(std::move(c));
    std::string body = gateway::txn_request(compares, ops, {});
    auto reply = co_await etcd.call("/v3/kv/txn", std::move(body));
    gateway::Txn txn;
    std::string error;
    if (!reply.ok() || !gateway::parse_txn(reply.body, txn, error)) {
      note_etcd_error("txn", reply.ok() ? error : describe(reply));
      co_return -1;
    }
    note_etcd_ok();
    if (out != nullptr) *out = txn;
    co_return txn.succeeded ? 1 : 0;
  }

  /// Writes `records` to etcd in txns of at most kMaxOpsPerTxn. Same return values as fenced_txn.
  asio::awaitable<int> write_records(const std::vector<state::FaultRecord>& records) {
    for (std::size_t i = 0; i < records.size(); i += kMaxOpsPerTxn) {
      std::vector<gateway::TxnOp> ops;
      for (std::size_t j = i; j < std::min(records.size(), i + kMaxOpsPerTxn); ++j) {
        gateway::TxnOp op;
        op.key = faults_prefix + records[j].key;
        op.value = encode_fault(records[j]);
        ops.push_back(std::move(op));
      }
      const int r = co_await fenced_txn(std::move(ops));
      if (r != 1) co_return r;
      stats.fault_writes += std::min(records.size(), i + kMaxOpsPerTxn) - i;
    }
    co_return 1;
  }

  asio::awaitable<int> delete_keys(const std::vector<std::string>& keys) {
    for (std::size_t i = 0; i < keys.size(); i += kMaxOpsPerTxn) {
      std::vector<gateway::TxnOp> ops;
      for (std::size_t j = i; j < std::min(keys.size(), i + kMaxOpsPerTxn); ++j) {
        gateway::TxnOp op;
        op.kind = gateway::TxnOp::Kind::del;
        op.key = keys[j];
        ops.push_back(std::move(op));
      }
      const int r = co_await fenced_txn(std::move(ops));
      if (r != 1) co_return r;
    }
    co_return 1;
  }

  bool expired(const state::FaultRecord& r, std::int64_t now_us) const {
    const auto retention_us = std::chrono::duration_cast<std::chrono::microseconds>(closed_retention).count();
    return !r.active() && now_us - r.closed_at_us > retention_us;
  }

  /// Reads every fault record under the prefix. False when etcd failed.
  asio::awaitable<bool> read_faults(std::vector<state::FaultRecord>& records, std::vector<std::string>& expired_keys,
                                    bool& initialized) {
    // One txn, so the records and the marker are read at the same revision.
    std::vector<gateway::TxnOp> reads(2);
    reads[0].kind = gateway::TxnOp::Kind::range;
    reads[0].key = faults_prefix;
    reads[0].range_end = gateway::prefix_range_end(faults_prefix);
    reads[1].kind = gateway::TxnOp::Kind::range;
    reads[1].key = marker_key;
    std::string body = gateway::txn_request({}, reads, {});
    auto reply = co_await etcd.call("/v3/kv/txn", std::move(body));
    gateway::Txn txn;
    std::string error;
    if (!reply.ok() || !gateway::parse_txn(reply.body, txn, error)) {
      note_etcd_error("load_faults", reply.ok() ? error : describe(reply));
      co_return false;
    }
    initialized = false;
    const auto now_us = now_epoch_us();
    for (const auto& kv : txn.kvs) {
      if (kv.key == marker_key) {
        initialized = true;
        continue;
      }
      state::FaultRecord r;
      const std::string_view key = std::string_view(kv.key).substr(faults_prefix.size());
      if (!decode_fault(key, kv.value, r, error)) {
        logger()->warn("msg=\"Skipping an unreadable fault record in etcd\" key={} error={}",
                       telemetry::logfmt_value(kv.key), telemetry::logfmt_value(error));
        continue;
      }
      if (expired(r, now_us)) {
        expired_keys.push_back(kv.key);
        continue;
      }
      records.push_back(std::move(r));
    }
    co_return true;
  }

  /// The elected member takes over the cluster's fault state (or seeds a new cluster with its own), then
  /// reserves a block of event numbers. Only then may it lead.
  asio::awaitable<void> load_state() {
    std::vector<state::FaultRecord> records;
    std::vector<std::string> expired_keys;
    bool initialized = false;
    if (!co_await read_faults(records, expired_keys, initialized)) {
      co_await load_failed();
      co_return;
    }
    pending.clear();  // etcd is authoritative from here on
    if (faults != nullptr) {
      if (!initialized) {
        // The first leader of a new cluster brings its local fault state (e.g. a standalone agent turned HA).
        auto local = faults->records();
        records.insert(records.end(), local.begin(), local.end());
        std::vector<gateway::TxnOp> marker(1);
        marker[0].key = marker_key;
        marker[0].value = "1";
        int r = co_await write_records(local);
        if (r == 1) r = co_await fenced_txn(std::move(marker));
        if (r != 1) {
          if (r == 0) election.leader_key_lost();
          co_await load_failed();
          co_return;
        }
        logger()->info("msg=\"Seeded the cluster's fault state from this agent's local state\" records={}",
                       local.size());
      } else {
        std::string error;
        if (!faults->replace_all(records, error)) {
          logger()->error("msg=\"Cannot save the cluster's fault state locally\" error={}",
                          telemetry::logfmt_value(error));
        }
      }
      stats.faults_loaded = records.size();
      if (!expired_keys.empty() && co_await delete_keys(expired_keys) == 1) {
        logger()->debug("msg=\"Deleted expired closed faults from etcd\" count={}", expired_keys.size());
      }
    }
    next_sweep = Clock::now() + kSweepInterval;
    if (!co_await reserve_ids()) {
      co_await load_failed();
      co_return;
    }
    load_failures = 0;
    election.state_loaded(Clock::now());
    sync_role("elected");
  }

  /// An elected member that cannot load the state keeps the key from everyone: after a few attempts it gives the
  /// key up (revoking its lease) so that another member may do better.
  asio::awaitable<void> load_failed() {
    election.state_load_failed(Clock::now());
    if (++load_failures < kMaxLoadFailures) co_return;
    load_failures = 0;
    logger()->error("msg=\"Cannot load the cluster state; giving up the election\" member={}",
                    telemetry::logfmt_value(name));
    co_await revoke();
  }

  /// Reserves [start, start + kIdBlock) in <prefix>/event-counter with a compare-and-swap. False on failure.
  asio::awaitable<bool> reserve_ids() {
    auto reply = co_await etcd.call("/v3/kv/range", gateway::range_request(counter_key));
    gateway::Range range;
    std::string error;
    if (!reply.ok() || !gateway::parse_range(reply.body, range, error)) {
      note_etcd_error("event_counter", reply.ok() ? error : describe(reply));
      co_return false;
    }
    std::uint64_t start = 1;
    std::int64_t mod_revision = 0;
    if (!range.kvs.empty()) {
      mod_revision = range.kvs.front().mod_revision;
      if (!parse_u64(range.kvs.front().value, start)) {
        logger()->error("msg=\"Unreadable event counter in etcd; starting above the local counter\" key={}",
                        telemetry::logfmt_value(counter_key));
        start = 1;
      }
    }
    if (local_ids) {
      if (auto local = local_ids(); local) start = std::max(start, *local);
    }
    gateway::TxnOp put;
    put.key = counter_key;
    put.value = std::to_string(start + kIdBlock);
    // (Vectors built outside the co_await: GCC 12 rejects braced lists in a co_await's arguments.)
    std::vector<gateway::TxnOp> ops;
    ops.push_back(std::move(put));
    std::vector<gateway::TxnCompare> cas(1);
    cas[0].target = mod_revision == 0 ? gateway::TxnCompare::Target::create : gateway::TxnCompare::Target::mod;
    cas[0].key = counter_key;
    cas[0].revision = mod_revision;
    const int r = co_await fenced_txn(std::move(ops), std::move(cas));
    if (r != 1) co_return false;  // lost the race or the leadership: the next attempt reads again
    id_next = start;
    id_end = start + kIdBlock;
    id_refill_wanted = false;
    co_return true;
  }

  asio::awaitable<void> flush_faults() {
    std::vector<state::FaultRecord> batch;
    for (auto it = pending.begin(); it != pending.end() && batch.size() < kMaxOpsPerTxn; ++it)
      batch.push_back(it->second);
    const int r = co_await write_records(batch);
    if (r == 1) {
      // Erase only what was written unchanged: a newer change of the same key may have arrived meanwhile.
      for (const auto& written : batch) {
        auto it = pending.find(written.key);
        if (it != pending.end() && it->second.sequence == written.sequence &&
            it->second.closed_at_us == written.closed_at_us && it->second.event_id == written.event_id) {
          pending.erase(it);
        }
      }
      co_return;
    }
    if (r == 0) {
      election.leader_key_lost();
      sync_role("fault_write_fenced");
      co_return;
    }
    flush_retry_at = Clock::now() + std::min<Clock::duration>(settings.poll_interval, milliseconds(500));
  }

  asio::awaitable<void> sweep() {
    next_sweep = Clock::now() + kSweepInterval;
    std::vector<state::FaultRecord> records;
    std::vector<std::string> expired_keys;
    bool initialized = false;
    if (!co_await read_faults(records, expired_keys, initialized) || expired_keys.empty()) co_return;
    if (co_await delete_keys(expired_keys) == 1) {
      logger()->debug("msg=\"Deleted expired closed faults from etcd\" count={}", expired_keys.size());
    }
  }

  asio::awaitable<void> revoke() {
    if (!election.has_lease()) co_return;
    auto reply = co_await etcd.call("/v3/lease/revoke", gateway::lease_id_request(election.lease_id()));
    if (reply.ok() || lease_not_found(reply)) {
      logger()->info("msg=\"Left the cluster (lease revoked)\" member={}", telemetry::logfmt_value(name));
    } else {
      logger()->warn("msg=\"Cannot revoke the cluster lease; it expires by itself\" member={} error={}",
                     telemetry::logfmt_value(name), telemetry::logfmt_value(describe(reply)));
    }
    election.resign();
  }

  // ---- the two coroutines ----

  asio::awaitable<void> loop() {
    while (true) {
      if (co_await cancelled() || loop_done) co_return;  // loop_done here: the Member was destroyed
      if (stopping) {
        co_await revoke();
        co_return;
      }
      auto now = Clock::now();
      if (election.fence(now)) {
        ++stats.fenced;
        sync_role("fenced");
      }
      if (election.leading()) {
        if (!pending.empty() && now >= flush_retry_at) {
          co_await flush_faults();
          continue;
        }
        if (id_refill_wanted && now >= refill_retry_at) {
          if (!co_await reserve_ids()) refill_retry_at = Clock::now() + settings.poll_interval;
          continue;
        }
        if (now >= next_sweep) {
          co_await sweep();
          continue;
        }
      }
      const auto next = election.next(now);
      auto at = next.at;
      if (election.leading() && !pending.empty()) at = std::min(at, flush_retry_at);
      if (election.leading() && id_refill_wanted) at = std::min(at, refill_retry_at);
      if (election.leading()) at = std::min(at, next_sweep);
      if (at > now) {
        wake.expires_at(at);
        co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      switch (next.step) {
        case Election::Step::grant_lease:
          co_await grant_lease();
          break;
        case Election::Step::keepalive:
          co_await keepalive();
          break;
        case Election::Step::campaign:
          co_await campaign();
          break;
        case Election::Step::load_state:
          co_await load_state();
          break;
        case Election::Step::wait:
          break;
      }
    }
  }

  /// Ends leadership at the fence deadline even while the loop waits on a hung etcd request.
  asio::awaitable<void> watchdog() {
    while (true) {
      if (election.role() != Role::follower) {
        fence_timer.expires_at(election.fence_deadline());
      } else {
        fence_timer.expires_after(std::chrono::hours(1));
      }
      co_await fence_timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (loop_done) co_return;
      if (election.fence(Clock::now())) {
        ++stats.fenced;
        logger()->error(
            "msg=\"Cannot renew the cluster lease in time; stopping emission before it can expire\" "
            "member={} lease={}",
            telemetry::logfmt_value(name), election.lease_id());
        sync_role("fenced");
        wake.cancel();
      }
    }
  }

  // ---- KvStore ----

  asio::awaitable<Result<std::optional<std::string>>> get(std::string key) override {
    auto reply = co_await etcd.call("/v3/kv/range", gateway::range_request(kv_prefix + key));
    gateway::Range range;
    std::string error;
    if (!reply.ok() || !gateway::parse_range(reply.body, range, error)) {
      note_etcd_error("kv_get", reply.ok() ? error : describe(reply));
      co_return make_error_code(errc::io_error);
    }
    if (range.kvs.empty()) co_return std::optional<std::string>();
    co_return std::optional<std::string>(std::move(range.kvs.front().value));
  }

  asio::awaitable<Result<void>> put(std::string key, std::string value) override {
    gateway::TxnOp op;
    op.key = kv_prefix + key;
    op.value = std::move(value);
    co_return co_await fenced_write(std::move(op));
  }

  asio::awaitable<Result<void>> erase(std::string key) override {
    gateway::TxnOp op;
    op.kind = gateway::TxnOp::Kind::del;
    op.key = kv_prefix + key;
    co_return co_await fenced_write(std::move(op));
  }

  asio::awaitable<Result<void>> fenced_write(gateway::TxnOp op) {
    if (!election.leading() || stopping) {
      co_return boost::system::errc::make_error_code(boost::system::errc::operation_not_permitted);
    }
    std::vector<gateway::TxnOp> ops;
    ops.push_back(std::move(op));
    const int r = co_await fenced_txn(std::move(ops));
    if (r == 1) co_return Result<void>();
    if (r == 0) co_return boost::system::errc::make_error_code(boost::system::errc::operation_not_permitted);
    co_return make_error_code(errc::io_error);
  }
};

Member::Member(asio::any_io_executor executor, http::Client& client, const config::Config& config)
    : impl_(std::make_shared<Impl>(std::move(executor), client, config)) {}

Member::~Member() {
  // Coroutines still pending on the loop (run(), the watchdog) keep the Impl alive until the io_context drops
  // them; they must not reach back into the app or its FaultStore, which go away with us.
  auto& m = *impl_;
  if (m.faults != nullptr) m.faults->set_change_listener({});
  m.faults = nullptr;
  m.on_change = nullptr;
  m.local_ids = nullptr;
  m.stopping = true;
  m.loop_done = true;
  m.wake.cancel();
  m.fence_timer.cancel();
}

Result<void> Member::prepare(std::string& error) {
  auto& m = *impl_;
  if (m.settings.endpoints.empty()) {
    error = "cluster.endpoints is empty";
    return make_error_code(errc::invalid_config);
  }
  if (!m.settings.password_file.empty()) {
    std::ifstream in(m.settings.password_file, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (!in || text.empty()) {
      error = "cannot read cluster.passwordFile " + m.settings.password_file;
      return make_error_code(errc::invalid_config);
    }
    m.etcd.set_password(std::move(text));
  }
  return {};
}

void Member::on_leadership(std::function<void(bool)> callback) { impl_->on_change = std::move(callback); }

void Member::attach_faults(state::FaultStore& store) {
  impl_->faults = &store;
  std::weak_ptr<Impl> weak = impl_;
  store.set_change_listener([weak](const std::vector<state::FaultRecord>& records) {
    auto m = weak.lock();
    if (!m) return;
    if (m->election.role() == Role::follower) {
      // A decision taken after the leadership ended (a request that was already running): the next leader
      // does not see it; Alertmanager's retry onto the leader repeats it there.
      m->stats.fault_write_failures += records.size();
      logger()->warn("msg=\"Fault change after the leadership ended; not written to etcd\" count={}", records.size());
      return;
    }
    for (const auto& r : records) m->pending[r.key] = r;
    m->wake.cancel();
  });
}

void Member::set_local_ids(std::function<Result<std::uint64_t>()> next_local) {
  impl_->local_ids = std::move(next_local);
}

asio::awaitable<void> Member::run() {
  auto m = impl_;
  logger()->info("msg=\"Joining the cluster\" member={} prefix={} endpoints={} lease_ttl_s={} poll_ms={}",
                 telemetry::logfmt_value(m->name), telemetry::logfmt_value(m->settings.prefix),
                 m->settings.endpoints.size(),
                 std::chrono::duration_cast<std::chrono::seconds>(m->settings.lease_ttl).count(),
                 m->settings.poll_interval.count());
  // The watchdog runs beside the loop (not with awaitable operators: GCC 12 corrupts their coroutine frames
  // here); it ends when the loop has ended, and holds the Impl until then.
  asio::co_spawn(m->executor, m->watchdog(), [m](std::exception_ptr) { m->watchdog_running = false; });
  m->watchdog_running = true;
  try {
    co_await m->loop();
  } catch (const boost::system::system_error& e) {
    // Cancellation (shutdown deadline) surfaces as operation_aborted: the lease then expires by itself.
    if (e.code() != asio::error::operation_aborted) {
      m->loop_done = true;
      m->fence_timer.cancel();
      throw;
    }
  }
  m->loop_done = true;
  m->fence_timer.cancel();
  m->stopping = true;
  m->sync_role("stopped");
}

void Member::stop() {
  auto& m = *impl_;
  if (m.stopping) return;
  m.stopping = true;
  m.sync_role("stopped");
  m.wake.cancel();
}

bool Member::is_leader() const { return impl_->reported_leader; }
Role Member::role() const { return impl_->election.role(); }
std::string Member::leader_name() const { return impl_->election.leader(); }
const std::string& Member::name() const { return impl_->name; }
const MemberStats& Member::stats() const { return impl_->stats; }
KvStore& Member::kv() { return *impl_; }

Result<std::uint64_t> Member::next_event_number() {
  auto& m = *impl_;
  if (!m.reported_leader || m.id_next >= m.id_end) return make_error_code(errc::io_error);
  const auto n = m.id_next++;
  if (!m.id_refill_wanted && m.id_end - m.id_next < kIdBlock / 2) {
    m.id_refill_wanted = true;
    m.wake.cancel();
  }
  return n;
}

void Member::write_metrics(telemetry::MetricsWriter& out) const {
  const auto& m = *impl_;
  out.gauge("vesagent_cluster_leader", "1 while this agent leads its etcd cluster (emits), else 0.",
            m.reported_leader ? 1 : 0);
  for (Role r : {Role::follower, Role::elected, Role::leader}) {
    out.gauge("vesagent_cluster_role", "Current election role of this agent (1 for the current one).",
              m.election.role() == r ? 1 : 0, {{"role", to_string(r)}});
  }
  out.gauge("vesagent_cluster_lease_ttl_seconds", "TTL of this agent's etcd lease (0 = none).",
            static_cast<double>(m.election.ttl_seconds()));
  const auto& s = m.stats;
  out.counter("vesagent_cluster_elections_won_total", "Times this agent became the leader.",
              static_cast<double>(s.elections_won));
  out.counter("vesagent_cluster_leadership_lost_total", "Times the leadership ended other than by a graceful stop.",
              static_cast<double>(s.leadership_lost));
  out.counter("vesagent_cluster_fenced_total", "Times the leader stopped because it could not renew its lease in time.",
              static_cast<double>(s.fenced));
  out.counter("vesagent_cluster_keepalive_failures_total", "Lease renewals that got no usable answer.",
              static_cast<double>(s.keepalive_failures));
  out.counter("vesagent_cluster_etcd_errors_total", "etcd calls that failed (every endpoint tried).",
              static_cast<double>(s.etcd_errors));
  out.counter("vesagent_cluster_etcd_failovers_total", "Switches to another etcd endpoint.",
              static_cast<double>(m.etcd.failovers()));
  out.counter("vesagent_cluster_fault_writes_total", "Fault records written to etcd.",
              static_cast<double>(s.fault_writes));
  out.counter("vesagent_cluster_fault_write_failures_total",
              "Fault changes that could not be written to etcd before the leadership ended.",
              static_cast<double>(s.fault_write_failures));
}

}  // namespace vesagent::cluster
