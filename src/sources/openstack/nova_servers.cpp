#include "vesagent/sources/openstack/nova_servers.hpp"

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

bool parse_server(const json& s, Server& out) {
  if (!s.is_object()) return false;
  out.id = str(s, "id");
  out.status = str(s, "status");
  if (out.id.empty() || out.status.empty()) return false;
  out.name = str(s, "name");
  out.vm_state = str(s, "OS-EXT-STS:vm_state");
  out.task_state = str(s, "OS-EXT-STS:task_state");
  if (auto p = s.find("OS-EXT-STS:power_state"); p != s.end() && p->is_number_integer()) {
    const auto v = p->get<std::int64_t>();
    out.power_state = v >= 0 && v < 1000 ? static_cast<int>(v) : -1;
  }
  out.tenant_id = str(s, "tenant_id");
  out.host = str(s, "OS-EXT-SRV-ATTR:host");
  out.availability_zone = str(s, "OS-EXT-AZ:availability_zone");
  if (auto f = s.find("flavor"); f != s.end() && f->is_object()) {
    out.flavor = str(*f, "original_name");
    if (out.flavor.empty()) out.flavor = str(*f, "id");
  }
  if (auto f = s.find("fault"); f != s.end() && f->is_object()) out.fault_message = str(*f, "message");
  if (auto u = parse_iso8601_us(str(s, "updated"))) out.updated_us = *u;
  if (auto m = s.find("metadata"); m != s.end() && m->is_object()) {
    for (auto it = m->begin(); it != m->end(); ++it) {
      if (it.value().is_string()) out.metadata.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  if (auto t = s.find("tags"); t != s.end() && t->is_array()) {
    for (const auto& tag : *t) {
      if (tag.is_string()) out.tags.push_back(tag.get<std::string>());
    }
  }
  return true;
}

}  // namespace

Result<ServersPage> parse_servers_page(std::string_view body, std::string* why) {
  auto fail = [why](std::string text) -> Result<ServersPage> {
    if (why != nullptr) *why = std::move(text);
    return make_error_code(errc::invalid_json);
  };
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return fail("servers answer is not JSON");
  if (!doc.is_object()) return fail("servers answer is not a JSON object");
  auto list = doc.find("servers");
  if (list == doc.end() || !list->is_array()) return fail("servers answer has no \"servers\" list");
  ServersPage page;
  page.servers.reserve(list->size());
  for (const auto& s : *list) {
    Server server;
    if (parse_server(s, server)) {
      page.servers.push_back(std::move(server));
    } else {
      ++page.skipped;
    }
  }
  if (auto links = doc.find("servers_links"); links != doc.end() && links->is_array()) {
    for (const auto& l : *links) {
      if (l.is_object() && str(l, "rel") == "next") page.next_url = str(l, "href");
    }
  }
  return page;
}

std::string error_message(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.value().is_object()) {
      std::string m = str(it.value(), "message");
      if (!m.empty()) return m;
    }
  }
  return {};
}

}  // namespace vesagent::sources::openstack
