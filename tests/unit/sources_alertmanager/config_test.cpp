// The alertManager.* keys this source added: defaults reproduce VESPA, file / env / flag overlays, validation,
// and secrets that never show.
#include <crypt.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "support/temp_dir.hpp"
#include "vesagent/config/loader.hpp"

namespace vesagent::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr const char* kMinimal = "primaryCollector:\n  fqdn: collector.example\n";

Inputs yaml(std::string text) {
  Inputs in;
  in.file_name = "test.yml";
  in.yaml_text = std::string(kMinimal) + text;
  in.host_name = "testhost";
  return in;
}

std::string errors_of(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.errors) out += d.to_string() + "\n";
  return out;
}

/// The single error for `path`, or a failure.
std::string error_for(const LoadResult& r, const std::string& path) {
  std::string found;
  int n = 0;
  for (const auto& d : r.errors) {
    if (d.path == path) {
      found = d.to_string();
      ++n;
    }
  }
  EXPECT_EQ(n, 1) << errors_of(r);
  return found;
}

std::string bcrypt(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(::crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof salt), nullptr);
  auto data = std::make_unique<crypt_data>();
  const char* h = ::crypt_r(password.c_str(), salt, data.get());
  return h != nullptr ? h : "";
}

TEST(AlertManagerConfigTest, defaults_reproduce_vespa) {
  auto r = load(yaml(""));
  ASSERT_TRUE(r.ok()) << errors_of(r);
  const auto& am = r.config.alert_manager;
  EXPECT_EQ(am.bind, "localhost:9095");
  EXPECT_EQ(am.path, "/alerts");
  EXPECT_EQ(am.max_body_size, 10u * 1024 * 1024);
  EXPECT_EQ(am.read_timeout, 10s);
  EXPECT_EQ(am.password_hash, "");
  EXPECT_EQ(am.bearer_token, "");
  const auto& f = am.faults;
  EXPECT_EQ(f.alert_name_label, "alertname");
  EXPECT_EQ(f.severity_label, "severity");
  EXPECT_EQ(f.default_severity, "MAJOR");
  EXPECT_EQ(f.source_name_labels, (std::vector<std::string>{"VNFC", "system_name", "instance"}));
  EXPECT_EQ(f.source_id_label, "");
  EXPECT_EQ(f.specific_problem_annotations, (std::vector<std::string>{"description", "summary"}));
  EXPECT_EQ(f.event_source_type, "virtualMachine");
  EXPECT_EQ(f.vf_status, "Active");
  EXPECT_EQ(f.unknown_resolve, "send");
  EXPECT_EQ(f.closed_fault_retention, 1h);
  const std::vector<std::pair<std::string, std::string>> severities = {
      {"critical", "CRITICAL"}, {"major", "MAJOR"}, {"minor", "MINOR"}, {"warning", "WARNING"},
      {"info", "WARNING"},      {"error", "MAJOR"}, {"page", "CRITICAL"}, {"normal", "NORMAL"}};
  EXPECT_EQ(f.severity_map, severities);
}

TEST(AlertManagerConfigTest, reads_every_key_from_the_file) {
  auto r = load(yaml("alertManager:\n"
                     "  maxBodySize: 65536\n"
                     "  readTimeout: 3s\n"
                     "  bearerToken: tok\n"
                     "  faults:\n"
                     "    alertNameLabel: rule\n"
                     "    severityLabel: level\n"
                     "    severityMap:\n"
                     "      Info: minor\n"
                     "      disaster: CRITICAL\n"
                     "    defaultSeverity: warning\n"
                     "    sourceNameLabels: [host, instance]\n"
                     "    sourceIdLabel: uuid\n"
                     "    specificProblemAnnotations: []\n"
                     "    eventSourceType: host\n"
                     "    vfStatus: Requesting termination\n"
                     "    unknownResolve: drop\n"
                     "    closedFaultRetention: 30m\n"));
  ASSERT_TRUE(r.ok()) << errors_of(r);
  const auto& am = r.config.alert_manager;
  EXPECT_EQ(am.max_body_size, 65536u);
  EXPECT_EQ(am.read_timeout, 3s);
  EXPECT_EQ(am.bearer_token, "tok");
  const auto& f = am.faults;
  EXPECT_EQ(f.alert_name_label, "rule");
  EXPECT_EQ(f.severity_label, "level");
  EXPECT_EQ(f.default_severity, "WARNING") << "any case, stored upper-case";
  EXPECT_EQ(f.source_name_labels, (std::vector<std::string>{"host", "instance"}));
  EXPECT_EQ(f.source_id_label, "uuid");
  EXPECT_TRUE(f.specific_problem_annotations.empty());
  EXPECT_EQ(f.event_source_type, "host");
  EXPECT_EQ(f.vf_status, "Requesting termination");
  EXPECT_EQ(f.unknown_resolve, "drop");
  EXPECT_EQ(f.closed_fault_retention, 30min);
  // Merged over the defaults: "Info" replaced info in place, disaster appended, the rest kept.
  ASSERT_EQ(f.severity_map.size(), 9u);
  EXPECT_EQ(f.severity_map[4], (std::pair<std::string, std::string>{"info", "MINOR"}));
  EXPECT_EQ(f.severity_map[8], (std::pair<std::string, std::string>{"disaster", "CRITICAL"}));
  EXPECT_EQ(f.severity_map[0], (std::pair<std::string, std::string>{"critical", "CRITICAL"}));
}

TEST(AlertManagerConfigTest, scalars_come_from_env_and_flags_too) {
  Inputs in = yaml("");
  in.env = {{"VES_ALERTMANAGER_FAULTS_DEFAULTSEVERITY", "minor"},
            {"VES_ALERTMANAGER_FAULTS_UNKNOWNRESOLVE", "drop"},
            {"VES_ALERTMANAGER_MAXBODYSIZE", "2048"},
            {"VES_ALERTMANAGER_BEARERTOKEN", "from-env"}};
  in.flags = {{"alertManager.faults.alertNameLabel", "name"}, {"alertManager.readTimeout", "1500ms"}};
  auto r = load(in);
  ASSERT_TRUE(r.ok()) << errors_of(r);
  EXPECT_EQ(r.config.alert_manager.faults.default_severity, "MINOR");
  EXPECT_EQ(r.config.alert_manager.faults.unknown_resolve, "drop");
  EXPECT_EQ(r.config.alert_manager.max_body_size, 2048u);
  EXPECT_EQ(r.config.alert_manager.bearer_token, "from-env");
  EXPECT_EQ(r.config.alert_manager.faults.alert_name_label, "name");
  EXPECT_EQ(r.config.alert_manager.read_timeout, 1500ms);
}

TEST(AlertManagerConfigTest, lists_and_the_severity_map_are_file_only) {
  Inputs in = yaml("");
  in.env = {{"VES_ALERTMANAGER_FAULTS_SEVERITYMAP", "info=MINOR"}};
  auto r = load(in);
  EXPECT_THAT(error_for(r, "alertManager.faults.severityMap"), HasSubstr("only be set in the configuration file"));
}

TEST(AlertManagerConfigTest, rejects_bad_values_with_their_path) {
  struct Case {
    std::string yaml;
    std::string path;
    std::string message;
  };
  const Case cases[] = {
      {"alertManager:\n  faults:\n    severityMap:\n      info: SEVERE\n", "alertManager.faults.severityMap.info",
       "expected one of CRITICAL, MAJOR, MINOR, WARNING, NORMAL, got \"SEVERE\""},
      {"alertManager:\n  faults:\n    severityMap:\n      info: [MINOR]\n", "alertManager.faults.severityMap.info",
       "got a list"},
      {"alertManager:\n  faults:\n    severityMap:\n      Info: MINOR\n      INFO: MAJOR\n",
       "alertManager.faults.severityMap.INFO", "duplicate key"},
      {"alertManager:\n  faults:\n    severityMap: [info]\n", "alertManager.faults.severityMap", "expected a map"},
      {"alertManager:\n  faults:\n    defaultSeverity: NORMAL\n", "alertManager.faults.defaultSeverity",
       "expected one of CRITICAL, MAJOR, MINOR, WARNING"},
      {"alertManager:\n  faults:\n    sourceNameLabels: []\n", "alertManager.faults.sourceNameLabels",
       "at least one"},
      {"alertManager:\n  faults:\n    sourceNameLabels: VNFC\n", "alertManager.faults.sourceNameLabels",
       "expected a list of names"},
      {"alertManager:\n  faults:\n    specificProblemAnnotations: [description, {a: b}]\n",
       "alertManager.faults.specificProblemAnnotations[1]", "expected a name"},
      {"alertManager:\n  faults:\n    vfStatus: Running\n", "alertManager.faults.vfStatus", "expected one of Active"},
      {"alertManager:\n  faults:\n    unknownResolve: ignore\n", "alertManager.faults.unknownResolve",
       "expected one of send, drop"},
      {"alertManager:\n  faults:\n    closedFaultRetention: 0s\n", "alertManager.faults.closedFaultRetention",
       "greater than 0s"},
      {"alertManager:\n  faults:\n    alertNameLabel: \"\"\n", "alertManager.faults.alertNameLabel",
       "must not be empty"},
      {"alertManager:\n  faults:\n    eventSourceType: \"\"\n", "alertManager.faults.eventSourceType",
       "must not be empty"},
      {"alertManager:\n  faults:\n    colour: red\n", "alertManager.faults.colour", "unknown key"},
      {"alertManager:\n  maxBodySize: 100\n", "alertManager.maxBodySize", "at least 1024"},
      {"alertManager:\n  readTimeout: 10\n", "alertManager.readTimeout", "a unit is required"},
      {"alertManager:\n  user: am\n  passwordHash: secret\n", "alertManager.passwordHash", "expected a bcrypt hash"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    auto r = load(yaml(c.yaml));
    EXPECT_THAT(error_for(r, c.path), HasSubstr(c.message));
  }
}

TEST(AlertManagerConfigTest, password_hash_must_be_bcrypt_with_a_user_and_no_password) {
  const std::string hash = bcrypt("pw");
  ASSERT_EQ(hash.size(), 60u);
  auto ok = load(yaml("alertManager:\n  user: am\n  passwordHash: '" + hash + "'\n"));
  ASSERT_TRUE(ok.ok()) << errors_of(ok);
  EXPECT_EQ(ok.config.alert_manager.password_hash, hash);

  auto no_user = load(yaml("alertManager:\n  passwordHash: '" + hash + "'\n"));
  EXPECT_THAT(error_for(no_user, "alertManager.passwordHash"), HasSubstr("requires alertManager.user"));
  auto both = load(yaml("alertManager:\n  user: am\n  password: pw\n  passwordHash: '" + hash + "'\n"));
  EXPECT_THAT(error_for(both, "alertManager.passwordHash"), HasSubstr("not both"));
  std::string bad_cost = hash;
  bad_cost.replace(4, 2, "99");
  auto cost = load(yaml("alertManager:\n  user: am\n  passwordHash: '" + bad_cost + "'\n"));
  EXPECT_THAT(error_for(cost, "alertManager.passwordHash"), HasSubstr("cost"));
  std::string md5 = "$1$abcdefgh$" + std::string(22, 'x');
  auto other = load(yaml("alertManager:\n  user: am\n  passwordHash: '" + md5 + "'\n"));
  EXPECT_THAT(error_for(other, "alertManager.passwordHash"), HasSubstr("bcrypt"));
  for (const auto& r : {no_user, both, cost, other}) EXPECT_THAT(errors_of(r), Not(HasSubstr(hash.substr(7))));
}

TEST(AlertManagerConfigTest, bearer_token_file_is_read_and_secrets_never_print) {
  vesagent::test::TempDir dir;
  auto token = dir.write("token", "tok-from-file\n");
  const std::string hash = bcrypt("pw");
  auto r = load(yaml("alertManager:\n  user: am\n  passwordHash: '" + hash + "'\n  bearerTokenFile: " +
                     token.string() + "\n"));
  ASSERT_TRUE(r.ok()) << errors_of(r);
  EXPECT_EQ(r.config.alert_manager.bearer_token, "tok-from-file");
  const std::string printed = to_redacted_yaml(r.config);
  EXPECT_THAT(printed, Not(HasSubstr("tok-from-file")));
  EXPECT_THAT(printed, Not(HasSubstr(hash.substr(7))));
  EXPECT_THAT(printed, HasSubstr(token.string()));

  auto both = load(yaml("alertManager:\n  bearerToken: inline\n  bearerTokenFile: " + token.string() + "\n"));
  EXPECT_THAT(error_for(both, "alertManager.bearerTokenFile"), HasSubstr("give only one"));
  auto missing = load(yaml("alertManager:\n  bearerTokenFile: " + (dir.path() / "nope").string() + "\n"));
  EXPECT_THAT(error_for(missing, "alertManager.bearerTokenFile"), HasSubstr("cannot read"));
}

TEST(AlertManagerConfigTest, printed_config_with_the_mapping_loads_back_the_same) {
  auto first = load(yaml("alertManager:\n  faults:\n    severityMap:\n      disaster: critical\n"
                         "    sourceNameLabels: [host]\n    specificProblemAnnotations: []\n"));
  ASSERT_TRUE(first.ok()) << errors_of(first);
  const std::string text = to_redacted_yaml(first.config);
  Inputs in;
  in.file_name = "printed.yml";
  in.yaml_text = text;
  in.host_name = "testhost";
  auto second = load(in);
  ASSERT_TRUE(second.ok()) << errors_of(second) << text;
  EXPECT_TRUE(second.warnings.empty());
  EXPECT_EQ(second.config.alert_manager.faults.severity_map, first.config.alert_manager.faults.severity_map);
  EXPECT_EQ(second.config.alert_manager.faults.source_name_labels, std::vector<std::string>{"host"});
  EXPECT_TRUE(second.config.alert_manager.faults.specific_problem_annotations.empty());
  EXPECT_EQ(to_redacted_yaml(second.config), text);
}

TEST(AlertManagerConfigTest, every_new_key_is_documented) {
  const std::string md = configuration_markdown();
  for (const char* key : {"passwordHash", "bearerToken", "bearerTokenFile", "maxBodySize", "readTimeout",
                          "alertNameLabel", "severityLabel", "severityMap", "defaultSeverity", "sourceNameLabels",
                          "sourceIdLabel", "specificProblemAnnotations", "eventSourceType", "vfStatus",
                          "unknownResolve", "closedFaultRetention"}) {
    EXPECT_THAT(md, HasSubstr("`" + std::string(key) + "`")) << key;
  }
  EXPECT_THAT(md, HasSubstr("### `alertManager.faults`"));
  for (const auto& d : key_docs()) {
    if (d.path == "alertManager.passwordHash" || d.path == "alertManager.bearerToken") {
      EXPECT_TRUE(d.secret) << d.path;
    }
    if (d.path == "alertManager.faults.severityMap") {
      EXPECT_THAT(d.default_value, HasSubstr("info: WARNING"));
      EXPECT_TRUE(d.env.empty());
    }
  }
}

}  // namespace
}  // namespace vesagent::config
