#pragma once
/// The request handling of ves-collector-sim, apart from the process around it so tests can drive it directly.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vesagent/http/server.hpp"

namespace vesagent::simulator {

/// How the simulator answers event posts.
enum class Mode {
  ok,     ///< validate, record, answer 202
  fail,   ///< answer Behaviour::fail_status without looking at the body
  hang,   ///< never answer; the connection stays open until the client or stop() closes it
  close,  ///< close the connection without an answer
};

std::string_view to_string(Mode mode) noexcept;
std::optional<Mode> parse_mode(std::string_view text) noexcept;

/// The part of the configuration that POST /testControl/mode changes at run time.
struct Behaviour {
  Mode mode = Mode::ok;
  int fail_status = 503;
  std::chrono::milliseconds delay{0};  ///< before answering (ok and fail modes)
  std::string command_list;            ///< JSON body of 202 replies; empty = plain "Accepted"
  bool command_list_once = false;      ///< send command_list on the next 202 only, then forget it
  std::string redirect;                ///< non-empty: every event post gets 301 with this Location (an ingress move)
  std::vector<std::string> reject_event_ids;  ///< a post holding one of these eventIds gets 400 SVC0002, whole
  std::size_t max_body_bytes = 0;      ///< non-zero: a post with a larger body gets 413 (the bus's size limit)
  /// Serve VES 5's POST /eventListener/v5/clientThrottlingState (204) as the spec describes, instead of the DCAE
  /// collector's 404.
  bool throttling_state = false;
};

/// Startup configuration of a Collector.
struct CollectorOptions {
  std::string server_root;  ///< "api" serves /api/eventListener/...; empty serves /eventListener/...
  std::string user;         ///< basic auth required when non-empty
  std::string password;
  std::string output_path;  ///< accepted events appended here, one JSON object per line; empty = not kept
  Behaviour behaviour;
};

/// Counters served by GET /testControl/stats.
struct Stats {
  std::uint64_t requests = 0;  ///< requests to event paths, whatever the outcome
  std::uint64_t events = 0;    ///< events accepted (a batch counts each item)
  std::uint64_t rejected = 0;  ///< event-path requests answered 4xx (auth, media type, method, body shape)
  std::uint64_t failed = 0;    ///< event posts answered by fail, hang or close mode
  std::map<std::string, std::uint64_t> by_domain;  ///< accepted events per commonEventHeader.domain
  std::uint64_t throttling_reports = 0;  ///< clientThrottlingState posts accepted (204)
  std::string last_throttling_state;     ///< body of the last one
};

/// A VES collector stand-in: ONAP routes, auth and body-shape checks, scripted failures, commandList replies.
///
/// Threading: use from the executor given to the constructor only. The summary stream and the output file are
/// written synchronously; both are small line writes (a test tool, not the agent's hot path).
class Collector {
 public:
  /// `summary` receives one line per accepted event and is flushed after each; nullptr disables it.
  /// Throws std::system_error if options.output_path cannot be opened for appending.
  Collector(boost::asio::any_io_executor executor, CollectorOptions options, std::ostream* summary);

  /// Answers one request: the Handler of the simulator's http::Server.
  boost::asio::awaitable<http::ServerResponse> handle(http::ServerRequest request);

  const Stats& stats() const { return stats_; }
  const Behaviour& behaviour() const { return options_.behaviour; }
  void set_behaviour(Behaviour behaviour) { options_.behaviour = std::move(behaviour); }

 private:
  struct Route;
  boost::asio::awaitable<http::ServerResponse> handle_event_post(const http::ServerRequest& request,
                                                                 const Route& route);
  http::ServerResponse handle_control(const http::ServerRequest& request, std::string_view path);
  http::ServerResponse handle_throttling_state(const http::ServerRequest& request);
  boost::asio::awaitable<void> wait(std::chrono::milliseconds duration);
  bool authorized(const http::ServerRequest& request) const;

  boost::asio::any_io_executor executor_;
  CollectorOptions options_;
  std::string root_;  ///< "/api" or ""
  std::ostream* summary_;
  std::ofstream output_;
  Stats stats_;
};

}  // namespace vesagent::simulator
