#pragma once
/// One VES collector: builds its URLs, posts single events or same-domain batches, and classifies the answer.
/// It moves bytes only; it never reads event fields.
#include <boost/asio/awaitable.hpp>
#include <span>
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
  std::vector<ves::Command> commands; ///< commandList from a 2xx body
};

/// `http(s)://fqdn:port[/serverRoot]/eventListener/v<N>[/topic]` (VESPA's layout).
std::string event_url(const config::CollectorConfig& c, ves::Version version);
/// The same plus `/eventBatch`.
std::string batch_url(const config::CollectorConfig& c, ves::Version version);

class CollectorEndpoint {
 public:
  CollectorEndpoint(std::string name, http::Client& client, const config::CollectorConfig& config,
                    ves::Version version);

  const std::string& name() const { return name_; }
  const std::string& url() const { return event_url_; }

  /// Posts one entry as {"event":...} or several (one domain) as {"eventList":[...]} to /eventBatch.
  boost::asio::awaitable<Delivery> post(std::span<const outbox::Entry> entries);

  /// Cheap liveness check used for fail-back: a GET on the event URL. Any answer below 500 (the ONAP collector
  /// gives 405) proves the listener is up; it posts no event, so probing never duplicates one.
  boost::asio::awaitable<bool> probe();

 private:
  http::Request base_request() const;

  std::string name_;
  http::Client& client_;
  config::CollectorConfig config_;
  std::string event_url_;
  std::string batch_url_;
};

}  // namespace vesagent::publish
