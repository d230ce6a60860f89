// libFuzzer target for rule field templates (Go text/template + Sprig on VESPA's data: .labels, .vmId, .interval):
// templates come from the configuration file, which operators edit by hand. Properties: parsing never throws, a
// refusal says why, a failed render names the missing label or says why, and a constant template renders to its
// constant text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/sources/prometheus/template.hpp"

namespace prom = vesagent::sources::prometheus;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<prom::LabelView> labels{{"VNFC", "vm-1"}, {"cpu", "0"}, {"a", ""}};
  for (unsigned vars : {unsigned{prom::kVarAll}, unsigned{prom::kVarInterval}}) {
    std::string error;
    auto t = prom::Template::parse(text, vars, error);
    if (!t) {
      if (error.empty()) std::abort();
      continue;
    }
    std::string out;
    std::string_view missing;
    std::string why;
    const bool ok = t->render(prom::TemplateData{labels, "vm-1", 300}, out, &missing, &why);
    if (!ok && missing.empty() && why.empty()) std::abort();
    if (t->is_constant() && (!ok || out != t->constant_text())) std::abort();
  }
  return 0;
}
