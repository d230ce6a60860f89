// Micro-benchmarks (Google Benchmark) of the pure, per-event code on the agent's hot paths: the VES encoders,
// the Alertmanager payload parser, the fault state decision and mapping, the commandList parser and config
// loading. They say where CPU goes inside one alert or event, without HTTP or disk; the end-to-end numbers
// come from tests/bench/bench.py. Built only with -DVESAGENT_BENCH=ON when libbenchmark-dev is installed.
//
//   build-bench/tests/bench/vesagent_microbench [--benchmark_filter=Encode] [--benchmark_min_time=0.1]
#include <benchmark/benchmark.h>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/src.hpp>  // Boost.JSON header-only, for the tokenizer comparison below
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "vesagent/config/loader.hpp"
#include "vesagent/core/event.hpp"
#include "vesagent/sources/alertmanager/fault_mapper.hpp"
#include "vesagent/sources/alertmanager/payload.hpp"
#include "vesagent/state/fault_store.hpp"
#include "vesagent/ves/command_list.hpp"
#include "vesagent/ves/encode.hpp"

namespace {

using namespace vesagent;

constexpr std::int64_t kEpoch = 1764129503000000;  // 2025-11-26T03:58:23Z in µs

core::Event header(core::Domain domain, std::string name) {
  core::Event e;
  e.domain = domain;
  e.key = "am/23a77beabac7bc41";
  e.event_id = "fault-23a77beabac7bc41-1764129503";
  e.event_name = std::move(name);
  e.source_name = "vnfc-test-02";
  e.reporting_entity_name = "ves-agent-node1";
  e.nf_naming_code = "vagt";
  e.priority = core::Priority::medium;
  e.sequence = 1;
  e.start_epoch_us = kEpoch;
  e.last_epoch_us = kEpoch + 1000;
  return e;
}

/// What the webhook builds from one alert of webhook_load (the labels, annotations and generatorURL of a
/// typical Prometheus alert).
core::Event fault_event() {
  core::Event e = header(core::Domain::fault, "Fault_vagt_HostCpuHigh");
  core::FaultBody f;
  f.alarm_condition = "HostCpuHigh";
  f.specific_problem = "CPU usage above 90% for 5 minutes on compute-node-07";
  f.severity = core::Severity::major;
  f.additional_information = {{"VNFC", "vnfc-test-02"},
                              {"alertname", "HostCpuHigh"},
                              {"instance", "compute-node-07:9100"},
                              {"job", "node"},
                              {"severity", "major"},
                              {"description", "CPU usage above 90% for 5 minutes on compute-node-07"},
                              {"summary", "compute-node-07 CPU high"},
                              {"generatorURL", "http://prometheus:9090/graph?g0.expr=cpu%20%3E%2090&g0.tab=1"}};
  e.body = std::move(f);
  return e;
}

core::Event heartbeat_event() {
  core::Event e = header(core::Domain::heartbeat, "Heartbeat_vagt");
  e.event_id = "heartbeat0000000007";
  e.sequence = 0;
  e.body = core::HeartbeatBody{60, {}};
  return e;
}

/// One host as node-exporter describes it: 8 CPUs, memory, 2 disks, 2 NICs, 2 file systems.
core::Event measurement_event() {
  core::Event e = header(core::Domain::measurement, "Measurement_vagt_Host");
  e.event_id = "measurement0000000007";
  e.sequence = 0;
  core::MeasurementBody m;
  m.interval_seconds = 300;
  for (int cpu = 0; cpu < 8; ++cpu) {
    m.records.push_back({"cpuUsageArray",
                         {{"cpuIdentifier", "cpu" + std::to_string(cpu)},
                          {"percentUsage", 12.5 + cpu},
                          {"cpuIdle", 87.5 - cpu},
                          {"cpuUsageSystem", 2.25},
                          {"cpuUsageUser", 10.25}}});
  }
  m.records.push_back({"memoryUsageArray",
                       {{"vmIdentifier", std::string("compute-node-07")},
                        {"memoryFree", std::int64_t{3145728}},
                        {"memoryUsed", std::int64_t{5242880}},
                        {"memoryCached", 1048576.0}}});
  for (const char* disk : {"vda", "vdb"}) {
    m.records.push_back({"diskUsageArray",
                         {{"diskIdentifier", std::string(disk)},
                          {"diskOctetsReadLast", std::int64_t{4096}},
                          {"diskOctetsWriteLast", std::int64_t{8192}}}});
  }
  for (const char* nic : {"eth0", "eth1"}) {
    m.records.push_back({"nicPerformanceArray",
                         {{"nicIdentifier", std::string(nic)},
                          {"receivedOctetsDelta", std::int64_t{123456}},
                          {"transmittedOctetsDelta", 654321.0},
                          {"valuesAreSuspect", std::string("false")}}});
  }
  for (const char* fs : {"/", "/var"}) {
    m.records.push_back({"filesystemUsageArray",
                         {{"filesystemName", std::string(fs)},
                          {"blockConfigured", 100.0},
                          {"blockUsed", 42.0},
                          {"blockIops", 3.0},
                          {"ephemeralConfigured", 0.0},
                          {"ephemeralUsed", 0.0},
                          {"ephemeralIops", 0.0}}});
  }
  e.body = std::move(m);
  return e;
}

ves::EncodeContext context(int version) {
  ves::EncodeContext ctx;
  ctx.version = version == 5 ? ves::Version::v5 : ves::Version::v7;
  return ctx;
}

void encode(benchmark::State& state, const core::Event& event) {
  const ves::EncodeContext ctx = context(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto r = ves::encode_event(event, ctx);
    if (!r) {
      state.SkipWithError("encode failed");
      break;
    }
    bytes += r->size();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_EncodeFault(benchmark::State& state) { encode(state, fault_event()); }
void BM_EncodeHeartbeat(benchmark::State& state) { encode(state, heartbeat_event()); }
void BM_EncodeMeasurement(benchmark::State& state) { encode(state, measurement_event()); }
BENCHMARK(BM_EncodeFault)->Arg(7)->Arg(5)->ArgName("v");
BENCHMARK(BM_EncodeHeartbeat)->Arg(7)->Arg(5)->ArgName("v");
BENCHMARK(BM_EncodeMeasurement)->Arg(7)->Arg(5)->ArgName("v");

/// The publisher's batch body of N encoded fault events.
void BM_WrapBatch(benchmark::State& state) {
  auto one = ves::encode_event(fault_event(), context(7));
  std::vector<std::string> events(static_cast<std::size_t>(state.range(0)), one.value());
  for (auto _ : state) benchmark::DoNotOptimize(ves::wrap_batch(events));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WrapBatch)->Arg(1)->Arg(100);

/// A webhook body shaped like webhook_load's (and Alertmanager 0.25's) with `alerts` alerts.
std::string webhook_body(int alerts) {
  std::string body = R"({"version":"4","groupKey":"{}:{alertname=\"Load\"}","truncatedAlerts":0,"status":"firing",)"
                     R"("receiver":"ves","groupLabels":{"alertname":"Load"},"commonLabels":{"alertname":"Load"},)"
                     R"("commonAnnotations":{},"externalURL":"http://am:9093","alerts":[)";
  for (int i = 0; i < alerts; ++i) {
    if (i) body += ',';
    const std::string n = std::to_string(i);
    body += R"({"status":"firing","labels":{"VNFC":"vm-)" + n + R"(","alertname":"Load","instance":"vm-)" + n +
            R"(:9100","job":"node","severity":"major"},"annotations":{"description":"load test alert )" + n +
            R"(","summary":"vm-)" + n + R"( is loaded"},"startsAt":"2026-11-26T03:58:29.664Z",)"
            R"("endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom:9090/graph?g0.expr=up&g0.tab=1",)"
            R"("fingerprint":")" +
            std::string(16 - std::min<std::size_t>(16, n.size()), '0') + n + R"("})";
  }
  return body + "]}";
}

void BM_ParseWebhookPayload(benchmark::State& state) {
  const std::string body = webhook_body(static_cast<int>(state.range(0)));
  std::string why;
  for (auto _ : state) {
    auto r = sources::alertmanager::parse_payload(body, why);
    if (!r) {
      state.SkipWithError(why.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));  // items = alerts
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_ParseWebhookPayload)->Arg(1)->Arg(10)->Arg(100)->ArgName("alerts");

/// How much of BM_ParseWebhookPayload is the JSON tokenizer itself: the same bytes through nlohmann's SAX parser
/// (what parse_payload uses) and through Boost.JSON's basic_parser (Boost 1.81, header-only here), both with
/// handlers that do nothing. The difference is what a faster tokenizer would save per alert.
struct NullSax : nlohmann::json::json_sax_t {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception&) override { return false; }
};

void BM_JsonTokenizeNlohmannSax(benchmark::State& state) {
  const std::string body = webhook_body(static_cast<int>(state.range(0)));
  NullSax sax;
  for (auto _ : state) benchmark::DoNotOptimize(nlohmann::json::sax_parse(body.data(), body.data() + body.size(), &sax));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_JsonTokenizeNlohmannSax)->Arg(10)->ArgName("alerts");

struct NullBoostHandler {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(std::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_key(std::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string_part(std::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string(std::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_number_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, std::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(std::uint64_t, std::string_view, boost::system::error_code&) { return true; }
  bool on_double(double, std::string_view, boost::system::error_code&) { return true; }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_comment(std::string_view, boost::system::error_code&) { return true; }
};

void BM_JsonTokenizeBoostJson(benchmark::State& state) {
  const std::string body = webhook_body(static_cast<int>(state.range(0)));
  boost::json::basic_parser<NullBoostHandler> parser{boost::json::parse_options{}};
  for (auto _ : state) {
    boost::system::error_code ec;
    parser.reset();
    parser.write_some(false, body.data(), body.size(), ec);
    benchmark::DoNotOptimize(ec);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_JsonTokenizeBoostJson)->Arg(10)->ArgName("alerts");

/// A private state directory that is removed afterwards.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("vesagent-microbench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

/// Everything the webhook does per new alert except HTTP and the journal write: decision (raise), mapping to a
/// core::Event, VES 7 encoding. Items = alerts; the state grows by one active fault per item.
void BM_AlertToEncodedFault(benchmark::State& state) {
  TempDir dir;
  state::FaultStore::Options options;
  options.directory = dir.path / "faults";
  options.fsync = false;
  state::FaultStore store(options);
  std::string error;
  if (!store.open(error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  config::Config cfg;
  cfg.event.reporting_entity_name = "ves-agent-node1";
  sources::alertmanager::FaultMapper mapper(cfg);
  std::string why;
  auto payload = sources::alertmanager::parse_payload(webhook_body(1), why);
  sources::alertmanager::Alert alert = payload->alerts.front();
  const ves::EncodeContext ctx = context(7);
  std::uint64_t serial = 0;
  char fp[17];
  for (auto _ : state) {
    std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(++serial * 0x9E3779B97F4A7C15ULL));
    alert.fingerprint = fp;
    auto decision = store.on_firing(mapper.key(alert), alert.starts_at_us, mapper.severity(alert), kEpoch);
    const auto& r = decision.record;
    const core::FaultIdentity id{r.key, r.event_id, r.episode_start_us, r.start_epoch_us, r.sequence, r.severity,
                                 r.closed_at_us};
    core::Event event = mapper.fault_event(alert, id, kEpoch);
    auto encoded = ves::encode_event(event, ctx);
    benchmark::DoNotOptimize(encoded);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AlertToEncodedFault);

/// FaultStore::on_firing alone for a new fault (the map insert and record), state growing.
void BM_FaultStoreRaise(benchmark::State& state) {
  TempDir dir;
  state::FaultStore::Options options;
  options.directory = dir.path / "faults";
  options.fsync = false;
  state::FaultStore store(options);
  std::string error;
  if (!store.open(error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::uint64_t serial = 0;
  char key[20];
  for (auto _ : state) {
    std::snprintf(key, sizeof key, "am/%016llx", static_cast<unsigned long long>(++serial * 0x9E3779B97F4A7C15ULL));
    benchmark::DoNotOptimize(store.on_firing(key, kEpoch, core::Severity::major, kEpoch));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FaultStoreRaise);

void BM_ParseCommandList(benchmark::State& state) {
  const std::string body =
      R"({"commandList":[{"command":{"commandType":"heartbeatIntervalChange","heartbeatInterval":30}},)"
      R"({"commandType":"measurementIntervalChange","measurementInterval":"300"},)"
      R"({"commandType":"throttllingSpecification","eventDomainThrottleSpecification":{"eventDomain":"fault"}}]})";
  for (auto _ : state) benchmark::DoNotOptimize(ves::parse_command_list(body));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCommandList);

/// The collector's usual answer (ONAP: text "Accepted"), which every delivered batch goes through.
void BM_ParseCommandListAccepted(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ves::parse_command_list("Accepted"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCommandListAccepted);

/// config::load of the annotated example config/ves-agent.yml (what start-up and every SIGHUP pay).
void BM_ConfigLoad(benchmark::State& state) {
  std::ifstream in(VESAGENT_SOURCE_DIR "/config/ves-agent.yml", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  config::Inputs inputs;
  inputs.file_name = "ves-agent.yml";
  inputs.yaml_text = text.str();
  inputs.host_name = "bench-host";
  for (auto _ : state) {
    auto r = config::load(inputs);
    if (!r.ok()) {
      state.SkipWithError(r.errors.front().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(inputs.yaml_text.size()));
}
BENCHMARK(BM_ConfigLoad);

}  // namespace

BENCHMARK_MAIN();
