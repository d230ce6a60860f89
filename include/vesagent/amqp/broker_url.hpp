#pragma once
/// Broker addresses: `amqp://`, `amqps://` and oslo.messaging's `rabbit://` transport URLs. Pure functions, no I/O,
/// fuzzed (tests/fuzz/amqp_broker_url_fuzz.cpp).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"

namespace vesagent::amqp {

/// One broker to connect to, with what its URL says about credentials and the virtual host.
struct BrokerUrl {
  bool tls = false;          ///< amqps://, or rabbit:// with ?ssl=1|true
  std::string host;          ///< a name, an IPv4 address or an IPv6 address without brackets
  std::uint16_t port = 5672; ///< 5672, or 5671 with TLS, unless the URL names one
  std::string username;      ///< percent-decoded; empty = not given (the consumer then uses guest)
  std::string password;      ///< percent-decoded
  std::string vhost = "/";   ///< the path without its leading '/', percent-decoded; empty path = "/"

  /// The URL without the password, for logs and the status page: amqp://user@host:5672/vhost.
  std::string redacted() const;
};

/// Parses one URL. oslo's form with several hosts (`rabbit://u:p@h1:5672,u:p@h2:5672/vhost`) gives one BrokerUrl
/// per host, in order, all with the vhost and query of the URL. Fails (with `why` naming the problem) on another
/// scheme, a missing host, a bad port or bad percent-encoding.
Result<std::vector<BrokerUrl>> parse_broker_url(std::string_view url, std::string* why = nullptr);

}  // namespace vesagent::amqp
