#pragma once
/// Proxy selection for the HTTP client, as libcurl did it (the agent's users configure proxies the curl way).
/// Private to src/http; Asio-free.
#include <optional>
#include <string>
#include <string_view>

#include "url.hpp"

namespace vesagent::http::detail {

/// The proxy URL a request to `target` goes through, or empty for a direct connection.
/// `explicit_proxy` (Request::proxy) wins; otherwise the environment: `http_proxy` for http URLs (lower case
/// only, as curl: HTTP_PROXY can be set by a CGI client header), `https_proxy` / `HTTPS_PROXY` for https, then
/// `all_proxy` / `ALL_PROXY`. `no_proxy` / `NO_PROXY` is honoured in both cases.
std::string select_proxy(const Url& target, std::string_view explicit_proxy);

/// True when `host` (lower case, IPv6 without brackets) is excluded by a no_proxy list: comma-separated
/// entries, each `*` (everything), a host name that matches itself and its subdomains (a leading dot is
/// optional), or an IP address or CIDR range (`10.0.0.0/8`, `::1`, `[::1]`) matching an IP literal host.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host);

/// Parses a proxy URL. No scheme means http; only http proxies are supported (the tunnel to an https target
/// is made with CONNECT). The default port is 1080, as in curl. Userinfo becomes Proxy-Authorization.
std::optional<Url> parse_proxy_url(std::string_view text, std::string& error);

}  // namespace vesagent::http::detail
