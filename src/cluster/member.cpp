#include "vesagent/cluster/member.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>

#include "vesagent/cluster/etcd_client.hpp"
#include "vesagent/cluster/fault_codec.hpp"
#include "vesagent/cluster/gateway_codec.hpp"
#include "vesagent/correlate/event_ids.hpp"
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
/// One log value stays well below etcd's default --max-request-bytes (1.5 MiB), and so does one txn of them.
constexpr std::size_t kMaxLogValueBytes = 1U << 20;
constexpr std::size_t kMaxLogTxnBytes = 1300U << 10;

std::size_t domain_index(core::Domain d) {
  for (std::size_t i = 0; i < correlate::kCountedDomains.size(); ++i) {
    if (correlate::kCountedDomains[i] == d) return i;
  }
  return correlate::kCountedDomains.size();
}

std::string hex16(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool keeps(core::Domain d) { return d == core::Domain::fault || d == core::Domain::state_change; }

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
  std::string counter_key;  ///< the single counter of earlier versions: the floor of every domain's counter
  std::string marker_key;
  std::string log_prefix;
  std::chrono::milliseconds closed_retention;
  EtcdClient etcd;
  Election election;
  asio::steady_timer wake;         ///< the loop's sleep; cancelled to wake it early
  asio::steady_timer fence_timer;  ///< the watchdog's sleep until the fence deadline
  asio::steady_timer log_wake;     ///< the log writer's sleep; cancelled when there is work
  std::function<void(bool)> on_change;
  std::function<Result<std::uint64_t>(core::Domain)> local_ids;
  Adopt adopt;
  state::FaultStore* faults = nullptr;
  /// Fault changes not yet in <p>/faults/ (latest per key), each with the change generation that made it.
  std::map<std::string, std::pair<state::FaultRecord, std::uint64_t>> pending;
  std::uint64_t change_gen = 0;  ///< counts fault changes handed over by the store
  Clock::time_point flush_retry_at{};
  Clock::time_point refill_retry_at{};
  Clock::time_point next_sweep{};
  struct IdBlock {
    std::uint64_t next = 0;
    std::uint64_t end = 0;
    bool refill_wanted = false;
  };
  std::array<IdBlock, correlate::kCountedDomains.size()> ids{};

  // ---- the replicated log ----
  /// One log key this leader holds in etcd, in key order.
  struct LogKey {
    std::string key;
    std::uint64_t last_seq = 0;   ///< deletable once the outbox acknowledged this seq ...
    std::uint64_t fault_gen = 0;  ///< ... and every fault change up to this generation is in <p>/faults/
    std::size_t bytes = 0;
  };
  std::string round;                  ///< items queued since the last log write (without header)
  std::uint64_t round_last_seq = 0;
  bool round_keeps = false;           ///< holds a fault/stateChange event or fault decisions
  std::vector<std::function<void(bool)>> round_waiters;
  std::deque<LogKey> log_keys;
  std::uint64_t log_bytes = 0;
  std::uint64_t acked_seq = 0;
  std::uint64_t log_counter = 0;      ///< the <n> of this term's next log key
  Clock::time_point log_retry_at{};
  std::size_t log_max_bytes;
  bool drop_oldest = false;
  bool adopting = false;              ///< the adopted events being queued are in etcd already
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
        log_prefix(config.cluster.prefix + "/log/"),
        closed_retention(std::chrono::duration_cast<milliseconds>(config.alert_manager.faults.closed_fault_retention)),
        etcd(client, etcd_settings(config.cluster)),
        election(Election::Settings{name, config.cluster.poll_interval}),
        wake(ex),
        fence_timer(ex),
        log_wake(ex),
        log_max_bytes(config.cluster.log_max_bytes),
        drop_oldest(config.outbox.overflow_policy == "dropOldest") {}

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
      round.clear();
      round_keeps = false;
      for (auto& done : std::exchange(round_waiters, {})) done(false);
      ids = {};
      // A graceful stop first writes what it can (the loop's final flush); otherwise what is not in etcd yet is
      // not this agent's to write any more: the decisions that rode in the log reach the next leader from there,
      // the rest comes back through Alertmanager's retries.
      if (!stopping) forget_log();
    }
    last_leader_logged = election.leader();
    if (on_change) on_change(leading);
    fence_timer.cancel();  // re-arm the watchdog for the new role
  }

  /// A fenced write failed: another agent leads now.
  void fenced_off(const char* reason) {
    election.leader_key_lost();
    sync_role(reason);
  }

  /// When a failed etcd write is tried again.
  Clock::time_point retry_soon() const {
    return Clock::now() + std::min<Clock::duration>(settings.poll_interval, milliseconds(500));
  }

  /// The first `n` log keys were deleted from etcd.
  void forget_front_keys(std::size_t n) {
    for (std::size_t i = 0; i < n && !log_keys.empty(); ++i) {
      log_bytes -= log_keys.front().bytes;
      log_keys.pop_front();
    }
  }

  void forget_log() {
    pending.clear();
    log_keys.clear();
    log_bytes = 0;
  }

  /// A leader stopping gracefully (its queue delivered) writes its last fault changes and deletes the log keys
  /// of what it delivered, so the next leader does not send those events again. Bounded: etcd may be failing.
  asio::awaitable<void> final_flush() {
    for (int round_trip = 0; round_trip < 20 && election.leading(); ++round_trip) {
      if (!pending.empty()) {
        co_await flush_faults();
      } else if (deletable()) {
        co_await delete_delivered();
      } else {
        break;
      }
    }
    if (!log_keys.empty()) {
      logger()->info("msg=\"Leaving undelivered events in etcd for the next leader\" log_keys={}", log_keys.size());
    }
    forget_log();
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

  /// Reads every fault record under the prefix (and, with `log`, every log key, oldest first). False when etcd
  /// failed.
  asio::awaitable<bool> read_faults(std::vector<state::FaultRecord>& records, std::vector<std::string>& expired_keys,
                                    bool& initialized, std::vector<gateway::KeyValue>* log = nullptr) {
    // One txn, so the records, the marker and the log are read at the same revision.
    std::vector<gateway::TxnOp> reads(log != nullptr ? 3 : 2);
    reads[0].kind = gateway::TxnOp::Kind::range;
    reads[0].key = faults_prefix;
    reads[0].range_end = gateway::prefix_range_end(faults_prefix);
    reads[1].kind = gateway::TxnOp::Kind::range;
    reads[1].key = marker_key;
    if (log != nullptr) {
      reads[2].kind = gateway::TxnOp::Kind::range;
      reads[2].key = log_prefix;
      reads[2].range_end = gateway::prefix_range_end(log_prefix);
    }
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
    for (auto& kv : txn.kvs) {
      if (kv.key == marker_key) {
        initialized = true;
        continue;
      }
      if (kv.key.starts_with(log_prefix)) {
        if (log != nullptr) log->push_back(std::move(kv));
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
    std::vector<gateway::KeyValue> log;
    bool initialized = false;
    if (!co_await read_faults(records, expired_keys, initialized, &log)) {
      co_await load_failed();
      co_return;
    }
    pending.clear();  // etcd is authoritative from here on
    log_keys.clear();
    log_bytes = 0;
    round.clear();
    round_keeps = false;
    log_counter = 0;
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
      take_over_log(log);
      if (!expired_keys.empty() && co_await delete_keys(expired_keys) == 1) {
        logger()->debug("msg=\"Deleted expired closed faults from etcd\" count={}", expired_keys.size());
      }
    }
    next_sweep = Clock::now() + kSweepInterval;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!co_await reserve_ids(i)) {
        co_await load_failed();
        co_return;
      }
    }
    load_failures = 0;
    election.state_loaded(Clock::now());
    sync_role("elected");
  }

  /// The previous leaders' log: their decisions go over the fault records just loaded (and on to <p>/faults/),
  /// their events replace this agent's own queue, oldest first. Their keys stay until those events are delivered.
  void take_over_log(const std::vector<gateway::KeyValue>& log) {
    std::vector<LogEvent> events;
    std::vector<std::size_t> ends;  ///< per readable key: index past its last event
    std::vector<const gateway::KeyValue*> kept;
    for (const auto& kv : log) {
      LogRecord record;
      std::string error;
      if (!decode_log_record(kv.value, record, error)) {
        ++stats.log_unreadable;
        logger()->error("msg=\"Unreadable log entry in etcd; left there, its events are not delivered\" key={} "
                        "error={}",
                        telemetry::logfmt_value(kv.key), telemetry::logfmt_value(error));
        continue;
      }
      if (faults != nullptr && !record.state_lines.empty()) {
        std::vector<state::FaultRecord> applied;
        std::string warnings;
        faults->replay_lines(record.state_lines, warnings, &applied);
        if (!warnings.empty()) {
          logger()->warn("msg=\"Fault decisions in the log partly unreadable\" key={} detail={}",
                         telemetry::logfmt_value(kv.key), telemetry::logfmt_value(warnings));
        }
        for (auto& r : applied) {
          std::string key = r.key;
          pending[std::move(key)] = {std::move(r), ++change_gen};
        }
      }
      for (auto& e : record.events) events.push_back(std::move(e));
      ends.push_back(events.size());
      kept.push_back(&kv);
    }
    std::vector<std::uint64_t> seqs;
    if (adopt) {
      adopting = true;
      seqs = adopt(events);
      adopting = false;
    }
    std::size_t begin = 0;
    for (std::size_t i = 0; i < kept.size(); ++i) {
      LogKey k;
      k.key = kept[i]->key;
      k.bytes = kept[i]->value.size();
      k.fault_gen = change_gen;
      for (std::size_t j = begin; j < ends[i] && j < seqs.size(); ++j) k.last_seq = std::max(k.last_seq, seqs[j]);
      begin = ends[i];
      log_bytes += k.bytes;
      log_keys.push_back(std::move(k));
    }
    stats.log_adopted_events += events.size();
    if (!log.empty()) {
      logger()->info("msg=\"Took over the previous leader's undelivered events\" log_keys={} events={} "
                     "fault_decisions={}",
                     log.size(), events.size(), pending.size());
    }
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

  /// Reserves [start, start + kIdBlock) in <prefix>/event-counter/<domain> with a compare-and-swap. The start is
  /// at least the single counter of earlier versions and this agent's local counter. False on failure.
  asio::awaitable<bool> reserve_ids(std::size_t index) {
    const core::Domain domain = correlate::kCountedDomains[index];
    const std::string key = counter_key + "/" + std::string(correlate::EventIds::counter_name(domain));
    std::vector<gateway::TxnOp> reads(2);
    reads[0].kind = gateway::TxnOp::Kind::range;
    reads[0].key = key;
    reads[1].kind = gateway::TxnOp::Kind::range;
    reads[1].key = counter_key;
    auto reply = co_await etcd.call("/v3/kv/txn", gateway::txn_request({}, reads, {}));
    gateway::Txn read;
    std::string error;
    if (!reply.ok() || !gateway::parse_txn(reply.body, read, error)) {
      note_etcd_error("event_counter", reply.ok() ? error : describe(reply));
      co_return false;
    }
    std::uint64_t start = 1;
    std::int64_t mod_revision = 0;
    for (const auto& kv : read.kvs) {
      std::uint64_t value = 0;
      if (!parse_u64(kv.value, value)) {
        logger()->error("msg=\"Unreadable event counter in etcd; starting above the other counters\" key={}",
                        telemetry::logfmt_value(kv.key));
        value = 1;
      }
      if (kv.key == key) mod_revision = kv.mod_revision;
      start = std::max(start, value);
    }
    if (local_ids) {
      if (auto local = local_ids(domain); local) start = std::max(start, *local);
    }
    gateway::TxnOp put;
    put.key = key;
    put.value = std::to_string(start + kIdBlock);
    // (Vectors built outside the co_await: GCC 12 rejects braced lists in a co_await's arguments.)
    std::vector<gateway::TxnOp> ops;
    ops.push_back(std::move(put));
    std::vector<gateway::TxnCompare> cas(1);
    cas[0].target = mod_revision == 0 ? gateway::TxnCompare::Target::create : gateway::TxnCompare::Target::mod;
    cas[0].key = key;
    cas[0].revision = mod_revision;
    const int r = co_await fenced_txn(std::move(ops), std::move(cas));
    if (r != 1) co_return false;  // lost the race or the leadership: the next attempt reads again
    ids[index].next = start;
    ids[index].end = start + kIdBlock;
    ids[index].refill_wanted = false;
    co_return true;
  }

  asio::awaitable<void> flush_faults() {
    std::vector<state::FaultRecord> batch;
    for (auto it = pending.begin(); it != pending.end() && batch.size() < kMaxOpsPerTxn; ++it)
      batch.push_back(it->second.first);
    const int r = co_await write_records(batch);
    if (r == 1) {
      // Erase only what was written unchanged: a newer change of the same key may have arrived meanwhile.
      for (const auto& written : batch) {
        auto it = pending.find(written.key);
        if (it != pending.end() && it->second.first.sequence == written.sequence &&
            it->second.first.closed_at_us == written.closed_at_us && it->second.first.event_id == written.event_id) {
          pending.erase(it);
        }
      }
      log_wake.cancel();  // log keys whose decisions are now in <p>/faults/ may go
      co_return;
    }
    if (r == 0) {
      fenced_off("fault_write_fenced");
      co_return;
    }
    flush_retry_at = retry_soon();
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
        co_await final_flush();
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
        if (const std::size_t i = refill_index(); i < ids.size() && now >= refill_retry_at) {
          if (!co_await reserve_ids(i)) refill_retry_at = Clock::now() + settings.poll_interval;
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
      if (election.leading() && refill_index() < ids.size()) at = std::min(at, refill_retry_at);
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

  /// The domain whose block wants a refill (ids.size() = none).
  std::size_t refill_index() const {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ids[i].refill_wanted) return i;
    }
    return ids.size();
  }

  // ---- the replicated log ----

  /// Every fault change up to this generation is in <p>/faults/.
  std::uint64_t flushed_gen() const {
    std::uint64_t oldest = change_gen + 1;
    for (const auto& [key, change] : pending) oldest = std::min(oldest, change.second);
    return oldest - 1;
  }

  bool log_work() const { return !round.empty() || !round_waiters.empty(); }

  bool deletable() const {
    return !log_keys.empty() && log_keys.front().last_seq <= acked_seq && log_keys.front().fault_gen <= flushed_gen();
  }

  /// The oldest log keys (at most `max`) whose events were acknowledged and whose decisions are in <p>/faults/.
  std::vector<std::string> delivered_keys(std::size_t max) const {
    const std::uint64_t fg = flushed_gen();
    std::vector<std::string> keys;
    for (const auto& k : log_keys) {
      if (k.last_seq > acked_seq || k.fault_gen > fg || keys.size() >= max) break;
      keys.push_back(k.key);
    }
    return keys;
  }

  /// Writes what the outbox queued since the last write as new log keys, in one fenced txn (several when it is
  /// large), and tells the commits waiting for it.
  asio::awaitable<void> write_round() {
    std::string body = std::exchange(round, {});
    const bool keep = std::exchange(round_keeps, false);
    const std::uint64_t last_seq = round_last_seq;
    auto waiters = std::exchange(round_waiters, {});
    auto finish = [&waiters](bool ok) {
      for (auto& done : waiters) done(ok);
    };
    if (body.empty()) {
      finish(true);
      co_return;
    }
    if (log_bytes + body.size() > log_max_bytes) {
      ++stats.log_over_bound;
      if (!keep) {
        // Heartbeats and measurements only: on local disk they are durable enough; not worth refusing anything.
        logger()->warn("msg=\"Replicated log at cluster.logMaxBytes; heartbeats and measurements kept on local disk "
                       "only\" log_bytes={} max_bytes={}",
                       log_bytes, log_max_bytes);
        finish(true);
        co_return;
      }
      if (drop_oldest) co_await drop_oldest_keys(body.size());
    }
    // Values of at most kMaxLogValueBytes, cut at line ends; txns of at most kMaxLogTxnBytes.
    std::vector<gateway::TxnOp> ops;
    std::vector<LogKey> written;
    std::size_t txn_bytes = 0;
    std::size_t pos = 0;
    std::size_t txn_start = 0;  ///< where the values of the txn being built begin in `body`
    const std::string term = hex16(static_cast<std::uint64_t>(election.leader_revision()));
    int result = 1;
    // The first txn also deletes what was delivered meanwhile: under steady load the writes would otherwise never
    // leave the log writer time for its deletes, and each round costs one etcd txn instead of two.
    std::vector<std::string> deleting = delivered_keys(kMaxOpsPerTxn / 2);
    while (pos < body.size() && result == 1) {
      std::size_t end = std::min(body.size(), pos + kMaxLogValueBytes);
      if (end < body.size()) {
        const std::size_t cut = body.rfind('\n', end - 1);
        end = cut != std::string::npos && cut >= pos ? cut + 1 : body.find('\n', end) + 1;
      }
      if (ops.empty()) txn_start = pos;
      gateway::TxnOp op;
      op.key = log_prefix + term + "-" + hex16(log_counter++);
      op.value = log_header();
      op.value.append(body, pos, end - pos);
      pos = end;
      LogKey k;
      k.key = op.key;
      k.bytes = op.value.size();
      k.last_seq = last_seq;
      k.fault_gen = change_gen;
      txn_bytes += op.value.size();
      ops.push_back(std::move(op));
      written.push_back(std::move(k));
      if (pos >= body.size() || txn_bytes >= kMaxLogTxnBytes || ops.size() + deleting.size() >= kMaxOpsPerTxn) {
        for (const auto& key : deleting) {
          gateway::TxnOp del;
          del.kind = gateway::TxnOp::Kind::del;
          del.key = key;
          ops.push_back(std::move(del));
        }
        result = co_await fenced_txn(std::exchange(ops, {}));
        txn_bytes = 0;
        if (result != 1) break;
        forget_front_keys(deleting.size());
        stats.log_deletes += deleting.size();
        deleting.clear();
        for (auto& k2 : written) {
          log_bytes += k2.bytes;
          stats.log_written_bytes += k2.bytes;
          log_keys.push_back(std::move(k2));
          ++stats.log_writes;
        }
        written.clear();
      }
    }
    if (result == 1) {
      finish(true);
      co_return;
    }
    if (result == 0) {
      finish(false);
      fenced_off("log_write_fenced");
      co_return;
    }
    // etcd failed: keep the rest for the next write (the waiting commits are told now: the webhook answers 503,
    // and Alertmanager's retry waits for the next write, which holds these items too).
    ++stats.log_write_failures;
    round = body.substr(txn_start) + round;
    round_keeps = round_keeps || keep;
    log_retry_at = retry_soon();
    finish(false);
  }

  /// At the bound with dropOldest: the oldest log keys go, so that the newest work stays replicated.
  asio::awaitable<void> drop_oldest_keys(std::size_t needed) {
    std::vector<std::string> keys;
    std::uint64_t freed = 0;
    for (const auto& k : log_keys) {
      if (log_bytes - freed + needed <= log_max_bytes || keys.size() >= kMaxOpsPerTxn) break;
      keys.push_back(k.key);
      freed += k.bytes;
    }
    if (keys.empty() || co_await delete_keys(keys) != 1) co_return;
    forget_front_keys(keys.size());
    stats.log_dropped_keys += keys.size();
    logger()->error("msg=\"Replicated log at cluster.logMaxBytes; deleted the oldest entries from etcd (a new leader "
                    "would not deliver them)\" keys={} bytes={} policy=dropOldest",
                    keys.size(), freed);
  }

  /// Deletes the log keys whose events a collector acknowledged and whose decisions are in <p>/faults/.
  asio::awaitable<void> delete_delivered() {
    const std::vector<std::string> keys = delivered_keys(kMaxOpsPerTxn);
    if (keys.empty()) co_return;
    const int r = co_await delete_keys(keys);
    if (r == 1) {
      forget_front_keys(keys.size());
      stats.log_deletes += keys.size();
      co_return;
    }
    if (r == 0) {
      fenced_off("log_delete_fenced");
      co_return;
    }
    log_retry_at = retry_soon();
  }

  /// The log writer: beside the election loop, so a log write never waits for a lease renewal or the other way
  /// round.
  asio::awaitable<void> log_loop() {
    while (!loop_done) {
      const bool leading = reported_leader && !stopping;
      if (!leading) {
        for (auto& done : std::exchange(round_waiters, {})) done(false);
      } else if (Clock::now() >= log_retry_at) {
        if (log_work()) {
          co_await write_round();
          continue;
        }
        if (deletable()) {
          co_await delete_delivered();
          continue;
        }
      }
      if (leading && log_retry_at > Clock::now() && (log_work() || deletable())) {
        log_wake.expires_at(log_retry_at);
      } else {
        log_wake.expires_after(std::chrono::hours(1));
      }
      co_await log_wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    for (auto& done : std::exchange(round_waiters, {})) done(false);
  }

  void on_pushed(const outbox::Entry& e) {
    if (adopting || !reported_leader) return;
    append_log_event(round, e.domain, e.event_id, e.json);
    round_last_seq = e.seq;
    round_keeps = round_keeps || keeps(e.domain);
  }

  void on_state_pushed(std::string_view text) {
    if (adopting || !reported_leader) return;
    append_log_state(round, text);
    round_keeps = true;
  }

  void on_acknowledged(std::uint64_t seq) {
    acked_seq = std::max(acked_seq, seq);
    if (deletable()) log_wake.cancel();
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
  m.adopt = nullptr;
  m.stopping = true;
  m.loop_done = true;
  m.wake.cancel();
  m.fence_timer.cancel();
  m.log_wake.cancel();
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
    for (const auto& r : records) m->pending[r.key] = {r, ++m->change_gen};
    m->wake.cancel();
  });
}

void Member::set_local_ids(std::function<Result<std::uint64_t>(core::Domain)> next_local) {
  impl_->local_ids = std::move(next_local);
}

outbox::Observer Member::outbox_observer() {
  std::weak_ptr<Impl> weak = impl_;
  outbox::Observer o;
  o.pushed = [weak](const outbox::Entry& e) {
    if (auto m = weak.lock()) m->on_pushed(e);
  };
  o.state_pushed = [weak](std::string_view text) {
    if (auto m = weak.lock()) m->on_state_pushed(text);
  };
  o.acknowledged = [weak](std::uint64_t seq) {
    if (auto m = weak.lock()) m->on_acknowledged(seq);
  };
  return o;
}

void Member::on_adopt(Adopt adopt) { impl_->adopt = std::move(adopt); }

void Member::set_drop_oldest(bool drop_oldest) { impl_->drop_oldest = drop_oldest; }

void Member::when_replicated(std::function<void(bool)> done) {
  auto& m = *impl_;
  if (!m.reported_leader || m.stopping) {
    done(false);
    return;
  }
  m.round_waiters.push_back(std::move(done));
  m.log_wake.cancel();
}

bool Member::accepting() const {
  const auto& m = *impl_;
  return m.drop_oldest || m.log_bytes + m.round.size() < m.log_max_bytes;
}

std::uint64_t Member::log_bytes() const { return impl_->log_bytes; }

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
  asio::co_spawn(m->executor, m->log_loop(), [m](std::exception_ptr) {});
  try {
    co_await m->loop();
  } catch (const boost::system::system_error& e) {
    // Cancellation (shutdown deadline) surfaces as operation_aborted: the lease then expires by itself.
    if (e.code() != asio::error::operation_aborted) {
      m->loop_done = true;
      m->fence_timer.cancel();
      m->log_wake.cancel();
      throw;
    }
  }
  m->loop_done = true;
  m->fence_timer.cancel();
  m->log_wake.cancel();
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

Result<std::uint64_t> Member::next_event_number(core::Domain domain) {
  auto& m = *impl_;
  const std::size_t i = domain_index(domain);
  if (!m.reported_leader || i >= m.ids.size() || m.ids[i].next >= m.ids[i].end) return make_error_code(errc::io_error);
  auto& block = m.ids[i];
  const auto n = block.next++;
  if (!block.refill_wanted && block.end - block.next < kIdBlock / 2) {
    block.refill_wanted = true;
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
  out.gauge("vesagent_cluster_log_bytes",
            "Bytes of undelivered events and fault decisions this leader holds in etcd (cluster.logMaxBytes).",
            static_cast<double>(m.log_bytes));
  out.gauge("vesagent_cluster_log_keys", "Log keys this leader holds in etcd.", static_cast<double>(m.log_keys.size()));
  out.counter("vesagent_cluster_log_writes_total", "Log keys written to etcd.", static_cast<double>(s.log_writes));
  out.counter("vesagent_cluster_log_written_bytes_total", "Bytes of log values written to etcd.",
              static_cast<double>(s.log_written_bytes));
  out.counter("vesagent_cluster_log_write_failures_total", "Log writes etcd did not take (the commit answered 503).",
              static_cast<double>(s.log_write_failures));
  out.counter("vesagent_cluster_log_deletes_total", "Log keys deleted after their events were delivered.",
              static_cast<double>(s.log_deletes));
  out.counter("vesagent_cluster_log_adopted_events_total", "Events taken over from a previous leader's log.",
              static_cast<double>(s.log_adopted_events));
  out.counter("vesagent_cluster_log_unreadable_total", "Log keys in etcd that could not be decoded (left there).",
              static_cast<double>(s.log_unreadable));
  out.counter("vesagent_cluster_log_over_bound_total", "Commit rounds that met cluster.logMaxBytes.",
              static_cast<double>(s.log_over_bound));
  out.counter("vesagent_cluster_log_dropped_keys_total", "Oldest log keys deleted at the bound (dropOldest).",
              static_cast<double>(s.log_dropped_keys));
  out.counter("vesagent_cluster_fault_write_failures_total",
              "Fault changes that could not be written to etcd before the leadership ended.",
              static_cast<double>(s.fault_write_failures));
}

}  // namespace vesagent::cluster
