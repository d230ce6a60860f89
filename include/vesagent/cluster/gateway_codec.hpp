#pragma once
/// The etcd v3 JSON gateway (etcd 3.4: POST /v3/...), as pure functions: request bodies out, parsed answers in.
/// No I/O and no Asio, so the parsers can be fuzzed. What the gateway does (recorded from etcd 3.4.23, see
/// tests/data/etcd/): keys and values are base64; every 64-bit number is a JSON string (lease IDs exceed 2^53:
/// never a double); zero and false fields are omitted (a lost compare-create txn has no "succeeded", a put event
/// no "type", a keepalive of a dead lease no "TTL"); streaming calls (keepalive) answer
/// {"result":{...}} lines; errors are {"error","message","code"} with a gRPC code.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vesagent::cluster::gateway {

// ---- building blocks ----

std::string base64_encode(std::string_view data);
/// Standard alphabet with padding (what the gateway writes); nullopt on any other character or length.
std::optional<std::string> base64_decode(std::string_view text);
/// The range_end that selects every key starting with `prefix` (last byte + 1, carrying; "\0" for all keys).
std::string prefix_range_end(std::string_view prefix);

/// One key as etcd returns it (mvccpb.KeyValue), decoded.
struct KeyValue {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
  std::int64_t version = 0;
  std::int64_t lease = 0;  ///< 0 = no lease
};

/// An answer the gateway could not satisfy: {"error":..., "message":..., "code": gRPC code}.
struct Error {
  int code = 0;  ///< gRPC code: 5 NOT_FOUND (lease not found), 14 UNAVAILABLE, 16 UNAUTHENTICATED, ...
  std::string message;
};

inline constexpr int kGrpcNotFound = 5;
inline constexpr int kGrpcInvalidArgument = 3;
inline constexpr int kGrpcUnauthenticated = 16;

// ---- requests (JSON bodies) ----

std::string lease_grant_request(std::int64_t ttl_seconds);
/// keepalive, revoke and timetolive take the same body.
std::string lease_id_request(std::int64_t lease_id);
/// `range_end` empty = the one key; see prefix_range_end().
std::string range_request(std::string_view key, std::string_view range_end = {}, bool keys_only = false);
std::string put_request(std::string_view key, std::string_view value, std::int64_t lease = 0);
std::string delete_range_request(std::string_view key, std::string_view range_end = {});
std::string authenticate_request(std::string_view user, std::string_view password);

/// One operation inside a txn.
struct TxnOp {
  enum class Kind { put, del, range } kind = Kind::put;
  std::string key;
  std::string value;       ///< put
  std::string range_end;   ///< del/range: empty = the one key
  std::int64_t lease = 0;  ///< put
};

/// One compare of a txn: `key`'s CREATE or MOD revision EQUAL to `revision` (0 = the key does not exist).
struct TxnCompare {
  enum class Target { create, mod } target = Target::create;
  std::string key;
  std::int64_t revision = 0;
};

std::string txn_request(const std::vector<TxnCompare>& compares, const std::vector<TxnOp>& success,
                        const std::vector<TxnOp>& failure);

/// The election: put `leader_key` = `member` bound to `lease` if the key does not exist; otherwise read it.
std::string campaign_request(std::string_view leader_key, std::string_view member, std::int64_t lease);

// ---- answers ----
// Each parser fills `out` and returns true, or returns false with a reason in `error`. An {"error":...} answer
// is reported through parse_error(); the parsers below expect a success body.

/// {"error","message","code"} (also inside a {"error":{...}} streaming line); nullopt when `body` is not one.
std::optional<Error> parse_error(std::string_view body);

struct LeaseGrant {
  std::int64_t id = 0;
  std::int64_t ttl_seconds = 0;
  std::int64_t revision = 0;
};
bool parse_lease_grant(std::string_view body, LeaseGrant& out, std::string& error);

/// The first {"result":...} line of a keepalive answer. ttl_seconds 0 = the lease no longer exists.
struct Keepalive {
  std::int64_t id = 0;
  std::int64_t ttl_seconds = 0;
  std::int64_t revision = 0;
};
bool parse_keepalive(std::string_view body, Keepalive& out, std::string& error);

struct Range {
  std::int64_t revision = 0;  ///< store revision when read
  std::vector<KeyValue> kvs;
  std::int64_t count = 0;
};
bool parse_range(std::string_view body, Range& out, std::string& error);

/// Any answer with only a header (put, deleterange, revoke): its revision.
bool parse_header_revision(std::string_view body, std::int64_t& revision, std::string& error);

struct Txn {
  bool succeeded = false;
  std::int64_t revision = 0;  ///< store revision after the txn (a successful put was written at this revision)
  std::vector<KeyValue> kvs;  ///< every response_range's kvs, in order
};
bool parse_txn(std::string_view body, Txn& out, std::string& error);

bool parse_authenticate(std::string_view body, std::string& token, std::string& error);

}  // namespace vesagent::cluster::gateway
