#include "vesagent/sources/alertmanager/webhook.hpp"

#include <openssl/crypto.h>
#include <spdlog/logger.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <optional>
#include <utility>

#include "auth.hpp"
#include "vesagent/core/clock.hpp"
#include "vesagent/http/server.hpp"
#include "vesagent/sources/alertmanager/fault_mapper.hpp"
#include "vesagent/sources/alertmanager/payload.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace vesagent::sources::alertmanager {

namespace net = boost::asio;

namespace {

constexpr std::string_view kApiPath = "/api/v1/alerts";
/// bcrypt checks waiting for the worker thread. Past this, a request gets 503 instead of queueing: a flood of
/// wrong passwords must not delay a correct one for long. Cached (already verified) credentials skip the queue.
constexpr int kMaxPendingBcrypt = 8;
constexpr const char* kRetryAfterSeconds = "5";

std::shared_ptr<spdlog::logger> logger() { return telemetry::logger("alertmanager"); }

std::string q(std::string_view v) { return telemetry::logfmt_value(v); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// application/json, with or without parameters ("; charset=utf-8", which VESPA refused). No header: accepted.
bool is_json(std::string_view content_type) {
  if (trim(content_type).empty()) return true;
  return http::media_type(content_type) == "application/json";
}

/// Runs bcrypt_matches() on `pool` and completes with its result on the initiating coroutine's executor.
/// Not cancellable: a check takes a bounded time (one bcrypt), after which the caller sees whether to go on.
template <class CompletionToken>
auto async_bcrypt(net::thread_pool& pool, std::string password, std::string hash, CompletionToken&& token) {
  return net::async_initiate<CompletionToken, void(bool)>(
      [&pool](auto handler, std::string pw, std::string h) {
        // Keeps the caller's io_context running (it may have nothing else to do) until the result is back.
        auto work = net::prefer(net::get_associated_executor(handler, pool.get_executor()),
                                net::execution::outstanding_work.tracked);
        net::post(pool, [handler = std::move(handler), work = std::move(work), pw = std::move(pw),
                         h = std::move(h)]() mutable {
          const bool ok = detail::bcrypt_matches(pw, h);
          OPENSSL_cleanse(pw.data(), pw.size());
          net::post(work, [handler = std::move(handler), ok]() mutable { std::move(handler)(ok); });
        });
      },
      token, std::move(password), std::move(hash));
}

}  // namespace

struct Webhook::Impl {
  Impl(net::any_io_executor ex, const config::Config& config, core::Correlator& c, std::function<bool()> accept)
      : executor(std::move(ex)),
        bind(config.alert_manager.bind),
        path(config.alert_manager.path),
        max_body_size(config.alert_manager.max_body_size),
        read_timeout(config.alert_manager.read_timeout),
        tls_cert_file(config.alert_manager.tls_cert_file),
        tls_key_file(config.alert_manager.tls_key_file),
        tls_client_ca_file(config.alert_manager.tls_client_ca_file),
        tls_require_client_cert(config.alert_manager.tls_require_client_cert),
        auth(config.alert_manager),
        mapper(config),
        alertname_label(config.alert_manager.faults.alert_name_label),
        correlator(c),
        can_accept(std::move(accept)),
        now([] { return core::now_epoch_us(); }) {
    if (!path.empty() && path.front() != '/') path.insert(path.begin(), '/');
    if (!auth.password_hash().empty()) pool = std::make_unique<net::thread_pool>(1);
  }

  ~Impl() {
    if (pool) {
      pool->stop();
      pool->join();
    }
  }

  bool routed(std::string_view target) const {
    const std::string_view p = target.substr(0, target.find('?'));
    return p == kApiPath || (!path.empty() && p == path);
  }

  http::ServerResponse answer(int status, std::string body, std::string content_type = "text/plain") {
    ++stats.requests[status];
    http::ServerResponse r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
  }

  http::ServerResponse unavailable(std::string body) {
    auto r = answer(503, std::move(body));
    r.headers.emplace_back("Retry-After", kRetryAfterSeconds);
    return r;
  }

  /// Hands every alert of one payload to the correlator; the caller then awaits commit() before answering.
  http::ServerResponse process(const Payload& payload, const std::string& remote);
  /// True once the correlator says this request's events and decisions are durable; false when they cannot be
  /// made durable now, or not within the read timeout (a disk or etcd that hangs gets the request a 503 instead
  /// of holding its connection: the server does not watch for clients closing, see start()).
  static net::awaitable<bool> commit(std::shared_ptr<Impl> self);
  static net::awaitable<http::ServerResponse> handle(std::shared_ptr<Impl> self, http::ServerRequest req);

  net::any_io_executor executor;
  std::string bind;
  std::string path;
  std::size_t max_body_size;
  std::chrono::milliseconds read_timeout;
  std::string tls_cert_file;  ///< with tls_key_file: HTTPS
  std::string tls_key_file;
  std::string tls_client_ca_file;
  bool tls_require_client_cert;
  detail::Authenticator auth;
  FaultMapper mapper;
  std::string alertname_label;
  core::Correlator& correlator;
  std::function<bool()> can_accept;
  std::function<std::int64_t()> now;
  std::unique_ptr<net::thread_pool> pool;  ///< bcrypt worker; only with alertManager.passwordHash
  int pending_bcrypt = 0;
  bool stopped = false;
  WebhookStats stats;
  /// Looked up once: telemetry::logger() is a registry lookup under a mutex, too costly for every request.
  const std::shared_ptr<spdlog::logger> log = logger();
};

http::ServerResponse Webhook::Impl::process(const Payload& payload, const std::string& remote) {
  if (payload.version != "4") {
    log->debug("msg=\"Webhook payload version is not 4; processing it as version 4.\" version={} remote={}",
               q(payload.version), remote);
  }
  const std::int64_t now_us = now();
  std::uint64_t raises = 0, updates = 0, clears = 0, ignored = 0;
  // In payload order: a payload holding both the resolve of one episode and the next firing of the same alert
  // (possible after a group_interval) then ends with the right state.
  for (const Alert& alert : payload.alerts) {
    const std::string key = mapper.key(alert);
    const bool firing = alert.status == AlertStatus::firing;
    const std::int64_t end_us = alert.ends_at_us != 0 ? alert.ends_at_us : now_us;
    core::FaultObservation o;
    o.kind = firing ? core::FaultObservation::Kind::firing : core::FaultObservation::Kind::resolved;
    o.key = key;
    o.episode_start_us = alert.starts_at_us;
    if (firing) o.severity = mapper.severity(alert);
    o.at_us = firing ? now_us : end_us;
    const auto verdict = correlator.observe(o, [&](const core::FaultIdentity& id, core::FaultEventKind kind) {
      switch (kind) {
        case core::FaultEventKind::raise_or_update: return mapper.fault_event(alert, id, now_us);
        case core::FaultEventKind::clear: return mapper.clear_event(alert, id, end_us);
        case core::FaultEventKind::superseded: break;
      }
      // The older episode's resolve was never seen; it ended at the latest when this one began.
      return mapper.clear_event(alert, id, id.closed_at_us != 0 ? id.closed_at_us : alert.starts_at_us);
    });
    if (verdict.superseded) ++clears;
    if (verdict.unknown_resolve) {
      log->info("msg=\"Resolved alert matches no fault raised by this agent.\" key={} alertname={} policy={}",
                q(key), q(alert.label(alertname_label) != nullptr ? *alert.label(alertname_label) : ""),
                verdict.action == core::FaultAction::clear ? "send" : "drop");
    }
    switch (verdict.action) {
      case core::FaultAction::none: ++ignored; break;
      case core::FaultAction::raise: ++raises; break;
      case core::FaultAction::update: ++updates; break;
      case core::FaultAction::clear: ++clears; break;
    }
  }
  stats.alerts_received += payload.alerts.size();
  stats.raises += raises;
  stats.updates += updates;
  stats.clears += clears;
  stats.ignored += ignored;

  log->debug("msg=\"Webhook notification processed.\" remote={} receiver={} alerts={} truncated={} raises={} "
             "updates={} clears={} ignored={}",
             remote, q(payload.receiver), payload.alerts.size(), payload.truncated_alerts, raises, updates,
             clears, ignored);
  return answer(200, "{\"status\":\"success\"}", "application/json");
}

net::awaitable<bool> Webhook::Impl::commit(std::shared_ptr<Impl> self) {
  // Shared with the callback, which may run after this request gave up waiting.
  struct Wait {
    explicit Wait(const net::any_io_executor& ex, std::chrono::milliseconds limit) : signal(ex, limit) {}
    net::steady_timer signal;
    std::optional<bool> durable;
  };
  auto wait = std::make_shared<Wait>(self->executor, self->read_timeout);
  self->correlator.commit([wait](bool durable) {
    wait->durable = durable;
    wait->signal.cancel();
  });
  if (!wait->durable) co_await wait->signal.async_wait(net::as_tuple(net::use_awaitable));
  if (!wait->durable) {
    // Not durable within the read timeout (a hanging disk or etcd), or the server stopped. The events stay
    // queued and are written when it recovers; Alertmanager's retry then finds the decisions taken.
    if (!self->stopped) ++self->stats.commit_timeouts;
    co_return false;
  }
  co_return *wait->durable;
}

net::awaitable<http::ServerResponse> Webhook::Impl::handle(std::shared_ptr<Impl> self, http::ServerRequest req) {
  Impl& w = *self;
  if (!w.routed(req.target)) co_return w.answer(404, "Not found: POST to " + w.path + " or " +
                                                          std::string(kApiPath) + "\n");
  if (req.method != "POST") {
    auto r = w.answer(405, "Method not allowed: use POST\n");
    r.headers.emplace_back("Allow", "POST");
    co_return r;
  }
  if (w.stopped) co_return w.unavailable("Shutting down\n");

  std::string password;
  auto verdict = w.auth.check(req.header("authorization"), password);
  if (verdict == detail::Authenticator::Verdict::needs_bcrypt) {
    if (w.pending_bcrypt >= kMaxPendingBcrypt) {
      w.log->warn("msg=\"Too many password checks waiting; answering 503.\" remote={}", req.remote);
      co_return w.unavailable("Busy checking credentials, retry later\n");
    }
    ++w.pending_bcrypt;
    const bool ok = co_await async_bcrypt(*w.pool, password, w.auth.password_hash(), net::use_awaitable);
    --w.pending_bcrypt;
    if (ok) w.auth.remember(password);
    OPENSSL_cleanse(password.data(), password.size());
    // The correlator may be gone once stop() was called.
    if (w.stopped) co_return w.unavailable("Shutting down\n");
    verdict = ok ? detail::Authenticator::Verdict::allowed : detail::Authenticator::Verdict::denied;
  }
  if (verdict == detail::Authenticator::Verdict::denied) {
    const std::string authorization = req.header("authorization");
    const std::string_view scheme = trim(authorization).substr(0, trim(authorization).find(' '));
    w.log->warn("msg=\"Rejected a webhook request without valid credentials.\" remote={} scheme={}", req.remote,
                scheme.empty() ? std::string("none") : q(scheme.substr(0, 20)));
    auto r = w.answer(401, "Unauthorized\n");
    for (auto& c : w.auth.challenges()) r.headers.emplace_back("WWW-Authenticate", std::move(c));
    co_return r;
  }

  const std::string content_type = req.header("content-type");
  if (!is_json(content_type)) {
    w.log->warn("msg=\"Rejected a webhook request that is not JSON.\" remote={} content_type={}", req.remote,
                q(content_type));
    co_return w.answer(415, "Unsupported Content-Type " + content_type.substr(0, 100) +
                                ": expected application/json\n");
  }
  if (w.can_accept && !w.can_accept()) {
    w.log->debug("msg=\"Cannot accept alerts now; answering 503.\" remote={}", req.remote);
    co_return w.unavailable("Cannot accept alerts now, retry later\n");
  }

  std::string why;
  auto payload = parse_payload(req.body, why);
  if (!payload) {
    w.log->warn("msg=\"Rejected a malformed webhook notification.\" remote={} bytes={} reason={}", req.remote,
                req.body.size(), q(why));
    co_return w.answer(400, why + "\n");
  }
  http::ServerResponse response = w.process(*payload, req.remote);
  // Answer only once the events and the fault decisions are durable: a crash after the 200 must not re-raise or
  // forget them. If they cannot be made durable now, they stay queued in memory (written when the disk
  // recovers) and Alertmanager is told to retry: its retry finds the decisions taken and produces no second
  // event.
  if (!co_await commit(self)) {
    --w.stats.requests[response.status];  // counted by process(); the answer is a 503 instead
    w.log->warn("msg=\"The events could not be made durable (a write error, etcd failing, or not within "
                "alertManager.readTimeout); answering 503.\" remote={}",
                req.remote);
    co_return w.unavailable("Cannot store alerts durably now, retry later\n");
  }
  co_return response;
}

Webhook::Webhook(net::any_io_executor executor, const config::Config& config, core::Correlator& correlator,
                 std::function<bool()> can_accept)
    : impl_(std::make_shared<Impl>(std::move(executor), config, correlator, std::move(can_accept))) {}

Webhook::~Webhook() { stop(); }

Result<std::uint16_t> Webhook::start() {
  if (server_) return make_error_code(net::error::already_open);
  http::ServerOptions options;
  options.body_limit = impl_->max_body_size;
  options.read_timeout = impl_->read_timeout;
  options.tls_cert_file = impl_->tls_cert_file;
  options.tls_key_file = impl_->tls_key_file;
  options.tls_client_ca_file = impl_->tls_client_ca_file;
  options.tls_require_client_cert = impl_->tls_require_client_cert;
  // Every wait of a request is bounded (bcrypt, the commit's read timeout), so the per-request watch for clients
  // closing early is not needed; it cost ~10 % of the instructions of a one-alert request.
  options.cancel_on_client_close = false;
  // The handler shares the state, not the Webhook: a request waiting for bcrypt may outlive the Webhook.
  server_ = std::make_unique<http::Server>(
      impl_->executor, options,
      [impl = impl_](http::ServerRequest request) { return Impl::handle(impl, std::move(request)); });
  auto port = server_->listen(impl_->bind);
  if (port) {
    impl_->log->info("msg=\"Alertmanager webhook listening.\" address={} port={} path={} auth={} tls={}",
                     q(impl_->bind), *port, q(impl_->path), impl_->auth.enabled() ? "on" : "off",
                     options.tls_cert_file.empty() ? "off" : (options.tls_require_client_cert ? "mutual" : "on"));
  }
  return port;
}

void Webhook::stop() {
  impl_->stopped = true;
  if (server_) server_->stop();
}

std::uint16_t Webhook::port() const { return server_ ? server_->port() : 0; }

const WebhookStats& Webhook::stats() const { return impl_->stats; }

void Webhook::set_clock(std::function<std::int64_t()> now_us) { impl_->now = std::move(now_us); }

}  // namespace vesagent::sources::alertmanager
