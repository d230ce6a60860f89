#pragma once
/// Outbound HTTP for every peer (collectors, Prometheus, etcd, Keystone, Nova): libcurl's multi-socket interface
/// driven by the agent's Asio event loop (curl's sockets are watched by Asio, its timeout is one steady_timer), so
/// a request never blocks the loop and there is no thread of ours. curl brings what operators' networks need:
/// http_proxy / HTTPS_PROXY / ALL_PROXY / NO_PROXY with http, https, socks5 and socks5h proxies, the system CA
/// store, client certificates (PEM, encrypted keys, PKCS#12), CRLs, HTTP/2 over TLS, Happy Eyeballs, a DNS cache
/// and keep-alive connection reuse.
///
/// Threading: a Client and its requests live on one executor (the agent's single event loop).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vesagent::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// TLS settings of one request (they also verify an https proxy). curl only reuses a connection for a request
/// with the same settings.
struct TlsOptions {
  // The first four stay first (callers list them positionally); the rest have initializers so they may be left out.
  std::string ca_file;  ///< PEM CA bundle file; with ca_pem and ca_path empty: the system store
  std::string client_cert;  ///< certificate file (PEM, or PKCS#12 when client_cert_type is P12)
  std::string client_key;   ///< key file (PEM); empty with a PKCS#12 certificate
  bool insecure_skip_verify = false;
  std::string ca_pem{};   ///< PEM CA certificates as content (VESPA's top-level caCert); ignored when ca_file is set
  std::string ca_path{};  ///< directory of hashed CA certificates
  std::string crl_file{}; ///< PEM certificate revocation list(s) checked for the peer's chain
  std::string client_cert_type{};  ///< "PEM", "DER" or "P12"; empty: P12 for names ending .p12/.pfx, else PEM
  std::string client_key_password{};  ///< decrypts client_key or the PKCS#12 file
  std::string min_version{};  ///< "1.2" (default when empty) or "1.3"
};

/// One outbound request. send() takes it by value: the body lives as long as the transfer.
struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::string user;      ///< basic auth when non-empty
  std::string password;
  TlsOptions tls;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{30000};  ///< whole request
  bool accept_gzip = false;  ///< send Accept-Encoding and decode transparently
  /// Proxy URL: http://, https://, socks5:// (the proxy resolves nothing) or socks5h:// (the proxy resolves the
  /// name); credentials as userinfo. No scheme means http, no port 1080, as in curl. Empty: the environment as
  /// curl reads it (http_proxy for http URLs, https_proxy / HTTPS_PROXY for https, then all_proxy / ALL_PROXY).
  std::string proxy;
  /// Hosts never proxied, curl's syntax (comma-separated names matching themselves and their subdomains, IP
  /// addresses, CIDR ranges, `*`). Empty: no_proxy / NO_PROXY from the environment.
  std::string no_proxy;
  bool http2 = true;  ///< offer HTTP/2 by ALPN over TLS; plain http is always HTTP/1.1
  /// A kept-alive connection idle longer than this is not reused (closed instead); 0 = no reuse at all.
  std::chrono::seconds keepalive{60};
  /// Called with each piece of the response body as it arrives, instead of collecting it in Response::body
  /// (answers too large to hold whole). Returning false aborts the transfer (error == other).
  std::function<bool(std::string_view)> on_body;
};

/// Transport failure classes; `none` when an HTTP status was received.
enum class TransportError { none, connect, timeout, tls, resolve, send_recv, cancelled, other };

/// Stable lower-case name ("connect", "send_recv", ...), e.g. for an `error_type` metric label.
std::string_view to_string(TransportError error) noexcept;

/// The outcome of one request. Check transport_failed() first: a transfer that broke after the response header
/// arrived (e.g. a truncated body) keeps that status but reports the transport error (and an empty body).
/// Error classes: refused/unreachable = connect (also a proxy refusing CONNECT or failing its SOCKS handshake);
/// name lookup (of the host or the proxy) = resolve; deadline = timeout; handshake, certificate, CRL or TLS alert
/// = tls; the peer closing or resetting, or an answer that is not HTTP = send_recv; a body over 256 MiB, a corrupt
/// gzip body, a bad URL or scheme, too many redirects = other.
///
/// Redirects: GET and HEAD follow up to 5 of them (http and https only). Other methods follow only 307 and 308,
/// which keep method and body; any other 3xx comes back as the response (status and headers, empty body).
struct Response {
  int status = 0;  ///< 0 when no HTTP response was received
  Headers headers; ///< names lower-cased
  std::string body;
  TransportError error = TransportError::none;
  std::string error_text;  ///< short human message for transport errors, e.g. "connection refused (127.0.0.1:9)"
  std::chrono::microseconds total_time{0};  ///< from send() starting (name resolution) to the last byte

  bool transport_failed() const { return error != TransportError::none; }
  /// First header value with this (lower-case) name, or empty.
  std::string header(std::string_view lower_name) const;
};

/// An HTTP client whose connections, resolved names (60 s) and TLS sessions are shared across send() calls (one
/// curl multi handle). Idle connections hold no pending operation, so io_context::run() can return.
///
/// Lifetime: destroy the Client before its io_context. Destroying it with transfers in flight aborts them:
/// each awaiting send() later resumes (when the executor runs) with error == cancelled and never touches the
/// Client again; if the io_context is destroyed instead of run, those coroutine frames are simply destroyed.
class Client {
 public:
  explicit Client(boost::asio::any_io_executor executor);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Performs one request. Honors the awaiting coroutine's cancellation slot, any cancellation type (the transfer
  /// is aborted, its connection closed, and the Response has error == cancelled). Never throws for network
  /// problems: they come back in Response. If the Client is destroyed before the returned awaitable starts, it
  /// completes with error == cancelled.
  boost::asio::awaitable<Response> send(Request request);

  /// Transfers in flight, for tests and metrics.
  std::size_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vesagent::http
