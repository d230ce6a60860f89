#include "raw_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <exception>
#include <memory>

namespace vesagent::test {
namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);
constexpr std::chrono::seconds kIoLimit{5};
}  // namespace

std::string RawResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

struct RawConnection::Impl {
  explicit Impl(net::any_io_executor ex) : stream(std::move(ex)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
};

RawConnection::RawConnection(net::any_io_executor executor) : impl_(std::make_unique<Impl>(std::move(executor))) {}
RawConnection::~RawConnection() = default;

net::awaitable<bool> RawConnection::connect(std::uint16_t port) {
  impl_->stream.expires_after(kIoLimit);
  net::ip::tcp::endpoint endpoint{net::ip::make_address("127.0.0.1"), port};
  auto [ec] = co_await impl_->stream.async_connect(endpoint, kNoThrow);
  co_return !ec;
}

net::awaitable<RawResponse> RawConnection::request(std::string method, std::string target, std::string body,
                                                   HeaderList headers, bool keep_alive) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, "127.0.0.1");
  for (auto& [name, value] : headers) req.insert(name, value);
  req.keep_alive(keep_alive);
  req.body() = std::move(body);
  if (!req.body().empty() || method == "POST") req.prepare_payload();
  impl_->stream.expires_after(kIoLimit);
  auto [ec, n] = co_await bhttp::async_write(impl_->stream, req, kNoThrow);
  if (ec) {
    RawResponse r;
    r.error = ec.message();
    co_return r;
  }
  co_return co_await read_response();
}

net::awaitable<bool> RawConnection::send_raw(std::string bytes) {
  impl_->stream.expires_after(kIoLimit);
  auto [ec, n] = co_await net::async_write(impl_->stream, net::buffer(bytes), kNoThrow);
  co_return !ec;
}

net::awaitable<RawResponse> RawConnection::read_response() {
  RawResponse r;
  bhttp::response<bhttp::string_body> res;
  impl_->stream.expires_after(kIoLimit);
  auto [ec, n] = co_await bhttp::async_read(impl_->stream, impl_->buffer, res, kNoThrow);
  if (ec) {
    r.error = ec.message();
    co_return r;
  }
  r.status = static_cast<int>(res.result_int());
  r.body = res.body();
  r.keep_alive = res.keep_alive();
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  co_return r;
}

net::awaitable<std::optional<std::string>> RawConnection::wait_closed(std::chrono::milliseconds limit) {
  std::string received(static_cast<const char*>(impl_->buffer.data().data()), impl_->buffer.size());
  impl_->buffer.consume(impl_->buffer.size());
  std::array<char, 4096> chunk{};
  impl_->stream.expires_after(limit);
  for (;;) {
    auto [ec, n] = co_await impl_->stream.async_read_some(net::buffer(chunk), kNoThrow);
    received.append(chunk.data(), n);
    if (ec == beast::error::timeout) co_return std::nullopt;
    if (ec) co_return received;  // eof or reset: the server closed
  }
}

void RawConnection::close() { impl_->stream.close(); }

void run_task(net::io_context& ioc, net::awaitable<void> task, std::chrono::milliseconds limit) {
  // Shared with the completion handler: a task that times out may still complete later, in drain().
  struct Outcome {
    bool done = false;
    std::exception_ptr error;
  };
  auto outcome = std::make_shared<Outcome>();
  net::co_spawn(ioc, std::move(task), [outcome](std::exception_ptr e) {
    outcome->done = true;
    outcome->error = e;
  });
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!outcome->done && std::chrono::steady_clock::now() < deadline) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(std::chrono::milliseconds(50));
  }
  if (!outcome->done) {
    ADD_FAILURE() << "test task did not finish within " << limit.count() << " ms";
    return;
  }
  if (outcome->error) {
    try {
      std::rethrow_exception(outcome->error);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "test task threw: " << e.what();
    }
  }
}

void drain(net::io_context& ioc, std::chrono::milliseconds limit) {
  ioc.restart();
  ioc.run_for(limit);
}

net::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  net::steady_timer timer{co_await net::this_coro::executor};
  timer.expires_after(duration);
  co_await timer.async_wait(kNoThrow);
}

}  // namespace vesagent::test
