#include "simulator/collector.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>
#include <vector>

#include "vesagent/telemetry/logging.hpp"

namespace vesagent::simulator {
namespace {

using Json = nlohmann::ordered_json;  // ordered: the output file keeps the sender's field order
using http::ServerRequest;
using http::ServerResponse;

constexpr std::string_view kJson = "application/json";

std::shared_ptr<spdlog::logger> logger() { return telemetry::logger("simulator"); }
std::string q(std::string_view value) { return telemetry::logfmt_value(value); }
constexpr std::string_view kEventListener = "/eventListener/";

ServerResponse text(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

ServerResponse json_reply(int status, const Json& body) {
  ServerResponse r;
  r.status = status;
  r.content_type = std::string(kJson);
  r.body = body.dump();
  return r;
}

/// The ONAP collector's error body (ApiException.toJSON), including its UpperCamel exception key.
Json onap_error(std::string_view exception, std::string_view message_id, std::string_view text_value) {
  return Json{{"requestError", {{exception, {{"messageId", message_id}, {"text", text_value}}}}}};
}

/// A 400 the way the ONAP collector words it, plus the precise reason for the simulator's own log.
struct Rejection {
  std::string message_id;
  std::string text;
  std::string reason;
};

Rejection incorrect_payload(std::string reason) { return {"SVC0002", "Incorrect JSON payload", std::move(reason)}; }
Rejection schema_error(std::string reason) {
  return {"SVC0002", "Bad Parameter (JSON does not conform to schema)", std::move(reason)};
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}


std::optional<std::string> base64_decode(std::string_view in) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t i = 0;
  for (; i < in.size() && in[i] != '='; ++i) {
    auto pos = kAlphabet.find(in[i]);
    if (pos == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFFU));
    }
  }
  for (; i < in.size(); ++i) {
    if (in[i] != '=') return std::nullopt;
  }
  return out;
}

/// The commonEventHeader checks the ONAP collector's schemas make, reduced to shape (full validation is the
/// test suite's python checker). Returns a rejection or nothing.
std::optional<Rejection> check_event(const Json& event, int version) {
  if (!event.is_object()) return incorrect_payload("event is not an object");
  auto header_it = event.find("commonEventHeader");
  if (header_it == event.end() || !header_it->is_object()) {
    return schema_error("commonEventHeader missing or not an object");
  }
  const Json& header = *header_it;
  for (const char* key : {"domain", "eventId", "eventName", "sourceName", "reportingEntityName", "priority"}) {
    auto it = header.find(key);
    if (it == header.end() || !it->is_string()) {
      return schema_error(std::string("commonEventHeader.") + key + " missing or not a string");
    }
  }
  auto sequence = header.find("sequence");
  if (sequence == header.end() || !sequence->is_number_integer()) {
    return schema_error("commonEventHeader.sequence missing or not an integer");
  }
  for (const char* key : {"startEpochMicrosec", "lastEpochMicrosec"}) {
    auto it = header.find(key);
    if (it == header.end() || !it->is_number()) {
      return schema_error(std::string("commonEventHeader.") + key + " missing or not a number");
    }
  }
  const auto domain = header["domain"].get<std::string>();
  auto header_version = header.find("version");
  if (version == 7) {
    static const std::array<std::string_view, 3> kHeaderVersions{"4.0", "4.0.1", "4.1"};
    if (header_version == header.end() || !header_version->is_string() ||
        std::find(kHeaderVersions.begin(), kHeaderVersions.end(), header_version->get<std::string>()) ==
            kHeaderVersions.end()) {
      return schema_error("commonEventHeader.version must be the string \"4.0\", \"4.0.1\" or \"4.1\" on v7");
    }
    auto listener = header.find("vesEventListenerVersion");
    if (listener == header.end() || !listener->is_string() || !listener->get<std::string>().starts_with("7.")) {
      return schema_error("commonEventHeader.vesEventListenerVersion must be a string starting with \"7.\"");
    }
    if (domain == "measurementsForVfScaling") {
      return schema_error("domain measurementsForVfScaling is v5; v7 uses measurement");
    }
  } else {
    if (header_version == header.end() || !header_version->is_number()) {
      return schema_error("commonEventHeader.version must be a number on v5");
    }
    if (domain == "measurement") {
      return schema_error("domain measurement is v7; v5 uses measurementsForVfScaling");
    }
  }
  return std::nullopt;
}

std::string summary_line(const Json& event, int version, std::string_view topic, std::size_t index, std::size_t count) {
  const Json& h = event["commonEventHeader"];
  std::string line = "received v" + std::to_string(version) + " " + h["domain"].get<std::string>() +
                     " eventId=" + h["eventId"].get<std::string>() + " eventName=" + h["eventName"].get<std::string>() +
                     " sourceName=" + h["sourceName"].get<std::string>() + " seq=" + h["sequence"].dump();
  if (count > 1) line += " batch=" + std::to_string(index + 1) + "/" + std::to_string(count);
  if (!topic.empty()) line += " topic=" + std::string(topic);
  return line;
}

std::string normalize_root(std::string_view root) {
  while (!root.empty() && root.front() == '/') root.remove_prefix(1);
  while (!root.empty() && root.back() == '/') root.remove_suffix(1);
  return root.empty() ? std::string() : "/" + std::string(root);
}

Json behaviour_json(const Behaviour& b, const CollectorOptions& o) {
  Json out{{"mode", to_string(b.mode)},
           {"status", b.fail_status},
           {"delayMs", b.delay.count()},
           {"commandList", nullptr},
           {"once", b.command_list_once},
           {"redirect", b.redirect.empty() ? Json(nullptr) : Json(b.redirect)},
           {"rejectEventIds", b.reject_event_ids},
           {"maxBodyBytes", b.max_body_bytes},
           {"serverRoot", o.server_root},
           {"user", o.user},
           {"throttlingState", b.throttling_state}};
  if (!b.command_list.empty()) out["commandList"] = Json::parse(b.command_list);
  return out;
}

}  // namespace

std::string_view to_string(Mode mode) noexcept {
  switch (mode) {
    case Mode::ok:
      return "ok";
    case Mode::fail:
      return "fail";
    case Mode::hang:
      return "hang";
    case Mode::close:
      return "close";
  }
  return "ok";
}

std::optional<Mode> parse_mode(std::string_view text_value) noexcept {
  for (Mode m : {Mode::ok, Mode::fail, Mode::hang, Mode::close}) {
    if (to_string(m) == text_value) return m;
  }
  return std::nullopt;
}

/// Where an event path leads: /eventListener/v{version}[/{topic}][/eventBatch].
struct Collector::Route {
  int version = 7;
  bool batch = false;
  std::string topic;
};

Collector::Collector(boost::asio::any_io_executor executor, CollectorOptions options, std::ostream* summary)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      root_(normalize_root(options_.server_root)),
      summary_(summary) {
  if (!options_.output_path.empty()) {
    output_.open(options_.output_path, std::ios::out | std::ios::app | std::ios::binary);
    if (!output_) {
      throw std::system_error(errno, std::generic_category(), "cannot open output file " + options_.output_path);
    }
  }
}

bool Collector::authorized(const ServerRequest& request) const {
  if (options_.user.empty()) return true;
  auto value = request.header("authorization");
  auto space = value.find(' ');
  if (space == std::string::npos || lower(value.substr(0, space)) != "basic") return false;
  auto decoded = base64_decode(trim(std::string_view(value).substr(space + 1)));
  return decoded && *decoded == options_.user + ":" + options_.password;
}

boost::asio::awaitable<void> Collector::wait(std::chrono::milliseconds duration) {
  boost::asio::steady_timer timer{executor_};
  timer.expires_after(duration);
  // Throws operation_aborted when the server stops: the server then drops the request quietly.
  co_await timer.async_wait(boost::asio::use_awaitable);
}

boost::asio::awaitable<ServerResponse> Collector::handle(ServerRequest request) {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));

  // Health and control live at the top and under the server root, so either base URL finds them.
  std::string_view local = path;
  if (!root_.empty() && local.starts_with(root_) && local.size() > root_.size() && local[root_.size()] == '/') {
    local.remove_prefix(root_.size());
  }
  if (local == "/healthcheck") {
    if (request.method != "GET") co_return text(405, "Method Not Allowed\n");
    co_return text(200, "I'm good");
  }
  if (path == "/") {
    if (request.method != "GET") co_return text(405, "Method Not Allowed\n");
    co_return text(200, "Welcome to VESCollector");
  }
  if (local.starts_with("/testControl/")) co_return handle_control(request, local);

  // Event paths: exactly {root}/eventListener/v{N}[/{topic}][/eventBatch].
  const std::string prefix = root_ + std::string(kEventListener);
  if (!path.starts_with(prefix)) co_return text(404, "Not Found\n");
  std::vector<std::string_view> segments;
  for (std::string_view rest = path.substr(prefix.size());;) {
    auto slash = rest.find('/');
    segments.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (segments.empty() || segments.size() > 3 ||
      std::any_of(segments.begin(), segments.end(), [](std::string_view s) { return s.empty(); })) {
    co_return text(404, "Not Found\n");
  }
  const std::string_view version = segments[0];
  if (version.size() < 2 || version[0] != 'v' ||
      !std::all_of(version.begin() + 1, version.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    co_return text(404, "Not Found\n");
  }
  Route route;
  if (segments.size() == 3) {
    if (segments[2] != "eventBatch") co_return text(404, "Not Found\n");
    route.batch = true;
    route.topic = std::string(segments[1]);
  } else if (segments.size() == 2) {
    route.batch = segments[1] == "eventBatch";
    if (!route.batch) route.topic = std::string(segments[1]);
  }
  // The DCAE collector has no clientThrottlingState resource (VES 5 spec only); answer as it does unless told to
  // serve it.
  if (route.topic == "clientThrottlingState") {
    if (!options_.behaviour.throttling_state || version != "v5") co_return text(404, "Not Found\n");
    co_return handle_throttling_state(request);
  }

  ++stats_.requests;
  if (version != "v5" && version != "v7") {
    ++stats_.rejected;
    // The ONAP collector's own plain-text answer for a version it has no schema for.
    co_return text(400, "API version " + std::string(version) + " is not supported");
  }
  route.version = version == "v5" ? 5 : 7;
  if (request.method != "POST") {
    ++stats_.rejected;
    auto r = text(405, "Method Not Allowed\n");
    r.headers.emplace_back("Allow", "POST");
    co_return r;
  }
  co_return co_await handle_event_post(request, route);
}

boost::asio::awaitable<ServerResponse> Collector::handle_event_post(const ServerRequest& request, const Route& route) {
  // A moved collector: the ingress in front answers before the collector sees anything.
  if (!options_.behaviour.redirect.empty()) {
    ++stats_.rejected;
    logger()->info("msg=\"Redirecting an event post (redirect set).\" location={} target={}",
                   q(options_.behaviour.redirect), q(request.target));
    auto r = text(301, "Moved Permanently\n");
    r.headers.emplace_back("Location", options_.behaviour.redirect);
    co_return r;
  }
  // Same order as the ONAP collector: the auth interceptor runs before content negotiation and the controller.
  if (!authorized(request)) {
    ++stats_.rejected;
    logger()->info("msg=\"Rejected an event post without valid credentials.\" target={} remote={}", q(request.target),
                   request.remote);
    auto r = json_reply(401, onap_error("PolicyException", "POL2000", "Unauthorized user"));
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"VES collector simulator\"");
    co_return r;
  }
  if (http::media_type(request.header("content-type")) != kJson) {
    ++stats_.rejected;
    logger()->info("msg=\"Rejected an event post that is not application/json.\" content_type={} target={}",
                   q(request.header("content-type")), q(request.target));
    co_return text(415, "Unsupported Media Type\n");
  }

  const Behaviour behaviour = options_.behaviour;
  switch (behaviour.mode) {
    case Mode::ok:
      break;
    case Mode::fail: {
      ++stats_.failed;
      if (behaviour.delay.count() > 0) co_await wait(behaviour.delay);
      logger()->info("msg=\"Answering an event post with the scripted failure.\" status={} target={}",
                     behaviour.fail_status, q(request.target));
      Json body =
          onap_error("ServiceException", "SVC2000", "The following service error occurred: %1. Error code is %2");
      body["requestError"]["ServiceException"]["variables"] =
          Json::array({"Simulated failure", std::to_string(behaviour.fail_status)});
      co_return json_reply(behaviour.fail_status, body);
    }
    case Mode::hang:
      ++stats_.failed;
      logger()->info("msg=\"Holding an event post without answer (hang mode).\" target={} remote={}", q(request.target),
                     request.remote);
      for (;;) co_await wait(std::chrono::hours(24));
    case Mode::close: {
      ++stats_.failed;
      logger()->info("msg=\"Closing the connection without answer (close mode).\" target={} remote={}",
                     q(request.target), request.remote);
      ServerResponse r;
      r.drop_connection = true;
      co_return r;
    }
  }

  if (behaviour.max_body_bytes > 0 && request.body.size() > behaviour.max_body_bytes) {
    // The ONAP collector in compatibility mode None passes the message bus's 413 on.
    ++stats_.rejected;
    logger()->info("msg=\"Rejected an event post over the size limit.\" bytes={} max={} target={}",
                   request.body.size(), behaviour.max_body_bytes, q(request.target));
    Json body =
        onap_error("ServiceException", "SVC2000", "The following service error occurred: %1. Error code is %2");
    body["requestError"]["ServiceException"]["variables"] = Json::array({"Request Entity Too Large", "413"});
    co_return json_reply(413, body);
  }

  auto reject = [this, &request](const Rejection& why) {
    ++stats_.rejected;
    logger()->info("msg=\"Rejected an event post.\" messageId={} reason={} target={}", why.message_id, q(why.reason),
                   q(request.target));
    return json_reply(400, onap_error("ServiceException", why.message_id, why.text));
  };

  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) co_return reject(incorrect_payload("body is not valid JSON"));
  if (!body.is_object()) co_return reject(incorrect_payload("body is not a JSON object"));

  std::vector<const Json*> events;
  if (route.batch) {
    auto list = body.find("eventList");
    if (list == body.end() || !list->is_array()) co_return reject(incorrect_payload("eventList missing"));
    for (const auto& item : *list) events.push_back(&item);
  } else {
    auto event = body.find("event");
    if (event == body.end() || !event->is_object()) co_return reject(incorrect_payload("event wrapper missing"));
    events.push_back(&*event);
  }
  for (const Json* event : events) {
    if (event->is_object() && event->contains("event") && !event->contains("commonEventHeader")) {
      co_return reject(incorrect_payload("batch items must not have the event wrapper"));
    }
    if (auto why = check_event(*event, route.version)) co_return reject(*why);
    const auto id = (*event)["commonEventHeader"]["eventId"].get<std::string>();
    if (std::find(behaviour.reject_event_ids.begin(), behaviour.reject_event_ids.end(), id) !=
        behaviour.reject_event_ids.end()) {
      co_return reject(schema_error("eventId " + id + " is on the reject list"));
    }
  }
  if (route.batch) {
    // An empty list also fails here: the collector requires exactly one distinct domain.
    std::vector<std::string> domains;
    for (const Json* event : events) {
      auto domain = (*event)["commonEventHeader"]["domain"].get<std::string>();
      if (std::find(domains.begin(), domains.end(), domain) == domains.end()) domains.push_back(domain);
    }
    if (domains.size() != 1) {
      co_return reject({"SVC0001", "Different value of domain fields in Batch Event",
                        events.empty() ? "empty eventList" : "eventList mixes domains"});
    }
  }
  if (!route.topic.empty()) {
    logger()->info(
        "msg=\"Accepting an event post with a topic segment, which the ONAP collector answers 404.\" topic={}",
        q(route.topic));
  }

  if (behaviour.delay.count() > 0) co_await wait(behaviour.delay);

  // Recorded when the answer is ready: an event is in the output exactly when the simulator said 202.
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Json& event = *events[i];
    if (output_.is_open()) {
      output_ << event.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    }
    if (summary_ != nullptr) {
      *summary_ << summary_line(event, route.version, route.topic, i, events.size()) << std::endl;
    }
    ++stats_.events;
    ++stats_.by_domain[event["commonEventHeader"]["domain"].get<std::string>()];
  }
  if (output_.is_open()) output_.flush();

  auto& current = options_.behaviour;
  if (current.command_list.empty()) co_return text(202, "Accepted");
  ServerResponse r;
  r.status = 202;
  r.content_type = std::string(kJson);
  r.body = current.command_list;
  if (current.command_list_once) {
    current.command_list.clear();
    current.command_list_once = false;
  }
  co_return r;
}

/// VES 5.4.1 provideThrottlingState: body {"eventThrottlingState":{"eventThrottlingMode":"normal"|"throttled",...}},
/// answer 204 No Content.
ServerResponse Collector::handle_throttling_state(const ServerRequest& request) {
  if (request.method != "POST") {
    auto r = text(405, "Method Not Allowed\n");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  if (!authorized(request)) return text(401, "Unauthorized\n");
  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  const Json* state = nullptr;
  if (!body.is_discarded() && body.is_object()) {
    auto it = body.find("eventThrottlingState");
    if (it != body.end() && it->is_object()) state = &*it;
  }
  const Json* mode = nullptr;
  if (state != nullptr) {
    auto it = state->find("eventThrottlingMode");
    if (it != state->end() && it->is_string() && (*it == "normal" || *it == "throttled")) mode = &*it;
  }
  if (mode == nullptr) {
    logger()->warn("msg=\"Rejected throttling state.\" reason=\"no eventThrottlingState.eventThrottlingMode\"");
    return text(400,
                "Body must be {\"eventThrottlingState\":{\"eventThrottlingMode\":\"normal\"|\"throttled\",...}}\n");
  }
  ++stats_.throttling_reports;
  stats_.last_throttling_state = body.dump();
  logger()->info("msg=\"Received throttling state.\" state={}", q(stats_.last_throttling_state));
  return text(204, "");
}

ServerResponse Collector::handle_control(const ServerRequest& request, std::string_view path) {
  if (path == "/testControl/stats") {
    if (request.method != "GET") return text(405, "Method Not Allowed\n");
    Json by_domain = Json::object();
    for (const auto& [domain, count] : stats_.by_domain) by_domain[domain] = count;
    return json_reply(200, Json{{"events", stats_.events},
                                {"requests", stats_.requests},
                                {"byDomain", by_domain},
                                {"rejected", stats_.rejected},
                                {"failed", stats_.failed},
                                {"throttlingReports", stats_.throttling_reports},
                                {"lastThrottlingState", stats_.last_throttling_state.empty()
                                                            ? Json(nullptr)
                                                            : Json::parse(stats_.last_throttling_state)}});
  }
  if (path != "/testControl/mode") return text(404, "Not Found\n");
  if (request.method == "GET") return json_reply(200, behaviour_json(options_.behaviour, options_));
  if (request.method != "POST") return text(405, "Method Not Allowed\n");

  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return text(400, "Body must be a JSON object\n");
  // Only the keys present change; the others keep their value.
  Behaviour next = options_.behaviour;
  if (auto it = body.find("mode"); it != body.end()) {
    auto mode = it->is_string() ? parse_mode(it->get<std::string>()) : std::nullopt;
    if (!mode) return text(400, "mode must be one of ok, fail, hang, close\n");
    next.mode = *mode;
  }
  if (auto it = body.find("status"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int>() < 100 || it->get<int>() > 599) {
      return text(400, "status must be an integer from 100 to 599\n");
    }
    next.fail_status = it->get<int>();
  }
  if (auto it = body.find("delayMs"); it != body.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0) {
      return text(400, "delayMs must be a non-negative integer\n");
    }
    next.delay = std::chrono::milliseconds(it->get<std::int64_t>());
  }
  if (auto it = body.find("commandList"); it != body.end()) {
    if (it->is_null()) {
      next.command_list.clear();
    } else if (it->is_object()) {
      next.command_list = it->dump();
    } else if (it->is_array()) {
      // The bare list is accepted too: it becomes the reply body {"commandList":[...]}.
      next.command_list = Json{{"commandList", *it}}.dump();
    } else {
      return text(400, "commandList must be an object, an array or null\n");
    }
  }
  if (auto it = body.find("throttlingState"); it != body.end()) {
    if (!it->is_boolean()) return text(400, "throttlingState must be a boolean\n");
    next.throttling_state = it->get<bool>();
  }
  if (auto it = body.find("once"); it != body.end()) {
    if (!it->is_boolean()) return text(400, "once must be a boolean\n");
    next.command_list_once = it->get<bool>();
  }
  if (auto it = body.find("redirect"); it != body.end()) {
    if (!it->is_null() && !it->is_string()) return text(400, "redirect must be a URL string or null\n");
    next.redirect = it->is_null() ? std::string() : it->get<std::string>();
  }
  if (auto it = body.find("rejectEventIds"); it != body.end()) {
    if (!it->is_array() || !std::all_of(it->begin(), it->end(), [](const Json& v) { return v.is_string(); })) {
      return text(400, "rejectEventIds must be an array of strings\n");
    }
    next.reject_event_ids = it->get<std::vector<std::string>>();
  }
  if (auto it = body.find("maxBodyBytes"); it != body.end()) {
    if (!it->is_number_unsigned()) return text(400, "maxBodyBytes must be a non-negative integer\n");
    next.max_body_bytes = it->get<std::size_t>();
  }
  // Credentials and the server root live in the startup options; they change here too (a fixed password, a
  // moved path).
  CollectorOptions next_options = options_;
  if (auto it = body.find("user"); it != body.end()) {
    if (!it->is_string()) return text(400, "user must be a string\n");
    next_options.user = it->get<std::string>();
  }
  if (auto it = body.find("password"); it != body.end()) {
    if (!it->is_string()) return text(400, "password must be a string\n");
    next_options.password = it->get<std::string>();
  }
  if (auto it = body.find("serverRoot"); it != body.end()) {
    if (!it->is_string()) return text(400, "serverRoot must be a string\n");
    next_options.server_root = it->get<std::string>();
  }
  options_.user = std::move(next_options.user);
  options_.password = std::move(next_options.password);
  options_.server_root = std::move(next_options.server_root);
  root_ = normalize_root(options_.server_root);
  options_.behaviour = std::move(next);
  logger()->info("msg=\"Changed behaviour.\" behaviour={}", q(behaviour_json(options_.behaviour, options_).dump()));
  return json_reply(200, behaviour_json(options_.behaviour, options_));
}

}  // namespace vesagent::simulator
