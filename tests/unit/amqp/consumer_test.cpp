#include "vesagent/amqp/consumer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <fstream>
#include <functional>

#include "support/temp_dir.hpp"

namespace vesagent::amqp {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

bool mentions(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& e : errors) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ConsumerOptionsTest, defaults_with_one_url_are_usable) {
  ConsumerOptions o;
  o.urls = {"amqp://guest:guest@127.0.0.1:5672/"};
  EXPECT_TRUE(check_options(o).empty());
  EXPECT_EQ(o.exchange, "nova");
  EXPECT_EQ(o.topic, "versioned_notifications");
}

TEST(ConsumerOptionsTest, every_problem_is_named_with_its_key) {
  ConsumerOptions o;
  o.urls = {"amqp://ok/", "http://wrong/"};
  o.password_file = "/nonexistent/password";
  o.tls.ca_cert = "/nonexistent/ca.pem";
  o.tls.client_cert = "/nonexistent/cert.pem";
  o.exchange.clear();
  o.prefetch = 0;
  const auto errors = check_options(o);
  EXPECT_TRUE(mentions(errors, "notifications.urls: unsupported scheme \"http\""));
  EXPECT_TRUE(mentions(errors, "notifications.passwordFile /nonexistent/password cannot be read"));
  EXPECT_TRUE(mentions(errors, "notifications.tls.caCert /nonexistent/ca.pem cannot be read"));
  EXPECT_TRUE(mentions(errors, "clientCert and clientKey go together"));
  EXPECT_TRUE(mentions(errors, "notifications.exchange is empty"));
  EXPECT_TRUE(mentions(errors, "notifications.prefetch"));
  ConsumerOptions none;
  EXPECT_TRUE(mentions(check_options(none), "notifications.urls is empty"));
}

TEST(ConsumerTest, start_refuses_unusable_options) {
  asio::io_context ioc;
  ConsumerOptions o;
  o.urls = {"ftp://x/"};
  Consumer c(ioc.get_executor(), o, [](Message, Ack) {});
  EXPECT_THROW(c.start(), std::invalid_argument);
}

TEST(AckTest, ack_without_a_consumer_and_twice_is_harmless) {
  Ack a;
  EXPECT_TRUE(a.done());
  a.ack();
  a.ack();
  a.ack_unreadable("never delivered");
  EXPECT_TRUE(a.done());
}

/// Runs the loop until `done` holds (each step at most 50 ms of loop time); the ctest timeout bounds a hang.
void run_until(asio::io_context& ioc, const std::function<bool()>& done) {
  while (!done()) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(50));
  }
}

TEST(ConsumerTest, tries_every_url_in_turn_and_reports_why_none_works) {
  asio::io_context ioc;
  // A port nobody listens on (bound, then closed) and a "broker" that accepts and closes at once.
  tcp::acceptor closed(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto refused_port = closed.local_endpoint().port();
  closed.close();
  tcp::acceptor dropper(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::size_t dropped = 0;
  std::function<void()> accept = [&] {
    dropper.async_accept([&](boost::system::error_code ec, tcp::socket s) {
      if (ec) return;
      ++dropped;
      s.close();
      accept();
    });
  };
  accept();

  ConsumerOptions o;
  o.name = "east";
  o.urls = {"amqp://127.0.0.1:" + std::to_string(refused_port) + "/",
            "amqp://guest:pw@127.0.0.1:" + std::to_string(dropper.local_endpoint().port()) + "/"};
  o.reconnect_initial = std::chrono::milliseconds(10);
  o.reconnect_max = std::chrono::milliseconds(20);
  o.connect_timeout = std::chrono::milliseconds(2000);
  std::vector<ConnectionStatus> seen;
  std::size_t messages = 0;
  Consumer c(ioc.get_executor(), o, [&](Message, Ack) { ++messages; },
             [&](const ConnectionStatus& s) { seen.push_back(s); });
  c.start();
  run_until(ioc, [&] { return dropped >= 2 && seen.size() >= 4; });
  c.stop();

  EXPECT_EQ(messages, 0u);
  const ConnectionStatus s = c.status();
  EXPECT_FALSE(s.connected);
  EXPECT_EQ(s.connects, 0u);
  EXPECT_EQ(s.unreadable, 0u);
  EXPECT_GE(s.failures, 4u);
  bool refused_reported = false, dropped_reported = false;
  for (const auto& st : seen) {
    EXPECT_FALSE(st.connected);
    EXPECT_FALSE(st.last_error.empty());
    EXPECT_EQ(st.broker.find("pw"), std::string::npos) << "the status never shows a password";
    if (st.broker.find(std::to_string(refused_port)) != std::string::npos) refused_reported = true;
    if (st.broker.find(std::to_string(dropper.local_endpoint().port())) != std::string::npos) {
      dropped_reported = true;
      EXPECT_NE(st.last_error.find("login as guest"), std::string::npos) << st.last_error;
    }
  }
  EXPECT_TRUE(refused_reported);
  EXPECT_TRUE(dropped_reported);
}

TEST(ConsumerTest, stop_while_waiting_to_reconnect_returns_and_nothing_runs_after) {
  asio::io_context ioc;
  tcp::acceptor closed(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = closed.local_endpoint().port();
  closed.close();
  ConsumerOptions o;
  o.urls = {"amqp://127.0.0.1:" + std::to_string(port) + "/"};
  o.reconnect_initial = std::chrono::hours(1);  // stop() must interrupt this wait
  std::size_t statuses = 0;
  Consumer c(ioc.get_executor(), o, [](Message, Ack) {}, [&](const ConnectionStatus&) { ++statuses; });
  c.start();
  run_until(ioc, [&] { return statuses >= 1; });
  c.stop();
  const auto before = statuses;
  ioc.restart();
  ioc.poll();
  EXPECT_EQ(statuses, before) << "no status callback after stop()";
  EXPECT_EQ(c.status().failures, 1u);
}

}  // namespace
}  // namespace vesagent::amqp
