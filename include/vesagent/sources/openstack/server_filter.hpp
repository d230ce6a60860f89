#pragma once
/// Which servers of a cloud are watched: the cloud's `filters` (see config::OpenStackFilter). Asio-free.
#include <chrono>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/config/openstack_config.hpp"
#include "vesagent/sources/openstack/nova_servers.hpp"

namespace vesagent::sources::openstack {

class ServerFilter {
 public:
  /// No filters: every server is watched (by one implicit filter with the cloud's interval).
  explicit ServerFilter(const std::vector<config::OpenStackFilter>& filters);

  /// Number of filters (at least 1: the implicit match-all one).
  std::size_t size() const { return filters_.size(); }
  /// Filter `i` matches `server` (whose project name is `project_name`, empty when unknown).
  bool matches(std::size_t i, const Server& server, std::string_view project_name) const;
  /// Any filter matches.
  bool watched(const Server& server, std::string_view project_name) const;
  /// The filter's own interval, 0 = the cloud's.
  std::chrono::milliseconds interval(std::size_t i) const { return filters_[i].config.interval; }
  /// Some filter names a project (so project names must be looked up).
  bool uses_project_names() const { return uses_project_names_; }

 private:
  struct Compiled {
    config::OpenStackFilter config;
    std::regex name_regex;
    bool has_regex = false;
  };
  std::vector<Compiled> filters_;
  bool uses_project_names_ = false;
};

}  // namespace vesagent::sources::openstack
