#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.hpp"
#include "test_util.hpp"
#include "vesagent/config/loader.hpp"

namespace vesagent::config {
namespace {

using test::all_text;
using test::kMinimal;
using test::with_path;
using test::yaml_inputs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSecret = "s3cr3t-Pa55word";

TEST(SecretsTest, reads_password_file_and_trims_the_trailing_newline) {
  vesagent::test::TempDir dir;
  auto file = dir.write("collector-password", std::string(kSecret) + "\n");
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  user: u\n  passwordFile: " + file.string() + "\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.password, kSecret);
  EXPECT_EQ(r.config.primary_collector.password_file, file.string());

  auto crlf = dir.write("crlf", std::string(kSecret) + "\r\n");
  auto r2 = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  passwordFile: " + crlf.string() + "\n"));
  EXPECT_EQ(r2.config.primary_collector.password, kSecret);
}

TEST(SecretsTest, reads_every_secret_file_key) {
  vesagent::test::TempDir dir;
  auto p = [&](const char* name) { return dir.write(name, std::string(name) + "-value\n").string(); };
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  passwordFile: " + p("primary") +
                            "\nbackupCollector:\n  fqdn: b\n  passwordFile: " + p("backup") +
                            "\nmeasurement:\n  prometheus:\n    passwordFile: " + p("prom") +
                            "\n    bearerTokenFile: " + p("token") + "\nalertManager:\n  passwordFile: " + p("am") +
                            "\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.password, "primary-value");
  EXPECT_EQ(r.config.backup_collector.password, "backup-value");
  EXPECT_EQ(r.config.measurement.prometheus.password, "prom-value");
  EXPECT_EQ(r.config.measurement.prometheus.bearer_token, "token-value");
  EXPECT_EQ(r.config.alert_manager.password, "am-value");
}

TEST(SecretsTest, expands_credentials_directory_for_systemd_load_credential) {
  vesagent::test::TempDir dir;
  dir.write("collector-password", kSecret);
  auto in = yaml_inputs("primaryCollector:\n  fqdn: c\n  passwordFile: ${CREDENTIALS_DIRECTORY}/collector-password\n");
  in.env = {{"CREDENTIALS_DIRECTORY", dir.path().string()}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.password, kSecret);
  EXPECT_EQ(r.config.primary_collector.password_file, (dir.path() / "collector-password").string());
}

TEST(SecretsTest, expands_variables_only_in_path_values) {
  auto in = yaml_inputs(
      "primaryCollector:\n  fqdn: c\n  user: ${USER_NAME}\n  caCert: ${CONF}/ca.pem\ndatadir: ${STATE}/ves\n");
  in.env = {{"USER_NAME", "x"}, {"CONF", "/etc/ves"}, {"STATE", "/var/lib"}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.user, "${USER_NAME}");
  EXPECT_EQ(r.config.primary_collector.tls.ca_cert, "/etc/ves/ca.pem");
  EXPECT_EQ(r.config.datadir, "/var/lib/ves");
}

TEST(SecretsTest, reports_an_unset_variable_in_a_path) {
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  passwordFile: ${CREDENTIALS_DIRECTORY}/pw\n"));
  auto e = with_path(r.errors, "primaryCollector.passwordFile");
  ASSERT_EQ(e.size(), 1u) << all_text(r);
  EXPECT_EQ(e[0].line, 3);
  EXPECT_THAT(e[0].message, HasSubstr("CREDENTIALS_DIRECTORY"));
  EXPECT_THAT(e[0].message, HasSubstr("LoadCredential"));
}

TEST(SecretsTest, reports_an_unreadable_password_file_with_key_and_path) {
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  passwordFile: /nonexistent/pw\n"));
  auto e = with_path(r.errors, "primaryCollector.passwordFile");
  ASSERT_EQ(e.size(), 1u) << all_text(r);
  EXPECT_EQ(e[0].to_string(),
            "test.yml:3: primaryCollector.passwordFile: cannot read /nonexistent/pw: No such file or directory");

  vesagent::test::TempDir dir;
  auto empty = dir.write("empty", "\n");
  auto r2 = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  passwordFile: " + empty.string() + "\n"));
  EXPECT_THAT(with_path(r2.errors, "primaryCollector.passwordFile").at(0).message, HasSubstr("is empty"));

  auto r3 = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  passwordFile: " + dir.path().string() + "\n"));
  EXPECT_THAT(with_path(r3.errors, "primaryCollector.passwordFile").at(0).message, HasSubstr("directory"));
}

TEST(SecretsTest, rejects_password_and_password_file_from_the_same_source) {
  vesagent::test::TempDir dir;
  auto file = dir.write("pw", kSecret);
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  password: inline\n  passwordFile: " + file.string() +
                            "\n"));
  auto e = with_path(r.errors, "primaryCollector.passwordFile");
  ASSERT_EQ(e.size(), 1u) << all_text(r);
  EXPECT_THAT(e[0].message, HasSubstr("give only one"));
  EXPECT_THAT(all_text(r), Not(HasSubstr("inline")));
}

TEST(SecretsTest, higher_precedence_source_wins_between_password_and_password_file) {
  vesagent::test::TempDir dir;
  auto file = dir.write("pw", "from-file\n");
  // The environment's password beats the file's passwordFile...
  auto in = yaml_inputs("primaryCollector:\n  fqdn: c\n  passwordFile: " + file.string() + "\n");
  in.env = {{"VES_PRIMARYCOLLECTOR_PASSWORD", "from-env"}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  EXPECT_EQ(r.config.primary_collector.password, "from-env");
  // ...and the environment's passwordFile beats the file's inline password.
  auto in2 = yaml_inputs("primaryCollector:\n  fqdn: c\n  password: inline\n");
  in2.env = {{"VES_PRIMARYCOLLECTOR_PASSWORDFILE", file.string()}};
  auto r2 = load(in2);
  ASSERT_TRUE(r2.ok()) << all_text(r2);
  EXPECT_EQ(r2.config.primary_collector.password, "from-file");
}

TEST(SecretsTest, redacted_yaml_never_shows_a_secret) {
  vesagent::test::TempDir dir;
  auto file = dir.write("pw", std::string(kSecret) + "\n");
  auto in = yaml_inputs("primaryCollector:\n  fqdn: c\n  user: u\n  passwordFile: " + file.string() +
                        "\nalertManager:\n  password: am-" + kSecret + "\n");
  in.env = {{"VES_MEASUREMENT_PROMETHEUS_BEARERTOKEN", std::string("tok-") + kSecret}};
  in.flags = {{"measurement.prometheus.password", std::string("prom-") + kSecret}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << all_text(r);
  std::string yaml = to_redacted_yaml(r.config);
  EXPECT_THAT(yaml, Not(HasSubstr(kSecret)));
  EXPECT_THAT(yaml, HasSubstr("<redacted>"));
  EXPECT_THAT(yaml, HasSubstr(file.string()));  // the path is not a secret
  EXPECT_THAT(yaml, HasSubstr("user: \"u\""));
}

TEST(SecretsTest, diagnostics_never_show_a_secret) {
  // Every kind of problem around secrets, all in one load.
  vesagent::test::TempDir dir;
  auto file = dir.write("pw", kSecret);
  auto in = yaml_inputs("primaryCollector:\n  fqdn: c\n  password: " + std::string(kSecret) +
                        "\n  passphrase: pp-" + kSecret + "\n  passwordFile: " + file.string() +
                        "\nbackupCollector:\n  password:\n    nested: " + kSecret + "\n");
  in.env = {{"VES_ALERTMANAGER_PASSWORD", kSecret}, {"VES_UNKNOWN_PASSWORD", kSecret}};
  in.flags = {{"primaryCollector.passwrd", kSecret}};
  auto r = load(in);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.warnings.empty());
  EXPECT_THAT(all_text(r), Not(HasSubstr(kSecret))) << all_text(r);
}

TEST(SecretsTest, passphrase_is_accepted_with_a_warning) {
  auto r = load(yaml_inputs("primaryCollector:\n  fqdn: c\n  password: p\n  passphrase: mypassphrase\n"));
  ASSERT_TRUE(r.ok()) << all_text(r);
  auto w = with_path(r.warnings, "primaryCollector.passphrase");
  ASSERT_EQ(w.size(), 1u) << all_text(r);
  EXPECT_EQ(w[0].line, 4);
  EXPECT_THAT(w[0].message, HasSubstr("decryption is not supported"));
  EXPECT_THAT(w[0].message, HasSubstr("used as given"));
  EXPECT_EQ(r.config.primary_collector.password, "p");
  EXPECT_THAT(all_text(r), Not(HasSubstr("mypassphrase")));
}

}  // namespace
}  // namespace vesagent::config
