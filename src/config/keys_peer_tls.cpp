// Checks of the TLS/proxy block shared by every outbound peer; the keys themselves are in peer_tls_keys.hpp.
#include <array>

#include "peer_tls_keys.hpp"
#include "values.hpp"

namespace vesagent::config::detail {
namespace {

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    const char a = s[s.size() - suffix.size() + i];
    const char lower = a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a;
    if (lower != suffix[i]) return false;
  }
  return true;
}

}  // namespace

Message check_proxy_url(std::string_view url) {
  if (url.empty()) return std::nullopt;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;  // no scheme: an http proxy, as curl takes it
  static constexpr std::array<std::string_view, 6> kSchemes = {"http", "https", "socks4", "socks4a", "socks5",
                                                               "socks5h"};
  const std::string_view scheme = url.substr(0, sep);
  for (const auto known : kSchemes) {
    if (scheme == known) {
      if (url.size() == sep + 3) return "has no proxy host after " + std::string(scheme) + "://";
      return std::nullopt;
    }
  }
  return "proxy scheme " + quote(scheme) + " is not supported; use http://, https://, socks5:// or socks5h://";
}

Message check_tls_min_version(std::string_view version) {
  if (version == "1.2" || version == "1.3") return std::nullopt;
  return "expected 1.2 or 1.3, got " + quote(version);
}

Message check_client_cert_type(std::string_view type) {
  if (type.empty() || type == "PEM" || type == "DER" || type == "P12") return std::nullopt;
  return "expected PEM, DER or P12, got " + quote(type);
}

bool is_pkcs12(const PeerTls& tls) {
  if (!tls.client_cert_type.empty()) return tls.client_cert_type == "P12";
  return ends_with_ci(tls.client_cert, ".p12") || ends_with_ci(tls.client_cert, ".pfx");
}

Message check_client_cert_pair(const PeerTls& tls, const std::string& section, bool for_key) {
  if (for_key) {
    if (!tls.client_key.empty() && tls.client_cert.empty()) return "requires " + section + ".clientCert as well";
    return std::nullopt;
  }
  if (!tls.client_cert.empty() && tls.client_key.empty() && !is_pkcs12(tls)) {
    return "requires " + section + ".clientKey as well (or a PKCS#12 file: .p12/.pfx or clientCertType P12)";
  }
  return std::nullopt;
}

}  // namespace vesagent::config::detail
