#pragma once
/// Calls etcd's v3 JSON gateway (POST <endpoint>/v3/<path>) through the shared http::Client, with failover over
/// the configured endpoints and optional user/password authentication. The request bodies and answer parsers are
/// in gateway_codec.hpp; this class only moves bytes and picks endpoints.
///
/// Failover: a call starts at the endpoint that answered last; a transport failure or a 5xx (a member without
/// quorum answers 500/503 after ~7 s, hence the short request timeout) moves on to the next one, each endpoint
/// at most once per call. Any other answer, including 4xx, is returned as is.
/// Auth: with a user, a token from /v3/auth/authenticate is sent as the Authorization header; an answer with gRPC
/// code 16 (invalid or expired token) fetches a new token and repeats the call once.
///
/// Threading: one executor; calls may overlap (each is its own transfer).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/config/peer_tls.hpp"
#include "vesagent/http/client.hpp"

namespace vesagent::cluster {

struct EtcdSettings {
  std::vector<std::string> endpoints;  ///< base URLs, e.g. http://127.0.0.1:2379 (no trailing /v3)
  std::chrono::milliseconds request_timeout{2000};
  std::string user;  ///< empty = no authentication
  std::string password;
  config::PeerTls peer;  ///< cluster's TLS/proxy block
};

/// The outcome of one gateway call.
struct EtcdReply {
  int status = 0;  ///< HTTP status of the last attempt; 0 = no endpoint answered
  std::string body;
  std::string error;     ///< why no usable answer came (transport errors of every endpoint tried)
  std::string endpoint;  ///< who answered
  bool ok() const { return status == 200; }
};

class EtcdClient {
 public:
  EtcdClient(http::Client& client, EtcdSettings settings);

  /// POSTs `body` to `path` (e.g. "/v3/kv/range") with failover; never throws for network problems.
  boost::asio::awaitable<EtcdReply> call(std::string_view path, std::string body);

  /// Sets the password of settings().user (read from cluster.passwordFile after construction).
  void set_password(std::string password) {
    settings_.password = std::move(password);
    token_.clear();
  }

  const EtcdSettings& settings() const { return settings_; }
  std::uint64_t failovers() const { return failovers_; }
  std::uint64_t requests() const { return requests_; }
  std::uint64_t failures() const { return failures_; }

 private:
  boost::asio::awaitable<http::Response> post(const std::string& endpoint, std::string_view path, std::string body,
                                              bool with_token);
  boost::asio::awaitable<bool> authenticate(const std::string& endpoint, std::string& error);

  http::Client& client_;
  EtcdSettings settings_;
  std::size_t current_ = 0;
  std::string token_;
  std::uint64_t failovers_ = 0;
  std::uint64_t requests_ = 0;
  std::uint64_t failures_ = 0;
};

}  // namespace vesagent::cluster
