#include "vesagent/correlate/event_ids.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "vesagent/correlate/replica.hpp"
#include "vesagent/state/id_allocator.hpp"

namespace vesagent::correlate {

namespace {

constexpr std::size_t index_of(core::Domain d) {
  for (std::size_t i = 0; i < kCountedDomains.size(); ++i) {
    if (kCountedDomains[i] == d) return i;
  }
  return kCountedDomains.size();
}

/// The value of the single counter file of earlier versions (0 = none or unreadable; its own reader reported
/// damage when it was in use).
std::uint64_t legacy_counter(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return 0;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && ptr == text.data() + text.size() ? value : 0;
}

}  // namespace

EventIds::EventIds(std::filesystem::path directory) : directory_(std::move(directory)) {}

EventIds::~EventIds() = default;

std::string_view EventIds::counter_name(core::Domain domain) {
  switch (domain) {
    case core::Domain::heartbeat: return "heartbeat";
    case core::Domain::measurement: return "measurement";
    case core::Domain::state_change: return "stateChange";
    case core::Domain::fault: return "fault";
  }
  return "unknown";
}

std::string EventIds::format(core::Domain domain, std::uint64_t number) {
  char buf[48];
  const auto n = static_cast<unsigned long long>(number);
  switch (domain) {
    case core::Domain::heartbeat: std::snprintf(buf, sizeof buf, "heartbeat%010llu", n); break;
    case core::Domain::measurement: std::snprintf(buf, sizeof buf, "Measurements%010llu", n); break;  // VESPA's
    case core::Domain::state_change: std::snprintf(buf, sizeof buf, "stateChange%llu", n); break;
    case core::Domain::fault: std::snprintf(buf, sizeof buf, "fault%llu", n); break;
  }
  return buf;
}

Result<void> EventIds::open(std::string& error) {
  const std::uint64_t floor = legacy_counter(directory_ / "event-counter");
  for (std::size_t i = 0; i < kCountedDomains.size(); ++i) {
    auto file = directory_ / ("event-counter." + std::string(counter_name(kCountedDomains[i])));
    local_[i] = std::make_unique<state::IdAllocator>(std::move(file));
    if (auto r = local_[i]->open(floor); !r) {
      error = local_[i]->last_error();
      return r;
    }
  }
  return {};
}

state::IdAllocator* EventIds::allocator(core::Domain domain) {
  const std::size_t i = index_of(domain);
  return i < local_.size() ? local_[i].get() : nullptr;
}

Result<std::uint64_t> EventIds::next_local(core::Domain domain, std::string& error) {
  auto* a = allocator(domain);
  if (a == nullptr) {
    error = "no event counter for domain " + std::string(counter_name(domain)) + " (open() not called?)";
    return make_error_code(errc::invalid_event);
  }
  auto n = a->next();
  if (!n) error = a->last_error();
  return n;
}

Result<std::string> EventIds::next(core::Domain domain, std::string& error) {
  if (index_of(domain) == kCountedDomains.size()) {
    error = "domain " + std::string(counter_name(domain)) + " has no counted eventIds";
    return make_error_code(errc::invalid_event);
  }
  if (replica_ != nullptr) {
    auto n = replica_->next_event_number(domain);
    if (!n) {
      error = "no cluster-wide event number (not the leader, or the block from etcd is used up)";
      return n.error();
    }
    return format(domain, *n);
  }
  auto n = next_local(domain, error);
  if (!n) return n.error();
  return format(domain, *n);
}

}  // namespace vesagent::correlate
