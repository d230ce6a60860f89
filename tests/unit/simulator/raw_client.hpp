#pragma once
/// Test-side HTTP/1.1 client written on raw Beast/Asio, so server tests see exactly what went over the wire
/// (including "closed without a response"), and a helper that runs one coroutine on an io_context.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vesagent::test {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// One HTTP response, or why none was read.
struct RawResponse {
  int status = 0;  ///< 0 when no response was read
  std::string body;
  HeaderList headers;  ///< names lower-cased
  bool keep_alive = false;
  std::string error;  ///< empty when a response was read, else the read error ("end of stream", ...)
  std::string header(std::string_view lower_name) const;
};

/// One TCP connection to 127.0.0.1:port. Every read gives up after five seconds so a broken server fails the
/// test instead of hanging it.
class RawConnection {
 public:
  explicit RawConnection(boost::asio::any_io_executor executor);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  boost::asio::awaitable<bool> connect(std::uint16_t port);
  /// Writes one request (Content-Length set when there is a body) and reads the response.
  boost::asio::awaitable<RawResponse> request(std::string method, std::string target, std::string body = {},
                                              HeaderList headers = {}, bool keep_alive = true);
  /// Writes bytes as they are (malformed requests).
  boost::asio::awaitable<bool> send_raw(std::string bytes);
  boost::asio::awaitable<RawResponse> read_response();
  /// Waits until the server closes the connection and returns the bytes that arrived before; nullopt if it is
  /// still open after `limit`.
  boost::asio::awaitable<std::optional<std::string>> wait_closed(
      std::chrono::milliseconds limit = std::chrono::milliseconds(5000));
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs `task` on `ioc` until it completes. Fails the current test if it throws or takes longer than `limit`.
void run_task(boost::asio::io_context& ioc, boost::asio::awaitable<void> task,
              std::chrono::milliseconds limit = std::chrono::milliseconds(15000));

/// Runs `ioc` until it has no work left or `limit` passes (after a Server::stop(), to let sessions end).
void drain(boost::asio::io_context& ioc, std::chrono::milliseconds limit = std::chrono::milliseconds(3000));

/// Waits `duration` on a timer (lets the server side make progress inside run_task).
boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds duration);

}  // namespace vesagent::test
