#pragma once
/// FakeHttpServer: an HTTP/1.1 (optionally TLS) server on 127.0.0.1:<free port> whose answers come from a
/// handler function, for testing clients against a real socket.
///
/// Threading and lifetime: runs on the executor given to the constructor (the test's io_context). Destroy it
/// before the io_context; destroying it (or stop()) closes the listener and every open connection.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vesagent::test {

/// A request as the fake server received it.
struct FakeRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;
  std::size_t connection = 0;  ///< 1-based number of the TCP connection it arrived on
  /// First value of a header (lower-case name), or empty.
  std::string header(std::string_view lower_name) const;
};

/// What the fake server does with a request.
struct FakeResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  ///< Content-Length is added
  std::string body;
  /// Wait this long before answering. If the client hangs up meanwhile, the server notices and closes.
  std::chrono::milliseconds delay{0};
  bool never_answer = false;          ///< keep the connection open without answering until the client leaves
  bool close_without_answer = false;  ///< close the TCP connection instead of answering
};

/// TLS for the fake server; an empty cert_file means plain HTTP.
struct FakeTlsOptions {
  std::string cert_file;       ///< PEM certificate chain
  std::string key_file;        ///< PEM private key
  std::string client_ca_file;  ///< non-empty: require a client certificate that verifies against this file
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  FakeHttpServer(boost::asio::any_io_executor executor, Handler handler, FakeTlsOptions tls = {});
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  std::uint16_t port() const;
  /// "http://127.0.0.1:<port><path>" (https with TLS).
  std::string url(std::string_view path = "/") const;

  std::size_t connections_accepted() const;
  /// Connections accepted and not yet closed (by either side).
  std::size_t open_connections() const;
  /// Every complete request received so far, in arrival order.
  const std::vector<FakeRequest>& requests() const;

  /// Closes the listener and all connections.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// Creates a self-signed certificate for CN and IP SAN 127.0.0.1 with the openssl CLI. Returns false on failure.
bool make_self_signed_cert(const std::string& cert_file, const std::string& key_file);

}  // namespace vesagent::test
