#pragma once
/// The agent's own HTTP endpoint: /metrics, /-/healthy, /-/ready and status pages (the `web` section). Included by config.hpp; the keys live in src/config/keys_web.cpp.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vesagent::config {

/// The self-monitoring endpoint (web::Endpoint). Off unless listen_address is set: the built-in default binds
/// nothing, so embedded or test agents never fight over a port; the packaged /etc/ves-agent/ves-agent.yml turns
/// it on at localhost:9096 (next to the webhook's 9095).
struct WebConfig {
  std::string listen_address;          ///< host:port, e.g. localhost:9096; empty = no endpoint
  std::string tls_cert_file;           ///< with tls_key_file: HTTPS only (TLS 1.2+)
  std::string tls_key_file;
  std::string tls_client_ca_file;      ///< CAs that scraper certificates must chain to
  bool tls_require_client_cert = false;
};

}  // namespace vesagent::config
