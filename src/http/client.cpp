// libcurl's multi-socket API driven by the Asio loop; see client.hpp for the contract.
//
// How the pieces meet:
//  - send() builds a Transfer (easy handle, its own copy of the Request, the Response being filled) in its
//    coroutine frame, adds the easy handle to the one CURLM and waits on the Transfer's `done` timer. Cancelling
//    that timer is the completion signal: curl finishing, the caller's cancellation and ~Impl all end the wait.
//  - curl says which sockets to watch (on_socket) and when to call it back (on_timer). Asio waits for readiness
//    and calls curl_multi_socket_action; finished transfers come out of curl_multi_info_read.
//  - curl opens and closes its connection sockets through our OPENSOCKET/CLOSESOCKET callbacks, so the Asio
//    descriptor watching an fd exists before curl uses it and is released (deregistered, never closed: curl owns
//    the fd) before the fd is closed and its number can be reused.
//  - Connections, the DNS cache (shared by every easy handle of one multi handle) and TLS sessions (a share
//    handle) outlive the easy handles, so one easy handle per request costs no new connection.
//
// Lifetime rule for everything Asio calls back: a wait handler holds only a weak_ptr to its SocketWatch and the
// curl timer handler a weak_ptr to `alive_`. Both die with the Impl (or, for a watch, when curl closes its
// socket), so a handler that was already queued when that happened does nothing.
#include "vesagent/http/client.hpp"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "text.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace vesagent::http {
namespace {

namespace asio = boost::asio;
using detail::iequals;
using detail::to_lower;

// A hostile or broken peer must not make us buffer without bound; nothing we talk to sends more.
constexpr std::size_t kMaxBody = 256 * 1024 * 1024;
// A Content-Length larger than this is still accepted; we just don't pre-allocate more than this for it.
constexpr std::size_t kMaxBodyReserve = 64 * 1024 * 1024;
constexpr long kMaxRedirects = 5;
// How long the IPv6 attempt of a dual-stack name leads before IPv4 is tried in parallel (RFC 8305 suggests
// 250 ms); a black-holed IPv6 path then costs this, not the whole connect timeout.
constexpr long kHappyEyeballsMs = 200;
// Keystone and Nova close every connection, so most requests resolve again; 60 s matches curl's default and
// bounds how long a moved service is still looked for at its old address.
constexpr long kDnsCacheSeconds = 60;

void global_init() {
  // A function-local static: initialized exactly once, thread-safely, before the first Client exists.
  static const bool initialized = [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return false;
    // Debian's libcurl4-openssl uses the threaded resolver (feature AsynchDNS): getaddrinfo runs on a helper
    // thread owned by libcurl, which signals completion through a socket pair that curl hands to on_socket like
    // any other socket. So name resolution never blocks the event loop. A libcurl built without it would resolve
    // synchronously inside curl_multi_socket_action, stalling everything on the loop while DNS is slow.
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    if (info == nullptr || (info->features & CURL_VERSION_ASYNCHDNS) == 0) {
      telemetry::logger("http")->warn(
          "msg=\"libcurl has no asynchronous DNS resolver; name resolution will block the event loop\"");
    }
    return true;
  }();
  if (!initialized) throw std::runtime_error("curl_global_init failed");
}

TransportError classify(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportError::none;
    case CURLE_COULDNT_CONNECT:
    case CURLE_PROXY:  // the SOCKS or https proxy handshake failed, or the proxy could not reach the target
      return TransportError::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::timeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::resolve;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return TransportError::tls;
    // A peer that breaks the protocol mid-exchange is as retryable as one that drops the connection.
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return TransportError::send_recv;
    default:
      return TransportError::other;
  }
}

bool is_tls_alert(std::string_view curl_error_text) {
  return curl_error_text.find("SSL routines") != std::string_view::npos &&
         curl_error_text.find(" alert ") != std::string_view::npos;
}

Response failed(TransportError error, std::string text) {
  Response response;
  response.error = error;
  response.error_text = std::move(text);
  return response;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

// The status code of an "HTTP/1.1 200 OK" / "HTTP/2 200" line, 0 if unreadable.
int status_of(std::string_view line) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  int status = 0;
  const char* begin = line.data() + space + 1;
  const auto [end, ec] = std::from_chars(begin, line.data() + line.size(), status);
  return ec == std::errc{} && end == begin + 3 ? status : 0;
}

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
  /// Why our own callbacks stopped a transfer (curl then reports CURLE_WRITE_ERROR).
  enum class Stop { none, redirect_not_followed, body_too_large, body_refused, out_of_memory };

  /// One request in flight. Owned by the send() coroutine frame; registered with the Impl while its easy handle
  /// is in the multi handle (owner != nullptr).
  struct Transfer {
    Transfer(const asio::any_io_executor& executor, Request r)
        : request(std::move(r)), done(executor, asio::steady_timer::time_point::max()) {}
    ~Transfer() {
      // Only when the coroutine frame is destroyed without resuming (its io_context went away first).
      if (owner != nullptr) owner->detach(*this);
      if (easy != nullptr) curl_easy_cleanup(easy);
      if (header_list != nullptr) curl_slist_free_all(header_list);
    }
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    Request request;  // curl reads url, body and credentials from here while the transfer runs
    Response response;
    CURL* easy = nullptr;
    curl_slist* header_list = nullptr;
    Impl* owner = nullptr;
    bool finished = false;  // response is final; distinguishes completion from the caller's cancellation
    bool follows_any_redirect = false;  // GET/HEAD; other methods follow 307/308 only
    int header_status = 0;  // status of the response whose header block is being read
    Stop stop = Stop::none;
    asio::steady_timer done;
    std::array<char, CURL_ERROR_SIZE> error_buffer{};
  };

  /// The Asio side of one curl socket.
  struct SocketWatch {
    SocketWatch(Impl& o, curl_socket_t s, bool from_open_callback)
        : owner(&o), descriptor(o.executor_, s), fd(s), opened_by_us(from_open_callback) {}
    ~SocketWatch() {
      // Never let the descriptor close the fd: curl owns it.
      if (descriptor.is_open()) descriptor.release();
    }
    SocketWatch(const SocketWatch&) = delete;
    SocketWatch& operator=(const SocketWatch&) = delete;

    Impl* owner;
    asio::posix::stream_descriptor descriptor;
    curl_socket_t fd;
    // true: created in on_open_socket, so curl will call on_close_socket for it. false: a socket curl made by
    // itself (the threaded resolver's socket pair), forgotten at CURL_POLL_REMOVE, which curl sends before
    // closing it.
    bool opened_by_us;
    int wanted = 0;        // CURL_POLL_IN / OUT / INOUT as curl last asked; 0 = not watched
    bool reading = false;  // an async_wait(wait_read) is pending
    bool writing = false;
    bool detached = false;  // released from Asio; late completions must do nothing
  };

  explicit Impl(asio::any_io_executor executor) : executor_(std::move(executor)), timer_(executor_) {
    global_init();
    multi_ = curl_multi_init();
    if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    // TLS session resumption across easy handles (one thread: no lock callbacks needed).
    share_ = curl_share_init();
    if (share_ != nullptr) curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~Impl() {
    // Abort what is in flight; each send() resumes later with `cancelled` (or its frame is destroyed with the
    // io_context) and no longer refers to us.
    for (Transfer* t : transfers_) {
      curl_multi_remove_handle(multi_, t->easy);
      curl_easy_setopt(t->easy, CURLOPT_SHARE, nullptr);  // the Transfer frees the easy handle later
      t->owner = nullptr;
      t->finished = true;
      t->response = failed(TransportError::cancelled, "HTTP client destroyed");
      t->done.cancel();
    }
    transfers_.clear();
    // Closes the pooled connections, through on_close_socket, while sockets_ still exists.
    curl_multi_cleanup(multi_);
    if (share_ != nullptr) curl_share_cleanup(share_);
    for (auto& [fd, watch] : sockets_) {
      // curl closed every socket it opened through us; anything left is not ours to close.
      telemetry::logger("http")->debug("msg=\"Socket still watched at destruction\" fd={}", fd);
      watch->detached = true;
      watch->descriptor.release();
    }
    sockets_.clear();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // --- transfers --------------------------------------------------------------------------------------------

  // Sets up the easy handle and adds it to the multi handle. On failure the Response says why.
  bool start(Transfer& t) {
    t.easy = curl_easy_init();
    if (t.easy == nullptr) {
      t.response = failed(TransportError::other, "curl_easy_init failed");
      return false;
    }
    if (const CURLcode rc = configure(t); rc != CURLE_OK) {
      t.response = failed(TransportError::other, std::string("Invalid request: ") + curl_easy_strerror(rc));
      return false;
    }
    if (const CURLMcode rc = curl_multi_add_handle(multi_, t.easy); rc != CURLM_OK) {
      t.response = failed(TransportError::other, curl_multi_strerror(rc));
      return false;
    }
    t.owner = this;
    transfers_.insert(&t);
    return true;
  }

  CURLcode configure(Transfer& t) {
    CURL* e = t.easy;
    const Request& r = t.request;
    CURLcode first = CURLE_OK;
    auto check = [&first](CURLcode rc) {
      if (first == CURLE_OK) first = rc;
    };
    check(curl_easy_setopt(e, CURLOPT_PRIVATE, static_cast<void*>(&t)));
    check(curl_easy_setopt(e, CURLOPT_URL, r.url.c_str()));
    // No file://, ftp:// ... even if a URL comes from configuration or a redirect.
    check(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
    check(curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
    // curl must not touch signals (SIGALRM for resolver timeouts, SIGPIPE): main's signal_set owns them.
    check(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
    check(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer.data()));
    check(curl_easy_setopt(e, CURLOPT_USERAGENT, "ves-agent"));
    check(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_write));
    check(curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(&t)));
    check(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header));
    check(curl_easy_setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(&t)));
    check(curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Impl::on_open_socket));
    check(curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, static_cast<void*>(this)));
    check(curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &Impl::on_close_socket));
    check(curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, static_cast<void*>(this)));
    if (share_ != nullptr) check(curl_easy_setopt(e, CURLOPT_SHARE, share_));
    check(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                           static_cast<long>(std::max<std::int64_t>(r.connect_timeout.count(), 1))));
    // 0 would mean "no limit" to curl; a non-positive timeout is taken as "as short as possible".
    check(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<std::int64_t>(r.timeout.count(), 1))));
    check(curl_easy_setopt(e, CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS, kHappyEyeballsMs));
    check(curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, kDnsCacheSeconds));
    // Pooled connections sit idle between polls; keepalive probes notice a peer that vanished.
    check(curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L));
    if (r.keepalive.count() <= 0) {
      check(curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L));
    } else {
      check(curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, static_cast<long>(r.keepalive.count())));
    }
    check(curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                           r.http2 ? static_cast<long>(CURL_HTTP_VERSION_2TLS) : static_cast<long>(CURL_HTTP_VERSION_1_1)));

    if (r.method == "HEAD") {
      check(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
    } else if (r.method == "GET" && r.body.empty()) {
      check(curl_easy_setopt(e, CURLOPT_HTTPGET, 1L));
    } else {
      // The body stays in t.request (the Transfer outlives the transfer), so curl need not copy it.
      check(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size())));
      check(curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data()));
      if (r.method != "POST") check(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str()));
    }
    // Redirects: curl follows them; for methods other than GET/HEAD on_header stops at any redirect but
    // 307/308, which curl re-sends with the same method and body. Credentials never go to another host.
    t.follows_any_redirect = r.method == "GET" || r.method == "HEAD";
    check(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L));
    check(curl_easy_setopt(e, CURLOPT_MAXREDIRS, kMaxRedirects));

    bool has_content_type = false;
    for (const auto& [name, value] : r.headers) {
      has_content_type = has_content_type || iequals(name, "content-type");
      // "Name;" is curl's spelling of a header with an empty value ("Name:" would remove the header).
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      if (!append_header(t, line.c_str())) return CURLE_OUT_OF_MEMORY;
    }
    // Otherwise curl adds "Expect: 100-continue" to larger bodies and waits up to a second for a 100 reply that
    // many servers never send.
    if (!append_header(t, "Expect:")) return CURLE_OUT_OF_MEMORY;
    // Otherwise curl labels every body application/x-www-form-urlencoded.
    if (!has_content_type && !append_header(t, "Content-Type:")) return CURLE_OUT_OF_MEMORY;
    check(curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list));

    if (!r.user.empty()) {
      check(curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)));
      check(curl_easy_setopt(e, CURLOPT_USERNAME, r.user.c_str()));
      check(curl_easy_setopt(e, CURLOPT_PASSWORD, r.password.c_str()));
    }
    if (r.accept_gzip) check(curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip"));
    // Unset, curl reads http_proxy / HTTPS_PROXY / ALL_PROXY / NO_PROXY from the environment.
    if (!r.proxy.empty()) check(curl_easy_setopt(e, CURLOPT_PROXY, r.proxy.c_str()));
    if (!r.no_proxy.empty()) check(curl_easy_setopt(e, CURLOPT_NOPROXY, r.no_proxy.c_str()));
    // The proxy's CONNECT answer is not the peer's: keep it out of Response::headers.
    check(curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L));
    configure_tls(e, r.tls, check);
    return first;
  }

  template <typename Check>
  static void configure_tls(CURL* e, const TlsOptions& tls, Check& check) {
    // Every setting applies to the peer and to an https proxy alike: one CA and client identity per peer.
    // Unset, curl uses the system store (Debian: /etc/ssl/certs/ca-certificates.crt).
    if (!tls.ca_file.empty()) {
      check(curl_easy_setopt(e, CURLOPT_CAINFO, tls.ca_file.c_str()));
      check(curl_easy_setopt(e, CURLOPT_PROXY_CAINFO, tls.ca_file.c_str()));
    } else if (!tls.ca_pem.empty()) {
      curl_blob blob{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
      check(curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob));
      check(curl_easy_setopt(e, CURLOPT_PROXY_CAINFO_BLOB, &blob));
    }
    if (!tls.ca_path.empty()) {
      check(curl_easy_setopt(e, CURLOPT_CAPATH, tls.ca_path.c_str()));
      check(curl_easy_setopt(e, CURLOPT_PROXY_CAPATH, tls.ca_path.c_str()));
    }
    if (!tls.crl_file.empty()) {
      check(curl_easy_setopt(e, CURLOPT_CRLFILE, tls.crl_file.c_str()));
      check(curl_easy_setopt(e, CURLOPT_PROXY_CRLFILE, tls.crl_file.c_str()));
    }
    if (!tls.client_cert.empty()) {
      const char* type = !tls.client_cert_type.empty() ? tls.client_cert_type.c_str()
                         : ends_with_ci(tls.client_cert, ".p12") || ends_with_ci(tls.client_cert, ".pfx") ? "P12"
                                                                                                         : "PEM";
      check(curl_easy_setopt(e, CURLOPT_SSLCERT, tls.client_cert.c_str()));
      check(curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, type));
      check(curl_easy_setopt(e, CURLOPT_PROXY_SSLCERT, tls.client_cert.c_str()));
      check(curl_easy_setopt(e, CURLOPT_PROXY_SSLCERTTYPE, type));
    }
    if (!tls.client_key.empty()) {
      check(curl_easy_setopt(e, CURLOPT_SSLKEY, tls.client_key.c_str()));
      check(curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM"));
      check(curl_easy_setopt(e, CURLOPT_PROXY_SSLKEY, tls.client_key.c_str()));
      check(curl_easy_setopt(e, CURLOPT_PROXY_SSLKEYTYPE, "PEM"));
    }
    if (!tls.client_key_password.empty()) {
      check(curl_easy_setopt(e, CURLOPT_KEYPASSWD, tls.client_key_password.c_str()));
      check(curl_easy_setopt(e, CURLOPT_PROXY_KEYPASSWD, tls.client_key_password.c_str()));
    }
    const long version = tls.min_version == "1.3" ? static_cast<long>(CURL_SSLVERSION_TLSv1_3)
                                                  : static_cast<long>(CURL_SSLVERSION_TLSv1_2);
    check(curl_easy_setopt(e, CURLOPT_SSLVERSION, version));
    check(curl_easy_setopt(e, CURLOPT_PROXY_SSLVERSION, version));
    if (tls.insecure_skip_verify) {
      check(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L));
      check(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L));
      check(curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYPEER, 0L));
      check(curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYHOST, 0L));
    }
  }

  static bool append_header(Transfer& t, const char* line) {
    curl_slist* list = curl_slist_append(t.header_list, line);
    if (list == nullptr) return false;
    t.header_list = list;
    return true;
  }

  // curl reported the transfer done (successfully or not).
  void finish(Transfer& t, CURLcode result) {
    detach(t);

    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    t.response.status = static_cast<int>(status);
    curl_off_t total_us = 0;
    curl_easy_getinfo(t.easy, CURLINFO_TOTAL_TIME_T, &total_us);
    t.response.total_time = std::chrono::microseconds(total_us);
    if (t.stop == Stop::redirect_not_followed) {
      // The answer is this redirect itself, for the caller to judge.
      t.response.status = t.header_status;
      t.response.body.clear();
    } else if (t.stop != Stop::none) {
      t.response.error = TransportError::other;
      t.response.error_text = t.stop == Stop::body_too_large  ? "response body over 256 MiB"
                              : t.stop == Stop::body_refused ? "response body refused by its reader"
                                                             : "out of memory reading the response";
    } else {
      t.response.error = classify(result);
    }
    if (result != CURLE_OK && t.stop == Stop::none) {
      // The error buffer has the specific reason ("Failed to connect to 127.0.0.1 port 1: Connection refused").
      if (t.response.error_text.empty()) {
        t.response.error_text = t.error_buffer[0] != '\0' ? std::string(t.error_buffer.data())
                                                           : std::string(curl_easy_strerror(result));
      }
      // With TLS 1.3 a server rejects our client certificate only after our side of the handshake is done, so
      // curl reports its alert as a receive error ("SSL_read: ... tlsv13 alert certificate required"). That is
      // a TLS setup problem, not a flaky network.
      if (t.response.error == TransportError::send_recv && is_tls_alert(t.response.error_text)) {
        t.response.error = TransportError::tls;
      }
      // A proxy answering CONNECT with anything but 2xx did not get us to the peer.
      long connect_code = 0;
      curl_easy_getinfo(t.easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
      if (connect_code != 0 && (connect_code < 200 || connect_code > 299) && status == 0) {
        t.response.error = TransportError::connect;
      }
    }
    if (t.response.transport_failed()) t.response.body.clear();
    t.finished = true;
    t.done.cancel();
  }

  // The caller cancelled: take the transfer out of curl, which closes its connection if it was mid-exchange.
  void abort(Transfer& t) {
    detach(t);
    t.finished = true;
    t.response = failed(TransportError::cancelled, "Request cancelled");
  }

  void detach(Transfer& t) {
    curl_multi_remove_handle(multi_, t.easy);
    // The easy handle may outlive the share handle (its Transfer frees it when send() resumes).
    curl_easy_setopt(t.easy, CURLOPT_SHARE, nullptr);
    transfers_.erase(&t);
    t.owner = nullptr;
  }

  void socket_action(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi_, fd, events, &running);
    // Completions only cancel timers, so nothing runs re-entrantly from here.
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      // msg is invalid after curl_multi_remove_handle: copy what we need first.
      CURL* easy = msg->easy_handle;
      const CURLcode result = msg->data.result;
      void* transfer = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &transfer);
      finish(*static_cast<Transfer*>(transfer), result);
    }
  }

  static asio::awaitable<Response> send(std::weak_ptr<char> alive, Impl* self, Request request) {
    // A cancelled coroutine would throw at the next co_await (throw_if_cancelled); answer instead.
    const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) {
      co_return failed(TransportError::cancelled, "Request cancelled");
    }
    if (alive.expired()) co_return failed(TransportError::cancelled, "HTTP client destroyed");
    // Let partial and total cancellation through as well (the default filter passes terminal only).
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    auto transfer = std::make_unique<Transfer>(self->executor_, std::move(request));
    if (!self->start(*transfer)) co_return std::move(transfer->response);

    // Ends when finish() or ~Impl cancels the timer, or when the caller's cancellation slot fires (the timer wait
    // supports per-operation cancellation of every type).
    co_await transfer->done.async_wait(asio::as_tuple(asio::use_awaitable));
    // From here on only `transfer` is used: the Impl may be gone already (then owner is null and finished set).
    if (!transfer->finished && transfer->owner != nullptr) transfer->owner->abort(*transfer);
    co_return std::move(transfer->response);
  }

  // --- sockets ----------------------------------------------------------------------------------------------

  // Starts the waits curl wants that are not already pending.
  void arm(const std::shared_ptr<SocketWatch>& watch) {
    if ((watch->wanted & CURL_POLL_IN) != 0 && !watch->reading) {
      watch->reading = true;
      watch->descriptor.async_wait(asio::posix::descriptor_base::wait_read,
                                   [weak = std::weak_ptr<SocketWatch>(watch)](boost::system::error_code ec) {
                                     on_ready(weak, ec, CURL_CSELECT_IN);
                                   });
    }
    if ((watch->wanted & CURL_POLL_OUT) != 0 && !watch->writing) {
      watch->writing = true;
      watch->descriptor.async_wait(asio::posix::descriptor_base::wait_write,
                                   [weak = std::weak_ptr<SocketWatch>(watch)](boost::system::error_code ec) {
                                     on_ready(weak, ec, CURL_CSELECT_OUT);
                                   });
    }
  }

  static void on_ready(const std::weak_ptr<SocketWatch>& weak, boost::system::error_code ec, int event) {
    const std::shared_ptr<SocketWatch> watch = weak.lock();
    if (!watch) return;  // the socket was closed or the Impl destroyed after this completion was queued
    (event == CURL_CSELECT_IN ? watch->reading : watch->writing) = false;
    if (watch->detached) return;
    Impl& self = *watch->owner;
    const int poll_bit = event == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
    // Aborted waits come from CURL_POLL_REMOVE; a wait curl no longer wants is stale (curl switched direction).
    if (ec != asio::error::operation_aborted && (watch->wanted & poll_bit) != 0) {
      self.socket_action(watch->fd, ec ? (event | CURL_CSELECT_ERR) : event);
    }
    // curl may have closed the socket (detached) or changed what it wants while in socket_action.
    if (!watch->detached) self.arm(watch);
  }

  // Releases the fd from Asio (aborting its waits) without closing it.
  void forget_socket(curl_socket_t fd) {
    const auto it = sockets_.find(fd);
    if (it == sockets_.end()) return;
    const std::shared_ptr<SocketWatch> watch = std::move(it->second);
    sockets_.erase(it);
    watch->detached = true;
    watch->descriptor.release();
  }

  // CURLMOPT_SOCKETFUNCTION: curl tells what it wants to wait for on a socket.
  static int on_socket(CURL* /*easy*/, curl_socket_t fd, int what, void* userp, void* /*socketp*/) noexcept {
    auto& self = *static_cast<Impl*>(userp);
    auto it = self.sockets_.find(fd);
    if (what == CURL_POLL_REMOVE) {
      if (it == self.sockets_.end()) return 0;
      if (it->second->opened_by_us) {
        // Idle (e.g. pooled) but still open; stay registered until on_close_socket. Cancelling the waits also
        // means idle connections hold no work, so io_context::run() can return.
        it->second->wanted = 0;
        boost::system::error_code ignored;
        it->second->descriptor.cancel(ignored);
      } else {
        self.forget_socket(fd);  // curl closes it right after this call
      }
      return 0;
    }
    try {
      if (it == self.sockets_.end()) {
        // A socket curl made itself: the threaded resolver's wake-up socket pair.
        it = self.sockets_.emplace(fd, std::make_shared<SocketWatch>(self, fd, false)).first;
      }
      it->second->wanted = what;
      self.arm(it->second);
    } catch (const std::exception& ex) {
      telemetry::logger("http")->error("msg=\"Cannot watch socket\" fd={} error={}", fd,
                                       telemetry::logfmt_value(ex.what()));
      return -1;  // curl aborts the transfers using it
    }
    return 0;
  }

  // CURLMOPT_TIMERFUNCTION: curl wants socket_action(CURL_SOCKET_TIMEOUT) after timeout_ms (-1: never).
  static int on_timer(CURLM* /*multi*/, long timeout_ms, void* userp) noexcept {
    auto& self = *static_cast<Impl*>(userp);
    if (timeout_ms < 0) {
      self.timer_.cancel();
      return 0;
    }
    // Even for 0 ms we go through the timer: curl must not be re-entered from its own callback.
    self.timer_.expires_after(std::chrono::milliseconds(timeout_ms));
    self.timer_.async_wait([alive = std::weak_ptr<char>(self.alive_), impl = &self](boost::system::error_code ec) {
      if (ec || alive.expired()) return;
      impl->socket_action(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
  }

  // CURLOPT_OPENSOCKETFUNCTION: create the socket and its Asio descriptor together.
  static curl_socket_t on_open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* address) noexcept {
    auto& self = *static_cast<Impl*>(clientp);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    const int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    try {
      // A leftover entry for this number would be a socket closed behind our back: drop it, never close it.
      self.forget_socket(fd);
      self.sockets_.emplace(fd, std::make_shared<SocketWatch>(self, fd, true));
    } catch (const std::exception& ex) {
      telemetry::logger("http")->error("msg=\"Cannot watch socket\" fd={} error={}", fd,
                                       telemetry::logfmt_value(ex.what()));
      ::close(fd);
      return CURL_SOCKET_BAD;
    }
    return fd;
  }

  // CURLOPT_CLOSESOCKETFUNCTION: release the descriptor first, then close, so no Asio state outlives the fd.
  static int on_close_socket(void* clientp, curl_socket_t fd) noexcept {
    static_cast<Impl*>(clientp)->forget_socket(fd);
    return ::close(fd);
  }

  // --- data -------------------------------------------------------------------------------------------------

  static std::size_t on_write(char* data, std::size_t size, std::size_t count, void* userp) noexcept {
    auto& t = *static_cast<Transfer*>(userp);
    const std::size_t n = size * count;
    try {
      if (t.request.on_body) {
        if (!t.request.on_body(std::string_view(data, n))) {
          t.stop = Stop::body_refused;
          return 0;
        }
        return n;
      }
      if (t.response.body.size() + n > kMaxBody) {
        t.stop = Stop::body_too_large;
        return 0;  // curl fails the transfer with CURLE_WRITE_ERROR
      }
      t.response.body.append(data, n);
    } catch (const std::bad_alloc&) {
      t.stop = Stop::out_of_memory;
      return 0;
    } catch (const std::exception&) {
      t.stop = Stop::body_refused;
      return 0;
    }
    return n;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userp) noexcept {
    auto& t = *static_cast<Transfer*>(userp);
    const std::size_t n = size * count;
    const std::string_view line(data, n);
    try {
      if (line.starts_with("HTTP/")) {
        // A new response starts (after a 100 Continue or a followed redirect): keep only the last one's.
        t.response.headers.clear();
        t.header_status = status_of(trim(line));
        return n;
      }
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) {
        // The blank line ending a header block. curl follows a redirect with a Location after this; a method
        // other than GET/HEAD only follows 307/308 (which keep it and its body), anything else is the answer.
        const int s = t.header_status;
        if (!t.follows_any_redirect && s >= 300 && s < 400 && s != 304 && s != 307 && s != 308 &&
            !t.response.header("location").empty()) {
          t.stop = Stop::redirect_not_followed;
          return 0;
        }
        return n;
      }
      std::string name = to_lower(trim(line.substr(0, colon)));
      const std::string_view value = trim(line.substr(colon + 1));
      if (name == "content-length" && !t.request.on_body) {
        std::size_t length = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
        if (ec == std::errc{} && end == value.data() + value.size()) {
          if (length > kMaxBody) {
            t.stop = Stop::body_too_large;  // fail before anything is buffered
            return 0;
          }
          t.response.body.reserve(std::min(length, kMaxBodyReserve));
        }
      }
      t.response.headers.emplace_back(std::move(name), std::string(value));
    } catch (const std::bad_alloc&) {
      t.stop = Stop::out_of_memory;
      return 0;
    }
    return n;
  }

  asio::any_io_executor executor_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  asio::steady_timer timer_;  // curl's one timeout
  std::unordered_map<curl_socket_t, std::shared_ptr<SocketWatch>> sockets_;
  std::unordered_set<Transfer*> transfers_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // weak copies: timer handlers, send() not yet started
};

Client::Client(boost::asio::any_io_executor executor) : impl_(std::make_unique<Impl>(std::move(executor))) {}

Client::~Client() = default;

std::size_t Client::in_flight() const { return impl_->transfers_.size(); }

// Not a coroutine itself: the returned awaitable starts later, when the Client may already be gone, so it gets
// a weak handle instead of `this`.
boost::asio::awaitable<Response> Client::send(Request request) {
  return Impl::send(impl_->alive_, impl_.get(), std::move(request));
}

}  // namespace vesagent::http
