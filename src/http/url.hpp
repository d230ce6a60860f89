#pragma once
/// Url: the parts of an absolute http(s) URL the client needs. Private to src/http; Asio-free so that it can be
/// unit-tested and fuzzed on its own.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vesagent::http::detail {

/// An absolute URL split for an HTTP/1.1 request.
struct Url {
  std::string scheme;     ///< lower-case, e.g. "https"
  std::string user;       ///< percent-decoded userinfo before ':' (empty when absent)
  std::string password;   ///< percent-decoded userinfo after ':'
  std::string host;       ///< lower-case; an IPv6 literal without its brackets
  std::uint16_t port = 0; ///< explicit or the scheme's default
  std::string target;     ///< origin-form request target: path (at least "/") and query; no fragment

  bool host_is_ipv6() const { return host.find(':') != std::string::npos; }
  /// "host[:port]" as in a Host header: brackets around IPv6, port omitted when it is the scheme's default.
  std::string authority() const;
  /// "host:port" with brackets around IPv6 and the port always present: a CONNECT target or a log label.
  std::string host_port() const;
};

/// Parses `text` as "scheme://[user[:password]@]host[:port][/path][?query][#fragment]". The caller checks the
/// scheme. Without a port: `default_port` when non-zero (proxies: 1080), else 80 for http and 443 for https. Returns
/// nullopt (and a short reason in `error`) for anything malformed: no scheme, empty host, bad port, spaces or
/// control characters anywhere (a request line must never be split by data taken from configuration).
std::optional<Url> parse_url(std::string_view text, std::string& error, std::uint16_t default_port = 0);

}  // namespace vesagent::http::detail
