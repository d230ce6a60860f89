#include "vesagent/publish/classify.hpp"

#include <algorithm>
#include <cctype>

namespace vesagent::publish {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The collector's error body, cut for a log line.
std::string excerpt(std::string_view body) {
  std::string s(body.substr(0, 200));
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

/// The ONAP collector's per-request exception ({"requestError":{"ServiceException"|"PolicyException":{...}}}; the
/// spec writes the keys lowerCamel, the collector UpperCamel): the messageId and text, or empty when the body is
/// not one. Read as text, without a JSON parser: the body is untrusted and only these two strings are needed.
std::string exception_of(std::string_view body) {
  const std::string low = lower(body);
  if (low.find("requesterror") == std::string::npos) return {};
  if (low.find("serviceexception") == std::string::npos && low.find("policyexception") == std::string::npos) {
    return {};
  }
  auto string_after = [&](std::string_view key) -> std::string {
    auto k = low.find(key);
    if (k == std::string::npos) return {};
    auto colon = body.find(':', k + key.size());
    if (colon == std::string_view::npos) return {};
    auto open = body.find('"', colon);
    if (open == std::string_view::npos) return {};
    auto close = body.find('"', open + 1);
    if (close == std::string_view::npos) return {};
    return std::string(body.substr(open + 1, close - open - 1));
  };
  std::string id = string_after("\"messageid\"");
  std::string text = string_after("\"text\"");
  if (id.empty() && text.empty()) return "exception";
  return id.empty() ? text : text.empty() ? id : id + " " + text;
}

}  // namespace

std::string_view to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::delivered: return "delivered";
    case Outcome::retry: return "retry";
    case Outcome::endpoint_error: return "endpoint_error";
    case Outcome::event_rejected: return "event_rejected";
    case Outcome::batch_too_large: return "batch_too_large";
  }
  return "retry";
}

Verdict classify(const Answer& a, const Origin& o) {
  const std::string from = std::to_string(a.status) + " from " + std::string(o.key);
  const std::string key(o.key);
  const std::string url = o.url.empty() ? std::string() : " (URL " + std::string(o.url) + ")";
  if (a.error == http::TransportError::tls) {
    return {Outcome::endpoint_error,
            "TLS handshake with " + key + " failed (" + std::string(a.error_text) + "): check " + key +
                ".secure, " + key + ".caCert, " + key + ".clientCert/clientKey and the collector's certificate" +
                url};
  }
  if (a.error != http::TransportError::none || a.status == 0) {
    return {Outcome::retry, std::string(o.key) + " did not answer: " +
                                (a.error_text.empty() ? std::string("no HTTP answer") : std::string(a.error_text))};
  }
  const int s = a.status;
  if (s >= 200 && s < 300) return {Outcome::delivered, {}};
  // Busy or failing collector: the same bytes may pass later, here or on the other collector.
  if (s == 408 || s == 429 || s >= 500 || s < 200) {
    return {Outcome::retry, "HTTP " + from + (a.body.empty() ? "" : ": " + excerpt(a.body))};
  }
  if (s >= 300 && s < 400) {
    std::string where = a.location.empty() ? std::string() : " to " + std::string(a.location);
    return {Outcome::endpoint_error,
            from + ": the collector redirects" + where + "; redirects are not followed: set " + key + ".fqdn/port/"
                "secure/serverRoot to the address it names" + url};
  }
  switch (s) {
    case 400: {
      // The ONAP collector's plain-text 400s are about the request, whatever event it carries.
      const std::string low = lower(a.body);
      if (low.find("operation not permitted") != std::string::npos) {
        return {Outcome::endpoint_error, from + " \"Operation not permitted\": this port takes no events (an "
                                                "HTTPS collector keeps its HTTP port for /healthcheck only): check " +
                                             key + ".secure/port" + url};
      }
      if (low.find("api version") != std::string::npos && low.find("not supported") != std::string::npos) {
        return {Outcome::endpoint_error,
                from + " \"" + excerpt(a.body) + "\": check ves.version against the collector's versions" + url};
      }
      if (low.find("invalid_custom_header") != std::string::npos) {
        return {Outcome::endpoint_error, from + " INVALID_CUSTOM_HEADER: a proxy or the collector refuses the "
                                                "request headers" + url};
      }
      const std::string exception = exception_of(a.body);
      return {Outcome::event_rejected,
              from + ": " + (exception.empty() ? (a.body.empty() ? "bad request" : excerpt(a.body)) : exception)};
    }
    case 401:
      return {Outcome::endpoint_error, from + ": check " + key + ".user/password" + url};
    case 403:
      return {Outcome::endpoint_error,
              from + ": the collector refuses this client: check " + key + ".user/password and " + key +
                  ".clientCert/clientKey" + url};
    case 404:
      return {Outcome::endpoint_error, from + ": check " + key + ".serverRoot/topic and ves.version" + url};
    case 405:
      return {Outcome::endpoint_error,
              from + ": the URL is not an event listener: check " + key + ".serverRoot/topic/port" + url};
    case 407:
      return {Outcome::endpoint_error,
              from + ": the proxy wants credentials: check the user:password in HTTPS_PROXY/HTTP_PROXY" + url};
    case 413:
      if (a.events > 1) return {Outcome::batch_too_large, from + ": batch of " + std::to_string(a.events) +
                                                              " events too large; posting fewer at a time"};
      return {Outcome::event_rejected, from + ": event larger than the collector takes" +
                                           (a.body.empty() ? std::string() : ": " + exception_of(a.body))};
    case 415:
      return {Outcome::endpoint_error,
              from + ": the URL does not take application/json: check " + key + ".serverRoot/topic/port" + url};
    case 422:
      return {Outcome::event_rejected, from + ": " + (a.body.empty() ? "unprocessable event" : excerpt(a.body))};
    default:
      // Any other 4xx says nothing against one event: keep the events and treat the endpoint as unusable.
      return {Outcome::endpoint_error,
              from + ": unexpected answer" + (a.body.empty() ? std::string() : " \"" + excerpt(a.body) + "\"") +
                  "; check " + key + " and any proxy in between" + url};
  }
}

}  // namespace vesagent::publish
