#pragma once
/// Keeps repeated identical log lines from flooding the journal. Lines are grouped by a key (component, level and
/// the msg="..." sentence, so the same failure with a different event id is still "the same"). Per key, at most
/// `burst` lines are written per `window`; the others are counted, and the count travels with the next line of
/// that key that is written (`repeated=N`: this line happened N times since the previous one was written). When a
/// window ends with lines held back and none follows, take_expired() hands out the last held-back line with its
/// count, so nothing disappears without trace.
///
/// Threading: not synchronized; the logging sink calls it under its own mutex.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vesagent::telemetry {

class RepeatFilter {
 public:
  using Clock = std::chrono::system_clock;

  RepeatFilter(std::size_t burst, std::chrono::milliseconds window, std::size_t max_keys = 4096);

  struct Decision {
    bool write = true;
    std::uint64_t repeated = 1;  ///< > 1: lines of this key held back before this one, plus this one
  };
  /// Called for each line; `line` is kept while the line is held back (for take_expired()).
  Decision check(std::string_view key, std::string_view line, int level, Clock::time_point now);

  struct Held {
    std::string key;
    std::string line;  ///< the last held-back line of the key
    int level = 0;
    std::uint64_t repeated = 0;
  };
  /// Keys whose window has ended with lines held back; they are reported once and reset.
  std::vector<Held> take_expired(Clock::time_point now);
  /// Every held-back line, window ended or not (at exit).
  std::vector<Held> take_all();

  /// Lines held back since construction.
  std::uint64_t suppressed_total() const { return suppressed_total_; }

  /// The grouping key of a logfmt payload: `msg="..."` (or the whole payload when it has none).
  static std::string_view message_of(std::string_view payload);

 private:
  struct State {
    Clock::time_point window_start;
    std::size_t written = 0;
    std::uint64_t held = 0;
    std::string last_line;
    int level = 0;
  };
  std::vector<Held> take(Clock::time_point now, bool all);

  std::size_t burst_;
  std::chrono::milliseconds window_;
  std::size_t max_keys_;
  std::unordered_map<std::string, State> states_;
  std::uint64_t suppressed_total_ = 0;
};

}  // namespace vesagent::telemetry
