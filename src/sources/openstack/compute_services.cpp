#include "vesagent/sources/openstack/compute_services.hpp"

#include <nlohmann/json.hpp>

#include "vesagent/sources/openstack/keystone_token.hpp"

namespace vesagent::sources::openstack {

namespace {

using nlohmann::json;

std::string str(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool parse_service(const json& s, ComputeService& out) {
  if (!s.is_object()) return false;
  out.binary = str(s, "binary");
  out.host = str(s, "host");
  if (out.binary.empty() || out.host.empty()) return false;
  if (auto id = s.find("id"); id != s.end()) {
    if (id->is_string()) {
      out.id = id->get<std::string>();
    } else if (id->is_number_integer()) {
      out.id = std::to_string(id->get<std::int64_t>());
    }
  }
  out.zone = str(s, "zone");
  out.disabled = str(s, "status") == "disabled";
  out.disabled_reason = str(s, "disabled_reason");
  if (auto f = s.find("forced_down"); f != s.end() && f->is_boolean()) out.forced_down = f->get<bool>();
  if (const std::string state = str(s, "state"); state == "up") {
    out.up = true;
  } else if (state == "down") {
    out.up = false;
  }
  // updated_at comes without a zone at some microversions ("2026-12-07T18:51:44.000000"): Nova means UTC.
  if (auto u = parse_iso8601_us(str(s, "updated_at"))) out.updated_us = *u;
  return true;
}

}  // namespace

Result<ComputeServicesAnswer> parse_os_services(std::string_view body, std::string* why) {
  auto fail = [why](std::string text) -> Result<ComputeServicesAnswer> {
    if (why != nullptr) *why = std::move(text);
    return make_error_code(errc::invalid_json);
  };
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return fail("os-services answer is not JSON");
  if (!doc.is_object()) return fail("os-services answer is not a JSON object");
  auto list = doc.find("services");
  if (list == doc.end() || !list->is_array()) return fail("os-services answer has no \"services\" list");
  ComputeServicesAnswer answer;
  for (const auto& s : *list) {
    ComputeService service;
    if (parse_service(s, service)) {
      answer.services.push_back(std::move(service));
    } else {
      ++answer.skipped;
    }
  }
  return answer;
}

}  // namespace vesagent::sources::openstack
