// The TLS/proxy block every outbound peer has: the same keys and checks under each section.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "test_util.hpp"
#include "vesagent/config/loader.hpp"

namespace vesagent::config {
namespace {

using ::testing::HasSubstr;
using test::all_text;
using test::kMinimal;
using test::with_path;
using test::yaml_inputs;

TEST(PeerTlsTest, every_peer_section_takes_the_same_keys) {
  const std::string block =
      "    caPath: /etc/ssl/hashed\n    crlFile: /etc/ssl/crl.pem\n    clientCert: /etc/ves/client.p12\n"
      "    clientKeyPassword: pw\n    tlsMinVersion: \"1.3\"\n    proxyUrl: socks5h://proxy:1080\n"
      "    noProxy: .internal\n    http2: false\n    keepalive: 5s\n";
  // `block` is indented by 4; re-indent it by n.
  auto indent = [&block](std::size_t n) {
    std::string out;
    std::size_t start = 0;
    while (start < block.size()) {
      const auto end = block.find('\n', start);
      out += std::string(n, ' ') + block.substr(start + 4, end - start - 4) + "\n";
      start = end + 1;
    }
    return out;
  };
  const std::string yaml = "primaryCollector:\n  fqdn: c\n" + indent(2) + "backupCollector:\n  fqdn: b\n" +
                           indent(2) + "measurement:\n  prometheus:\n    address: http://p:9090\n" +
                           indent(4) + "cluster:\n  endpoints: [http://127.0.0.1:2379]\n" + indent(2) +
                           "openstack:\n  clouds:\n    - name: one\n      authUrl: http://k:5000/v3\n" +
                           indent(6);
  auto r = load(yaml_inputs(yaml));
  ASSERT_TRUE(r.ok()) << all_text(r);
  ASSERT_EQ(r.config.openstack.clouds.size(), 1u);
  for (const PeerTls* tls : {&r.config.primary_collector.tls, &r.config.backup_collector.tls,
                             &r.config.measurement.prometheus.tls, &r.config.cluster.tls,
                             &r.config.openstack.clouds[0].tls}) {
    EXPECT_EQ(tls->ca_path, "/etc/ssl/hashed");
    EXPECT_EQ(tls->crl_file, "/etc/ssl/crl.pem");
    EXPECT_EQ(tls->client_cert, "/etc/ves/client.p12");
    EXPECT_EQ(tls->client_key_password, "pw");
    EXPECT_EQ(tls->tls_min_version, "1.3");
    EXPECT_EQ(tls->proxy_url, "socks5h://proxy:1080");
    EXPECT_EQ(tls->no_proxy, ".internal");
    EXPECT_FALSE(tls->http2);
    EXPECT_EQ(tls->keepalive, std::chrono::seconds(5));
  }
}

TEST(PeerTlsTest, prometheus_keepalive_keeps_its_vespa_name_and_default) {
  auto r = load(yaml_inputs(std::string(kMinimal) + "measurement:\n  prometheus:\n    keepalive: 0s\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.measurement.prometheus.tls.keepalive.count(), 0);
  EXPECT_EQ(load(yaml_inputs(kMinimal)).config.measurement.prometheus.tls.keepalive, std::chrono::seconds(30));
}

TEST(PeerTlsTest, bad_values_are_errors_naming_the_key_and_the_fix) {
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  proxyUrl: ftp://proxy:21\n  clientCert: /c.pem\n"
                            "  tlsMinVersion: \"1.1\"\n  clientCertType: PFX\n"));
  ASSERT_FALSE(r.ok());
  const std::string text = all_text(r);
  EXPECT_THAT(text, HasSubstr("primaryCollector.proxyUrl"));
  EXPECT_THAT(text, HasSubstr("socks5h://"));
  EXPECT_THAT(text, HasSubstr("primaryCollector.tlsMinVersion"));
  EXPECT_THAT(text, HasSubstr("primaryCollector.clientCertType"));
  auto pem_without_key = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  clientCert: /c.pem\n"));
  EXPECT_THAT(all_text(pem_without_key), HasSubstr("requires primaryCollector.clientKey"));
  auto cloud = load(yaml_inputs(std::string(kMinimal) +
                                "openstack:\n  clouds:\n    - name: one\n      authUrl: http://k:5000/v3\n"
                                "      proxyUrl: gopher://x\n"));
  EXPECT_THAT(all_text(cloud), HasSubstr("openstack.clouds[0].proxyUrl"));
}

TEST(PeerTlsTest, client_key_password_file_is_read_at_load) {
  vesagent::test::TempDir dir;
  const auto file = dir.write("key-password", "from file\n");
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  clientCert: /c.pem\n  clientKey: /c.key\n"
                            "  clientKeyPasswordFile: " + file.string() + "\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.tls.client_key_password, "from file");
}

}  // namespace
}  // namespace vesagent::config
