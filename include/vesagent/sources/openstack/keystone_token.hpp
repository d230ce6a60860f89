#pragma once
/// Keystone v3 token answers (POST /v3/auth/tokens) and the request body that asks for one. Pure functions, no
/// I/O and no Asio, so they are fuzzed (tests/fuzz/openstack_keystone_fuzz.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/core/error.hpp"

namespace vesagent::sources::openstack {

/// One endpoint of a catalog service.
struct CatalogEndpoint {
  std::string interface;  ///< public | internal | admin
  std::string region;     ///< region_id, else region
  std::string url;
};

/// One service of the token's catalog ("compute", "identity", ...).
struct CatalogService {
  std::string type;
  std::string name;
  std::vector<CatalogEndpoint> endpoints;
};

/// What the agent needs from a token body. The token itself is the X-Subject-Token header, not in here.
struct KeystoneToken {
  std::int64_t expires_at_us = 0;  ///< required
  std::int64_t issued_at_us = 0;   ///< 0 when absent
  std::string user_id;
  std::string user_name;
  std::string project_id;          ///< empty for an unscoped token
  std::string project_name;
  std::vector<std::string> roles;  ///< role names
  std::vector<CatalogService> catalog;

  bool has_role(std::string_view name) const;
};

/// Parses a token body; `why` receives the reason on failure (invalid JSON, no token.expires_at, ...).
/// Malformed catalog entries are skipped, not fatal: one broken service must not hide compute.
Result<KeystoneToken> parse_token(std::string_view body, std::string* why = nullptr);

/// URL of the first endpoint of service `type` with `interface` and (when non-empty) `region`; trailing '/'
/// removed. nullopt when the catalog has none.
std::optional<std::string> find_endpoint(const KeystoneToken& token, std::string_view type, std::string_view interface,
                                         std::string_view region);

/// Credentials for one token request (already merged from the YAML, clouds.yaml and OS_* variables).
struct AuthRequest {
  enum class Method { password, application_credential };
  Method method = Method::password;
  std::string username, user_id, password, user_domain_name, user_domain_id;
  std::string project_name, project_id, project_domain_name, project_domain_id;
  std::string application_credential_id, application_credential_name, application_credential_secret;
};

/// The JSON body of POST /v3/auth/tokens. Password auth is scoped to the project (by id, else by name in its
/// domain); an application credential carries its own scope, so no scope is sent.
std::string auth_request_body(const AuthRequest& request);

/// ISO 8601 / RFC 3339 as Keystone and Nova write it: "2026-11-26T05:16:41.000000Z", "2026-11-26T04:16:52Z",
/// "2026-11-26T04:16:43.000000" (no zone = UTC, as Nova's launched_at), "+00:00" offsets. Microseconds since the
/// Unix epoch, nullopt when malformed.
std::optional<std::int64_t> parse_iso8601_us(std::string_view text);
/// "2026-11-26T04:16:56Z" (seconds resolution: what changes-since compares against).
std::string format_iso8601(std::int64_t epoch_us);
/// An HTTP Date header ("Thu, 26 Nov 2026 04:16:56 GMT"), nullopt when malformed.
std::optional<std::int64_t> parse_http_date_us(std::string_view text);

}  // namespace vesagent::sources::openstack
