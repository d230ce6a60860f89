// URL parsing for the HTTP client; see url.hpp.
#include "url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "text.hpp"

namespace vesagent::http::detail {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Userinfo is percent-encoded in URLs ("p%40ss" for "p@ss"); credentials are sent decoded.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::uint16_t scheme_port(std::string_view scheme, std::uint16_t fallback) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return fallback;
}

}  // namespace

std::string Url::authority() const {
  std::string out = host_is_ipv6() ? "[" + host + "]" : host;
  if (port != scheme_port(scheme, 0)) out += ":" + std::to_string(port);
  return out;
}

std::string Url::host_port() const {
  return (host_is_ipv6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Url> parse_url(std::string_view text, std::string& error, std::uint16_t default_port) {
  if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    error = "URL contains spaces or control characters";
    return std::nullopt;
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    error = "URL has no scheme";
    return std::nullopt;
  }
  Url url;
  url.scheme = to_lower(text.substr(0, scheme_end));
  if (!std::all_of(url.scheme.begin(), url.scheme.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '+' || c == '-' || c == '.';
      })) {
    error = "URL has an invalid scheme";
    return std::nullopt;
  }
  std::string_view rest = text.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);

  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const auto colon = userinfo.find(':');
    url.user = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) url.password = percent_decode(userinfo.substr(colon + 1));
    authority.remove_prefix(at + 1);
  }

  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "URL has an unterminated IPv6 address";
      return std::nullopt;
    }
    url.host = to_lower(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "URL has junk after the IPv6 address";
        return std::nullopt;
      }
      port_text = after.substr(1);
    }
    if (url.host.find(':') == std::string::npos) {
      error = "URL has brackets around a host that is not an IPv6 address";
      return std::nullopt;
    }
  } else {
    const auto colon = authority.find(':');
    url.host = to_lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) {
    error = "URL has no host";
    return std::nullopt;
  }
  if (url.host.find_first_of("[]@/\\") != std::string::npos) {
    error = "URL has an invalid host";
    return std::nullopt;
  }
  url.port = default_port != 0 ? default_port : scheme_port(url.scheme, 0);
  if (!port_text.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      error = "URL has an invalid port";
      return std::nullopt;
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  if (url.port == 0) {
    error = "URL has no port and its scheme has no default";
    return std::nullopt;
  }

  tail = tail.substr(0, tail.find('#'));  // fragments are never sent
  if (tail.empty() || tail.front() == '?') url.target = "/";
  url.target += tail;
  return url;
}

}  // namespace vesagent::http::detail
