#pragma once
/// Internal: the TLS/proxy block (config::PeerTls) that every outbound peer section has with the same keys:
/// primaryCollector, backupCollector, measurement.prometheus, cluster (here) and each OpenStack cloud (parsed
/// by openstack_lists.cpp with the same checks).
#include <string>
#include <string_view>
#include <vector>

#include "key_factories.hpp"

namespace vesagent::config::detail {

/// A proxy URL curl can use: http://, https://, socks4://, socks4a://, socks5://, socks5h:// or no scheme (http).
Message check_proxy_url(std::string_view url);
/// "1.2" or "1.3".
Message check_tls_min_version(std::string_view version);
/// "", "PEM", "DER" or "P12".
Message check_client_cert_type(std::string_view type);
/// True when the client certificate is a PKCS#12 file (it then holds the key too).
bool is_pkcs12(const PeerTls& tls);
/// clientCert and clientKey belong together unless the certificate is PKCS#12. `section` prefixes the key names
/// in the message ("primaryCollector").
Message check_client_cert_pair(const PeerTls& tls, const std::string& section, bool for_key);

/// Appends `<section>.caCert` ... `<section>.keepalive`. `peer` is a generic lambda returning the section's
/// PeerTls from a (const) Config; `who` names the peer in the docs ("the collector", "Prometheus").
template <class Peer>
void add_peer_tls_keys(std::vector<Key>& keys, const std::string& s, const std::string& who, Peer peer) {
  keys.push_back(string_key(s + ".caCert", "CA bundle (PEM file) to verify " + who + " (and an https proxy); empty = "
                            "the system store.",
                            [peer](auto& c) -> auto& { return peer(c).ca_cert; }, KeyType::path));
  keys.push_back(string_key(s + ".caPath",
                            "Directory of hashed CA certificates (`openssl rehash`) to verify " + who + ".",
                            [peer](auto& c) -> auto& { return peer(c).ca_path; }, KeyType::path));
  keys.push_back(string_key(s + ".crlFile",
                            "Certificate revocation lists (PEM file) checked for " + who + "'s certificate chain.",
                            [peer](auto& c) -> auto& { return peer(c).crl_file; }, KeyType::path));
  {
    Key k = string_key(s + ".clientCert",
                       "Client certificate for mutual TLS: a PEM file with " + s + ".clientKey, or a PKCS#12 "
                       "file (.p12/.pfx, or clientCertType P12) holding certificate and key.",
                       [peer](auto& c) -> auto& { return peer(c).client_cert; }, KeyType::path);
    k.check = [peer, s](const Config& c) { return check_client_cert_pair(peer(c), s, false); };
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key(s + ".clientCertType", "Format of clientCert: PEM, DER or P12; empty = P12 for names ending "
                       ".p12/.pfx, else PEM.",
                       [peer](auto& c) -> auto& { return peer(c).client_cert_type; });
    k.check = [peer](const Config& c) { return check_client_cert_type(peer(c).client_cert_type); };
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key(s + ".clientKey", "Private key (PEM file) of clientCert; may be encrypted (clientKeyPassword).",
                       [peer](auto& c) -> auto& { return peer(c).client_key; }, KeyType::path);
    k.check = [peer, s](const Config& c) { return check_client_cert_pair(peer(c), s, true); };
    keys.push_back(std::move(k));
  }
  keys.push_back(string_key(s + ".clientKeyPassword",
                            "Password of an encrypted clientKey or of a PKCS#12 clientCert. Prefer "
                            "clientKeyPasswordFile or the environment.",
                            [peer](auto& c) -> auto& { return peer(c).client_key_password; }, KeyType::secret));
  keys.push_back(string_key(s + ".clientKeyPasswordFile",
                            "File holding clientKeyPassword (read at load, trailing newline removed).",
                            [peer](auto& c) -> auto& { return peer(c).client_key_password_file; }, KeyType::path));
  {
    Key k = choice_key(s + ".tlsMinVersion", "Lowest TLS version accepted from " + who + ".",
                       [peer](auto& c) -> auto& { return peer(c).tls_min_version; }, {"1.2", "1.3"});
    keys.push_back(std::move(k));
  }
  keys.push_back(bool_key(s + ".insecureSkipVerify",
                          "Do not verify " + who + "'s TLS certificate (testing only; a warning is logged).",
                          [peer](auto& c) -> auto& { return peer(c).insecure_skip_verify; }));
  {
    Key k = string_key(s + ".proxyUrl",
                       "Proxy for " + who + ": http://, https://, socks5:// or socks5h:// (the proxy resolves "
                       "the name), credentials as user:password@ (so the value is treated as a secret). Empty = the environment (http_proxy, "
                       "https_proxy/HTTPS_PROXY, all_proxy/ALL_PROXY) as curl reads it.",
                       [peer](auto& c) -> auto& { return peer(c).proxy_url; }, KeyType::secret);
    k.check = [peer](const Config& c) { return check_proxy_url(peer(c).proxy_url); };
    keys.push_back(std::move(k));
  }
  keys.push_back(string_key(s + ".noProxy",
                            "Hosts reached without proxyUrl: comma-separated names (matching subdomains too), IP "
                            "addresses, CIDR ranges or *. Empty = no_proxy/NO_PROXY from the environment.",
                            [peer](auto& c) -> auto& { return peer(c).no_proxy; }));
  keys.push_back(bool_key(s + ".http2", "Offer HTTP/2 to " + who + " over TLS (ALPN); false = HTTP/1.1 only.",
                          [peer](auto& c) -> auto& { return peer(c).http2; }));
  keys.push_back(duration_key(s + ".keepalive",
                              "How long an idle kept-alive connection to " + who + " is reused (0s = a new "
                              "connection per request).",
                              [peer](auto& c) -> auto& { return peer(c).keepalive; }, Zero::allowed));
}

}  // namespace vesagent::config::detail
