#include "vesagent/sources/openstack/server_filter.hpp"

#include <algorithm>

namespace vesagent::sources::openstack {

ServerFilter::ServerFilter(const std::vector<config::OpenStackFilter>& filters) {
  for (const auto& f : filters) {
    Compiled c;
    c.config = f;
    if (!f.name_regex.empty()) {
      // The config loader checked the expression; a broken one here (a hand-built Config) matches nothing.
      try {
        c.name_regex = std::regex(f.name_regex, std::regex::ECMAScript | std::regex::optimize);
        c.has_regex = true;
      } catch (const std::regex_error&) {
        c.name_regex = std::regex("$.^");
        c.has_regex = true;
      }
    }
    if (!f.projects.empty()) uses_project_names_ = true;
    filters_.push_back(std::move(c));
  }
  if (filters_.empty()) filters_.emplace_back();
}

bool ServerFilter::matches(std::size_t i, const Server& s, std::string_view project_name) const {
  const Compiled& c = filters_[i];
  const auto& f = c.config;
  if (!f.projects.empty()) {
    bool ok = std::any_of(f.projects.begin(), f.projects.end(), [&](const std::string& p) {
      return p == s.tenant_id || (!project_name.empty() && p == project_name);
    });
    if (!ok) return false;
  }
  if (!f.names.empty() && std::find(f.names.begin(), f.names.end(), s.name) == f.names.end()) return false;
  if (c.has_regex && !std::regex_match(s.name, c.name_regex)) return false;
  for (const auto& [k, v] : f.metadata) {
    bool ok = std::any_of(s.metadata.begin(), s.metadata.end(),
                          [&](const auto& m) { return m.first == k && m.second == v; });
    if (!ok) return false;
  }
  for (const auto& t : f.tags) {
    if (std::find(s.tags.begin(), s.tags.end(), t) == s.tags.end()) return false;
  }
  return true;
}

bool ServerFilter::watched(const Server& s, std::string_view project_name) const {
  for (std::size_t i = 0; i < filters_.size(); ++i) {
    if (matches(i, s, project_name)) return true;
  }
  return false;
}

}  // namespace vesagent::sources::openstack
