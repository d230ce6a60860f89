// libFuzzer target for the etcd v3 JSON gateway answers and the fault records a cluster keeps in etcd: whoever
// controls an etcd endpoint (or a man in the middle of plain HTTP) controls these bytes.
// Properties checked besides "no crash": the parsers never throw; a refusal comes with a reason; decoded keys
// and values re-encode to base64 that decodes to the same bytes; a decoded fault record re-encodes to a value
// that decodes to the same record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/cluster/fault_codec.hpp"
#include "vesagent/cluster/gateway_codec.hpp"

namespace gw = vesagent::cluster::gateway;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_kvs(const std::vector<gw::KeyValue>& kvs) {
  for (const auto& kv : kvs) {
    check(gw::base64_decode(gw::base64_encode(kv.key)).value_or("\x01mismatch") == kv.key);
    check(gw::base64_decode(gw::base64_encode(kv.value)).value_or("\x01mismatch") == kv.value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string error;

  (void)gw::parse_error(input);
  gw::LeaseGrant grant;
  if (!gw::parse_lease_grant(input, grant, error))
    check(!error.empty());
  else
    check(grant.id != 0 && grant.ttl_seconds > 0);
  error.clear();
  gw::Keepalive keepalive;
  if (gw::parse_keepalive(input, keepalive, error))
    check(keepalive.ttl_seconds >= 0);
  else
    check(!error.empty());
  error.clear();
  gw::Range range;
  if (gw::parse_range(input, range, error))
    check_kvs(range.kvs);
  else
    check(!error.empty());
  error.clear();
  gw::Txn txn;
  if (gw::parse_txn(input, txn, error))
    check_kvs(txn.kvs);
  else
    check(!error.empty());
  std::int64_t revision = 0;
  (void)gw::parse_header_revision(input, revision, error);
  std::string token;
  (void)gw::parse_authenticate(input, token, error);

  if (auto decoded = gw::base64_decode(input)) check(gw::base64_encode(*decoded) == input);
  (void)gw::prefix_range_end(input);

  vesagent::state::FaultRecord record;
  error.clear();
  if (vesagent::cluster::decode_fault("am/fuzz", input, record, error)) {
    vesagent::state::FaultRecord again;
    std::string why;
    check(vesagent::cluster::decode_fault("am/fuzz", vesagent::cluster::encode_fault(record), again, why));
    check(again.event_id == record.event_id && again.sequence == record.sequence &&
          again.closed_at_us == record.closed_at_us && again.severity == record.severity &&
          again.episode_start_us == record.episode_start_us && again.start_epoch_us == record.start_epoch_us);
  } else {
    check(!error.empty());
  }
  return 0;
}
