#pragma once
/// One VES collector: builds its URLs, posts single events or same-domain batches, and classifies the answer.
/// It moves bytes only; it never reads event fields.
#include <boost/asio/awaitable.hpp>
#include <deque>
#include <string>
#include <vector>

#include "vesagent/config/config.hpp"
#include "vesagent/http/client.hpp"
#include "vesagent/outbox/outbox.hpp"
#include "vesagent/publish/classify.hpp"
#include "vesagent/ves/command_list.hpp"
#include "vesagent/ves/encode.hpp"

namespace vesagent::publish {

/// The result of one post.
struct Delivery {
  Outcome outcome = Outcome::retry;
  int status = 0;
  std::string error;                  ///< transport error text, or an excerpt of the collector's error body
  std::string reason;                 ///< classify()'s reason: cause and likely fix, for logs and dead letters
  std::vector<ves::Command> commands; ///< commandList from a 2xx body
};

/// What one post carries: the body, built once from the outbox's entries.
struct Batch {
  std::string body;        ///< {"event":...} for one event, {"eventList":[...]} for several
  std::size_t events = 0;
};

/// Wraps the first `n` entries (one domain; 1 <= n <= entries.size()). Each event's JSON is copied once, straight
/// into the body: the publisher builds it before the post suspends, so it needs no copy of the entries.
Batch make_batch(const std::deque<outbox::Entry>& entries, std::size_t n);

/// `http(s)://fqdn:port[/serverRoot]/eventListener/v<N>[/topic]` (VESPA's layout).
std::string event_url(const config::CollectorConfig& c, ves::Version version);
/// The same plus `/eventBatch`.
std::string batch_url(const config::CollectorConfig& c, ves::Version version);
/// VES 5 provideThrottlingState: `.../eventListener/v<N>/clientThrottlingState` (no topic: the operation has none).
std::string throttling_state_url(const config::CollectorConfig& c, ves::Version version);

class CollectorEndpoint {
 public:
  CollectorEndpoint(std::string name, http::Client& client, const config::CollectorConfig& config,
                    ves::Version version);

  const std::string& name() const { return name_; }
  /// The configuration section this endpoint comes from ("primaryCollector"), named in reasons and logs.
  std::string config_key() const { return name_ + "Collector"; }
  const std::string& url() const { return event_url_; }

  /// Posts one event (to the event URL) or several of one domain (to /eventBatch).
  boost::asio::awaitable<Delivery> post(Batch batch);

  /// VES 5 provideThrottlingState: posts {"eventThrottlingState":{...}} to clientThrottlingState. The spec answers
  /// 204; the ONAP collector does not implement it (404).
  boost::asio::awaitable<Delivery> post_throttling_state(std::string body);

  /// Fail-back check: posts an empty batch, {"eventList":[]}, to the batch URL. It carries no event, so probing
  /// never duplicates one, yet it goes through everything a real post goes through (TLS, redirects, credentials,
  /// path, media type): a working ONAP collector answers 400 SVC0001 (it wants one domain per batch), a lenient
  /// one 2xx. Healthy = delivered or event_rejected; an endpoint error (401, 404, 3xx...) or no answer is not.
  /// A GET is no use here: the ONAP collector answers a GET on the event URL with 405 before it checks the
  /// credentials, so a primary with a wrong password would look healthy.
  boost::asio::awaitable<Delivery> probe();

 private:
  http::Request base_request() const;

  std::string name_;
  http::Client& client_;
  config::CollectorConfig config_;
  std::string event_url_;
  std::string batch_url_;
  std::string throttling_state_url_;
};

}  // namespace vesagent::publish
