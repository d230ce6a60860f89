#include "vesagent/cluster/etcd_client.hpp"
#include "vesagent/http/peer_settings.hpp"

#include "vesagent/cluster/gateway_codec.hpp"

namespace vesagent::cluster {

namespace asio = boost::asio;

EtcdClient::EtcdClient(http::Client& client, EtcdSettings settings) : client_(client), settings_(std::move(settings)) {
  for (auto& e : settings_.endpoints) {
    while (!e.empty() && e.back() == '/') e.pop_back();
  }
}

asio::awaitable<http::Response> EtcdClient::post(const std::string& endpoint, std::string_view path, std::string body,
                                                 bool with_token) {
  http::Request req;
  req.method = "POST";
  req.url = endpoint + std::string(path);
  req.headers.emplace_back("Content-Type", "application/json");
  if (with_token && !token_.empty()) req.headers.emplace_back("Authorization", token_);
  req.body = std::move(body);
  http::apply_peer_settings(settings_.peer, req);
  req.connect_timeout = settings_.request_timeout;
  req.timeout = settings_.request_timeout;
  ++requests_;
  co_return co_await client_.send(std::move(req));
}

asio::awaitable<bool> EtcdClient::authenticate(const std::string& endpoint, std::string& error) {
  auto resp = co_await post(endpoint, "/v3/auth/authenticate",
                            gateway::authenticate_request(settings_.user, settings_.password), false);
  if (resp.transport_failed()) {
    error = endpoint + ": authenticate: " + resp.error_text;
    co_return false;
  }
  if (resp.status != 200) {
    auto e = gateway::parse_error(resp.body);
    error = endpoint + ": authenticate: HTTP " + std::to_string(resp.status) + (e ? ": " + e->message : "");
    co_return false;
  }
  std::string token;
  if (!gateway::parse_authenticate(resp.body, token, error)) {
    error = endpoint + ": " + error;
    co_return false;
  }
  token_ = std::move(token);
  co_return true;
}

asio::awaitable<EtcdReply> EtcdClient::call(std::string_view path, std::string body) {
  EtcdReply reply;
  const std::size_t n = settings_.endpoints.size();
  if (n == 0) {
    reply.error = "no etcd endpoints configured";
    co_return reply;
  }
  auto note = [&reply](const std::string& what) {
    if (!reply.error.empty()) reply.error += "; ";
    reply.error += what;
  };
  for (std::size_t attempt = 0; attempt < n; ++attempt) {
    const std::size_t index = (current_ + attempt) % n;
    const std::string& endpoint = settings_.endpoints[index];
    if (!settings_.user.empty() && token_.empty()) {
      std::string why;
      if (!co_await authenticate(endpoint, why)) {
        note(why);
        continue;
      }
    }
    auto resp = co_await post(endpoint, path, body, true);
    if (resp.error == http::TransportError::cancelled) {
      note("cancelled");
      ++failures_;
      co_return reply;
    }
    if (!resp.transport_failed() && !settings_.user.empty() && resp.status != 200) {
      auto e = gateway::parse_error(resp.body);
      if (resp.status == 401 || (e && e->code == gateway::kGrpcUnauthenticated)) {
        // Simple tokens expire after --auth-token-ttl (300 s) of disuse: fetch a new one and try once more.
        token_.clear();
        std::string why;
        if (!co_await authenticate(endpoint, why)) {
          note(why);
          continue;
        }
        resp = co_await post(endpoint, path, body, true);
      }
    }
    if (resp.transport_failed()) {
      note(endpoint + ": " + std::string(http::to_string(resp.error)) + ": " + resp.error_text);
      continue;
    }
    if (resp.status >= 500) {
      auto e = gateway::parse_error(resp.body);
      note(endpoint + ": HTTP " + std::to_string(resp.status) + (e ? ": " + e->message : ""));
      reply.status = resp.status;
      reply.body = std::move(resp.body);
      reply.endpoint = endpoint;
      continue;
    }
    if (index != current_) {
      ++failovers_;
      current_ = index;
    }
    reply.status = resp.status;
    reply.body = std::move(resp.body);
    reply.endpoint = endpoint;
    reply.error.clear();
    co_return reply;
  }
  ++failures_;
  co_return reply;
}

}  // namespace vesagent::cluster
