#include "vesagent/amqp/consumer.hpp"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "vesagent/amqp/broker_url.hpp"
#include "vesagent/telemetry/logging.hpp"

namespace vesagent::amqp {

namespace asio = boost::asio;

namespace {

constexpr amqp_channel_t kChannel = 1;
constexpr int kFrameMax = 131072;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

amqp_bytes_t bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};  // librabbitmq takes non-const but does not write
}

std::string text(amqp_bytes_t b) { return b.len == 0 ? std::string{} : std::string(static_cast<const char*>(b.bytes), b.len); }

timeval to_timeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

/// A sentence for a failed RPC; empty when it succeeded.
std::string describe(const amqp_rpc_reply_t& r) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return {};
    case AMQP_RESPONSE_NONE:
      return "no reply from the broker";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_connection_close_t*>(r.reply.decoded);
        return "the broker closed the connection: " + std::to_string(m->reply_code) + " " + text(m->reply_text);
      }
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_channel_close_t*>(r.reply.decoded);
        return "the broker closed the channel: " + std::to_string(m->reply_code) + " " + text(m->reply_text);
      }
      return "unexpected method from the broker";
  }
  return "unknown reply";
}

/// The reply code of a channel.close answer, 0 for anything else.
int channel_close_code(const amqp_rpc_reply_t& r) {
  if (r.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION || r.reply.id != AMQP_CHANNEL_CLOSE_METHOD) return 0;
  return static_cast<const amqp_channel_close_t*>(r.reply.decoded)->reply_code;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return true;
}

bool readable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return static_cast<bool>(in);
}

/// One librabbitmq connection, closed politely when it is still healthy.
struct Connection {
  amqp_connection_state_t state = nullptr;
  bool healthy = false;
  ~Connection() {
    if (state == nullptr) return;
    if (healthy) amqp_connection_close(state, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state);
  }
};

}  // namespace

struct Ack::Shared {
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> acks;  ///< (connection number, delivery tag)
  int wake_fd = -1;
  std::string name;                         ///< the consumer's, for log lines
  std::atomic<std::uint64_t> unreadable{0};

  Shared() : wake_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (wake_fd < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  }
  ~Shared() { ::close(wake_fd); }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  void wake() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);  // EAGAIN: the counter is already non-zero
  }
  void drain_wake() const {
    std::uint64_t value = 0;
    [[maybe_unused]] auto n = ::read(wake_fd, &value, sizeof value);
  }
};

void Ack::ack_unreadable(std::string_view why) {
  if (shared_ == nullptr) return;
  const auto count = ++shared_->unreadable;
  telemetry::logger("amqp")->warn(
      "msg=\"Unreadable message acknowledged and dropped\" name={} routing_key={} error={} unreadable_total={}",
      telemetry::logfmt_value(shared_->name), telemetry::logfmt_value(routing_key_), telemetry::logfmt_value(why),
      count);
  ack();
}

void Ack::ack() {
  if (shared_ == nullptr) return;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->acks.emplace_back(connection_, tag_);
  }
  shared_->wake();
  shared_.reset();
}

std::vector<std::string> check_options(const ConsumerOptions& o) {
  std::vector<std::string> errors;
  if (o.urls.empty()) errors.push_back("notifications.urls is empty: give at least one amqp://host:5672/ URL");
  for (const auto& url : o.urls) {
    std::string why;
    if (!parse_broker_url(url, &why)) errors.push_back("notifications.urls: " + why);
  }
  if (!o.password_file.empty() && !readable(o.password_file)) {
    errors.push_back("notifications.passwordFile " + o.password_file + " cannot be read: check the path and its permissions");
  }
  for (const auto& [key, path] : {std::pair{"caCert", &o.tls.ca_cert}, std::pair{"clientCert", &o.tls.client_cert},
                                  std::pair{"clientKey", &o.tls.client_key}}) {
    if (!path->empty() && !readable(*path)) {
      errors.push_back(std::string("notifications.tls.") + key + " " + *path +
                       " cannot be read: check the path and its permissions");
    }
  }
  if (o.tls.client_cert.empty() != o.tls.client_key.empty()) {
    errors.push_back("notifications.tls: clientCert and clientKey go together: give both or neither");
  }
  if (o.exchange.empty()) errors.push_back("notifications.exchange is empty: Nova's is \"nova\"");
  if (o.topic.empty()) errors.push_back("notifications.topic is empty: Nova's is \"versioned_notifications\"");
  if (o.priorities.empty()) errors.push_back("notifications.priorities is empty: bind at least info and error");
  if (o.prefetch == 0) errors.push_back("notifications.prefetch must be at least 1");
  return errors;
}

struct Consumer::Impl {
  /// What posted closures reach on the loop; stop() switches it off so that no handler runs afterwards.
  struct Callbacks {
    MessageHandler handler;
    StatusHandler on_status;
    bool active = true;  ///< read and written on the loop only
  };

  asio::any_io_executor executor;
  ConsumerOptions options;
  std::shared_ptr<Callbacks> callbacks;
  std::shared_ptr<Ack::Shared> shared = std::make_shared<Ack::Shared>();
  std::vector<BrokerUrl> brokers;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::uint64_t connection_number = 0;  ///< consumer thread only
  mutable std::mutex status_mutex;
  ConnectionStatus status;

  // ---- called on the consumer thread ----

  /// Log lines are written on the loop, like every other line of the agent (logger reconfiguration on reload
  /// happens there too).
  void log(spdlog::level::level_enum level, std::string line) {
    asio::post(executor, [level, line = std::move(line)] { telemetry::logger("amqp")->log(level, line); });
  }

  void publish_status() {
    ConnectionStatus copy;
    {
      std::lock_guard lock(status_mutex);
      copy = status;
    }
    asio::post(executor, [cb = callbacks, copy] {
      if (cb->active && cb->on_status) cb->on_status(copy);
    });
  }

  void set_connected(const BrokerUrl& b) {
    {
      std::lock_guard lock(status_mutex);
      status.connected = true;
      status.broker = b.redacted();
      status.since_us = now_us();
      ++status.connects;
    }
    log(spdlog::level::info,
        fmt::format("msg=\"Consuming notifications\" name={} broker={} exchange={} topic={} queue={}",
                    telemetry::logfmt_value(options.name), b.redacted(), telemetry::logfmt_value(options.exchange),
                    telemetry::logfmt_value(options.topic),
                    telemetry::logfmt_value(options.queue.empty() ? "<exclusive>" : options.queue)));
    publish_status();
  }

  void set_failed(const BrokerUrl& b, const std::string& error, bool was_connected) {
    {
      std::lock_guard lock(status_mutex);
      if (status.connected) status.since_us = now_us();
      status.connected = false;
      status.broker = b.redacted();
      status.last_error = error;
      ++status.failures;
    }
    log(was_connected ? spdlog::level::warn : spdlog::level::err,
        fmt::format("msg=\"{}\" name={} broker={} error={}",
                    was_connected ? "Connection to the message broker lost" : "Cannot connect to the message broker",
                    telemetry::logfmt_value(options.name), b.redacted(), telemetry::logfmt_value(error)));
    publish_status();
  }

  /// Sleeps up to `d`; returns early when stop() was called.
  void sleep_for(std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stopping) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      pollfd p{shared->wake_fd, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
      shared->drain_wake();
    }
  }

  bool connect(Connection& c, const BrokerUrl& b, std::string& error, std::string& queue_name) {
    c.state = amqp_new_connection();
    if (c.state == nullptr) {
      error = "out of memory";
      return false;
    }
    amqp_socket_t* sock = b.tls ? amqp_ssl_socket_new(c.state) : amqp_tcp_socket_new(c.state);
    if (sock == nullptr) {
      error = "cannot create a socket";
      return false;
    }
    if (b.tls) {
      if (!options.tls.ca_cert.empty()) {
        if (amqp_ssl_socket_set_cacert(sock, options.tls.ca_cert.c_str()) != AMQP_STATUS_OK) {
          error = "cannot load tls.caCert " + options.tls.ca_cert + ": expected a PEM file";
          return false;
        }
      } else {
        SSL_CTX_set_default_verify_paths(static_cast<SSL_CTX*>(amqp_ssl_socket_get_context(sock)));
      }
      if (!options.tls.client_cert.empty() &&
          amqp_ssl_socket_set_key(sock, options.tls.client_cert.c_str(), options.tls.client_key.c_str()) !=
              AMQP_STATUS_OK) {
        error = "cannot load tls.clientCert/clientKey: expected a PEM certificate and its key";
        return false;
      }
      amqp_ssl_socket_set_verify_peer(sock, options.tls.verify ? 1 : 0);
      amqp_ssl_socket_set_verify_hostname(sock, options.tls.verify ? 1 : 0);
    }
    timeval tv = to_timeval(options.connect_timeout);
    if (int rc = amqp_socket_open_noblock(sock, b.host.c_str(), b.port, &tv); rc != AMQP_STATUS_OK) {
      error = std::string(b.tls ? "TCP or TLS connection failed: " : "TCP connection failed: ") + amqp_error_string2(rc);
      return false;
    }
    amqp_set_handshake_timeout(c.state, &tv);
    amqp_set_rpc_timeout(c.state, &tv);

    std::string user = options.username.empty() ? b.username : options.username;
    if (user.empty()) user = "guest";
    std::string password = options.password.empty() ? b.password : options.password;
    if (!options.password_file.empty() && !read_file(options.password_file, password)) {
      error = "cannot read passwordFile " + options.password_file;
      return false;
    }
    if (password.empty() && user == "guest") password = "guest";
    const std::string vhost = options.vhost.empty() ? b.vhost : options.vhost;
    const int heartbeat = static_cast<int>(options.heartbeat.count());
    amqp_rpc_reply_t r = amqp_login(c.state, vhost.c_str(), 0, kFrameMax, heartbeat, AMQP_SASL_METHOD_PLAIN,
                                    user.c_str(), password.c_str());
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "login as " + user + " to vhost " + vhost + " failed: " + describe(r) +
              " (check the credentials and that the user may access the vhost)";
      return false;
    }
    c.healthy = true;
    amqp_channel_open(c.state, kChannel);
    if (r = amqp_get_rpc_reply(c.state); r.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "channel.open failed: " + describe(r);
      return false;
    }
    if (!declare_exchange(c, error)) return false;
    return declare_queue(c, error, queue_name);
  }

  /// The exchange is Nova's: use it as it is when it exists (passive declare), whatever durability the cloud
  /// configured. Only when it does not exist yet is it declared, with what oslo.messaging declares for Nova's
  /// control_exchange by default: topic, durable=false (amqp_durable_queues), auto_delete=false. Declaring it
  /// with other flags than the cloud's would fail with PRECONDITION_FAILED, which the passive declare avoids.
  bool declare_exchange(Connection& c, std::string& error) {
    const std::string type = "topic";
    amqp_exchange_declare(c.state, kChannel, bytes(options.exchange), bytes(type), 1, 0, 0, 0, amqp_empty_table);
    amqp_rpc_reply_t r = amqp_get_rpc_reply(c.state);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) return true;
    if (channel_close_code(r) != AMQP_NOT_FOUND) {
      error = "exchange " + options.exchange + ": " + describe(r);
      return false;
    }
    // The broker closed the channel: confirm, reopen, declare.
    amqp_channel_close_ok_t close_ok{};
    amqp_send_method(c.state, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
    amqp_channel_open(c.state, kChannel);
    if (r = amqp_get_rpc_reply(c.state); r.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "channel.open failed: " + describe(r);
      return false;
    }
    amqp_exchange_declare(c.state, kChannel, bytes(options.exchange), bytes(type), 0, 0, 0, 0, amqp_empty_table);
    if (r = amqp_get_rpc_reply(c.state); r.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "declaring exchange " + options.exchange + " failed: " + describe(r);
      return false;
    }
    return true;
  }

  bool declare_queue(Connection& c, std::string& error, std::string& queue_name) {
    amqp_queue_declare_ok_t* ok = nullptr;
    if (options.queue.empty()) {
      ok = amqp_queue_declare(c.state, kChannel, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
    } else {
      ok = amqp_queue_declare(c.state, kChannel, bytes(options.queue), 0, 1, 0, 0, amqp_empty_table);
    }
    amqp_rpc_reply_t r = amqp_get_rpc_reply(c.state);
    if (r.reply_type != AMQP_RESPONSE_NORMAL || ok == nullptr) {
      error = "declaring queue " + (options.queue.empty() ? std::string("<exclusive>") : options.queue) +
              " failed: " + describe(r) +
              (channel_close_code(r) == AMQP_PRECONDITION_FAILED
                   ? " (a queue of that name exists with other flags: name another queue or delete it)"
                   : "");
      return false;
    }
    queue_name = text(ok->queue);
    for (const auto& priority : options.priorities) {
      const std::string key = options.topic + "." + priority;
      amqp_queue_bind(c.state, kChannel, bytes(queue_name), bytes(options.exchange), bytes(key), amqp_empty_table);
      if (r = amqp_get_rpc_reply(c.state); r.reply_type != AMQP_RESPONSE_NORMAL) {
        error = "binding " + key + " failed: " + describe(r);
        return false;
      }
    }
    amqp_basic_qos(c.state, kChannel, 0, options.prefetch, 0);
    if (r = amqp_get_rpc_reply(c.state); r.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "basic.qos failed: " + describe(r);
      return false;
    }
    amqp_basic_consume(c.state, kChannel, bytes(queue_name), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    if (r = amqp_get_rpc_reply(c.state); r.reply_type != AMQP_RESPONSE_NORMAL) {
      error = "basic.consume failed: " + describe(r);
      return false;
    }
    return true;
  }

  /// Sends the acknowledgements queued by Ack::ack(); those of an earlier connection are dropped (the broker
  /// has requeued their messages). False when the connection failed.
  bool send_acks(Connection& c, std::string& error) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> acks;
    {
      std::lock_guard lock(shared->mutex);
      acks.swap(shared->acks);
    }
    std::uint64_t sent = 0, stale = 0;
    for (const auto& [connection, tag] : acks) {
      if (connection != connection_number) {
        ++stale;
        continue;
      }
      if (int rc = amqp_basic_ack(c.state, kChannel, tag, 0); rc != AMQP_STATUS_OK) {
        error = std::string("basic.ack failed: ") + amqp_error_string2(rc);
        return false;
      }
      ++sent;
    }
    if (sent + stale > 0) {
      std::lock_guard lock(status_mutex);
      status.acked += sent;
      status.stale_acks += stale;
    }
    return true;
  }

  void deliver(const amqp_envelope_t& envelope) {
    Message m;
    m.body = text(envelope.message.body);
    m.exchange = text(envelope.exchange);
    m.routing_key = text(envelope.routing_key);
    if ((envelope.message.properties._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) != 0) {
      m.content_type = text(envelope.message.properties.content_type);
    }
    m.redelivered = envelope.redelivered != 0;
    m.delivery_tag = envelope.delivery_tag;
    {
      std::lock_guard lock(status_mutex);
      ++status.delivered;
    }
    Ack ack(shared, connection_number, envelope.delivery_tag, m.routing_key);
    asio::post(executor, [cb = callbacks, m = std::move(m), ack = std::move(ack)]() mutable {
      if (cb->active) cb->handler(std::move(m), std::move(ack));
    });
  }

  /// A frame that is not a delivery: the broker closing the channel or connection, or cancelling the consumer
  /// (queue deleted). False (with `error`) when consuming cannot go on.
  bool other_frame(Connection& c, std::string& error) {
    amqp_frame_t frame;
    timeval brief{0, 1000};
    const int rc = amqp_simple_wait_frame_noblock(c.state, &frame, &brief);
    if (rc == AMQP_STATUS_TIMEOUT) return true;
    if (rc != AMQP_STATUS_OK) {
      error = amqp_error_string2(rc);
      return false;
    }
    if (frame.frame_type != AMQP_FRAME_METHOD) return true;
    switch (frame.payload.method.id) {
      case AMQP_CHANNEL_CLOSE_METHOD: {
        const auto* m = static_cast<const amqp_channel_close_t*>(frame.payload.method.decoded);
        error = "the broker closed the channel: " + std::to_string(m->reply_code) + " " + text(m->reply_text);
        c.healthy = false;
        return false;
      }
      case AMQP_CONNECTION_CLOSE_METHOD: {
        const auto* m = static_cast<const amqp_connection_close_t*>(frame.payload.method.decoded);
        error = "the broker closed the connection: " + std::to_string(m->reply_code) + " " + text(m->reply_text);
        c.healthy = false;
        return false;
      }
      case AMQP_BASIC_CANCEL_METHOD:
        error = "the broker cancelled the consumer (was the queue deleted?)";
        return false;
      default:
        return true;
    }
  }

  /// Consumes until the connection fails or stop() is called. Returns the error, empty on stop.
  std::string consume(Connection& c) {
    std::string error;
    const int fd = amqp_get_sockfd(c.state);
    // Wake at least twice per heartbeat interval so librabbitmq sends its heartbeats and notices missing ones
    // (it does both inside amqp_consume_message).
    const int wait_ms =
        options.heartbeat.count() > 0 ? static_cast<int>(std::min<std::int64_t>(1000, options.heartbeat.count() * 500)) : 1000;
    while (!stopping) {
      if (!send_acks(c, error)) break;
      if (!amqp_frames_enqueued(c.state) && !amqp_data_in_buffer(c.state)) {
        pollfd p[2] = {{fd, POLLIN, 0}, {shared->wake_fd, POLLIN, 0}};
        ::poll(p, 2, wait_ms);
        if ((p[1].revents & POLLIN) != 0) shared->drain_wake();
        if (stopping) break;
      }
      amqp_maybe_release_buffers(c.state);
      amqp_envelope_t envelope;
      // Not a zero timeout: librabbitmq reports a missed broker heartbeat only when its wait has a real deadline
      // (a zero one always wins and reads as a plain timeout).
      timeval brief{0, 1000};
      const amqp_rpc_reply_t r = amqp_consume_message(c.state, &envelope, &brief, 0);
      if (r.reply_type == AMQP_RESPONSE_NORMAL) {
        deliver(envelope);
        amqp_destroy_envelope(&envelope);
        continue;
      }
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) continue;
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        if (!other_frame(c, error)) break;
        continue;
      }
      error = describe(r);
      break;
    }
    if (!stopping) c.healthy = false;
    return stopping ? std::string{} : error;
  }

  void run() {
    std::size_t next = 0;
    auto backoff = options.reconnect_initial;
    while (!stopping) {
      bool consumed = false;
      for (std::size_t i = 0; i < brokers.size() && !stopping; ++i) {
        const std::size_t index = (next + i) % brokers.size();
        const BrokerUrl& b = brokers[index];
        Connection c;
        std::string error;
        std::string queue_name;
        if (!connect(c, b, error, queue_name)) {
          c.healthy = false;
          set_failed(b, error, false);
          continue;
        }
        ++connection_number;
        set_connected(b);
        backoff = options.reconnect_initial;
        consumed = true;
        next = index;  // after a loss, the same broker is tried first
        error = consume(c);
        if (!stopping) set_failed(b, error, true);
        break;
      }
      if (stopping) break;
      // Every broker failed: wait, doubling each round. After a lost connection: one short wait, so that a
      // broker that accepts and then drops connections is not hammered.
      sleep_for(backoff);
      if (!consumed) backoff = std::min(backoff * 2, options.reconnect_max);
    }
    std::lock_guard lock(status_mutex);
    status.connected = false;
  }
};

Consumer::Consumer(asio::any_io_executor executor, ConsumerOptions options, MessageHandler handler,
                   StatusHandler on_status)
    : impl_(std::make_unique<Impl>()) {
  impl_->executor = std::move(executor);
  impl_->options = std::move(options);
  impl_->callbacks = std::make_shared<Impl::Callbacks>();
  impl_->callbacks->handler = std::move(handler);
  impl_->callbacks->on_status = std::move(on_status);
  impl_->shared->name = impl_->options.name;
}

Consumer::~Consumer() { stop(); }

void Consumer::start() {
  if (impl_->thread.joinable()) return;
  if (auto errors = check_options(impl_->options); !errors.empty()) throw std::invalid_argument(errors.front());
  impl_->brokers.clear();
  for (const auto& url : impl_->options.urls) {
    auto parsed = parse_broker_url(url);
    for (auto& b : *parsed) impl_->brokers.push_back(std::move(b));
  }
  impl_->stopping = false;
  impl_->callbacks->active = true;
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void Consumer::stop() {
  impl_->callbacks->active = false;
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  impl_->shared->wake();
  impl_->thread.join();
}

ConnectionStatus Consumer::status() const {
  std::lock_guard lock(impl_->status_mutex);
  ConnectionStatus s = impl_->status;
  s.unreadable = impl_->shared->unreadable.load();
  return s;
}

}  // namespace vesagent::amqp
