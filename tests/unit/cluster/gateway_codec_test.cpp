// The etcd v3 JSON gateway codec against answers recorded from a real etcd 3.4.23 (tests/data/etcd).
#include "vesagent/cluster/gateway_codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vesagent::cluster::gateway {
namespace {

using ::testing::HasSubstr;

std::filesystem::path data_dir() {
  const char* d = std::getenv("VESAGENT_TEST_DATA");
  return std::filesystem::path(d != nullptr ? d : "tests/data") / "etcd";
}

/// The response body of a recorded exchange: what follows the response headers, without the gateway's
/// Grpc-Trailer-* line that chunked error answers carry.
std::string recorded_body(const std::string& name) {
  std::ifstream in(data_dir() / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  auto response = text.find("\nHTTP/1.1 ");
  EXPECT_NE(response, std::string::npos) << name;
  auto body = text.find("\r\n\r\n", response);
  std::size_t skip = 4;
  if (body == std::string::npos) {
    body = text.find("\n\n", response);
    skip = 2;
  }
  EXPECT_NE(body, std::string::npos) << name;
  std::string out;
  std::istringstream lines(text.substr(body + skip));
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("Grpc-Trailer-", 0) == 0 || line.empty()) continue;
    out += line + "\n";
  }
  return out;
}

/// The first request body of a recorded exchange (the line after "### request: ...").
nlohmann::json recorded_request(const std::string& name) {
  std::ifstream in(data_dir() / name);
  std::string line;
  std::getline(in, line);
  std::getline(in, line);
  return nlohmann::json::parse(line);
}

TEST(GatewayCodecTest, base64_round_trips_every_length_and_byte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 17) {
    auto decoded = base64_decode(base64_encode(all.substr(0, n)));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, all.substr(0, n));
  }
  EXPECT_EQ(base64_encode("/ves/leader"), "L3Zlcy9sZWFkZXI=");
  EXPECT_EQ(base64_encode("agent-A"), "YWdlbnQtQQ==");
}

TEST(GatewayCodecTest, base64_rejects_bad_length_characters_and_padding) {
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("ab!="));
  EXPECT_FALSE(base64_decode("a==="));
  EXPECT_FALSE(base64_decode("ab=c"));
  EXPECT_FALSE(base64_decode("YQ==YQ=="));
  EXPECT_EQ(base64_decode("").value(), "");
}

TEST(GatewayCodecTest, prefix_range_end_increments_the_last_byte_with_carry) {
  EXPECT_EQ(prefix_range_end("/ves/"), "/ves0");  // recorded: 14_range_prefix
  EXPECT_EQ(prefix_range_end(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefix_range_end(std::string("\xff\xff", 2)), std::string(1, '\0'));
}

TEST(GatewayCodecTest, builds_the_recorded_campaign_txn) {
  auto ours = nlohmann::json::parse(campaign_request("/ves/leader", "agent-A", 6850153248728852500));
  EXPECT_EQ(ours, recorded_request("29_txn_compare_create_won.http"));
}

TEST(GatewayCodecTest, builds_lease_and_kv_requests_with_string_ids_and_base64) {
  auto grant = nlohmann::json::parse(lease_grant_request(3));
  EXPECT_EQ(grant["TTL"], "3");
  auto keepalive = nlohmann::json::parse(lease_id_request(6850153248728852490));
  EXPECT_EQ(keepalive, recorded_request("18_lease_keepalive_once.http"));
  auto put = nlohmann::json::parse(
      put_request("/ves/agents/agent-A", "{\"host\":\"vnf-host-01\",\"pid\":1234}", 6850153248728852490));
  EXPECT_EQ(put, recorded_request("10_put_with_lease.http"));
  auto range = nlohmann::json::parse(range_request("/ves/", prefix_range_end("/ves/")));
  EXPECT_EQ(range, recorded_request("14_range_prefix.http"));
  auto del = nlohmann::json::parse(delete_range_request("/ves/x"));
  EXPECT_EQ(del["key"], base64_encode("/ves/x"));
  EXPECT_FALSE(del.contains("range_end"));
}

TEST(GatewayCodecTest, builds_a_fenced_txn_with_mod_compare_and_delete) {
  TxnOp put;
  put.key = "/p/event-counter";
  put.value = "10001";
  TxnOp del;
  del.kind = TxnOp::Kind::del;
  del.key = "/p/faults/";
  del.range_end = "/p/faults0";
  auto j = nlohmann::json::parse(txn_request({TxnCompare{TxnCompare::Target::create, "/p/leader", 42},
                                              TxnCompare{TxnCompare::Target::mod, "/p/event-counter", 7}},
                                             {put, del}, {}));
  ASSERT_EQ(j["compare"].size(), 2u);
  EXPECT_EQ(j["compare"][0]["target"], "CREATE");
  EXPECT_EQ(j["compare"][0]["create_revision"], "42");
  EXPECT_EQ(j["compare"][1]["target"], "MOD");
  EXPECT_EQ(j["compare"][1]["mod_revision"], "7");
  EXPECT_EQ(j["success"][0]["request_put"]["value"], base64_encode("10001"));
  EXPECT_EQ(j["success"][1]["request_delete_range"]["range_end"], base64_encode("/p/faults0"));
  EXPECT_TRUE(j["failure"].empty());
}

TEST(GatewayCodecTest, parses_lease_grant_with_an_id_above_2_pow_53) {
  LeaseGrant g;
  std::string error;
  ASSERT_TRUE(parse_lease_grant(recorded_body("09_lease_grant_ttl10.http"), g, error)) << error;
  EXPECT_EQ(g.id, 6850153248728852490);  // a double would round this
  EXPECT_EQ(g.ttl_seconds, 10);
  EXPECT_EQ(g.revision, 1);
}

TEST(GatewayCodecTest, parses_keepalive_results_and_a_dead_lease_without_ttl) {
  Keepalive k;
  std::string error;
  ASSERT_TRUE(parse_keepalive(recorded_body("18_lease_keepalive_once.http"), k, error)) << error;
  EXPECT_EQ(k.ttl_seconds, 10);
  ASSERT_TRUE(parse_keepalive(recorded_body("19_lease_keepalive_two_in_one_post.http"), k, error)) << error;
  EXPECT_EQ(k.ttl_seconds, 10);
  ASSERT_TRUE(parse_keepalive(recorded_body("20_lease_keepalive_unknown_lease.http"), k, error)) << error;
  EXPECT_EQ(k.id, 12345);
  EXPECT_EQ(k.ttl_seconds, 0);  // omitted TTL: the lease is gone
}

TEST(GatewayCodecTest, parses_range_kvs_and_a_missing_key) {
  Range r;
  std::string error;
  ASSERT_TRUE(parse_range(recorded_body("14_range_prefix.http"), r, error)) << error;
  ASSERT_EQ(r.kvs.size(), 2u);
  EXPECT_EQ(r.kvs[0].key, "/ves/agents/agent-A");
  EXPECT_EQ(r.kvs[0].value, "{\"host\":\"vnf-host-01\",\"pid\":1234}");
  EXPECT_EQ(r.kvs[0].lease, 6850153248728852490);
  EXPECT_EQ(r.kvs[1].key, "/ves/config/interval");
  EXPECT_EQ(r.kvs[1].value, "20s");
  EXPECT_EQ(r.kvs[1].create_revision, 3);
  EXPECT_EQ(r.kvs[1].mod_revision, 4);
  EXPECT_EQ(r.kvs[1].lease, 0);
  EXPECT_EQ(r.count, 2);
  ASSERT_TRUE(parse_range(recorded_body("16_range_missing_key.http"), r, error)) << error;
  EXPECT_TRUE(r.kvs.empty());
  EXPECT_EQ(r.count, 0);
  EXPECT_EQ(r.revision, 4);
}

TEST(GatewayCodecTest, parses_a_won_and_a_lost_campaign) {
  Txn won;
  std::string error;
  ASSERT_TRUE(parse_txn(recorded_body("29_txn_compare_create_won.http"), won, error)) << error;
  EXPECT_TRUE(won.succeeded);
  EXPECT_EQ(won.revision, 5);
  EXPECT_TRUE(won.kvs.empty());
  Txn lost;
  ASSERT_TRUE(parse_txn(recorded_body("31_txn_compare_create_lost.http"), lost, error)) << error;
  EXPECT_FALSE(lost.succeeded);  // "succeeded" omitted when false
  ASSERT_EQ(lost.kvs.size(), 1u);
  EXPECT_EQ(lost.kvs[0].value, "agent-A");
  EXPECT_EQ(lost.kvs[0].create_revision, 5);
  EXPECT_EQ(lost.kvs[0].lease, 6850153248728852500);
}

TEST(GatewayCodecTest, parses_recorded_errors_with_their_grpc_code) {
  auto e = parse_error(recorded_body("35_txn_with_expired_lease_404.http"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, kGrpcNotFound);
  EXPECT_THAT(e->message, HasSubstr("lease not found"));
  e = parse_error(recorded_body("59_quorum_lost_range_linearizable.http"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 14);
  e = parse_error(recorded_body("26_bad_json_400.http"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, kGrpcInvalidArgument);
  EXPECT_FALSE(parse_error(recorded_body("29_txn_compare_create_won.http")));
  EXPECT_FALSE(parse_error("404 page not found\n"));  // 05: wrong gateway path, plain text
}

TEST(GatewayCodecTest, header_only_answers_give_their_revision) {
  std::int64_t rev = 0;
  std::string error;
  ASSERT_TRUE(parse_header_revision(recorded_body("38_lease_revoke.http"), rev, error)) << error;
  EXPECT_EQ(rev, 10);
}

TEST(GatewayCodecTest, rejects_malformed_answers_with_a_reason) {
  std::string error;
  Range r;
  EXPECT_FALSE(parse_range("not json", r, error));
  EXPECT_THAT(error, HasSubstr("not JSON"));
  EXPECT_FALSE(parse_range("[]", r, error));
  EXPECT_FALSE(parse_range(R"({"header":{"revision":"x"}})", r, error));
  EXPECT_FALSE(parse_range(R"({"header":{"revision":"1"},"kvs":[{"key":"!!"}]})", r, error));
  EXPECT_FALSE(parse_range(R"({"header":{"revision":"1"},"kvs":{}})", r, error));
  LeaseGrant g;
  EXPECT_FALSE(parse_lease_grant(R"({"header":{"revision":"1"},"ID":"5"})", g, error));  // no TTL
  EXPECT_FALSE(parse_lease_grant(R"({"header":{"revision":"1"},"ID":"99999999999999999999","TTL":"3"})", g, error));
  Keepalive k;
  EXPECT_FALSE(parse_keepalive(R"({"header":{}})", k, error));  // not a streaming result
  Txn t;
  EXPECT_FALSE(parse_txn(R"({"header":{"revision":"1"},"succeeded":"yes"})", t, error));
  std::string token;
  EXPECT_FALSE(parse_authenticate(R"({"header":{}})", token, error));
  ASSERT_TRUE(parse_authenticate(R"({"header":{},"token":"abc.123"})", token, error));
  EXPECT_EQ(token, "abc.123");
}

}  // namespace
}  // namespace vesagent::cluster::gateway
