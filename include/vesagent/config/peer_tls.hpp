#pragma once
/// TLS and proxy settings of one outbound peer (primaryCollector, backupCollector, measurement.prometheus, each
/// OpenStack cloud, cluster): the same keys under every peer section (src/config/keys_peer_tls.cpp).
#include <chrono>
#include <string>

namespace vesagent::config {

struct PeerTls {
  std::string ca_cert;      ///< CA bundle file; with ca_pem and ca_path empty: the system store
  std::string ca_pem;       ///< CA certificates as PEM content (VESPA's top-level caCert, collectors only)
  std::string ca_path;      ///< directory of hashed CA certificates (c_rehash / openssl rehash)
  std::string crl_file;     ///< PEM CRLs checked for the peer's certificate chain
  std::string client_cert;  ///< client certificate file (PEM, or PKCS#12 named .p12/.pfx or client_cert_type P12)
  std::string client_cert_type;  ///< PEM, DER or P12; empty = from the file name
  std::string client_key;        ///< private key file of a PEM/DER client_cert
  std::string client_key_password;       ///< resolved secret: inline or read from client_key_password_file
  std::string client_key_password_file;
  std::string tls_min_version = "1.2";   ///< 1.2 or 1.3
  bool insecure_skip_verify = false;
  std::string proxy_url;  ///< http://, https://, socks5://, socks5h://; empty = the environment's proxy variables
  std::string no_proxy;   ///< hosts never proxied; empty = no_proxy / NO_PROXY from the environment
  bool http2 = true;      ///< offer HTTP/2 over TLS (ALPN)
  std::chrono::milliseconds keepalive{std::chrono::seconds(30)};  ///< idle time of a kept-alive connection; 0 = none
};

}  // namespace vesagent::config
