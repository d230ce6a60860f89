#pragma once
/// Internal: the webhook's credential check, as Alertmanager's http_config can send them (basic_auth, or
/// authorization with the Bearer type).
///
/// Secrets are kept only as SHA-256 digests and compared in constant time. A bcrypt hash (alertManager.
/// passwordHash) costs tens of milliseconds per check, far too long for the event loop: check() then answers
/// needs_bcrypt, the caller runs bcrypt_matches() on a worker thread, and remember() caches the digest of a
/// credential that matched, so bcrypt runs once per distinct credential, not once per request.
///
/// Threading: Authenticator lives on the event loop; bcrypt_matches() is a pure function for any thread.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/config/config.hpp"

namespace vesagent::sources::alertmanager::detail {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data);

/// RFC 4648 base64 (with or without padding); nullopt on any other character.
std::optional<std::string> base64_decode(std::string_view text);

/// crypt_r() with the hash as setting, compared in constant time. False for a malformed hash.
bool bcrypt_matches(const std::string& password, const std::string& hash);

class Authenticator {
 public:
  enum class Verdict { allowed, denied, needs_bcrypt };

  explicit Authenticator(const config::AlertManagerConfig& config);

  bool enabled() const { return basic_ || bearer_; }

  /// Checks an Authorization header value. For needs_bcrypt, `password` receives the password to verify.
  Verdict check(std::string_view authorization, std::string& password) const;

  /// Caches a password bcrypt_matches() accepted.
  void remember(std::string_view password);

  const std::string& password_hash() const { return password_hash_; }

  /// WWW-Authenticate values for a 401, one per configured scheme.
  std::vector<std::string> challenges() const;

 private:
  bool basic_ = false;
  bool bearer_ = false;
  Digest user_{};
  std::optional<Digest> password_;  ///< plain password configured
  std::string password_hash_;       ///< bcrypt hash configured
  std::optional<Digest> verified_;  ///< the last password that matched password_hash_
  Digest token_{};
};

}  // namespace vesagent::sources::alertmanager::detail
