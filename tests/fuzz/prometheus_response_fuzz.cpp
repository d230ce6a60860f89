// libFuzzer target for the Prometheus answer parser and the rule -> field mapper: whoever answers at
// measurement.prometheus.address controls these bytes (a misbehaving proxy, a wrong port, a huge answer).
// Properties checked besides "no crash": a sample reaches the mapper only from a complete, successful answer, and
// every event the mapper builds from it encodes for both VES versions (the mapper never hands the pipeline an
// event the encoder refuses).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vesagent/config/config.hpp"
#include "vesagent/sources/prometheus/measurement_builder.hpp"
#include "vesagent/sources/prometheus/query_response.hpp"
#include "vesagent/sources/prometheus/rule_set.hpp"
#include "vesagent/ves/encode.hpp"

namespace prom = vesagent::sources::prometheus;

namespace {

vesagent::config::Config make_config(int version) {
  vesagent::config::Config c;
  c.ves.version = version;
  c.event.vnf_name = "fuzz-vnf";
  c.event.nf_naming_code = "fuzz";
  c.event.reporting_entity_name = "fuzz-host";
  c.measurement.prometheus.address = "http://127.0.0.1:1";
  auto rule = [](std::string target, std::string vm, std::vector<vesagent::config::RuleLabel> labels) {
    vesagent::config::MeasurementRule r;
    r.target = std::move(target);
    r.expr = "x";
    r.vm_id = std::move(vm);
    r.labels = std::move(labels);
    return r;
  };
  auto& rules = c.measurement.prometheus.rules;
  rules.push_back(rule("CPUUsageArray.PercentUsage", "{{.labels.vm}}", {{"CPUIdentifier", "{{.labels.cpu}}"}}));
  rules.push_back(rule("{{.labels.target}}", "{{.labels.vm}}",
                       {{"VMIdentifier", "{{.vmId}}"}, {"VNICIdentifier", "{{.labels.dev}}"},
                        {"valuesAreSuspect", "{{.labels.suspect}}"}}));
  auto obj = rule("AdditionalObjects", "{{.labels.vm}}-{{.interval}}", {});
  obj.object_name = "{{.labels.obj}}";
  obj.object_instance = "{{.labels.inst}}";
  obj.object_keys = {{"k", "{{.labels.k}}"}};
  rules.push_back(obj);
  rules.push_back(rule("CodecUsageArray.NumberInUse", "", {{"CodecIdentifier", "{{.labels.codec}}"}}));
  return c;
}

struct Fixture {
  vesagent::config::Config config;
  prom::RuleSet rules;
  prom::HeaderSettings header;
  vesagent::ves::Version version;
};

Fixture make_fixture(int version) {
  Fixture f{make_config(version), {}, {}, version == 5 ? vesagent::ves::Version::v5 : vesagent::ves::Version::v7};
  std::vector<prom::RuleProblem> errors;
  std::vector<prom::RuleProblem> warnings;
  auto set = prom::compile_rules(f.config, errors, warnings);
  if (!set) std::abort();
  f.rules = std::move(*set);
  f.header = prom::header_settings(f.config);
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture kFixtures[] = {make_fixture(7), make_fixture(5)};
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const auto& f : kFixtures) {
    prom::MeasurementBuilder builder(f.rules, 1795665600000000, 1795665900000000, 300, f.config.event.vnf_name);
    std::size_t seen = 0;
    std::string detail;
    auto parsed = prom::parse_query_response(body, [&](const prom::Sample& s) {
      ++seen;
      for (const auto& rule : f.rules.rules) builder.add(rule, s, detail);
    });
    if (!parsed.ok() && seen != 0) std::abort();  // a broken answer must not reach the mapper
    if (parsed.ok() && seen != parsed.samples) std::abort();
    std::vector<prom::DroppedElement> dropped;
    for (auto& e : builder.finish(f.header, dropped)) {
      e.event_id = "Measurements0000000001";
      std::string why;
      if (!vesagent::ves::encode_event(e, vesagent::ves::EncodeContext{f.version, ""}, &why)) std::abort();
    }
  }
  return 0;
}
