#include "simulator/options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace vesagent::simulator {
namespace {

std::optional<long long> parse_int(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string help_text() {
  return R"(Usage: ves-collector-sim [flags]

A VES collector simulator (ONAP DCAE routes, auth and body-shape checks) for tests and demos.

Flags:
  --listen HOST:PORT       address to listen on (default 127.0.0.1:8080; port 0 picks a free port;
                           "[::1]:8080", ":8080" = every interface)
  --port-file PATH         write the bound port to PATH once listening
  --output PATH            append every accepted event to PATH as one JSON line (the bare event object)
  --server-root ROOT       serve events under /ROOT/eventListener/... (default: no prefix)
  --user USER              require HTTP basic auth with this user ...
  --password PASSWORD      ... and this password (401 POL2000 otherwise)
  --fail-status N          answer N to every event post
  --hang                   never answer event posts (keep the connection open)
  --close                  close the connection of every event post without an answer
  --delay MS               wait MS milliseconds before answering
  --command-list JSON      body of every 202 reply, e.g.
                           '{"commandList":[{"commandType":"heartbeatIntervalChange","heartbeatInterval":2}]}'
  --command-list-once      send the command list on the next 202 reply only
  --redirect URL           answer every event post 301 with Location: URL (a moved collector)
  --reject-event-id ID     answer 400 SVC0002 to any post holding an event with this eventId (repeatable)
  --max-body-bytes N       answer 413 SVC2000 to any post whose body is larger than N bytes
  --throttling-state       serve VES 5 POST /eventListener/v5/clientThrottlingState (204) instead of 404
  --log-level LEVEL        trace, debug, info (default), warn, error, off
  --help                   show this text

Run time control (no auth):
  POST /testControl/mode   {"mode":"ok|fail|hang|close","status":503,"delayMs":0,"commandList":{...}|null,"once":true,
                            "redirect":"URL"|null,"rejectEventIds":[...],"maxBodyBytes":N,
                            "user":"...","password":"...","serverRoot":"...","throttlingState":true}
  GET  /testControl/mode   current behaviour
  GET  /testControl/stats  {"events":N,"requests":N,"byDomain":{...},"rejected":N,"failed":N,
                            "throttlingReports":N,"lastThrottlingState":{...}|null}
  GET  /healthcheck        200 "I'm good"
)";
}

Options parse_options(int argc, const char* const* argv) {
  Options out;
  auto& c = out.collector;
  int modes = 0;  // --fail-status, --hang and --close exclude each other
  static constexpr std::array<std::string_view, 13> kWithValue{
      "--listen",   "--port-file",   "--output", "--server-root",  "--user",
      "--password", "--fail-status", "--delay",  "--command-list", "--log-level",
      "--redirect", "--reject-event-id", "--max-body-bytes"};

  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view name = arg;
    std::optional<std::string> value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
    }
    const bool wants_value = std::find(kWithValue.begin(), kWithValue.end(), name) != kWithValue.end();
    if (wants_value && !value) {
      if (i + 1 >= argc) {
        out.errors.push_back(std::string(name) + " needs a value");
        break;
      }
      value = argv[++i];
    } else if (!wants_value && value) {
      out.errors.push_back(std::string(name) + " takes no value");
      continue;
    }

    if (name == "--help" || name == "-h") {
      out.show_help = true;
    } else if (name == "--listen") {
      if (!http::parse_listen_address(*value)) {
        out.errors.push_back("--listen: expected HOST:PORT, [IPv6]:PORT or :PORT, got \"" + *value + "\"");
      }
      out.listen = *value;
    } else if (name == "--port-file") {
      out.port_file = *value;
    } else if (name == "--output") {
      c.output_path = *value;
    } else if (name == "--server-root") {
      c.server_root = *value;
    } else if (name == "--user") {
      c.user = *value;
    } else if (name == "--password") {
      c.password = *value;
    } else if (name == "--fail-status") {
      auto n = parse_int(*value);
      if (!n || *n < 100 || *n > 599) {
        out.errors.push_back("--fail-status: expected an HTTP status 100..599, got \"" + *value + "\"");
      } else {
        c.behaviour.fail_status = static_cast<int>(*n);
      }
      c.behaviour.mode = Mode::fail;
      ++modes;
    } else if (name == "--hang") {
      c.behaviour.mode = Mode::hang;
      ++modes;
    } else if (name == "--close") {
      c.behaviour.mode = Mode::close;
      ++modes;
    } else if (name == "--delay") {
      auto n = parse_int(*value);
      if (!n || *n < 0) {
        out.errors.push_back("--delay: expected milliseconds >= 0, got \"" + *value + "\"");
      } else {
        c.behaviour.delay = std::chrono::milliseconds(*n);
      }
    } else if (name == "--command-list") {
      auto json = nlohmann::ordered_json::parse(*value, nullptr, /*allow_exceptions=*/false);
      if (json.is_array()) json = nlohmann::ordered_json{{"commandList", json}};
      if (json.is_discarded() || !json.is_object()) {
        out.errors.push_back("--command-list: expected a JSON object such as {\"commandList\":[...]}");
      } else {
        c.behaviour.command_list = json.dump();
      }
    } else if (name == "--redirect") {
      c.behaviour.redirect = *value;
    } else if (name == "--reject-event-id") {
      c.behaviour.reject_event_ids.push_back(*value);
    } else if (name == "--max-body-bytes") {
      auto n = parse_int(*value);
      if (!n || *n < 0) {
        out.errors.push_back("--max-body-bytes: expected bytes >= 0, got \"" + *value + "\"");
      } else {
        c.behaviour.max_body_bytes = static_cast<std::size_t>(*n);
      }
    } else if (name == "--command-list-once") {
      c.behaviour.command_list_once = true;
    } else if (name == "--throttling-state") {
      c.behaviour.throttling_state = true;
    } else if (name == "--log-level") {
      static constexpr std::array<std::string_view, 7> kLevels{"trace", "debug",    "info", "warn",
                                                               "error", "critical", "off"};
      if (std::find(kLevels.begin(), kLevels.end(), *value) == kLevels.end()) {
        out.errors.push_back("--log-level: unknown level \"" + *value + "\"");
      }
      out.log_level = *value;
    } else {
      out.errors.push_back("unknown flag " + std::string(arg));
    }
  }

  if (modes > 1) out.errors.push_back("--fail-status, --hang and --close exclude each other");
  if (c.user.empty() != c.password.empty()) out.errors.push_back("--user and --password go together");
  if (c.behaviour.command_list_once && c.behaviour.command_list.empty()) {
    out.errors.push_back("--command-list-once needs --command-list");
  }
  return out;
}

}  // namespace vesagent::simulator
