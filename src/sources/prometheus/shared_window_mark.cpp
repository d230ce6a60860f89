#include "vesagent/sources/prometheus/shared_window_mark.hpp"

#include <spdlog/logger.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <charconv>
#include <string>

#include "vesagent/telemetry/logging.hpp"

namespace vesagent::sources::prometheus {

namespace asio = boost::asio;

struct SharedWindowMark::State {
  asio::any_io_executor executor;
  cluster::KvStore& kv;
  std::int64_t written = 0;   ///< the highest value etcd accepted from us
  std::int64_t pending = 0;   ///< the newest value not written yet (0 = none)
  bool writing = false;       ///< a writer coroutine runs; it picks up `pending` before it ends
  bool failing = false;       ///< in a failure streak (logged once)
  bool stopped = false;       ///< the owner is gone: the writer ends after its current put
  std::uint64_t failures = 0;
  std::shared_ptr<spdlog::logger> log = telemetry::logger("prometheus");

  State(asio::any_io_executor ex, cluster::KvStore& store) : executor(std::move(ex)), kv(store) {}
};

namespace {

/// Writes the newest pending value until none is left: one put at a time, so etcd sees them in order.
asio::awaitable<void> write_pending(std::shared_ptr<SharedWindowMark::State> s) {
  while (s->pending > s->written && !s->stopped) {
    const std::int64_t value = s->pending;
    auto r = co_await s->kv.put(std::string(SharedWindowMark::kName), std::to_string(value));
    if (s->stopped) break;
    if (r) {
      s->written = value;
      if (s->failing) s->log->info("msg=\"Measurement window mark written to the cluster again\"");
      s->failing = false;
      continue;
    }
    ++s->failures;
    if (!s->failing) {
      s->log->warn("msg=\"Cannot write the measurement window mark to the cluster; the next leader may repeat "
                   "the last window\" window_end_ms={} error={}",
                   value, telemetry::logfmt_value(r.error().message()));
    }
    s->failing = true;
    break;  // not retried: the next window's store() writes a newer mark anyway
  }
  s->writing = false;
}

}  // namespace

SharedWindowMark::SharedWindowMark(asio::any_io_executor executor, cluster::KvStore& kv)
    : state_(std::make_shared<State>(std::move(executor), kv)) {}

SharedWindowMark::~SharedWindowMark() { state_->stopped = true; }

asio::awaitable<Result<std::optional<std::int64_t>>> SharedWindowMark::load() {
  auto r = co_await state_->kv.get(std::string(kName));
  if (!r) co_return r.error();
  if (!*r) co_return std::optional<std::int64_t>{};
  const std::string& text = **r;
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value <= 0) {
    state_->log->warn("msg=\"The cluster's measurement window mark is not a number; ignoring it\" value={}",
                      telemetry::logfmt_value(text.substr(0, 40)));
    co_return make_error_code(errc::io_error);
  }
  co_return std::optional<std::int64_t>{value};
}

void SharedWindowMark::store(std::int64_t window_end_ms) {
  auto& s = *state_;
  if (window_end_ms <= s.pending || window_end_ms <= s.written) return;  // never backwards
  s.pending = window_end_ms;
  if (s.writing) return;  // the running writer picks it up
  s.writing = true;
  asio::co_spawn(s.executor, write_pending(state_), asio::detached);
}

std::uint64_t SharedWindowMark::write_failures() const { return state_->failures; }

}  // namespace vesagent::sources::prometheus
