#include "vesagent/amqp/broker_url.hpp"

#include <charconv>

namespace vesagent::amqp {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool truthy(std::string_view v) { return v == "1" || v == "true" || v == "True" || v == "yes" || v == "on"; }

std::string percent_encode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace

std::string BrokerUrl::redacted() const {
  std::string out = tls ? "amqps://" : "amqp://";
  if (!username.empty()) out += percent_encode(username) + "@";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ":" + std::to_string(port) + "/" + percent_encode(vhost);
  return out;
}

Result<std::vector<BrokerUrl>> parse_broker_url(std::string_view url, std::string* why) {
  auto fail = [why](std::string text) -> Result<std::vector<BrokerUrl>> {
    if (why != nullptr) *why = std::move(text);
    return make_error_code(errc::invalid_config);
  };
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return fail("expected a URL such as amqp://user:password@host:5672/vhost (schemes amqp, amqps, rabbit)");
  }
  const std::string_view scheme = url.substr(0, sep);
  bool tls = false;
  if (scheme == "amqps") {
    tls = true;
  } else if (scheme != "amqp" && scheme != "rabbit") {
    return fail("unsupported scheme \"" + std::string(scheme) + "\": use amqp://, amqps:// or rabbit://");
  }
  std::string_view rest = url.substr(sep + 3);
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  bool has_path = false;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    has_path = true;
    rest = rest.substr(0, slash);
  }
  // oslo's transport URL options that matter here: ssl=1 turns TLS on for rabbit://.
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    const auto eq = part.find('=');
    if (part.substr(0, eq) == "ssl" && eq != std::string_view::npos && truthy(part.substr(eq + 1))) tls = true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  std::string vhost = "/";
  if (has_path && !path.empty()) {
    if (!percent_decode(path, vhost)) return fail("bad percent-encoding in the virtual host");
  }
  if (rest.empty()) return fail("no host in the URL");

  std::vector<BrokerUrl> out;
  while (true) {
    const auto comma = rest.find(',');
    std::string_view hostpart = rest.substr(0, comma);
    BrokerUrl b;
    b.tls = tls;
    b.port = tls ? 5671 : 5672;
    b.vhost = vhost;
    if (const auto at = hostpart.rfind('@'); at != std::string_view::npos) {
      const std::string_view userinfo = hostpart.substr(0, at);
      hostpart = hostpart.substr(at + 1);
      const auto colon = userinfo.find(':');
      if (!percent_decode(userinfo.substr(0, colon), b.username)) return fail("bad percent-encoding in the user name");
      if (colon != std::string_view::npos && !percent_decode(userinfo.substr(colon + 1), b.password)) {
        return fail("bad percent-encoding in the password");
      }
    }
    std::string_view port;
    if (!hostpart.empty() && hostpart.front() == '[') {
      const auto close = hostpart.find(']');
      if (close == std::string_view::npos) return fail("unclosed '[' in an IPv6 host");
      b.host = std::string(hostpart.substr(1, close - 1));
      const std::string_view after = hostpart.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') return fail("unexpected text after the IPv6 host");
        port = after.substr(1);
      }
    } else {
      const auto colon = hostpart.rfind(':');
      b.host = std::string(hostpart.substr(0, colon));
      if (colon != std::string_view::npos) port = hostpart.substr(colon + 1);
    }
    if (b.host.empty()) return fail("no host in the URL");
    if (!port.empty()) {
      unsigned value = 0;
      const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
      if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535) {
        return fail("bad port \"" + std::string(port) + "\": expected 1-65535");
      }
      b.port = static_cast<std::uint16_t>(value);
    }
    out.push_back(std::move(b));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace vesagent::amqp
