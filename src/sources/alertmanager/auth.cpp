#include "auth.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <cstring>
#include <memory>

namespace vesagent::sources::alertmanager::detail {

namespace {

bool digest_equal(const Digest& a, const Digest& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

/// Splits "Scheme credentials" (RFC 9110 auth-scheme, then one or more spaces).
bool split_scheme(std::string_view header, std::string_view& scheme, std::string_view& credentials) {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  auto space = header.find(' ');
  if (space == std::string_view::npos) return false;
  scheme = header.substr(0, space);
  credentials = header.substr(space + 1);
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && (credentials.back() == ' ' || credentials.back() == '\t')) {
    credentials.remove_suffix(1);
  }
  return !credentials.empty();
}

}  // namespace

Digest sha256(std::string_view data) {
  Digest out{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_sha256(), nullptr);
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned int buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xffU));
    }
  }
  return out;
}

bool bcrypt_matches(const std::string& password, const std::string& hash) {
  // crypt_data is about 32 KiB: on the heap, and zeroed as crypt_r requires for its first use.
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* result = ::crypt_r(password.c_str(), hash.c_str(), data.get());
  // A failed crypt_r returns NULL or a string starting with '*', which never equals a valid hash.
  if (result == nullptr || result[0] == '*') return false;
  const std::size_t n = std::strlen(result);
  const bool match = n == hash.size() && CRYPTO_memcmp(result, hash.data(), n) == 0;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return match;
}

Authenticator::Authenticator(const config::AlertManagerConfig& config) {
  if (!config.user.empty()) {
    basic_ = true;
    user_ = sha256(config.user);
    if (!config.password_hash.empty()) {
      password_hash_ = config.password_hash;
    } else {
      password_ = sha256(config.password);
    }
  }
  if (!config.bearer_token.empty()) {
    bearer_ = true;
    token_ = sha256(config.bearer_token);
  }
}

Authenticator::Verdict Authenticator::check(std::string_view authorization, std::string& password) const {
  if (!enabled()) return Verdict::allowed;
  std::string_view scheme;
  std::string_view credentials;
  if (!split_scheme(authorization, scheme, credentials)) return Verdict::denied;
  if (bearer_ && iequals(scheme, "Bearer")) {
    return digest_equal(sha256(credentials), token_) ? Verdict::allowed : Verdict::denied;
  }
  if (!basic_ || !iequals(scheme, "Basic")) return Verdict::denied;
  auto decoded = base64_decode(credentials);
  if (!decoded) return Verdict::denied;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return Verdict::denied;
  const std::string_view user = std::string_view(*decoded).substr(0, colon);
  const std::string_view pass = std::string_view(*decoded).substr(colon + 1);
  // Both digests are compared even when the first differs, so timing says nothing about which one failed.
  const bool user_ok = digest_equal(sha256(user), user_);
  const Digest pass_digest = sha256(pass);
  if (password_) return user_ok && digest_equal(pass_digest, *password_) ? Verdict::allowed : Verdict::denied;
  const bool cached = verified_ && digest_equal(pass_digest, *verified_);
  if (!user_ok) return Verdict::denied;
  if (cached) return Verdict::allowed;
  password.assign(pass);
  return Verdict::needs_bcrypt;
}

void Authenticator::remember(std::string_view password) { verified_ = sha256(password); }

std::vector<std::string> Authenticator::challenges() const {
  std::vector<std::string> out;
  if (basic_) out.emplace_back("Basic realm=\"ves-agent\", charset=\"UTF-8\"");
  if (bearer_) out.emplace_back("Bearer realm=\"ves-agent\"");
  return out;
}

}  // namespace vesagent::sources::alertmanager::detail
