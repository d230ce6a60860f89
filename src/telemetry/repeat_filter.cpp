#include "vesagent/telemetry/repeat_filter.hpp"

namespace vesagent::telemetry {

RepeatFilter::RepeatFilter(std::size_t burst, std::chrono::milliseconds window, std::size_t max_keys)
    : burst_(burst == 0 ? 1 : burst), window_(window), max_keys_(max_keys) {}

std::string_view RepeatFilter::message_of(std::string_view payload) {
  constexpr std::string_view kQuoted = "msg=\"";
  if (payload.rfind(kQuoted, 0) == 0) {
    // Up to the closing quote; a backslash escapes the next character.
    for (std::size_t i = kQuoted.size(); i < payload.size(); ++i) {
      if (payload[i] == '\\') {
        ++i;
      } else if (payload[i] == '"') {
        return payload.substr(0, i + 1);
      }
    }
    return payload;
  }
  if (payload.rfind("msg=", 0) == 0) return payload.substr(0, payload.find(' '));
  return payload;
}

RepeatFilter::Decision RepeatFilter::check(std::string_view key, std::string_view line, int level,
                                           Clock::time_point now) {
  auto it = states_.find(std::string(key));
  if (it == states_.end()) {
    if (states_.size() >= max_keys_) {
      // Forget keys that are quiet and have nothing to report; if every key is busy, let new ones through
      // unfiltered rather than grow without bound.
      for (auto s = states_.begin(); s != states_.end();) {
        s = (s->second.held == 0 && now - s->second.window_start >= window_) ? states_.erase(s) : std::next(s);
      }
      if (states_.size() >= max_keys_) return {};
    }
    it = states_.emplace(std::string(key), State{now, 0, 0, {}, level}).first;
  }
  State& s = it->second;
  if (now - s.window_start >= window_ || now < s.window_start) {
    s.window_start = now;
    s.written = 0;
  }
  if (s.written < burst_) {
    ++s.written;
    Decision d{true, s.held + 1};
    s.held = 0;
    s.last_line.clear();
    return d;
  }
  ++s.held;
  ++suppressed_total_;
  s.last_line.assign(line);
  s.level = level;
  return {false, 0};
}

std::vector<RepeatFilter::Held> RepeatFilter::take(Clock::time_point now, bool all) {
  std::vector<Held> out;
  for (auto& [key, s] : states_) {
    if (s.held == 0 || (!all && now - s.window_start < window_)) continue;
    out.push_back(Held{key, std::move(s.last_line), s.level, s.held});
    s.held = 0;
    s.last_line.clear();
    // The summary counts as a written line of a new window, so an immediate repeat is held back again.
    s.window_start = now;
    s.written = 1;
  }
  return out;
}

std::vector<RepeatFilter::Held> RepeatFilter::take_expired(Clock::time_point now) { return take(now, false); }

std::vector<RepeatFilter::Held> RepeatFilter::take_all() { return take(Clock::now(), true); }

}  // namespace vesagent::telemetry
