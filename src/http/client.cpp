// HTTP/1.1 client on Boost.Beast; see client.hpp for the contract.
//
// Why not libcurl any more: Debian's libcurl4-openssl loads ~30 shared libraries (gnutls via librtmp, krb5,
// ldap, ssh2, nghttp2, ...) whose constructors and relocations cost ~8 MB of RSS in an idle agent, and
// curl_global_init sets up OpenSSL even when no peer speaks TLS. Asio, Beast and OpenSSL are linked anyway.
//
// How the pieces meet:
//  - send() parses the URL (bad ones fail without network), registers a Transfer with the Core, starts a worker
//    coroutine for it and waits on the Transfer's `done` timer. Cancelling that timer is the completion signal:
//    the worker finishing, the caller's cancellation (any type: the timer wait supports them all) and ~Client
//    all end the wait, and whoever completes the Transfer first (Core::complete) owns its Response.
//  - The worker resolves, connects (or takes a pooled connection), tunnels through a proxy, handshakes TLS,
//    writes the request and reads the response with Beast's parser. It holds shared_ptrs to the Transfer and the
//    Core, so it may outlive both send() and the Client; after completion it only unwinds.
//  - Timeouts, cancellation and ~Client all stop a transfer the same way: Transfer::interrupt() records why,
//    cancels the resolver and closes the socket, so whatever the worker awaits fails at once. A connection is
//    therefore never returned to the pool after an interruption.
//  - Idle pooled connections are plain objects with no pending operation (so io_context::run() can return).
//    Whether the server closed one meanwhile is checked with a non-blocking peek when it is taken; one that
//    still fails before any response byte arrives is replaced by a fresh connection once (the server may close
//    an idle connection at any moment, e.g. its keep-alive timeout racing our request).
#include "vesagent/http/client.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <sys/stat.h>
#include <unordered_map>
#include <unordered_set>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "gzip.hpp"
#include "proxy.hpp"
#include "text.hpp"
#include "url.hpp"

namespace vesagent::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using detail::iequals;
using detail::to_lower;
using detail::Url;

// A hostile or broken peer must not make us buffer without bound; nothing we talk to sends more.
constexpr std::size_t kMaxBody = 256 * 1024 * 1024;
constexpr std::size_t kMaxHeader = 64 * 1024;
// Idle connections kept per (scheme, host, port, TLS options, proxy); more concurrent requests than this open
// extra connections that are closed when they finish.
constexpr std::size_t kMaxIdlePerKey = 8;
// Idle connections are dropped after a little over a minute: a poller with the common 60 s interval still
// finds its connection, and sockets to peers we no longer talk to do not linger for long.
constexpr auto kMaxIdle = std::chrono::seconds(65);
constexpr const char* kUserAgent = "ves-agent";

Response failed(TransportError error, std::string text) {
  Response response;
  response.error = error;
  response.error_text = std::move(text);
  return response;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8;
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

std::string basic_credentials(std::string_view user, std::string_view password) {
  std::string pair(user);
  pair += ':';
  pair += password;
  return "Basic " + base64(pair);
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(endpoint.port());
}

// "Connection refused" -> "connection refused": error_text is embedded in log lines.
std::string reason(const error_code& ec) {
  std::string text = ec.message();
  if (!text.empty() && std::isupper(static_cast<unsigned char>(text.front())) != 0 &&
      (text.size() < 2 || std::islower(static_cast<unsigned char>(text[1])) != 0)) {
    text.front() = static_cast<char>(std::tolower(static_cast<unsigned char>(text.front())));
  }
  return text;
}

bool is_ssl_error(const error_code& ec) { return ec.category() == asio::error::get_ssl_category(); }

std::string milliseconds_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// The TLS options as a key: for the cached ssl::context and, in the pool key, so that a connection is only reused
// by requests with the same settings.
std::string tls_key(const TlsOptions& tls) {
  return tls.ca_file + '\n' + tls.client_cert + '\n' + tls.client_key + '\n' +
         (tls.insecure_skip_verify ? "insecure" : "verify");
}

// Identifies one cached ssl::context: the options plus the files' change stamps, so that a renewed certificate
// is picked up by the next new connection (libcurl read the files for every connection).
std::string tls_stamp(const TlsOptions& tls) {
  std::string stamp;
  for (const std::string* file : {&tls.ca_file, &tls.client_cert, &tls.client_key}) {
    stamp += *file;
    struct stat st {};
    if (!file->empty() && ::stat(file->c_str(), &st) == 0) {
      stamp += '@' + std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec) + '/' +
               std::to_string(st.st_size) + '/' + std::to_string(st.st_ino);
    }
    stamp += '\n';
  }
  stamp += tls.insecure_skip_verify ? "insecure" : "verify";
  return stamp;
}

/// One TCP connection, plain or TLS, with the bytes read past the last response.
struct Connection {
  explicit Connection(const asio::any_io_executor& executor) : plain(std::in_place, executor) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  tcp::socket& socket() { return secure ? secure->next_layer() : *plain; }
  void close() {
    error_code ignored;
    socket().close(ignored);
  }

  // Calls f with the stream to read and write: the TLS stream once the handshake is done, else the socket.
  template <class F>
  auto with_stream(F&& f) {
    return secure ? f(*secure) : f(*plain);
  }

  // Still worth reusing? The peer may have closed it (or sent something unsolicited) while it sat in the pool.
  bool alive(Clock::time_point now) {
    if (now - idle_since > kMaxIdle || !socket().is_open() || buffer.size() != 0) return false;
    char byte = 0;
    const ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return false;  // orderly close
    // Plain HTTP: unsolicited bytes are a protocol error (or a "408 Request Timeout" notice before closing).
    // TLS: may be a session ticket or a close_notify; a dead one fails before any response byte and is retried.
    if (n > 0) return secure.has_value();
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }

  std::shared_ptr<ssl::context> tls_context;  // declared before `secure`, which must be destroyed first
  std::optional<tcp::socket> plain;           // moved into `secure` by the TLS handshake
  std::optional<ssl::stream<tcp::socket>> secure;
  beast::flat_buffer buffer;
  std::string peer;  // "127.0.0.1:8080", for messages
  Clock::time_point idle_since{};
};

struct Core;

/// One request in flight, shared by send() (waiting on `done`) and its worker coroutine.
struct Transfer {
  Transfer(const asio::any_io_executor& executor, Request r, Url u)
      : request(std::move(r)), url(std::move(u)), done(executor, Clock::time_point::max()), deadline(executor) {}
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Stops whatever the worker awaits; `why` becomes the Response's error unless it is complete already.
  void interrupt(TransportError why, std::string text) {
    if (interrupted != TransportError::none) return;
    interrupted = why;
    interrupt_text = std::move(text);
    if (resolver) resolver->cancel();
    if (connection) connection->close();
  }

  Request request;
  Url url;
  Response response;
  std::weak_ptr<Core> core;
  bool finished = false;  // the Response is final (whoever completed it first)
  TransportError interrupted = TransportError::none;
  std::string interrupt_text;
  asio::steady_timer done;      // cancelled on completion: wakes send()
  asio::steady_timer deadline;  // connect_timeout, then timeout
  std::string deadline_text;
  std::optional<tcp::resolver> resolver;   // while resolving
  std::shared_ptr<Connection> connection;  // while connecting or exchanging
  Clock::time_point started = Clock::now();
};

/// State shared by the Client and its workers: the pool, the TLS contexts and the transfers in flight. It
/// outlives the Client while workers unwind; after ~Client it is `closed` and pools nothing.
struct Core {
  explicit Core(asio::any_io_executor e) : executor(std::move(e)) {}

  void complete(Transfer& t, Response r) {
    if (t.finished) return;
    t.finished = true;
    t.response = std::move(r);
    t.response.total_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t.started);
    transfers.erase(&t);
    t.deadline.cancel();
    t.done.cancel();
  }

  void abort(Transfer& t, TransportError why, const std::string& text) {
    t.interrupt(why, text);
    complete(t, failed(why, text));
  }

  void shutdown() {
    closed = true;
    const std::vector<Transfer*> in_flight(transfers.begin(), transfers.end());
    for (Transfer* t : in_flight) abort(*t, TransportError::cancelled, "HTTP client destroyed");
    for (auto& [key, connections] : idle) {
      for (auto& c : connections) c->close();
    }
    idle.clear();
    tls_contexts.clear();
  }

  // Drops idle connections that timed out or that the peer closed, everywhere: a cheap sweep (the pool is
  // small) that keeps dead sockets from lingering without a timer (which would keep the loop busy).
  void sweep() {
    const auto now = Clock::now();
    for (auto it = idle.begin(); it != idle.end();) {
      auto& list = it->second;
      std::erase_if(list, [now](const std::shared_ptr<Connection>& c) {
        if (c->alive(now)) return false;
        c->close();
        return true;
      });
      it = list.empty() ? idle.erase(it) : std::next(it);
    }
  }

  std::shared_ptr<Connection> take_idle(const std::string& key) {
    sweep();
    const auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    // Most recently used first: the least likely to have been closed by the server.
    std::shared_ptr<Connection> c = std::move(it->second.back());
    it->second.pop_back();
    if (it->second.empty()) idle.erase(it);
    return c;
  }

  void put_idle(const std::string& key, std::shared_ptr<Connection> c) {
    if (closed) {
      c->close();
      return;
    }
    auto& list = idle[key];
    if (list.size() >= kMaxIdlePerKey) {
      list.front()->close();
      list.erase(list.begin());
    }
    c->idle_since = Clock::now();
    list.push_back(std::move(c));
  }

  // The ssl::context for these options, created on first use: an agent that never talks TLS never sets one up.
  std::shared_ptr<ssl::context> tls_context(const TlsOptions& options, std::string& error) {
    const std::string stamp = tls_stamp(options);
    const std::string key = tls_key(options);
    if (const auto it = tls_contexts.find(key); it != tls_contexts.end() && it->second.first == stamp) {
      return it->second.second;
    }
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    error_code ec;
    // TLS 1.0/1.1 are deprecated (RFC 8996); every peer we talk to speaks 1.2 or 1.3.
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    if (options.insecure_skip_verify) {
      context->set_verify_mode(ssl::verify_none);
    } else {
      context->set_verify_mode(ssl::verify_peer, ec);
      if (options.ca_file.empty()) {
        // The system store (Debian: /etc/ssl/certs), as libcurl used.
        context->set_default_verify_paths(ec);
        if (ec) error = "cannot load the system CA store: " + reason(ec);
      } else {
        context->load_verify_file(options.ca_file, ec);
        if (ec) error = "cannot load CA file " + options.ca_file + ": " + reason(ec);
      }
    }
    if (error.empty() && !options.client_cert.empty()) {
      context->use_certificate_chain_file(options.client_cert, ec);
      if (ec) error = "cannot load client certificate " + options.client_cert + ": " + reason(ec);
    }
    if (error.empty() && !options.client_key.empty()) {
      context->use_private_key_file(options.client_key, ssl::context::pem, ec);
      if (ec) error = "cannot load client key " + options.client_key + ": " + reason(ec);
    }
    if (!error.empty()) return nullptr;  // not cached: the next request retries once the files are fixed
    tls_contexts[key] = {stamp, context};
    return context;
  }

  asio::any_io_executor executor;
  bool closed = false;
  std::unordered_set<Transfer*> transfers;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Connection>>> idle;
  std::map<std::string, std::pair<std::string, std::shared_ptr<ssl::context>>> tls_contexts;
};

Transfer::~Transfer() {
  // Only when the coroutine frames are destroyed without resuming (their io_context went away first).
  if (!finished) {
    if (const auto c = core.lock()) c->transfers.erase(this);
  }
}

// Sets the deadline; on expiry the transfer is interrupted with `text` as its timeout message.
void arm_deadline(const std::shared_ptr<Transfer>& t, Clock::time_point when, std::string text) {
  t->deadline.expires_at(when);  // aborts the previous wait
  t->deadline_text = std::move(text);
  t->deadline.async_wait([weak = std::weak_ptr<Transfer>(t)](error_code ec) {
    const auto transfer = weak.lock();
    // A wait that completed just before it was re-armed must not fire: check the current expiry.
    if (ec || !transfer || transfer->deadline.expiry() > Clock::now()) return;
    transfer->interrupt(TransportError::timeout, transfer->deadline_text);
  });
}

// The result of one step of the worker.
struct Step {
  TransportError error = TransportError::none;
  std::string text;
  bool ok() const { return error == TransportError::none; }
};

// A step that failed because of interrupt() reports the interruption instead of its own error.
Step step_failed(const Transfer& t, TransportError error, std::string text) {
  if (t.interrupted != TransportError::none) return {t.interrupted, t.interrupt_text};
  return {error, std::move(text)};
}

class Worker {
 public:
  Worker(std::shared_ptr<Core> core, std::shared_ptr<Transfer> t) : core_(std::move(core)), t_(std::move(t)) {}

  asio::awaitable<void> run() {
    try {
      co_await run_transfer();
    } catch (const std::exception& ex) {
      core_->abort(*t_, TransportError::other, std::string("HTTP client error: ") + ex.what());
    }
    t_->connection.reset();
  }

 private:
  asio::awaitable<void> run_transfer() {
    const Request& r = t_->request;
    const Url& url = t_->url;
    std::string error;
    const std::string proxy_text = detail::select_proxy(url, r.proxy);
    if (!proxy_text.empty()) {
      proxy_ = detail::parse_proxy_url(proxy_text, error);
      if (!proxy_) {
        core_->complete(*t_, failed(TransportError::other, error));
        co_return;
      }
    }
    key_ = url.scheme + "://" + url.host_port() + '\n' + proxy_text;
    if (url.scheme == "https") key_ += '\n' + tls_key(r.tls);
    build_message();

    const auto overall = t_->started + std::max(r.timeout, std::chrono::milliseconds(1));
    bool retried = false;
    for (;;) {
      // The retry goes to a new connection: another pooled one may be just as stale.
      std::shared_ptr<Connection> connection = retried ? nullptr : core_->take_idle(key_);
      const bool reused = connection != nullptr;
      if (!connection) {
        const auto connect_by = Clock::now() + std::max(r.connect_timeout, std::chrono::milliseconds(1));
        if (connect_by < overall) {
          arm_deadline(t_, connect_by, "connecting to " + target_label() + " timed out after " +
                                           milliseconds_text(r.connect_timeout));
        } else {
          arm_deadline(t_, overall, "request timed out after " + milliseconds_text(r.timeout));
        }
        connection = std::make_shared<Connection>(core_->executor);
        t_->connection = connection;
        const Step opened = co_await open(*connection);
        if (t_->finished) co_return;
        if (!opened.ok()) {
          core_->complete(*t_, failed(opened.error, opened.text));
          co_return;
        }
      }
      t_->connection = connection;
      arm_deadline(t_, overall, "request timed out after " + milliseconds_text(r.timeout));

      Response response;
      bool got_bytes = false;
      bool reusable = false;
      const Step exchanged = co_await exchange(*connection, response, got_bytes, reusable);
      if (t_->finished) co_return;
      if (!exchanged.ok() && reused && !got_bytes && !retried && t_->interrupted == TransportError::none) {
        // The server closed the pooled connection while we were sending (its keep-alive timeout): the request
        // was not processed, so it is safe to send it again, once, on a new connection.
        connection->close();
        t_->connection.reset();
        retried = true;
        continue;
      }
      t_->connection.reset();
      if (!exchanged.ok()) {
        connection->close();
        response.error = exchanged.error;
        response.error_text = exchanged.text;
        response.body.clear();
      } else if (reusable) {
        core_->put_idle(key_, std::move(connection));
      } else {
        connection->close();
      }
      core_->complete(*t_, std::move(response));
      co_return;
    }
  }

  std::string target_label() const { return proxy_ ? "proxy " + proxy_->host_port() : t_->url.host_port(); }

  void build_message() {
    Request& r = t_->request;
    const Url& url = t_->url;
    message_.version(11);
    message_.method_string(r.method);
    // Plain http through a proxy: absolute-form target (RFC 9112 3.2.2); https tunnels with CONNECT instead.
    message_.target(proxy_ && url.scheme == "http" ? url.scheme + "://" + url.authority() + url.target : url.target);
    auto has = [&r](std::string_view name) {
      return std::any_of(r.headers.begin(), r.headers.end(), [name](const auto& h) { return iequals(h.first, name); });
    };
    if (!has("host")) message_.set(bhttp::field::host, url.authority());
    for (const auto& [name, value] : r.headers) {
      // We frame the body ourselves; a caller's length or encoding could only contradict it.
      if (iequals(name, "content-length") || iequals(name, "transfer-encoding")) continue;
      message_.insert(name, value);
    }
    if (!has("authorization")) {
      if (!r.user.empty()) {
        message_.set(bhttp::field::authorization, basic_credentials(r.user, r.password));
      } else if (!url.user.empty()) {
        message_.set(bhttp::field::authorization, basic_credentials(url.user, url.password));
      }
    }
    if (proxy_ && url.scheme == "http" && !proxy_->user.empty()) {
      message_.set(bhttp::field::proxy_authorization, basic_credentials(proxy_->user, proxy_->password));
    }
    if (!has("user-agent")) message_.set(bhttp::field::user_agent, kUserAgent);
    if (r.accept_gzip && !has("accept-encoding")) message_.set(bhttp::field::accept_encoding, "gzip");
    // Like libcurl: a GET without a body and a HEAD carry no length; every other request does (even 0), and
    // never "Expect: 100-continue" (many servers never answer it, so the client waits for nothing).
    const bool bodiless = r.method == "HEAD" || (r.method == "GET" && r.body.empty());
    if (!bodiless) message_.content_length(r.body.size());
    message_.body() = std::move(r.body);
  }

  // Resolves, connects, tunnels through the proxy and handshakes TLS, as needed.
  asio::awaitable<Step> open(Connection& c) {
    const Url& url = t_->url;
    const std::string host = proxy_ ? proxy_->host : url.host;
    const std::uint16_t port = proxy_ ? proxy_->port : url.port;
    std::vector<tcp::endpoint> endpoints;
    error_code ec;
    const auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
      // An IP literal needs no resolver (whose first use starts a helper thread).
      endpoints.emplace_back(literal, port);
    } else {
      t_->resolver.emplace(core_->executor);
      auto [rec, results] =
          co_await t_->resolver->async_resolve(host, std::to_string(port), asio::as_tuple(asio::use_awaitable));
      t_->resolver.reset();
      if (t_->finished) co_return Step{};
      if (rec || results.empty()) {
        co_return step_failed(*t_, TransportError::resolve,
                              "cannot resolve " + std::string(proxy_ ? "proxy " : "") + host + ": " +
                                  reason(rec ? rec : make_error_code(asio::error::host_not_found)));
      }
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }

    // Every address in turn (e.g. ::1 then 127.0.0.1 for localhost), within the one connect deadline.
    error_code last_error;
    std::string tried;
    bool connected = false;
    for (const tcp::endpoint& endpoint : endpoints) {
      if (t_->interrupted != TransportError::none) break;
      c.close();
      error_code oec;
      c.socket().open(endpoint.protocol(), oec);
      if (!oec) {
        // Requests are written in one go; Nagle would only delay the last segment behind a delayed ACK.
        c.socket().set_option(tcp::no_delay(true), oec);
        // Pooled connections sit idle between polls; keepalive probes notice a peer that vanished.
        c.socket().set_option(asio::socket_base::keep_alive(true), oec);
        oec.clear();
        auto [cec] = co_await c.socket().async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
        if (t_->finished) co_return Step{};
        oec = cec;
      }
      if (!oec) {
        connected = true;
        c.peer = endpoint_text(endpoint);
        break;
      }
      last_error = oec;
      if (!tried.empty()) tried += ", ";
      tried += endpoint_text(endpoint);
    }
    if (!connected) {
      const std::string what = reason(last_error ? last_error : make_error_code(asio::error::host_unreachable));
      co_return step_failed(*t_, TransportError::connect,
                            what + " (" + (proxy_ ? "proxy " : "") + tried + ")");
    }

    if (proxy_ && url.scheme == "https") {
      const Step tunnel = co_await connect_tunnel(c);
      if (!tunnel.ok() || t_->finished) co_return tunnel;
    }
    if (url.scheme == "https") co_return co_await handshake(c);
    co_return Step{};
  }

  // CONNECT host:port through an http proxy; the TLS session then runs inside the tunnel, end to end.
  asio::awaitable<Step> connect_tunnel(Connection& c) {
    const Url& url = t_->url;
    bhttp::request<bhttp::empty_body> connect{bhttp::verb::connect, url.host_port(), 11};
    connect.set(bhttp::field::host, url.host_port());
    connect.set(bhttp::field::user_agent, kUserAgent);
    if (!proxy_->user.empty()) {
      connect.set(bhttp::field::proxy_authorization, basic_credentials(proxy_->user, proxy_->password));
    }
    auto [wec, written] = co_await bhttp::async_write(*c.plain, connect, asio::as_tuple(asio::use_awaitable));
    if (t_->finished) co_return Step{};
    if (wec) co_return step_failed(*t_, TransportError::connect, "proxy CONNECT failed: " + reason(wec));
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.header_limit(kMaxHeader);
    parser.skip(true);  // a CONNECT reply has no body: the tunnel starts right after the header
    auto [rec, read] = co_await bhttp::async_read(*c.plain, c.buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (t_->finished) co_return Step{};
    if (rec) co_return step_failed(*t_, TransportError::connect, "proxy CONNECT failed: " + reason(rec));
    const auto& reply = parser.get();
    if (reply.result_int() / 100 != 2) {
      co_return step_failed(*t_, TransportError::connect,
                            "proxy refused CONNECT to " + url.host_port() + ": " +
                                std::to_string(reply.result_int()) + " " + std::string(reply.reason()));
    }
    if (c.buffer.size() != 0) {
      // Bytes after the reply would belong to the TLS stream, which reads from the socket only.
      co_return step_failed(*t_, TransportError::connect, "proxy sent data before the tunnel was established");
    }
    co_return Step{};
  }

  asio::awaitable<Step> handshake(Connection& c) {
    const Url& url = t_->url;
    const TlsOptions& options = t_->request.tls;
    std::string error;
    c.tls_context = core_->tls_context(options, error);
    if (!c.tls_context) co_return Step{TransportError::tls, error};
    c.secure.emplace(std::move(*c.plain), *c.tls_context);
    c.plain.reset();
    SSL* session = c.secure->native_handle();
    error_code not_ip;
    asio::ip::make_address(url.host, not_ip);
    const bool ip_literal = !not_ip;
    // SNI carries host names only (RFC 6066 forbids IP literals); virtual-hosted servers need it.
    // (SSL_set_tlsext_host_name spelled out: the macro's C cast trips -Wold-style-cast.)
    if (!ip_literal && SSL_ctrl(session, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                const_cast<char*>(url.host.c_str())) != 1) {
      co_return Step{TransportError::tls, "cannot set the TLS server name " + url.host};
    }
    if (!options.insecure_skip_verify) {
      // Checks the DNS names or, for an IP literal, the IP addresses in the certificate's subjectAltName.
      c.secure->set_verify_callback(ssl::host_name_verification(url.host));
    }
    auto [hec] = co_await c.secure->async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    if (t_->finished) co_return Step{};
    if (hec) {
      std::string text = "TLS handshake with " + url.host_port() + " failed: " + reason(hec);
      const long verify = SSL_get_verify_result(session);
      if (verify != X509_V_OK) text += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      co_return step_failed(*t_, TransportError::tls, text);
    }
    co_return Step{};
  }

  // Writes the request and reads the final response into `response` (status, headers, decoded body). A failure
  // after the header block keeps the status, as documented for Response.
  asio::awaitable<Step> exchange(Connection& c, Response& response, bool& got_bytes, bool& reusable) {
    const Request& r = t_->request;
    {
      bhttp::request_serializer<bhttp::string_body> serializer(message_);
      auto [wec, written] = co_await c.with_stream([&](auto& stream) {
        return bhttp::async_write(stream, serializer, asio::as_tuple(asio::use_awaitable));
      });
      if (t_->finished) co_return Step{};
      if (wec) co_return io_failure(wec, "sending the request to " + c.peer);
    }
    std::optional<bhttp::response_parser<bhttp::string_body>> parser;
    for (;;) {
      parser.emplace();
      parser->header_limit(kMaxHeader);
      parser->body_limit(kMaxBody);
      if (r.method == "HEAD") parser->skip(true);
      auto [rec, read] = co_await c.with_stream([&](auto& stream) {
        return bhttp::async_read(stream, c.buffer, *parser, asio::as_tuple(asio::use_awaitable));
      });
      if (t_->finished) co_return Step{};
      got_bytes = got_bytes || parser->got_some();
      error_code ec = rec;
      if (ec == ssl::error::stream_truncated && parser->is_header_done() && parser->need_eof()) {
        // A body delimited by the close, from a server that closed without close_notify: the length was
        // never announced, so truncation cannot be told apart; accept it as curl did.
        ec.clear();
        parser->put_eof(ec);
      }
      if (parser->is_header_done()) {
        response.status = parser->get().result_int();
        response.headers.clear();
        for (const auto& field : parser->get()) {
          response.headers.emplace_back(to_lower(field.name_string()), std::string(field.value()));
        }
      }
      if (ec) {
        if (!parser->is_header_done()) response.status = 0;
        co_return read_failure(ec, c.peer);
      }
      const int status = parser->get().result_int();
      // 1xx are interim (100 Continue, 103 Early Hints); the final response follows on the same connection.
      if (status >= 100 && status < 200 && status != 101) continue;
      break;
    }
    const bool delimited_by_close = parser->need_eof();
    reusable = parser->get().keep_alive() && !delimited_by_close && status_allows_reuse(response.status);
    response.body = std::move(parser->get().body());
    if (r.accept_gzip && !response.body.empty()) {
      const std::string encoding = to_lower(parser->get()[bhttp::field::content_encoding]);
      if (encoding == "gzip" || encoding == "x-gzip") {
        std::string decoded;
        std::string error;
        switch (detail::gunzip(response.body, kMaxBody, decoded, error)) {
          case detail::GunzipResult::ok:
            response.body = std::move(decoded);
            break;
          case detail::GunzipResult::too_large:
            co_return Step{TransportError::other, "response body over 256 MiB (after gzip decoding)"};
          case detail::GunzipResult::corrupt:
            co_return Step{TransportError::other, error};
        }
      }
    }
    co_return Step{};
  }

  static bool status_allows_reuse(int status) { return status != 101; }

  Step io_failure(const error_code& ec, const std::string& doing) const {
    // With TLS 1.3 a server rejects our client certificate only after our side of the handshake is done, so
    // its alert arrives as a read or write error. That is a TLS setup problem, not a flaky network.
    if (is_ssl_error(ec)) return step_failed(*t_, TransportError::tls, "TLS error " + doing + ": " + reason(ec));
    return step_failed(*t_, TransportError::send_recv, reason(ec) + " " + doing);
  }

  Step read_failure(const error_code& ec, const std::string& peer) const {
    if (ec == bhttp::error::end_of_stream) {
      return step_failed(*t_, TransportError::send_recv, "server closed the connection without answering (" + peer + ")");
    }
    if (ec == bhttp::error::partial_message || ec == ssl::error::stream_truncated) {
      return step_failed(*t_, TransportError::send_recv, "server closed the connection in the middle of the response (" + peer + ")");
    }
    if (ec == bhttp::error::body_limit) return step_failed(*t_, TransportError::other, "response body over 256 MiB");
    if (ec == bhttp::error::header_limit) return step_failed(*t_, TransportError::other, "response header over 64 KiB");
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
      // Not HTTP/1.x (or a broken one): treated like a peer that breaks the connection, i.e. retryable.
      return step_failed(*t_, TransportError::send_recv, "invalid HTTP response from " + peer + ": " + reason(ec));
    }
    return io_failure(ec, "reading the response from " + peer);
  }

  std::shared_ptr<Core> core_;
  std::shared_ptr<Transfer> t_;
  std::optional<Url> proxy_;
  std::string key_;
  bhttp::request<bhttp::string_body> message_;
};

}  // namespace

std::string_view to_string(TransportError error) noexcept {
  switch (error) {
    case TransportError::none:
      return "none";
    case TransportError::connect:
      return "connect";
    case TransportError::timeout:
      return "timeout";
    case TransportError::tls:
      return "tls";
    case TransportError::resolve:
      return "resolve";
    case TransportError::send_recv:
      return "send_recv";
    case TransportError::cancelled:
      return "cancelled";
    case TransportError::other:
      return "other";
  }
  return "other";
}

std::string Response::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

struct Client::Impl {
  explicit Impl(asio::any_io_executor executor) : core(std::make_shared<Core>(std::move(executor))) {}
  ~Impl() { core->shutdown(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  static asio::awaitable<Response> send(std::weak_ptr<Core> weak, Request request) {
    // A cancelled coroutine would throw at the next co_await (throw_if_cancelled); answer instead.
    const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) {
      co_return failed(TransportError::cancelled, "request cancelled");
    }
    // Let partial and total cancellation through as well (the default filter passes terminal only).
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    std::shared_ptr<Core> core = weak.lock();
    if (!core || core->closed) co_return failed(TransportError::cancelled, "HTTP client destroyed");

    std::string error;
    auto url = detail::parse_url(request.url, error);
    if (!url) co_return failed(TransportError::other, "invalid URL: " + error);
    if (url->scheme != "http" && url->scheme != "https") {
      co_return failed(TransportError::other, "unsupported URL scheme " + url->scheme + " (only http and https)");
    }
    auto t = std::make_shared<Transfer>(core->executor, std::move(request), std::move(*url));
    t->core = core;
    core->transfers.insert(t.get());
    asio::co_spawn(core->executor, [](std::shared_ptr<Core> c, std::shared_ptr<Transfer> transfer) -> asio::awaitable<void> {
      Worker worker(std::move(c), std::move(transfer));
      co_await worker.run();
    }(core, t), asio::detached);
    core.reset();  // only the worker keeps the Core alive

    // Ends when the transfer completes (Core::complete cancels the timer) or the caller cancels.
    if (!t->finished) co_await t->done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!t->finished) {
      if (const auto c = t->core.lock()) {
        c->abort(*t, TransportError::cancelled, "request cancelled");
      } else {
        t->interrupt(TransportError::cancelled, "request cancelled");
        t->finished = true;
        t->response = failed(TransportError::cancelled, "request cancelled");
      }
    }
    co_return std::move(t->response);
  }

  std::shared_ptr<Core> core;
};

Client::Client(boost::asio::any_io_executor executor) : impl_(std::make_unique<Impl>(std::move(executor))) {}

Client::~Client() = default;

std::size_t Client::in_flight() const { return impl_->core->transfers.size(); }

// Not a coroutine itself: the returned awaitable starts later, when the Client may already be gone, so it gets
// a weak handle instead of `this`.
boost::asio::awaitable<Response> Client::send(Request request) {
  return Impl::send(impl_->core, std::move(request));
}

}  // namespace vesagent::http
