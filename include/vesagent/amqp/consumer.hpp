#pragma once
/// amqp::Consumer: consumes one queue of a RabbitMQ broker (librabbitmq) and hands each message to the Asio loop,
/// with manual acknowledgements (at-least-once).
///
/// Threading: librabbitmq's API is blocking, so one consumer thread per Consumer owns the connection and does all
/// of its I/O (connect, login, declare, consume, heartbeats, acks). The thread never runs agent code: it posts each
/// message to the executor given to the constructor, and the handler runs there, on the loop. The handler gets an
/// `Ack`; calling `Ack::ack()` (on any thread) queues the acknowledgement and wakes the consumer thread, which sends
/// it. A message whose Ack is never called stays unacknowledged and the broker redelivers it when the connection
/// closes (reconnect, stop, crash). `status()` may be called from any thread.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vesagent::amqp {

struct TlsOptions {
  std::string ca_cert;      ///< PEM CA bundle; empty = the system's default verify paths
  std::string client_cert;  ///< PEM client certificate (with client_key), for brokers that require one
  std::string client_key;
  bool verify = true;       ///< verify the broker's certificate and host name
};

struct ConsumerOptions {
  std::string name;               ///< label in log lines (the cloud's name)
  std::vector<std::string> urls;  ///< tried in turn: amqp://, amqps://, rabbit:// (see broker_url.hpp)
  std::string username;           ///< non-empty: replaces the URL's user name
  std::string password;           ///< non-empty: replaces the URL's password
  std::string password_file;      ///< non-empty: its content (trailing newline dropped) replaces the password
  std::string vhost;              ///< non-empty: replaces the URL's virtual host
  TlsOptions tls;                 ///< used for amqps:// (and rabbit://...?ssl=1) brokers
  std::string exchange = "nova";  ///< oslo.messaging's control_exchange
  std::string topic = "versioned_notifications";
  /// Routing keys bound: <topic>.<priority>. oslo.messaging publishes with the lower-cased priority.
  std::vector<std::string> priorities = {"info", "warn", "error", "critical"};
  /// Durable named queue (survives agent and broker restarts) when non-empty; empty = an exclusive, auto-deleted,
  /// server-named queue that only exists while connected.
  std::string queue;
  std::uint16_t prefetch = 256;  ///< basic.qos: unacknowledged messages the broker sends ahead
  std::chrono::seconds heartbeat{30};                  ///< 0 = no heartbeats
  std::chrono::milliseconds connect_timeout{10000};    ///< TCP + TLS + login + declarations, per broker
  std::chrono::milliseconds reconnect_initial{500};    ///< wait after every broker failed once, doubled per round
  std::chrono::milliseconds reconnect_max{30000};
};

/// One message as delivered.
struct Message {
  std::string body;
  std::string exchange;
  std::string routing_key;
  std::string content_type;
  bool redelivered = false;  ///< the broker delivered it before and it was not acknowledged
  std::uint64_t delivery_tag = 0;
};

struct ConnectionStatus {
  bool connected = false;        ///< consuming
  std::string broker;            ///< the broker connected to, or last tried (redacted URL)
  std::string last_error;        ///< the last connection or protocol error; empty when none yet
  std::int64_t since_us = 0;     ///< system clock when `connected` last changed
  std::uint64_t connects = 0;    ///< successful connections (a value > 1 means reconnections)
  std::uint64_t failures = 0;    ///< failed connection attempts and lost connections
  std::uint64_t delivered = 0;   ///< messages handed to the handler
  std::uint64_t acked = 0;       ///< acknowledgements sent
  std::uint64_t unreadable = 0;  ///< messages given up as unreadable (Ack::ack_unreadable)
  std::uint64_t stale_acks = 0;  ///< acknowledgements dropped because their connection was gone (redelivered)
};

class Consumer;

/// The acknowledgement of one message: move-only, call ack() once when the message's effects are durable.
/// Dropping it without ack() leaves the message to be redelivered after the connection closes.
class Ack {
 public:
  Ack() = default;
  Ack(Ack&&) noexcept = default;
  Ack& operator=(Ack&&) noexcept = default;
  Ack(const Ack&) = delete;
  Ack& operator=(const Ack&) = delete;

  /// Acknowledges the message (thread-safe). A second call does nothing.
  void ack();
  /// For a message that can never be used (not parsable, not what the handler expects): logs one warning naming
  /// the consumer, the routing key and `why`, counts it (ConnectionStatus::unreadable) and acknowledges it, so
  /// the broker does not redeliver it forever. Call on the loop.
  void ack_unreadable(std::string_view why);
  bool done() const { return shared_ == nullptr; }

  struct Shared;

 private:
  friend class Consumer;
  Ack(std::shared_ptr<Shared> shared, std::uint64_t connection, std::uint64_t tag, std::string routing_key)
      : shared_(std::move(shared)), connection_(connection), tag_(tag), routing_key_(std::move(routing_key)) {}
  std::shared_ptr<Shared> shared_;
  std::uint64_t connection_ = 0;
  std::uint64_t tag_ = 0;
  std::string routing_key_;
};

using MessageHandler = std::function<void(Message, Ack)>;
using StatusHandler = std::function<void(const ConnectionStatus&)>;

class Consumer {
 public:
  /// `handler` and `on_status` run on `executor`. Options are checked by check_options() in start().
  Consumer(boost::asio::any_io_executor executor, ConsumerOptions options, MessageHandler handler,
           StatusHandler on_status = {});
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  /// Starts the consumer thread. Throws std::invalid_argument when the options are unusable (see check_options).
  void start();
  /// Stops the thread and closes the connection (joins; call it on the loop's thread). Unacknowledged messages go
  /// back to the queue. Messages already posted to the loop no longer reach the handler.
  void stop();
  ConnectionStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Every problem with `options` (no URL, an unparsable URL, a missing TLS file, an unreadable password file),
/// each a sentence naming the key and the fix; empty = usable.
std::vector<std::string> check_options(const ConsumerOptions& options);

}  // namespace vesagent::amqp
