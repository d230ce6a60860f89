#pragma once
/// Applies one peer's TLS/proxy block (config::PeerTls, the same keys under every outbound peer section) to a
/// Request, so every caller sets the same curl options the same way.
#include <chrono>

#include "vesagent/config/peer_tls.hpp"
#include "vesagent/http/client.hpp"

namespace vesagent::http {

inline void apply_peer_settings(const config::PeerTls& peer, Request& request) {
  TlsOptions& tls = request.tls;
  tls.ca_file = peer.ca_cert;
  tls.ca_pem = peer.ca_pem;
  tls.ca_path = peer.ca_path;
  tls.crl_file = peer.crl_file;
  tls.client_cert = peer.client_cert;
  tls.client_cert_type = peer.client_cert_type;
  tls.client_key = peer.client_key;
  tls.client_key_password = peer.client_key_password;
  tls.min_version = peer.tls_min_version;
  tls.insecure_skip_verify = peer.insecure_skip_verify;
  request.proxy = peer.proxy_url;
  request.no_proxy = peer.no_proxy;
  request.http2 = peer.http2;
  request.keepalive = std::chrono::duration_cast<std::chrono::seconds>(peer.keepalive);
}

}  // namespace vesagent::http
