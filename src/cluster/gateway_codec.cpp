#include "vesagent/cluster/gateway_codec.hpp"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

namespace vesagent::cluster::gateway {
namespace {

using nlohmann::json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<signed char, 256> make_decode_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  return t;
}
constexpr auto kDecode = make_decode_table();

/// etcd writes int64 fields as JSON strings; a number is accepted too (the gateway takes both on input).
bool get_int(const json& object, const char* name, std::int64_t& out) {
  auto it = object.find(name);
  if (it == object.end()) {
    out = 0;  // omitted = zero (proto3 JSON)
    return true;
  }
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  }
  if (it->is_number_integer() && !it->is_number_unsigned()) {
    out = it->get<std::int64_t>();
    return true;
  }
  if (it->is_number_unsigned()) {
    auto u = it->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return false;
    out = static_cast<std::int64_t>(u);
    return true;
  }
  return false;
}

bool get_bytes(const json& object, const char* name, std::string& out) {
  auto it = object.find(name);
  if (it == object.end()) {
    out.clear();
    return true;
  }
  if (!it->is_string()) return false;
  auto decoded = base64_decode(it->get_ref<const std::string&>());
  if (!decoded) return false;
  out = std::move(*decoded);
  return true;
}

/// Parses a JSON object; false (with `error`) for anything else.
bool parse_object(std::string_view body, json& out, std::string& error) {
  out = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    error = "etcd answer is not JSON";
    return false;
  }
  if (!out.is_object()) {
    error = "etcd answer is not a JSON object";
    return false;
  }
  return true;
}

bool header_revision(const json& body, std::int64_t& revision, std::string& error) {
  auto it = body.find("header");
  if (it == body.end() || !it->is_object()) {
    error = "etcd answer has no header";
    return false;
  }
  if (!get_int(*it, "revision", revision)) {
    error = "etcd answer has a malformed header revision";
    return false;
  }
  return true;
}

bool parse_kv(const json& j, KeyValue& kv) {
  return j.is_object() && get_bytes(j, "key", kv.key) && get_bytes(j, "value", kv.value) &&
         get_int(j, "create_revision", kv.create_revision) && get_int(j, "mod_revision", kv.mod_revision) &&
         get_int(j, "version", kv.version) && get_int(j, "lease", kv.lease);
}

bool parse_kvs(const json& body, std::vector<KeyValue>& out) {
  auto it = body.find("kvs");
  if (it == body.end()) return true;
  if (!it->is_array()) return false;
  for (const auto& item : *it) {
    KeyValue kv;
    if (!parse_kv(item, kv)) return false;
    out.push_back(std::move(kv));
  }
  return true;
}

json op_json(const TxnOp& op) {
  json inner;
  inner["key"] = base64_encode(op.key);
  switch (op.kind) {
    case TxnOp::Kind::put:
      inner["value"] = base64_encode(op.value);
      if (op.lease != 0) inner["lease"] = std::to_string(op.lease);
      return json{{"request_put", std::move(inner)}};
    case TxnOp::Kind::del:
      if (!op.range_end.empty()) inner["range_end"] = base64_encode(op.range_end);
      return json{{"request_delete_range", std::move(inner)}};
    case TxnOp::Kind::range:
      if (!op.range_end.empty()) inner["range_end"] = base64_encode(op.range_end);
      return json{{"request_range", std::move(inner)}};
  }
  return json::object();
}

/// The first line of a streaming answer, unwrapped from {"result": ...}.
bool first_result(std::string_view body, json& out, std::string& error) {
  auto nl = body.find('\n');
  // A streamed answer may end in a blank line; skip leading blank lines too.
  while (nl == 0) {
    body.remove_prefix(1);
    nl = body.find('\n');
  }
  if (!parse_object(nl == std::string_view::npos ? body : body.substr(0, nl), out, error)) return false;
  auto it = out.find("result");
  if (it == out.end()) {
    error = "etcd streaming answer has no result";
    return false;
  }
  if (!it->is_object()) {
    error = "etcd streaming result is not an object";
    return false;
  }
  json inner = std::move(*it);
  out = std::move(inner);
  return true;
}

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t n = (static_cast<unsigned char>(data[i]) << 16U) |
                            (static_cast<unsigned char>(data[i + 1]) << 8U) | static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += kAlphabet[(n >> 6U) & 63U];
    out += kAlphabet[n & 63U];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16U;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8U;
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += rest == 2 ? kAlphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    std::uint32_t n = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=') {
        // Padding only at the end of the last quantum: "xx==" or "xxx=".
        if (!last || j < 2) return std::nullopt;
        ++pad;
        n <<= 6U;
        continue;
      }
      if (pad > 0) return std::nullopt;
      const int v = kDecode[static_cast<unsigned char>(c)];
      if (v < 0) return std::nullopt;
      n = (n << 6U) | static_cast<std::uint32_t>(v);
    }
    out += static_cast<char>((n >> 16U) & 0xFFU);
    if (pad < 2) out += static_cast<char>((n >> 8U) & 0xFFU);
    if (pad < 1) out += static_cast<char>(n & 0xFFU);
  }
  return out;
}

std::string prefix_range_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xFF) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // etcd: range_end "\0" with any key = every key >= key
}

std::string lease_grant_request(std::int64_t ttl_seconds) { return json{{"TTL", std::to_string(ttl_seconds)}}.dump(); }

std::string lease_id_request(std::int64_t lease_id) { return json{{"ID", std::to_string(lease_id)}}.dump(); }

std::string range_request(std::string_view key, std::string_view range_end, bool keys_only) {
  json j{{"key", base64_encode(key)}};
  if (!range_end.empty()) j["range_end"] = base64_encode(range_end);
  if (keys_only) j["keys_only"] = true;
  return j.dump();
}

std::string put_request(std::string_view key, std::string_view value, std::int64_t lease) {
  json j{{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  if (lease != 0) j["lease"] = std::to_string(lease);
  return j.dump();
}

std::string delete_range_request(std::string_view key, std::string_view range_end) {
  json j{{"key", base64_encode(key)}};
  if (!range_end.empty()) j["range_end"] = base64_encode(range_end);
  return j.dump();
}

std::string authenticate_request(std::string_view user, std::string_view password) {
  return json{{"name", std::string(user)}, {"password", std::string(password)}}.dump();
}

std::string txn_request(const std::vector<TxnCompare>& compares, const std::vector<TxnOp>& success,
                        const std::vector<TxnOp>& failure) {
  json j = json::object();
  json c = json::array();
  for (const auto& cmp : compares) {
    const bool create = cmp.target == TxnCompare::Target::create;
    c.push_back(json{{"key", base64_encode(cmp.key)},
                     {"target", create ? "CREATE" : "MOD"},
                     {"result", "EQUAL"},
                     {create ? "create_revision" : "mod_revision", std::to_string(cmp.revision)}});
  }
  j["compare"] = std::move(c);
  json s = json::array();
  for (const auto& op : success) s.push_back(op_json(op));
  j["success"] = std::move(s);
  json f = json::array();
  for (const auto& op : failure) f.push_back(op_json(op));
  j["failure"] = std::move(f);
  return j.dump();
}

std::string campaign_request(std::string_view leader_key, std::string_view member, std::int64_t lease) {
  TxnOp put;
  put.kind = TxnOp::Kind::put;
  put.key = std::string(leader_key);
  put.value = std::string(member);
  put.lease = lease;
  TxnOp read;
  read.kind = TxnOp::Kind::range;
  read.key = std::string(leader_key);
  return txn_request({TxnCompare{TxnCompare::Target::create, std::string(leader_key), 0}}, {put}, {read});
}

std::optional<Error> parse_error(std::string_view body) {
  json j;
  std::string ignored;
  auto nl = body.find('\n');
  while (nl == 0) {
    body.remove_prefix(1);
    nl = body.find('\n');
  }
  if (!parse_object(nl == std::string_view::npos ? body : body.substr(0, nl), j, ignored)) return std::nullopt;
  // A streaming call wraps its error: {"error":{"grpc_code":..,"message":..}} (grpc-gateway); unary calls do not.
  const json* e = &j;
  if (auto it = j.find("error"); it != j.end() && it->is_object()) e = &*it;
  auto message = e->find("message");
  auto code = e->find("code");
  if (code == e->end()) code = e->find("grpc_code");
  if (code == e->end() || !code->is_number_integer()) return std::nullopt;
  Error out;
  const auto c = code->get<std::int64_t>();
  out.code = c < 0 || c > 1000 ? -1 : static_cast<int>(c);
  if (message != e->end() && message->is_string()) {
    out.message = message->get<std::string>();
  } else if (auto err = e->find("error"); err != e->end() && err->is_string()) {
    out.message = err->get<std::string>();
  }
  return out;
}

bool parse_lease_grant(std::string_view body, LeaseGrant& out, std::string& error) {
  json j;
  if (!parse_object(body, j, error) || !header_revision(j, out.revision, error)) return false;
  if (!get_int(j, "ID", out.id) || !get_int(j, "TTL", out.ttl_seconds)) {
    error = "lease grant answer has malformed ID or TTL";
    return false;
  }
  if (out.id == 0 || out.ttl_seconds <= 0) {
    auto e = j.find("error");
    error = e != j.end() && e->is_string() ? "lease grant refused: " + e->get<std::string>()
                                           : std::string("lease grant answer has no ID or TTL");
    return false;
  }
  return true;
}

bool parse_keepalive(std::string_view body, Keepalive& out, std::string& error) {
  json j;
  if (!first_result(body, j, error) || !header_revision(j, out.revision, error)) return false;
  if (!get_int(j, "ID", out.id) || !get_int(j, "TTL", out.ttl_seconds)) {
    error = "keepalive answer has malformed ID or TTL";
    return false;
  }
  if (out.ttl_seconds < 0) out.ttl_seconds = 0;
  return true;
}

bool parse_range(std::string_view body, Range& out, std::string& error) {
  json j;
  if (!parse_object(body, j, error) || !header_revision(j, out.revision, error)) return false;
  out.kvs.clear();
  if (!parse_kvs(j, out.kvs) || !get_int(j, "count", out.count)) {
    error = "range answer has malformed kvs or count";
    return false;
  }
  return true;
}

bool parse_header_revision(std::string_view body, std::int64_t& revision, std::string& error) {
  json j;
  return parse_object(body, j, error) && header_revision(j, revision, error);
}

bool parse_txn(std::string_view body, Txn& out, std::string& error) {
  json j;
  if (!parse_object(body, j, error) || !header_revision(j, out.revision, error)) return false;
  out.kvs.clear();
  auto s = j.find("succeeded");
  if (s != j.end() && !s->is_boolean()) {
    error = "txn answer has a malformed succeeded";
    return false;
  }
  out.succeeded = s != j.end() && s->get<bool>();
  auto responses = j.find("responses");
  if (responses == j.end()) return true;
  if (!responses->is_array()) {
    error = "txn answer has malformed responses";
    return false;
  }
  for (const auto& r : *responses) {
    if (!r.is_object()) {
      error = "txn answer has a malformed response";
      return false;
    }
    auto range = r.find("response_range");
    if (range == r.end()) continue;
    if (!range->is_object() || !parse_kvs(*range, out.kvs)) {
      error = "txn answer has a malformed response_range";
      return false;
    }
  }
  return true;
}

bool parse_authenticate(std::string_view body, std::string& token, std::string& error) {
  json j;
  if (!parse_object(body, j, error)) return false;
  auto t = j.find("token");
  if (t == j.end() || !t->is_string() || t->get_ref<const std::string&>().empty()) {
    error = "authenticate answer has no token";
    return false;
  }
  token = t->get<std::string>();
  return true;
}

}  // namespace vesagent::cluster::gateway
