#include "vesagent/sources/openstack/keystone_token.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <charconv>
#include <ctime>

namespace vesagent::sources::openstack {

namespace {

using nlohmann::json;

std::string str(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::int64_t> epoch_us(int year, int month, int day, int hour, int minute, int second) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60 * 1000000LL + static_cast<std::int64_t>(second) * 1000000LL;
}

}  // namespace

bool KeystoneToken::has_role(std::string_view name) const {
  for (const auto& r : roles) {
    if (r == name) return true;
  }
  return false;
}

std::optional<std::int64_t> parse_iso8601_us(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  auto base = epoch_us(y, mo, d, h, mi, se);
  if (!base) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t scale = 100000;
    std::size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) != 0) {
      if (scale > 0) frac_us += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset_us = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh = 0, om = 0;
      const int sign = s[pos] == '-' ? -1 : 1;
      if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (!digits(s, pos, 2, om)) return std::nullopt;
      pos += 2;
      offset_us = sign * (static_cast<std::int64_t>(oh) * 3600 + om * 60) * 1000000LL;
    }
  }
  if (pos != s.size()) return std::nullopt;
  return *base + frac_us - offset_us;
}

std::string format_iso8601(std::int64_t epoch_us) {
  std::time_t secs = static_cast<std::time_t>(epoch_us / 1000000);
  if (epoch_us < 0 && epoch_us % 1000000 != 0) --secs;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::int64_t> parse_http_date_us(std::string_view s) {
  // IMF-fixdate only (RFC 7231 says senders use it): "Sun, 06 Nov 1994 08:49:37 GMT".
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s.substr(26) != "GMT") return std::nullopt;
  int d = 0, y = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 5, 2, d) || !digits(s, 12, 4, y) || !digits(s, 17, 2, h) || !digits(s, 20, 2, mi) ||
      !digits(s, 23, 2, se)) {
    return std::nullopt;
  }
  int month = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(8, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  }
  if (month == 0) return std::nullopt;
  return epoch_us(y, month, d, h, mi, se);
}

Result<KeystoneToken> parse_token(std::string_view body, std::string* why) {
  auto fail = [why](std::string text) -> Result<KeystoneToken> {
    if (why != nullptr) *why = std::move(text);
    return make_error_code(errc::invalid_json);
  };
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return fail("token answer is not JSON");
  if (!doc.is_object()) return fail("token answer is not a JSON object");
  auto t = doc.find("token");
  if (t == doc.end() || !t->is_object()) return fail("token answer has no \"token\" object");
  KeystoneToken token;
  auto expires = parse_iso8601_us(str(*t, "expires_at"));
  if (!expires) return fail("token.expires_at is missing or not a date");
  token.expires_at_us = *expires;
  if (auto issued = parse_iso8601_us(str(*t, "issued_at"))) token.issued_at_us = *issued;
  if (auto u = t->find("user"); u != t->end() && u->is_object()) {
    token.user_id = str(*u, "id");
    token.user_name = str(*u, "name");
  }
  if (auto p = t->find("project"); p != t->end() && p->is_object()) {
    token.project_id = str(*p, "id");
    token.project_name = str(*p, "name");
  }
  if (auto roles = t->find("roles"); roles != t->end() && roles->is_array()) {
    for (const auto& r : *roles) {
      if (r.is_object()) token.roles.push_back(str(r, "name"));
    }
  }
  if (auto cat = t->find("catalog"); cat != t->end() && cat->is_array()) {
    for (const auto& s : *cat) {
      if (!s.is_object()) continue;
      CatalogService service;
      service.type = str(s, "type");
      service.name = str(s, "name");
      if (auto eps = s.find("endpoints"); eps != s.end() && eps->is_array()) {
        for (const auto& e : *eps) {
          if (!e.is_object()) continue;
          CatalogEndpoint ep;
          ep.interface = str(e, "interface");
          ep.region = str(e, "region_id");
          if (ep.region.empty()) ep.region = str(e, "region");
          ep.url = str(e, "url");
          if (!ep.url.empty()) service.endpoints.push_back(std::move(ep));
        }
      }
      if (!service.type.empty()) token.catalog.push_back(std::move(service));
    }
  }
  return token;
}

std::optional<std::string> find_endpoint(const KeystoneToken& token, std::string_view type, std::string_view interface,
                                         std::string_view region) {
  for (const auto& s : token.catalog) {
    if (s.type != type) continue;
    for (const auto& e : s.endpoints) {
      if (e.interface != interface || (!region.empty() && e.region != region)) continue;
      std::string url = e.url;
      while (!url.empty() && url.back() == '/') url.pop_back();
      return url;
    }
  }
  return std::nullopt;
}

std::string auth_request_body(const AuthRequest& r) {
  json identity;
  if (r.method == AuthRequest::Method::application_credential) {
    json cred;
    if (!r.application_credential_id.empty()) {
      cred["id"] = r.application_credential_id;
    } else {
      cred["name"] = r.application_credential_name;
      json user;
      if (!r.user_id.empty()) {
        user["id"] = r.user_id;
      } else {
        user["name"] = r.username;
        user["domain"] = r.user_domain_id.empty() ? json{{"name", r.user_domain_name}} : json{{"id", r.user_domain_id}};
      }
      cred["user"] = std::move(user);
    }
    cred["secret"] = r.application_credential_secret;
    identity = {{"methods", {"application_credential"}}, {"application_credential", std::move(cred)}};
    return json{{"auth", {{"identity", std::move(identity)}}}}.dump();
  }
  json user;
  if (!r.user_id.empty()) {
    user["id"] = r.user_id;
  } else {
    user["name"] = r.username;
    user["domain"] = r.user_domain_id.empty() ? json{{"name", r.user_domain_name}} : json{{"id", r.user_domain_id}};
  }
  user["password"] = r.password;
  identity = {{"methods", {"password"}}, {"password", {{"user", std::move(user)}}}};
  json auth = {{"identity", std::move(identity)}};
  if (!r.project_id.empty()) {
    auth["scope"] = {{"project", {{"id", r.project_id}}}};
  } else if (!r.project_name.empty()) {
    json domain = r.project_domain_id.empty() ? json{{"name", r.project_domain_name}} : json{{"id", r.project_domain_id}};
    auth["scope"] = {{"project", {{"name", r.project_name}, {"domain", std::move(domain)}}}};
  }
  return json{{"auth", std::move(auth)}}.dump();
}

}  // namespace vesagent::sources::openstack
