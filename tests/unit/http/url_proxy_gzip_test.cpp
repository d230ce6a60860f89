// The HTTP client's private helpers: URL parsing, proxy selection and gzip decoding.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "gzip.hpp"
#include "proxy.hpp"
#include "url.hpp"

namespace vesagent::http::detail {
namespace {

Url parse(const std::string& text) {
  std::string error;
  auto url = parse_url(text, error);
  EXPECT_TRUE(url.has_value()) << text << ": " << error;
  return url.value_or(Url{});
}

TEST(UrlTest, splits_scheme_host_port_and_target) {
  const Url url = parse("HTTPS://User:p%40ss@Collector.Example:8443/eventListener/v7?x=1#frag");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.user, "User");
  EXPECT_EQ(url.password, "p@ss");
  EXPECT_EQ(url.host, "collector.example");
  EXPECT_EQ(url.port, 8443);
  EXPECT_EQ(url.target, "/eventListener/v7?x=1");
  EXPECT_EQ(url.authority(), "collector.example:8443");
}

TEST(UrlTest, defaults_port_and_path_and_brackets_ipv6) {
  EXPECT_EQ(parse("http://h").port, 80);
  EXPECT_EQ(parse("http://h").target, "/");
  EXPECT_EQ(parse("http://h?q=1").target, "/?q=1");
  EXPECT_EQ(parse("https://h").port, 443);
  EXPECT_EQ(parse("https://h").authority(), "h");
  const Url v6 = parse("http://[::1]:9/x");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.authority(), "[::1]:9");
  EXPECT_EQ(v6.host_port(), "[::1]:9");
}

TEST(UrlTest, rejects_malformed_urls) {
  for (const char* bad : {"", "collector:8080/x", "http://", "http://:80/", "http://h:0/", "http://h:65536/",
                          "http://h:8x/", "http://h/a b", "http://h/\r\nX: y", "http://[::1/", "http://[h]/"}) {
    std::string error;
    EXPECT_FALSE(parse_url(bad, error).has_value()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(NoProxyTest, matches_hosts_domains_wildcards_and_addresses) {
  EXPECT_TRUE(no_proxy_matches("*", "anything"));
  EXPECT_TRUE(no_proxy_matches("example.com", "example.com"));
  EXPECT_TRUE(no_proxy_matches("example.com", "a.example.com"));
  EXPECT_TRUE(no_proxy_matches(" .example.com ", "a.example.com"));
  EXPECT_TRUE(no_proxy_matches("other, Example.COM", "b.a.example.com"));
  EXPECT_FALSE(no_proxy_matches("example.com", "badexample.com"));
  EXPECT_FALSE(no_proxy_matches("a.example.com", "example.com"));
  EXPECT_TRUE(no_proxy_matches("127.0.0.1", "127.0.0.1"));
  EXPECT_TRUE(no_proxy_matches("10.0.0.0/8", "10.1.2.3"));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "11.1.2.3"));
  EXPECT_TRUE(no_proxy_matches("192.168.1.0/25", "192.168.1.127"));
  EXPECT_FALSE(no_proxy_matches("192.168.1.0/25", "192.168.1.128"));
  EXPECT_TRUE(no_proxy_matches("[::1]", "::1"));
  EXPECT_TRUE(no_proxy_matches("fd00::/8", "fd12::5"));
  EXPECT_FALSE(no_proxy_matches("", "example.com"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.1", "localhost"));
}

TEST(ProxyUrlTest, defaults_to_http_and_port_1080_and_keeps_credentials) {
  std::string error;
  auto proxy = parse_proxy_url("proxy.local", error);
  ASSERT_TRUE(proxy) << error;
  EXPECT_EQ(proxy->port, 1080);
  proxy = parse_proxy_url("http://u:p@proxy.local:3128", error);
  ASSERT_TRUE(proxy) << error;
  EXPECT_EQ(proxy->port, 3128);
  EXPECT_EQ(proxy->user, "u");
  EXPECT_EQ(proxy->password, "p");
  EXPECT_FALSE(parse_proxy_url("socks5://proxy:1080", error));
  EXPECT_NE(error.find("socks5"), std::string::npos);
}

TEST(ProxySelectionTest, explicit_proxy_wins_and_no_proxy_applies_to_it) {
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  const Url target = parse("http://prometheus.local:9090/");
  EXPECT_EQ(select_proxy(target, "http://p:3128"), "http://p:3128");
  ::setenv("NO_PROXY", ".local", 1);
  EXPECT_EQ(select_proxy(target, "http://p:3128"), "");
  ::unsetenv("NO_PROXY");
}

// "hello gzip " * 100, gzip-compressed (python3: gzip.compress(b"hello gzip " * 100, mtime=0)).
const unsigned char kGzipped[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9,
                                  0xc9, 0x57, 0x48, 0xaf, 0xca, 0x2c, 0x50, 0xc8, 0x18, 0x65, 0x8e, 0x32, 0x47, 0x99,
                                  0xa3, 0x4c, 0x72, 0x99, 0x00, 0x4c, 0x56, 0xd7, 0x0f, 0x4c, 0x04, 0x00, 0x00};
const std::string kPlain = [] {
  std::string s;
  for (int i = 0; i < 100; ++i) s += "hello gzip ";
  return s;
}();
const std::string kGz(reinterpret_cast<const char*>(kGzipped), sizeof kGzipped);

TEST(GunzipTest, decodes_one_or_more_members) {
  std::string out, error;
  EXPECT_EQ(gunzip(kGz, 1 << 20, out, error), GunzipResult::ok) << error;
  EXPECT_EQ(out, kPlain);
  EXPECT_EQ(gunzip(kGz + kGz, 1 << 20, out, error), GunzipResult::ok) << error;
  EXPECT_EQ(out, kPlain + kPlain);
}

TEST(GunzipTest, refuses_output_over_the_limit_and_corrupt_or_truncated_input) {
  std::string out, error;
  EXPECT_EQ(gunzip(kGz, 100, out, error), GunzipResult::too_large);
  EXPECT_EQ(gunzip(kGz.substr(0, kGz.size() - 6), 1 << 20, out, error), GunzipResult::corrupt);
  EXPECT_FALSE(error.empty());
  std::string damaged = kGz;
  damaged[12] = static_cast<char>(damaged[12] ^ 0x55);
  EXPECT_EQ(gunzip(damaged, 1 << 20, out, error), GunzipResult::corrupt);
  EXPECT_EQ(gunzip("not gzip at all", 1 << 20, out, error), GunzipResult::corrupt);
}

}  // namespace
}  // namespace vesagent::http::detail
