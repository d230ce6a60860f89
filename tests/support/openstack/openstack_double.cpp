#include "support/openstack/openstack_double.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace vesagent::test {

namespace {

using nlohmann::json;

constexpr const char* kAdminProject = "3f40e1646ac34756bba630410542c4c5";
constexpr const char* kDemoProject = "f88d06e744674fe181fa3337b8ad4092";
constexpr const char* kAltDemoProject = "760aec38cbe3400db731f94e4ca7813b";

std::int64_t system_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("OpenStackDouble: cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string iso(std::int64_t us, bool micro) {
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, micro ? "%Y-%m-%dT%H:%M:%S.000000Z" : "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string http_date(std::int64_t us) {
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

/// Nova's accepted forms for changes-since: ISO 8601 with optional fraction and Z / +hh:mm. nullopt = 400.
std::optional<std::int64_t> parse_time(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  std::string rest(end);
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])) != 0) ++i;
    rest = rest.substr(i);
  }
  if (!(rest.empty() || rest == "Z" || rest == "+00:00" || rest == "z")) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000000;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::strtol(std::string(s.substr(i + 1, 2)).c_str(), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    auto eq = part.find('=');
    out.emplace_back(url_decode(part.substr(0, eq)),
                     eq == std::string_view::npos ? std::string{} : url_decode(part.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

/// (major, minor) of a microversion; nullopt when malformed.
std::optional<std::pair<int, int>> parse_version(const std::string& v, std::pair<int, int> latest) {
  if (v == "latest") return latest;
  int a = 0, b = 0;
  if (std::sscanf(v.c_str(), "%d.%d", &a, &b) != 2) return std::nullopt;
  return std::make_pair(a, b);
}

struct PowerState {
  const char* status;
  const char* vm_state;
  int power;
};
// The recorded (libvirt) values, docs/PEERS.md.
constexpr PowerState kStates[] = {{"ACTIVE", "active", 1},       {"SHUTOFF", "stopped", 4},
                                  {"PAUSED", "paused", 3},       {"SUSPENDED", "suspended", 4},
                                  {"BUILD", "building", 0},      {"ERROR", "error", 0},
                                  {"SHELVED", "shelved", 4},     {"SHELVED_OFFLOADED", "shelved_offloaded", 0},
                                  {"RESCUE", "rescued", 1},      {"DELETED", "deleted", 0},
                                  {"REBOOT", "active", 1},       {"UNKNOWN", "active", 0}};

}  // namespace

struct OpenStackDouble::State {
  Options options;
  std::string base;  ///< http://127.0.0.1:<port>
  json token_admin, token_demo, server_v279, server_v21, versions_root, version_v21;
  std::pair<int, int> min_version{2, 1}, max_version{2, 93};
  std::vector<DoubleService> services;
  std::string body_401, body_400_marker, body_400_since, body_403_all_tenants, body_406;
  struct Entry {
    DoubleServer server;
    std::string cache_new, cache_old;  ///< rendered at >= 2.47 / below
  };
  std::map<std::string, Entry> servers;
  std::vector<const Entry*> order;  ///< created descending, rebuilt when dirty
  bool order_dirty = true;
  struct Token {
    std::int64_t expires_us;
    bool admin;
    std::string project;
  };
  std::map<std::string, Token> tokens;
  int fail_nova = 0, fail_nova_status = 503;
  int fail_keystone = 0, fail_keystone_status = 503;
  std::chrono::milliseconds delay{0};
  bool down = false;
  std::size_t token_requests = 0, nova_requests = 0;
  std::mt19937_64 rng{42};
  std::uint64_t request_counter = 0;

  std::int64_t now() const { return system_now_us() + options.clock_offset_us; }

  std::string request_id() {
    char buf[64];
    std::snprintf(buf, sizeof buf, "req-%08llx-0000-4000-8000-%012llx", static_cast<unsigned long long>(++request_counter),
                  static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
    return buf;
  }

  FakeResponse json_response(int status, std::string body, const std::string& version = {}) {
    FakeResponse r;
    r.status = status;
    r.body = std::move(body);
    r.delay = delay;
    r.headers.emplace_back("Content-Type", "application/json");
    if (!version.empty()) {
      r.headers.emplace_back("OpenStack-API-Version", "compute " + version);
      r.headers.emplace_back("X-OpenStack-Nova-API-Version", version);
      r.headers.emplace_back("Vary", "OpenStack-API-Version");
      r.headers.emplace_back("Vary", "X-OpenStack-Nova-API-Version");
    }
    std::string id = request_id();
    r.headers.emplace_back("x-openstack-request-id", id);
    if (!version.empty()) r.headers.emplace_back("x-compute-request-id", id);
    r.headers.emplace_back("Date", http_date(now()));
    r.headers.emplace_back("Connection", "close");  // Keystone and Nova (uwsgi) close after every answer
    return r;
  }

  static void set_null_or(json& obj, const char* key, const std::string& value) {
    if (value.empty()) {
      obj[key] = nullptr;
    } else {
      obj[key] = value;
    }
  }

  std::string render(const DoubleServer& s, bool new_flavor, bool tags) const {
    json j = new_flavor ? server_v279 : server_v21;
    j["id"] = s.id;
    j["name"] = s.name;
    j["status"] = s.status;
    j["tenant_id"] = s.tenant_id;
    j["created"] = iso(s.created_us, false);
    j["updated"] = iso(s.updated_us, false);
    json md = json::object();
    for (const auto& [k, v] : s.metadata) md[k] = v;
    j["metadata"] = std::move(md);
    if (new_flavor) {
      j["flavor"]["original_name"] = s.flavor;
    } else {
      j["flavor"]["id"] = s.flavor;
    }
    if (tags) {
      j["tags"] = s.tags;
    } else {
      j.erase("tags");
    }
    j["links"] = json::array({{{"rel", "self"}, {"href", base + "/compute/v2.1/servers/" + s.id}},
                              {{"rel", "bookmark"}, {"href", base + "/compute/servers/" + s.id}}});
    set_null_or(j, "OS-EXT-SRV-ATTR:host", s.host);
    set_null_or(j, "OS-EXT-SRV-ATTR:hypervisor_hostname", s.host);
    j["OS-EXT-SRV-ATTR:hostname"] = s.name;
    j["OS-EXT-STS:vm_state"] = s.vm_state;
    set_null_or(j, "OS-EXT-STS:task_state", s.task_state);
    j["OS-EXT-STS:power_state"] = s.power_state;
    if (s.deleted) j["OS-SRV-USG:terminated_at"] = iso(s.updated_us, true).substr(0, 26);
    if (!s.fault_message.empty()) {
      j["fault"] = {{"code", 500}, {"created", iso(s.updated_us, false)}, {"message", s.fault_message}};
    } else {
      j.erase("fault");
    }
    return j.dump();
  }

  const std::string& rendered(Entry& e, bool new_flavor) {
    std::string& cache = new_flavor ? e.cache_new : e.cache_old;
    if (cache.empty()) cache = render(e.server, new_flavor, new_flavor);
    return cache;
  }

  void touch(Entry& e) {
    e.cache_new.clear();
    e.cache_old.clear();
  }

  void rebuild_order() {
    if (!order_dirty) return;
    order.clear();
    order.reserve(servers.size());
    for (const auto& [id, e] : servers) order.push_back(&e);
    std::stable_sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
      if (a->server.created_us != b->server.created_us) return a->server.created_us > b->server.created_us;
      return a->server.id > b->server.id;
    });
    order_dirty = false;
  }
};

OpenStackDouble::OpenStackDouble(boost::asio::any_io_executor executor, Options options)
    : state_(std::make_unique<State>()) {
  auto& s = *state_;
  s.options = std::move(options);
  std::string dir = s.options.data_dir;
  if (dir.empty()) {
    const char* env = std::getenv("VESAGENT_TEST_DATA");
    dir = std::string(env != nullptr ? env : "tests/data") + "/openstack";
  }
  s.token_admin = json::parse(read_file(dir + "/keystone-token-admin.json"));
  s.token_demo = json::parse(read_file(dir + "/keystone-token-demo.json"));
  s.server_v279 = json::parse(read_file(dir + "/server-active.admin.v2.79.json"))["server"];
  s.server_v21 = json::parse(read_file(dir + "/server-active.admin.v2.1.json"))["server"];
  s.body_401 = read_file(dir + "/error-401-invalid-token.json");
  s.body_400_marker = read_file(dir + "/error-400-bad-marker.json");
  s.body_400_since = read_file(dir + "/error-400-bad-changes-since.json");
  s.body_403_all_tenants = read_file(dir + "/servers-detail.demo-all_tenants.v2.79.json");
  s.body_406 = read_file(dir + "/error-406-bad-microversion.json");
  s.versions_root = json::parse(read_file(dir + "/nova-versions-root.json"));
  s.version_v21 = json::parse(read_file(dir + "/nova-version-v2.1.json"));
  s.min_version = parse_version(s.options.min_microversion, {2, 93}).value_or(std::make_pair(2, 1));
  s.max_version = parse_version(s.options.max_microversion, {2, 93}).value_or(std::make_pair(2, 93));
  // The recorded documents with this double's range and address (an older Nova answers the same shape).
  for (json* v : {&s.version_v21["version"], &s.versions_root["versions"][1]}) {
    (*v)["version"] = s.options.max_microversion;
    (*v)["min_version"] = s.options.min_microversion;
  }
  server_ = std::make_unique<FakeHttpServer>(executor, [this](const FakeRequest& r) { return handle(r); });
  s.base = "http://127.0.0.1:" + std::to_string(server_->port());
  s.versions_root["versions"][0]["links"][0]["href"] = s.base + "/compute/v2/";
  s.versions_root["versions"][1]["links"][0]["href"] = s.base + "/compute/v2.1/";
  s.version_v21["version"]["links"][0]["href"] = s.base + "/compute/v2.1/";
  for (const char* binary : {"nova-scheduler", "nova-conductor", "nova-compute"}) {
    DoubleService svc;
    svc.binary = binary;
    if (svc.binary != "nova-compute") svc.zone = "internal";
    add_service(svc);
  }
  // The recorded catalog points at the recording host's ports; point it at this double.
  for (json* t : {&s.token_admin, &s.token_demo}) {
    for (auto& service : (*t)["token"]["catalog"]) {
      for (auto& ep : service["endpoints"]) {
        std::string url = ep["url"];
        if (service["type"] == "compute") url = compute_url();
        if (service["type"] == "identity") url = auth_url();
        ep["url"] = url;
      }
    }
  }
}

OpenStackDouble::~OpenStackDouble() = default;

std::uint16_t OpenStackDouble::port() const { return server_->port(); }
std::string OpenStackDouble::auth_url() const { return state_->base + "/identity/v3"; }
std::string OpenStackDouble::compute_url() const { return state_->base + "/compute/v2.1"; }
std::int64_t OpenStackDouble::now_us() const { return state_->now(); }

std::string OpenStackDouble::add_server(DoubleServer server) {
  auto& s = *state_;
  const std::int64_t now = s.now() / 1000000 * 1000000;  // Nova stores seconds
  if (server.created_us == 0) server.created_us = now;
  if (server.updated_us == 0) server.updated_us = now;
  if (server.id.empty()) {
    char buf[64];
    std::uint64_t a = s.rng(), b = s.rng();
    std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-8%03llx-%012llx", static_cast<unsigned long long>(a >> 32),
                  static_cast<unsigned long long>(a & 0xffff), static_cast<unsigned long long>((a >> 16) & 0xfff),
                  static_cast<unsigned long long>(b & 0xfff), static_cast<unsigned long long>(b >> 16));
    server.id = buf;
  }
  if (server.name.empty()) server.name = server.id;
  std::string id = server.id;
  auto& e = s.servers[id];
  e.server = std::move(server);
  s.touch(e);
  s.order_dirty = true;
  return id;
}

std::vector<std::string> OpenStackDouble::add_servers(std::size_t count, const std::string& prefix) {
  std::vector<std::string> ids;
  ids.reserve(count);
  const std::int64_t base = state_->now() / 1000000 * 1000000;
  for (std::size_t i = 0; i < count; ++i) {
    DoubleServer s;
    char buf[64];
    std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012llx", static_cast<unsigned long long>((i + 1) & 0xffffffffffffULL));
    s.id = prefix == "vm" ? std::string(buf) : prefix + "-" + std::string(buf).substr(24);
    s.name = prefix + "-" + std::to_string(i + 1);
    s.created_us = base - static_cast<std::int64_t>(count - i) * 1000000;  // distinct creation order
    s.updated_us = base;
    ids.push_back(add_server(std::move(s)));
  }
  return ids;
}

void OpenStackDouble::set_status(const std::string& id, const std::string& status, std::string task_state) {
  auto& s = *state_;
  auto it = s.servers.find(id);
  if (it == s.servers.end()) throw std::runtime_error("OpenStackDouble: no server " + id);
  auto& srv = it->second.server;
  srv.status = status;
  for (const auto& p : kStates) {
    if (status == p.status) {
      srv.vm_state = p.vm_state;
      srv.power_state = p.power;
    }
  }
  srv.task_state = std::move(task_state);
  srv.updated_us = s.now() / 1000000 * 1000000;
  s.touch(it->second);
}

void OpenStackDouble::delete_server(const std::string& id) {
  set_status(id, "DELETED");
  state_->servers[id].server.deleted = true;
  state_->servers[id].server.task_state.clear();
}

DoubleServer* OpenStackDouble::find(const std::string& id) {
  auto it = state_->servers.find(id);
  if (it == state_->servers.end()) return nullptr;
  state_->touch(it->second);  // the caller may change it
  state_->order_dirty = true;
  return &it->second.server;
}

std::size_t OpenStackDouble::server_count() const { return state_->servers.size(); }
void OpenStackDouble::fail_nova(int count, int status) {
  state_->fail_nova = count;
  state_->fail_nova_status = status;
}
void OpenStackDouble::fail_keystone(int count, int status) {
  state_->fail_keystone = count;
  state_->fail_keystone_status = status;
}
void OpenStackDouble::set_delay(std::chrono::milliseconds delay) { state_->delay = delay; }
void OpenStackDouble::set_down(bool down) { state_->down = down; }
void OpenStackDouble::revoke_tokens() { state_->tokens.clear(); }
void OpenStackDouble::set_token_ttl(std::chrono::seconds ttl) { state_->options.token_ttl = ttl; }
void OpenStackDouble::set_admin(bool admin) { state_->options.admin = admin; }

void OpenStackDouble::add_service(DoubleService service) {
  auto& s = *state_;
  if (service.updated_us == 0) service.updated_us = s.now() / 1000000 * 1000000;
  for (auto& existing : s.services) {
    if (existing.binary == service.binary && existing.host == service.host) {
      existing = std::move(service);
      return;
    }
  }
  s.services.push_back(std::move(service));
}

std::vector<DoubleService>& OpenStackDouble::services() { return state_->services; }
std::size_t OpenStackDouble::token_requests() const { return state_->token_requests; }
std::size_t OpenStackDouble::nova_requests() const { return state_->nova_requests; }
const std::vector<FakeRequest>& OpenStackDouble::requests() const { return server_->requests(); }

FakeResponse OpenStackDouble::handle(const FakeRequest& req) {
  auto& s = *state_;
  const auto q = req.target.find('?');
  const std::string path = req.target.substr(0, q);
  const auto params = q == std::string::npos ? decltype(parse_query("")){} : parse_query(req.target.substr(q + 1));
  auto param = [&params](const char* name) -> const std::string* {
    for (const auto& [k, v] : params) {
      if (k == name) return &v;
    }
    return nullptr;
  };

  // ---- control API of the standalone program (tests drive the double over HTTP) ----
  if (path.rfind("/_control/", 0) == 0) {
    FakeResponse r;
    r.headers.emplace_back("Content-Type", "application/json");
    json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
    if (body.is_discarded()) body = json::object();
    if (path == "/_control/servers" && req.method == "POST") {
      DoubleServer srv;
      srv.id = body.value("id", "");
      srv.name = body.value("name", "");
      srv.tenant_id = body.value("tenant_id", srv.tenant_id);
      srv.fault_message = body.value("fault_message", "");
      if (body.contains("metadata") && body["metadata"].is_object()) {
        for (auto it = body["metadata"].begin(); it != body["metadata"].end(); ++it) {
          srv.metadata.emplace_back(it.key(), it.value().is_string() ? it.value().get<std::string>() : "");
        }
      }
      if (body.contains("count")) {
        auto ids = add_servers(body["count"].get<std::size_t>(), body.value("prefix", "vm"));
        r.body = json{{"ids", ids}}.dump();
        return r;
      }
      std::string id = add_server(srv);
      if (body.contains("status")) set_status(id, body["status"], body.value("task_state", ""));
      r.body = json{{"id", id}}.dump();
      return r;
    }
    if (path == "/_control/services" && req.method == "POST") {
      DoubleService svc;
      svc.binary = body.value("binary", svc.binary);
      svc.host = body.value("host", svc.host);
      svc.zone = body.value("zone", svc.zone);
      svc.up = body.value("up", true);
      svc.disabled = body.value("disabled", false);
      svc.disabled_reason = body.value("disabled_reason", "");
      svc.forced_down = body.value("forced_down", false);
      add_service(svc);
      return r;
    }
    if (path == "/_control/status" && req.method == "POST") {
      if (s.servers.count(body.value("id", "")) == 0) {
        r.status = 404;
        return r;
      }
      set_status(body["id"], body.value("status", "ACTIVE"), body.value("task_state", ""));
      if (body.contains("fault_message")) {
        find(body["id"])->fault_message = body["fault_message"];
      }
      return r;
    }
    if (path == "/_control/delete" && req.method == "POST") {
      delete_server(body.value("id", ""));
      return r;
    }
    if (path == "/_control/fail" && req.method == "POST") {
      if (body.value("target", "nova") == "keystone") {
        fail_keystone(body.value("count", 1), body.value("status", 503));
      } else {
        fail_nova(body.value("count", 1), body.value("status", 503));
      }
      return r;
    }
    if (path == "/_control/delay" && req.method == "POST") {
      set_delay(std::chrono::milliseconds(body.value("ms", 0)));
      return r;
    }
    if (path == "/_control/down" && req.method == "POST") {
      set_down(body.value("down", true));
      return r;
    }
    if (path == "/_control/revoke" && req.method == "POST") {
      revoke_tokens();
      return r;
    }
    if (path == "/_control/stats") {
      r.body = json{{"token_requests", s.token_requests}, {"nova_requests", s.nova_requests},
                    {"servers", s.servers.size()}}
                   .dump();
      return r;
    }
    r.status = 404;
    return r;
  }

  if (s.down) {
    FakeResponse r;
    r.close_without_answer = true;
    return r;
  }

  // ---- Keystone ----
  if (path == "/identity/v3/auth/tokens" && req.method == "POST") {
    ++s.token_requests;
    if (s.fail_keystone > 0) {
      --s.fail_keystone;
      return s.json_response(s.fail_keystone_status,
                             R"({"error":{"code":)" + std::to_string(s.fail_keystone_status) +
                                 R"(,"message":"An unexpected error prevented the server from fulfilling your request.","title":"Internal Server Error"}})");
    }
    json body = json::parse(req.body, nullptr, false);
    bool ok = false;
    if (!body.is_discarded() && body.is_object()) {
      const json& identity = body["auth"]["identity"];
      const json& methods = identity["methods"];
      if (methods.is_array() && !methods.empty() && methods[0] == "password") {
        const json& user = identity["password"]["user"];
        ok = user.is_object() && (user.value("name", "") == s.options.username || user.value("id", "") == "4c2a156afbd04fea94592d3956b26bbe") &&
             user.value("password", "") == s.options.password;
      } else if (methods.is_array() && !methods.empty() && methods[0] == "application_credential") {
        const json& cred = identity["application_credential"];
        ok = cred.is_object() && cred.value("id", "") == s.options.application_credential_id &&
             cred.value("secret", "") == s.options.application_credential_secret;
      }
    }
    if (!ok) {
      FakeResponse r = s.json_response(
          401, R"({"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}})");
      r.headers.emplace_back("WWW-Authenticate", "Keystone uri=\"" + s.base + "/identity\"");
      return r;
    }
    json t = s.options.admin ? s.token_admin : s.token_demo;
    const std::int64_t now = s.now();
    const std::int64_t expires = now + static_cast<std::int64_t>(s.options.token_ttl.count()) * 1000000;
    t["token"]["issued_at"] = iso(now, true);
    t["token"]["expires_at"] = iso(expires, true);
    char token[40];
    std::snprintf(token, sizeof token, "gAAAAA%016llx%08llx", static_cast<unsigned long long>(s.rng()),
                  static_cast<unsigned long long>(s.request_counter));
    s.tokens[token] = State::Token{expires, s.options.admin, t["token"]["project"]["id"]};
    FakeResponse r = s.json_response(201, t.dump());
    r.headers.emplace_back("X-Subject-Token", token);
    r.headers.emplace_back("Vary", "X-Auth-Token");
    return r;
  }

  auto token_of = [&](const FakeRequest& r) -> const State::Token* {
    auto it = s.tokens.find(r.header("x-auth-token"));
    if (it == s.tokens.end() || it->second.expires_us <= s.now()) return nullptr;
    return &it->second;
  };
  auto unauthorized = [&]() {
    FakeResponse r = s.json_response(401, s.body_401);
    r.headers.emplace_back("WWW-Authenticate", "Keystone uri=\"" + s.base + "/identity/\"");
    return r;
  };

  if (path == "/identity/v3/projects" && req.method == "GET") {
    const State::Token* t = token_of(req);
    if (t == nullptr) return unauthorized();
    if (!t->admin) {
      return s.json_response(
          403, R"({"error":{"code":403,"message":"You are not authorized to perform the requested action: identity:list_projects.","title":"Forbidden"}})");
    }
    json projects = json::array();
    for (auto [id, name] : {std::pair{kAdminProject, "admin"}, {kDemoProject, "demo"}, {kAltDemoProject, "alt_demo"}}) {
      projects.push_back({{"id", id}, {"name", name}, {"domain_id", "default"}, {"enabled", true}});
    }
    return s.json_response(200, json{{"projects", projects}, {"links", {{"self", auth_url() + "/projects"}}}}.dump());
  }

  // ---- Nova ----
  // Version discovery needs no token and ignores the microversion header, like Nova's.
  if ((path == "/compute" || path == "/compute/") && req.method == "GET") {
    return s.json_response(200, s.versions_root.dump());
  }
  if ((path == "/compute/v2.1" || path == "/compute/v2.1/") && req.method == "GET") {
    return s.json_response(200, s.version_v21.dump());
  }
  if (path.rfind("/compute/", 0) == 0) {
    ++s.nova_requests;
    std::string version = "2.1";
    if (std::string h = req.header("openstack-api-version"); h.rfind("compute ", 0) == 0) {
      version = h.substr(8);
    } else if (std::string h2 = req.header("x-openstack-nova-api-version"); !h2.empty()) {
      version = h2;
    }
    auto v = parse_version(version, s.max_version);
    if (!v || *v < s.min_version || *v > s.max_version) {
      return s.json_response(406, s.body_406, version);
    }
    const State::Token* t = token_of(req);
    if (t == nullptr) return unauthorized();
    if (s.fail_nova > 0) {
      --s.fail_nova;
      return s.json_response(s.fail_nova_status,
                             R"({"computeFault":{"code":)" + std::to_string(s.fail_nova_status) +
                                 R"(,"message":"Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible."}})",
                             version);
    }
    if (path == "/compute/v2.1/os-services" && req.method == "GET") {
      if (!t->admin) {
        return s.json_response(
            403, R"({"forbidden":{"code":403,"message":"Policy doesn't allow os_compute_api:os-services:list to be performed."}})",
            version);
      }
      json list = json::array();
      int number = 0;
      for (const auto& svc : s.services) {
        ++number;
        json j;
        if (*v >= std::make_pair(2, 53)) {
          char uuid[40];
          std::snprintf(uuid, sizeof uuid, "%08x-0000-4000-8000-%012x", static_cast<unsigned>(number),
                        static_cast<unsigned>(std::hash<std::string>{}(svc.host + svc.binary) & 0xffffffffffU));
          j["id"] = uuid;
        } else {
          j["id"] = number;
        }
        j["binary"] = svc.binary;
        j["host"] = svc.host;
        j["zone"] = svc.zone;
        j["status"] = svc.disabled ? "disabled" : "enabled";
        j["state"] = svc.up ? "up" : "down";
        j["updated_at"] = iso(svc.updated_us, true).substr(0, 26);  // Nova: no zone, microseconds
        State::set_null_or(j, "disabled_reason", svc.disabled_reason);
        if (*v >= std::make_pair(2, 11)) j["forced_down"] = svc.forced_down;
        list.push_back(std::move(j));
      }
      return s.json_response(200, json{{"services", list}}.dump(), version);
    }
    if (path != "/compute/v2.1/servers/detail" || req.method != "GET") {
      return s.json_response(404, R"({"itemNotFound":{"code":404,"message":"The resource could not be found."}})",
                             version);
    }
    const bool new_flavor = *v >= std::make_pair(2, 47);
    bool all = false;
    if (const std::string* a = param("all_tenants"); a != nullptr) all = *a == "1" || *a == "true" || *a == "True" || a->empty();
    if (all && !t->admin) return s.json_response(403, s.body_403_all_tenants, version);
    std::optional<std::int64_t> since;
    if (const std::string* cs = param("changes-since")) {
      since = parse_time(*cs);
      if (!since) {
        json b = json::parse(s.body_400_since);
        b["badRequest"]["message"] = "Invalid input for query parameters changes-since. Value: " + *cs + ". '" + *cs +
                                     "' is not a 'date-time'";
        return s.json_response(400, b.dump(), version);
      }
    }
    std::size_t limit = static_cast<std::size_t>(s.options.max_limit);
    if (const std::string* l = param("limit")) {
      long n = std::strtol(l->c_str(), nullptr, 10);
      if (n > 0) limit = std::min(limit, static_cast<std::size_t>(n));
    }
    s.rebuild_order();
    std::size_t start = 0;
    if (const std::string* m = param("marker")) {
      auto it = std::find_if(s.order.begin(), s.order.end(), [&](const State::Entry* e) { return e->server.id == *m; });
      if (it == s.order.end()) {
        json b = json::parse(s.body_400_marker);
        b["badRequest"]["message"] = "marker [" + *m + "] not found";
        return s.json_response(400, b.dump(), version);
      }
      start = static_cast<std::size_t>(it - s.order.begin()) + 1;
    }
    std::string body = "{\"servers\":[";
    std::size_t n = 0;
    std::string last_id;
    for (std::size_t i = start; i < s.order.size() && n < limit; ++i) {
      auto* e = const_cast<State::Entry*>(s.order[i]);
      const auto& srv = e->server;
      if (!all && srv.tenant_id != t->project) continue;
      if (since) {
        if (srv.updated_us < *since) continue;
      } else if (srv.deleted) {
        continue;
      }
      if (n > 0) body += ',';
      body += s.rendered(*e, new_flavor);
      last_id = srv.id;
      ++n;
    }
    body += ']';
    if (n == limit && n > 0) {
      // A full page always has a next link, even when nothing follows (then the next page is empty).
      std::string href = (s.options.link_prefix.empty() ? compute_url() : s.options.link_prefix) + "/servers/detail?";
      for (const auto& [k, val] : params) {
        if (k != "marker") href += k + "=" + val + "&";
      }
      href += "marker=" + last_id;
      body += ",\"servers_links\":[{\"rel\":\"next\",\"href\":" + json(href).dump() + "}]";
    }
    body += '}';
    return s.json_response(200, std::move(body), version);
  }
  return s.json_response(404, R"({"error":{"code":404,"message":"Not Found"}})");
}

}  // namespace vesagent::test
