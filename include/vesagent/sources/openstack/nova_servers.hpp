#pragma once
/// Nova servers/detail pages (GET /servers/detail). Pure functions, no I/O and no Asio, so they are fuzzed
/// (tests/fuzz/openstack_nova_fuzz.cpp). Works at microversion 2.1 (flavor {id}) and 2.47+ (flavor object with
/// original_name; tags from 2.26).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vesagent/core/error.hpp"

namespace vesagent::sources::openstack {

/// The fields of one server the agent uses. Absent or null strings are empty.
struct Server {
  std::string id;      ///< required
  std::string name;
  std::string status;  ///< ACTIVE, SHUTOFF, ERROR, DELETED, ...; required
  std::string vm_state;    ///< OS-EXT-STS:vm_state
  std::string task_state;  ///< OS-EXT-STS:task_state (empty = null)
  int power_state = -1;    ///< OS-EXT-STS:power_state; -1 when absent
  std::string tenant_id;
  std::string host;        ///< OS-EXT-SRV-ATTR:host (admin only)
  std::string flavor;      ///< flavor.original_name (2.47+), else flavor.id
  std::string availability_zone;
  std::string fault_message;  ///< fault.message (ERROR servers that really failed)
  std::int64_t updated_us = 0;
  std::vector<std::pair<std::string, std::string>> metadata;  ///< string values only
  std::vector<std::string> tags;
};

struct ServersPage {
  std::vector<Server> servers;
  std::string next_url;      ///< servers_links rel=next, empty at the end
  std::size_t skipped = 0;   ///< entries dropped because they lacked an id or status or were not objects
};

/// Parses one page. Fails (with `why`) only when the body is not JSON or has no "servers" list; a malformed
/// server is skipped and counted in `skipped`.
Result<ServersPage> parse_servers_page(std::string_view body, std::string* why = nullptr);

/// The `message` of a Nova or Keystone error body ({"badRequest":{"code":400,"message":...}}, {"error":{...}}),
/// or empty.
std::string error_message(std::string_view body);

}  // namespace vesagent::sources::openstack
