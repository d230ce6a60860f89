// Keys of the `web` section: the agent's own HTTP endpoint (/metrics, /-/healthy, /-/ready, status pages).
#include "key_factories.hpp"

namespace vesagent::config::detail {

void add_web_keys(std::vector<Key>& keys) {
  {
    Key k = string_key("web.listenAddress",
                       "host:port of the agent's own HTTP endpoint: /metrics (Prometheus text format), /-/healthy, "
                       "/-/ready and the status pages of the sources. Empty = no endpoint. The flag "
                       "--web.listen-address (Prometheus spelling) sets it too. The packaged configuration uses "
                       "localhost:9096.",
                       [](auto& c) -> auto& { return c.web.listen_address; });
    k.check = [](const Config& c) -> Message {
      if (c.web.listen_address.empty()) return std::nullopt;
      if (auto err = check_listen_address(c.web.listen_address)) return err;
      // Two listeners cannot share a port; the webhook and the endpoint are separate servers.
      if (c.web.listen_address == c.alert_manager.bind) return "must differ from alertManager.bind";
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key("web.tlsCertFile",
                       "Certificate chain (PEM file) of the endpoint; with tlsKeyFile it serves HTTPS only (TLS 1.2 "
                       "or later). Empty = plain HTTP.",
                       [](auto& c) -> auto& { return c.web.tls_cert_file; }, KeyType::path);
    k.check = [](const Config& c) -> Message {
      if (!c.web.tls_cert_file.empty() && c.web.tls_key_file.empty()) return "requires web.tlsKeyFile as well";
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key("web.tlsKeyFile", "Private key (PEM file, unencrypted) of web.tlsCertFile.",
                       [](auto& c) -> auto& { return c.web.tls_key_file; }, KeyType::path);
    k.check = [](const Config& c) -> Message {
      if (!c.web.tls_key_file.empty() && c.web.tls_cert_file.empty()) return "requires web.tlsCertFile as well";
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key("web.tlsClientCAFile",
                       "CA bundle (PEM file) that scraper certificates must chain to (Prometheus' tls_config "
                       "cert_file); a client that presents a certificate is then verified.",
                       [](auto& c) -> auto& { return c.web.tls_client_ca_file; }, KeyType::path);
    k.check = [](const Config& c) -> Message {
      if (!c.web.tls_client_ca_file.empty() && c.web.tls_cert_file.empty()) {
        return "requires web.tlsCertFile and web.tlsKeyFile (TLS)";
      }
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = bool_key("web.tlsRequireClientCert",
                     "Reject clients without a certificate signed by web.tlsClientCAFile (mutual TLS).",
                     [](auto& c) -> auto& { return c.web.tls_require_client_cert; });
    k.check = [](const Config& c) -> Message {
      if (c.web.tls_require_client_cert && c.web.tls_client_ca_file.empty()) {
        return "requires web.tlsClientCAFile (the CA that signs client certificates)";
      }
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
}

void check_web(const Config&, Report&, const WhereOf&) {}

}  // namespace vesagent::config::detail
