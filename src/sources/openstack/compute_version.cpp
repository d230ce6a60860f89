#include "vesagent/sources/openstack/compute_version.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace vesagent::sources::openstack {

namespace {

using nlohmann::json;

std::string str(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool number(std::string_view s, int& out) {
  if (s.empty() || s.size() > 4) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && out >= 0;
}

}  // namespace

std::optional<Microversion> parse_microversion(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  Microversion v;
  if (!number(text.substr(0, dot), v.major) || !number(text.substr(dot + 1), v.minor)) return std::nullopt;
  return v;
}

Result<ComputeVersionRange> parse_compute_versions(std::string_view body, std::string* why) {
  auto fail = [why](std::string text) -> Result<ComputeVersionRange> {
    if (why != nullptr) *why = std::move(text);
    return make_error_code(errc::invalid_json);
  };
  const json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return fail("compute version document is not JSON");
  if (!doc.is_object()) return fail("compute version document is not a JSON object");
  const json* entry = nullptr;
  if (auto one = doc.find("version"); one != doc.end() && one->is_object()) {
    entry = &*one;
  } else if (auto list = doc.find("versions"); list != doc.end() && list->is_array()) {
    for (const auto& v : *list) {
      if (v.is_object() && str(v, "id") == "v2.1") entry = &v;
    }
    if (entry == nullptr) {
      for (const auto& v : *list) {
        if (v.is_object() && str(v, "status") == "CURRENT") entry = &v;
      }
    }
  }
  if (entry == nullptr) return fail("compute version document has no v2.1 (or CURRENT) version");
  const std::string max = str(*entry, "version");
  const std::string min = str(*entry, "min_version");
  ComputeVersionRange range;
  if (max.empty()) return range;  // no microversions: 2.1 behaviour only
  auto hi = parse_microversion(max);
  auto lo = min.empty() ? std::optional<Microversion>(Microversion{2, 1}) : parse_microversion(min);
  if (!hi || !lo) return fail("compute version document has an unreadable version or min_version");
  if (*lo > *hi) return fail("compute version document's min_version is above its version");
  range.min = *lo;
  range.max = *hi;
  return range;
}

Result<NegotiatedMicroversion> negotiate_microversion(std::string_view cloud, const ComputeVersionRange& range,
                                                      Microversion wanted, bool uses_tag_filters, std::string* why) {
  const std::string name(cloud);
  NegotiatedMicroversion out;
  if (wanted > kAgentMaxMicroversion) {
    out.warnings.push_back("Cloud " + name + ": compute microversion " + wanted.text() + " is above what the agent " +
                           "supports; using at most " + kAgentMaxMicroversion.text());
    wanted = kAgentMaxMicroversion;
  }
  if (range.min > wanted) {
    if (why != nullptr) {
      *why = "cloud " + name + " serves compute microversions " + range.min.text() + " to " + range.max.text() +
             " only, and the agent supports up to " + wanted.text() +
             (wanted < kAgentMaxMicroversion ? " as configured: raise computeMicroversion" : "");
    }
    return make_error_code(errc::invalid_config);
  }
  out.version = std::min(wanted, range.max);
  out.tags = out.version >= kTagsMicroversion;
  out.flavor_names = out.version >= Microversion{2, 47};
  out.forced_down = out.version >= kForcedDownMicroversion;
  if (uses_tag_filters && !out.tags) {
    out.warnings.push_back("Cloud " + name + " uses compute microversion " + out.version.text() +
                           " (the cloud serves up to " + range.max.text() + "); tag filters need " +
                           kTagsMicroversion.text() + ", so the filters' tags are ignored and they match on their other criteria" +
                           (range.max >= kTagsMicroversion ? ": raise computeMicroversion to 2.26 or more" : ""));
  }
  return out;
}

}  // namespace vesagent::sources::openstack
