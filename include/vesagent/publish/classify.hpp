#pragma once
/// What a collector's answer means for the events that were posted, and for the collector itself.
///
/// The rule: only an answer that condemns the content of the post takes events out of the outbox. An answer that
/// condemns the endpoint or the agent's configuration of it (a redirect, wrong credentials, wrong path, TLS) keeps
/// every event queued: the events are fine, they just need a working collector.
#include <cstddef>
#include <string>
#include <string_view>

#include "vesagent/http/client.hpp"

namespace vesagent::publish {

enum class Outcome {
  delivered,        ///< any 2xx: the collector has them
  retry,            ///< 5xx, 408, 429, or no answer (refused, reset, timeout): the collector is busy or away
  endpoint_error,   ///< 3xx, 401, 403, 404, 405, 407, 415, other 4xx, a 400 about the request (not the event),
                    ///< or a failed TLS handshake: the endpoint or its configuration is wrong; keep the events
  event_rejected,   ///< 400 with the collector's exception (SVC/POL) or a bare 400, 413 or 422 for one event:
                    ///< the content is refused (for a batch: one of its events is; split it to find which)
  batch_too_large,  ///< 413 for a batch of several events: post fewer at a time
};

std::string_view to_string(Outcome o) noexcept;

/// One answer, as much of it as classify() reads.
struct Answer {
  int status = 0;                                          ///< 0 = no HTTP answer
  http::TransportError error = http::TransportError::none;
  std::string_view error_text;                             ///< transport error text
  std::string_view body;                                   ///< the collector's body (errors only)
  std::string_view location;                               ///< Location header of a 3xx
  std::size_t events = 1;                                  ///< events in the post (0 = a probe)
};

/// Where the answer came from, for the reason text: `key` is the configuration section ("primaryCollector").
struct Origin {
  std::string_view key;
  std::string_view url;
};

struct Verdict {
  Outcome outcome = Outcome::retry;
  /// For logs and dead-letter records: what happened and, for endpoint errors, the likely fix, e.g.
  /// "401 from primaryCollector: check primaryCollector.user/password".
  std::string reason;
};

Verdict classify(const Answer& answer, const Origin& origin);

/// Shorthand for a status without body or transport error (tests, tables).
inline Outcome classify_status(int status, std::size_t events = 1) {
  return classify(Answer{status, http::TransportError::none, {}, {}, {}, events}, Origin{"collector", ""}).outcome;
}

}  // namespace vesagent::publish
