#pragma once
/// Real proxies from Debian on loopback for client tests: squid (HTTP proxy with CONNECT) and dante-server
/// (SOCKS5), each started by the test as a child process with its own configuration and log directory, and
/// stopped when the object goes away. Both are started as the current user; as root (as in CI and here) squid
/// drops to its `proxy` user and danted to `nobody` after binding, so their directory is made world-writable.
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "support/temp_dir.hpp"

namespace vesagent::test {

/// A free TCP port on 127.0.0.1 at the time of the call.
std::uint16_t free_loopback_port();

class ProxyDaemon {
 public:
  enum class Kind { squid, dante };

  /// Starts the daemon and waits (up to 15 s) until it accepts connections; check running() afterwards.
  explicit ProxyDaemon(Kind kind);
  ~ProxyDaemon();
  ProxyDaemon(const ProxyDaemon&) = delete;
  ProxyDaemon& operator=(const ProxyDaemon&) = delete;

  bool running() const { return pid_ > 0 && ready_; }
  /// False when the Debian package is missing (a test may skip then; any other start failure is a failure).
  bool installed() const { return installed_; }
  std::uint16_t port() const { return port_; }
  /// "http://127.0.0.1:<port>" for squid, "socks5://127.0.0.1:<port>" for dante (or "socks5h://" on request).
  std::string url(bool remote_dns = false) const;
  /// The daemon's log so far (squid: access.log lines "... CONNECT 127.0.0.1:443 ..."; dante: its log file).
  std::string log() const;
  /// Whether log() shows `text` within 5 s (squid writes a transaction's line after the client got its answer).
  bool log_shows(const std::string& text) const;
  /// Why it did not start, for a skip message.
  const std::string& problem() const { return problem_; }

 private:
  Kind kind_;
  TempDir dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool ready_ = false;
  bool installed_ = true;
  std::string problem_;
};

/// A test PKI made with the openssl CLI in a temp dir: a CA, server certificates for 127.0.0.1/localhost (one
/// good, one revoked in crl.pem), a client certificate with a plain key, the same key encrypted, and a PKCS#12
/// bundle; hashed CA directory for caPath.
class TestPki {
 public:
  static constexpr const char* kPassword = "s3cret pass";

  TestPki();
  bool ok() const { return ok_; }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }
  // ca.pem ca.key capath/ server.pem server.key revoked.pem revoked.key crl.pem
  // client.pem client.key client-encrypted.key client.p12

 private:
  TempDir dir_;
  bool ok_ = false;
};

}  // namespace vesagent::test
