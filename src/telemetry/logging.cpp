#include "vesagent/telemetry/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <mutex>

namespace vesagent::telemetry {
namespace {

struct State {
  LogSettings settings;
  spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
};

State& state() {
  static State s;
  return s;
}

std::string pattern_for(const LogSettings& settings) {
  // journald stamps every line itself; a second timestamp only makes `journalctl` output wider.
  const bool under_journal = std::getenv("JOURNAL_STREAM") != nullptr;
  // Messages are written as logfmt (`msg="Sentence." key=value ...`); the JSON format wraps that line whole.
  if (settings.format == "json") {
    return under_journal ? R"({"level":"%l","component":"%n","line":"%v"})"
                         : R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":"%n","line":"%v"})";
  }
  return under_journal ? "level=%l component=%n %v" : "ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l component=%n %v";
}

void apply(spdlog::logger& lg, const State& s) {
  lg.set_level(spdlog::level::from_str(s.settings.level));
  lg.flush_on(spdlog::level::info);
}

}  // namespace

void init_logging(const LogSettings& settings) {
  auto& s = state();
  s.settings = settings;
  s.sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern_for(settings), spdlog::pattern_time_type::utc));
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& lg) { apply(*lg, s); });
}

std::shared_ptr<spdlog::logger> logger(std::string_view component) {
  auto& s = state();
  std::string name(component);
  if (auto existing = spdlog::get(name)) return existing;
  auto lg = std::make_shared<spdlog::logger>(name, s.sink);
  apply(*lg, s);
  spdlog::register_logger(lg);
  return lg;
}

std::string logfmt_value(std::string_view value) {
  bool quote = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      quote = true;
      break;
    }
  }
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace vesagent::telemetry
