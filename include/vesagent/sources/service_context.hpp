#pragma once
/// What a source service (core::Service) may use, handed to its factory by app/services.cpp. App owns all of it
/// and it outlives every service.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <string_view>

namespace vesagent::config {
struct Config;
}
namespace vesagent::core {
class Correlator;
}
namespace vesagent::http {
class Client;
}
namespace vesagent::cluster {
class KvStore;
}

namespace vesagent::sources {

struct ServiceContext {
  boost::asio::any_io_executor executor;
  const config::Config* config = nullptr;  ///< the running configuration (replaced on reload before reload())
  http::Client* client = nullptr;          ///< shared HTTP client (keep-alive pool) on the executor
  core::Correlator* correlator = nullptr;  ///< the correlation stage: fault observations, events, commits
  /// Clustered: state a new leader continues from (fenced writes); nullptr when standalone.
  cluster::KvStore* cluster_kv = nullptr;
  /// --once: a poller runs one cycle, submits its events, calls once_done(name()) and then produces nothing more
  /// (the app drains and exits when every service has reported).
  bool once = false;
  std::function<void(std::string_view service)> once_done;
};

}  // namespace vesagent::sources
