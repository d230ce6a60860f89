// Proxy selection; see proxy.hpp.
#include "proxy.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "text.hpp"

namespace vesagent::http::detail {
namespace {

std::string_view env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string_view{} : std::string_view(value);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

// An IPv4 or IPv6 literal as 16 bytes (IPv4 in the first 4) and its family; nullopt for a host name.
struct IpBytes {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
};

std::optional<IpBytes> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  const std::string s(text);
  IpBytes ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET;
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET6;
    return ip;
  }
  return std::nullopt;
}

bool cidr_matches(std::string_view entry, const IpBytes& host) {
  const auto slash = entry.find('/');
  const auto network = parse_ip(entry.substr(0, slash));
  if (!network || network->family != host.family) return false;
  const int max_bits = host.family == AF_INET ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view b = entry.substr(slash + 1);
    const auto [end, ec] = std::from_chars(b.data(), b.data() + b.size(), bits);
    if (ec != std::errc{} || end != b.data() + b.size() || bits < 0 || bits > max_bits) return false;
  }
  const int whole = bits / 8;
  if (std::memcmp(network->bytes.data(), host.bytes.data(), static_cast<std::size_t>(whole)) != 0) return false;
  if (bits % 8 == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - bits % 8));
  const auto i = static_cast<std::size_t>(whole);
  return (network->bytes[i] & mask) == (host.bytes[i] & mask);
}

}  // namespace

bool no_proxy_matches(std::string_view no_proxy, std::string_view host) {
  const auto host_ip = parse_ip(host);
  while (!no_proxy.empty()) {
    const auto comma = no_proxy.find(',');
    std::string_view entry = trim(no_proxy.substr(0, comma));
    no_proxy = comma == std::string_view::npos ? std::string_view{} : no_proxy.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (host_ip) {
      if (cidr_matches(entry, *host_ip)) return true;
      continue;
    }
    if (entry.front() == '.') entry.remove_prefix(1);
    if (iequals(host, entry)) return true;
    // A suffix match only at a label boundary: "example.com" excludes "a.example.com", not "badexample.com".
    if (host.size() > entry.size() && host[host.size() - entry.size() - 1] == '.' &&
        iequals(host.substr(host.size() - entry.size()), entry)) {
      return true;
    }
  }
  return false;
}

std::string select_proxy(const Url& target, std::string_view explicit_proxy) {
  std::string_view proxy = explicit_proxy;
  if (proxy.empty()) {
    if (target.scheme == "https") {
      proxy = env("https_proxy");
      if (proxy.empty()) proxy = env("HTTPS_PROXY");
    } else {
      proxy = env("http_proxy");
    }
    if (proxy.empty()) proxy = env("all_proxy");
    if (proxy.empty()) proxy = env("ALL_PROXY");
  }
  if (proxy.empty()) return {};
  std::string_view no_proxy = env("no_proxy");
  if (no_proxy.empty()) no_proxy = env("NO_PROXY");
  if (no_proxy_matches(no_proxy, target.host)) return {};
  return std::string(proxy);
}

std::optional<Url> parse_proxy_url(std::string_view text, std::string& error) {
  std::string with_scheme(text);
  if (text.find("://") == std::string_view::npos) with_scheme = "http://" + with_scheme;
  // "http://proxy" means port 1080 for curl, not 80.
  auto url = parse_url(with_scheme, error, 1080);
  if (!url) {
    error = "proxy " + error;
    return std::nullopt;
  }
  if (url->scheme != "http") {
    error = "proxy scheme " + url->scheme + " is not supported (only http://)";
    return std::nullopt;
  }
  return url;
}

}  // namespace vesagent::http::detail
