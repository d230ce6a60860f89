#pragma once
/// OpenStackDouble: a Keystone v3 + Nova test double on one loopback port (Keystone under /identity/v3, Nova under
/// /compute/v2.1) that answers with the shapes recorded from a real Keystone 22 / Nova 26 (tests/data/openstack):
/// tokens with a catalog and expires_at in X-Subject-Token answers, servers/detail pages ordered by created
/// descending with `servers_links` next on every full page, changes-since (inclusive, with DELETED servers),
/// all_tenants (403 for a non-admin), unknown marker and bad changes-since 400, unsupported microversion 406,
/// 401 with WWW-Authenticate for an unknown or expired token, the version documents (GET /compute/ and
/// /compute/v2.1/, unauthenticated like Nova's) of a Nova whose newest microversion is `max_microversion` (older
/// clouds: 2.60, 2.42, 2.1), and GET /os-services (integer ids before 2.53, forced_down from 2.11). Failures can be
/// injected (5xx, slow answers, closed connections). Used by gtest (in-process) and by the `openstack-double` program (e2e tests, benchmark).
///
/// Threading: runs on the executor given to the constructor; not thread-safe.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/fake_http_server.hpp"

namespace vesagent::test {

/// One server the double knows.
struct DoubleServer {
  std::string id;
  std::string name;
  std::string status = "ACTIVE";
  std::string vm_state = "active";
  std::string task_state;  ///< empty = null
  int power_state = 1;
  std::string tenant_id = "f88d06e744674fe181fa3337b8ad4092";  ///< the recorded "demo" project
  std::string host = "oslab-compute";
  std::string flavor = "m1.tiny";
  std::string fault_message;  ///< non-empty: a `fault` object (ERROR servers)
  std::int64_t created_us = 0;  ///< 0 = now at add
  std::int64_t updated_us = 0;  ///< 0 = now at add
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<std::string> tags;
  bool deleted = false;
};

/// One Nova service (GET /os-services). The double starts with the lab's four on oslab-compute.
struct DoubleService {
  std::string binary = "nova-compute";
  std::string host = "oslab-compute";
  std::string zone = "nova";   ///< "internal" for non-compute services
  bool up = true;              ///< state up/down
  bool disabled = false;
  std::string disabled_reason;  ///< empty = null
  bool forced_down = false;
  std::int64_t updated_us = 0;  ///< 0 = now at add
};

class OpenStackDouble {
 public:
  struct Options {
    std::string data_dir;  ///< tests/data/openstack; empty = $VESAGENT_TEST_DATA/openstack
    std::string username = "admin";
    std::string password = "secret";
    std::string application_credential_id = "appcred-id";
    std::string application_credential_secret = "appcred-secret";
    bool admin = true;  ///< the user has the admin role (all_tenants allowed, /v3/projects allowed)
    std::chrono::seconds token_ttl{3600};
    int max_limit = 1000;
    /// Prefix of servers_links hrefs; empty = this double's compute URL. Real Nova builds links from its own
    /// configuration (osapi_compute_link_prefix), which may name another host than the one the client used.
    std::string link_prefix;
    std::int64_t clock_offset_us = 0;  ///< the double's clock = system clock + this (Date header, updated)
    /// Microversions served (version documents; 406 outside). The recorded Nova 26 serves 2.1..2.93.
    std::string min_microversion = "2.1";
    std::string max_microversion = "2.93";
  };

  OpenStackDouble(boost::asio::any_io_executor executor, Options options);
  ~OpenStackDouble();
  OpenStackDouble(const OpenStackDouble&) = delete;
  OpenStackDouble& operator=(const OpenStackDouble&) = delete;

  std::uint16_t port() const;
  std::string auth_url() const;     ///< http://127.0.0.1:<port>/identity/v3
  std::string compute_url() const;  ///< http://127.0.0.1:<port>/compute/v2.1
  std::int64_t now_us() const;      ///< the double's clock

  // ---- servers ----
  /// Adds (or replaces) a server; created/updated default to now. Returns its id.
  std::string add_server(DoubleServer server);
  /// Adds `count` ACTIVE servers named <prefix>-<n> with deterministic ids; returns the ids.
  std::vector<std::string> add_servers(std::size_t count, const std::string& prefix = "vm");
  /// Changes a server's status (vm_state and power_state follow the recorded libvirt values unless given);
  /// `updated` becomes now.
  void set_status(const std::string& id, const std::string& status, std::string task_state = {});
  /// DELETE: 404 from now on, listed as DELETED by changes-since.
  void delete_server(const std::string& id);
  DoubleServer* find(const std::string& id);
  std::size_t server_count() const;

  // ---- compute services ----
  /// Adds a service, or replaces the one with the same binary and host.
  void add_service(DoubleService service);
  std::vector<DoubleService>& services();

  // ---- failures ----
  /// The next `count` Nova requests answer `status` (e.g. 503) with a computeFault body.
  void fail_nova(int count, int status = 503);
  /// The next `count` token requests answer `status`.
  void fail_keystone(int count, int status = 503);
  /// Every answer waits this long (slow cloud).
  void set_delay(std::chrono::milliseconds delay);
  /// Down: every request gets its connection closed without an answer.
  void set_down(bool down);
  /// Every token issued so far is now invalid (401 at Nova), as after a Keystone restart or revocation.
  void revoke_tokens();
  void set_token_ttl(std::chrono::seconds ttl);
  void set_admin(bool admin);

  // ---- observation ----
  std::size_t token_requests() const;
  std::size_t nova_requests() const;
  /// Every request received (method, target, headers, body).
  const std::vector<FakeRequest>& requests() const;

  /// Handles one request (also used by the standalone program for its /_control API).
  FakeResponse handle(const FakeRequest& request);

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::unique_ptr<FakeHttpServer> server_;
};

}  // namespace vesagent::test
