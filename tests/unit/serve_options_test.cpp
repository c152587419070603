// cli::parse_serve_options: defaults, the docker environment, the strict config file, and
// flags winning over both.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "cli/serve_options.hpp"

namespace dockgate::cli {
namespace {

using Environment = std::map<std::string, std::string>;

engine::EnvironmentLookup lookup_in(Environment environment) {
  return [environment =
              std::move(environment)](const std::string& name) -> std::optional<std::string> {
    const auto found = environment.find(name);
    if (found == environment.end()) return std::nullopt;
    return found->second;
  };
}

// A config file in a fresh temporary folder, removed with the fixture.
class ServeOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("dockgate-serve-options-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  std::string config_file(const std::string& text) {
    const auto path = (folder_ / "dockgate.yaml").string();
    std::ofstream(path) << text;
    return path;
  }

  std::string error_for(const std::vector<std::string>& args, Environment environment = {}) {
    auto options = parse_serve_options(args, lookup_in(std::move(environment)));
    EXPECT_FALSE(options.ok());
    return options.ok() ? "" : options.error().message;
  }

  std::filesystem::path folder_;
};

TEST_F(ServeOptionsTest, DefaultsWithAnEmptyEnvironment) {
  auto options = parse_serve_options({}, lookup_in({{"HOME", "/home/alice"}}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->engine.host, "unix:///var/run/docker.sock");
  EXPECT_FALSE(options->engine.tls_verify);
  EXPECT_FALSE(options->engine.allow_plain_tcp);
  EXPECT_EQ(options->policy_paths, std::vector<std::string>{"policies/default.yaml"});
  EXPECT_EQ(options->audit_log_path, "/home/alice/.local/state/dockgate/audit.jsonl");
  EXPECT_TRUE(options->principal.empty());
  EXPECT_TRUE(options->roles.empty());
  EXPECT_TRUE(options->secrets_dir.empty());
  EXPECT_FALSE(options->pull_budget.has_value());
  EXPECT_FALSE(options->show_help);
}

TEST_F(ServeOptionsTest, DockerEnvironmentSetsTheEngine) {
  auto options = parse_serve_options({}, lookup_in({{"DOCKER_HOST", "tcp://127.0.0.1:2376"},
                                                    {"DOCKER_TLS_VERIFY", "1"},
                                                    {"DOCKER_CERT_PATH", "/certs"},
                                                    {"XDG_STATE_HOME", "/state"}}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->engine.host, "tcp://127.0.0.1:2376");
  EXPECT_TRUE(options->engine.tls_verify);
  EXPECT_EQ(options->engine.cert_path, "/certs");
  EXPECT_EQ(options->audit_log_path, "/state/dockgate/audit.jsonl");
}

TEST_F(ServeOptionsTest, ConfigFileKeysAreApplied) {
  const auto file = config_file(
      "engine:\n"
      "  host: tcp://10.0.0.1:2376\n"
      "  tls_verify: true\n"
      "  cert_path: /etc/dockgate/certs\n"
      "  connect_timeout_ms: 1500\n"
      "  read_timeout_ms: 30000\n"
      "policies: [a.yaml, b.yaml]\n"
      "audit_log: /var/log/dockgate.jsonl\n"
      "principal: alice\n"
      "roles: [developer, oncall]\n"
      "pull_budget_seconds: 20\n");
  auto options = parse_serve_options({"--config", file}, lookup_in({}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->engine.host, "tcp://10.0.0.1:2376");
  EXPECT_TRUE(options->engine.tls_verify);
  EXPECT_EQ(options->engine.cert_path, "/etc/dockgate/certs");
  EXPECT_EQ(options->engine.connect_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(options->engine.read_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(options->policy_paths, (std::vector<std::string>{"a.yaml", "b.yaml"}));
  EXPECT_EQ(options->audit_log_path, "/var/log/dockgate.jsonl");
  EXPECT_EQ(options->principal, "alice");
  EXPECT_EQ(options->roles, (std::vector<std::string>{"developer", "oncall"}));
  EXPECT_EQ(options->pull_budget, std::chrono::milliseconds(20000));
}

TEST_F(ServeOptionsTest, ConfigFileOverridesTheEnvironment) {
  const auto file = config_file("engine:\n  host: unix:///run/other.sock\n");
  auto options = parse_serve_options({"--config", file},
                                     lookup_in({{"DOCKER_HOST", "unix:///var/run/docker.sock"}}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->engine.host, "unix:///run/other.sock");
}

TEST_F(ServeOptionsTest, UnknownKeysAreRefusedWithFileLineAndColumn) {
  const auto file = config_file("principal: alice\npolicy: x.yaml\n");
  const auto message = error_for({"--config", file});
  EXPECT_NE(message.find(file + ":2:1: unknown key 'policy'"), std::string::npos) << message;
  EXPECT_NE(message.find("expected engine, policies"), std::string::npos) << message;

  const auto engine_file = config_file("engine:\n  host: unix:///x.sock\n  tls: true\n");
  const auto engine_message = error_for({"--config", engine_file});
  EXPECT_NE(engine_message.find(engine_file + ":3:3: unknown engine key 'tls'"), std::string::npos)
      << engine_message;
}

TEST_F(ServeOptionsTest, WrongTypesAreRefusedWithTheirPlace) {
  const auto not_bool = config_file("engine:\n  tls_verify: maybe\n");
  auto message = error_for({"--config", not_bool});
  EXPECT_NE(message.find(not_bool + ":2:15: wrong type"), std::string::npos) << message;

  const auto not_list = config_file("roles: developer\n");
  message = error_for({"--config", not_list});
  EXPECT_NE(message.find(not_list + ":1:8: expected a list of strings"), std::string::npos)
      << message;

  const auto not_number = config_file("engine:\n  read_timeout_ms: soon\n");
  message = error_for({"--config", not_number});
  EXPECT_NE(message.find("wrong type"), std::string::npos) << message;

  const auto not_map = config_file("- just\n- a list\n");
  message = error_for({"--config", not_map});
  EXPECT_NE(message.find("must be a map"), std::string::npos) << message;

  const auto out_of_range = config_file("pull_budget_seconds: 0\n");
  message = error_for({"--config", out_of_range});
  EXPECT_NE(message.find("pull_budget_seconds must be 1..3600"), std::string::npos) << message;
}

TEST_F(ServeOptionsTest, FlagsOverrideTheConfigFileAndTheEnvironment) {
  const auto file = config_file(
      "engine:\n  host: unix:///from-config.sock\npolicies: [config.yaml]\n"
      "audit_log: /config.jsonl\nprincipal: alice\nroles: [developer]\n");
  auto options = parse_serve_options(
      {"--config", file, "--docker-host", "tcp://127.0.0.1:2376", "--tls-verify", "--cert-path",
       "/flag-certs", "--policy", "p1.yaml", "--policy", "p2.yaml", "--audit-log", "/flag.jsonl",
       "--principal", "bob", "--role", "admin"},
      lookup_in({{"DOCKER_HOST", "unix:///from-env.sock"}}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->engine.host, "tcp://127.0.0.1:2376");
  EXPECT_TRUE(options->engine.tls_verify);
  EXPECT_EQ(options->engine.cert_path, "/flag-certs");
  EXPECT_EQ(options->policy_paths, (std::vector<std::string>{"p1.yaml", "p2.yaml"}));
  EXPECT_EQ(options->audit_log_path, "/flag.jsonl");
  EXPECT_EQ(options->principal, "bob");
  EXPECT_EQ(options->roles, std::vector<std::string>{"admin"});
}

TEST_F(ServeOptionsTest, MissingConfigFileIsAClearError) {
  const auto missing = (folder_ / "nope.yaml").string();
  const auto message = error_for({"--config", missing});
  EXPECT_NE(message.find(missing), std::string::npos) << message;
  EXPECT_NE(message.find("bad file"), std::string::npos) << message;
}

TEST_F(ServeOptionsTest, UnknownFlagsAndHelp) {
  EXPECT_NE(error_for({"--frobnicate"}).find("see dockgate serve --help"), std::string::npos);
  EXPECT_NE(error_for({"--docker-host"}).find("see dockgate serve --help"), std::string::npos);
  auto help = parse_serve_options({"--help"}, lookup_in({}));
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(help->show_help);
}

TEST_F(ServeOptionsTest, AuditDefaultsRefuseAndCheckpointEvery1000WithoutRotation) {
  auto options = parse_serve_options({}, lookup_in({{"HOME", "/home/alice"}}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  const auto& writer = options->audit.writer;
  EXPECT_EQ(writer.max_bytes, 0u);
  EXPECT_EQ(writer.max_age, std::chrono::seconds(0));
  EXPECT_EQ(writer.checkpoint_every, 1000u);
  EXPECT_EQ(writer.on_failure, audit::AuditFailureAction::Refuse);
  EXPECT_TRUE(writer.hmac_key.empty());
}

TEST_F(ServeOptionsTest, AuditFlagsAreApplied) {
  const auto key = (folder_ / "key").string();
  std::ofstream(key) << "0123456789abcdef0123456789abcdef\n";
  auto options =
      parse_serve_options({"--audit-max-bytes", "100M", "--audit-max-age", "24h", "--audit-failure",
                           "halt", "--audit-checkpoint-every", "0", "--audit-hmac-key-file", key},
                          lookup_in({}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  const auto& writer = options->audit.writer;
  EXPECT_EQ(writer.max_bytes, 100u * 1024 * 1024);
  EXPECT_EQ(writer.max_age, std::chrono::hours(24));
  EXPECT_EQ(writer.on_failure, audit::AuditFailureAction::Halt);
  EXPECT_EQ(writer.checkpoint_every, 0u);
  EXPECT_EQ(writer.hmac_key, "0123456789abcdef0123456789abcdef");
}

TEST_F(ServeOptionsTest, AuditConfigBlockIsAppliedAndFlagsWin) {
  const auto file = config_file(
      "audit:\n  max_bytes: 1048576\n  max_age: 7d\n  failure: halt\n"
      "  checkpoint_every: 50\n");
  auto options =
      parse_serve_options({"--config", file, "--audit-failure", "refuse"}, lookup_in({}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  const auto& writer = options->audit.writer;
  EXPECT_EQ(writer.max_bytes, 1048576u);
  EXPECT_EQ(writer.max_age, std::chrono::hours(7 * 24));
  EXPECT_EQ(writer.on_failure, audit::AuditFailureAction::Refuse);
  EXPECT_EQ(writer.checkpoint_every, 50u);
}

TEST_F(ServeOptionsTest, AuditFlagValuesOfTheWrongKindAreRefused) {
  // wrong type
  EXPECT_NE(
      error_for({"--audit-max-bytes", "lots"}).find("--audit-max-bytes: 'lots' is not a size"),
      std::string::npos);
  EXPECT_NE(error_for({"--audit-max-age", "24"}).find("--audit-max-age: '24' is not a duration"),
            std::string::npos);
  EXPECT_NE(error_for({"--audit-failure", "ignore"}).find("refuse (refuse calls"),
            std::string::npos);
  EXPECT_NE(error_for({"--audit-checkpoint-every", "-5"}).find("is not a record count"),
            std::string::npos);
  // missing value
  EXPECT_NE(error_for({"--audit-max-bytes"}).find("see dockgate serve --help"), std::string::npos);
  EXPECT_NE(error_for({"--audit-failure"}).find("see dockgate serve --help"), std::string::npos);
  EXPECT_NE(error_for({"--audit-max-age", ""}).find("is not a duration"), std::string::npos);
  // oversized / out of range
  EXPECT_NE(error_for({"--audit-max-bytes", "2T"}).find("from 4k to 1T"), std::string::npos);
  EXPECT_NE(error_for({"--audit-max-bytes", "100"}).find("from 4k to 1T"), std::string::npos);
  EXPECT_NE(error_for({"--audit-max-bytes", "99999999999999999999999"}).find("is not a size"),
            std::string::npos);
  EXPECT_NE(error_for({"--audit-max-age", "400d"}).find("1m to 366d"), std::string::npos);
  EXPECT_NE(error_for({"--audit-max-age", "30s"}).find("1m to 366d"), std::string::npos);
  EXPECT_NE(error_for({"--audit-checkpoint-every", "100000001"}).find("to 100000000"),
            std::string::npos);
  EXPECT_NE(error_for({"--audit-hmac-key-file", (folder_ / "none").string()})
                .find("cannot read the audit HMAC key file"),
            std::string::npos);
  // hostile: long, control characters; echoed short and printable
  const auto hostile = error_for({"--audit-failure", std::string(5000, 'x') + "\n\x1b[31m"});
  EXPECT_LT(hostile.size(), 300u) << hostile;
  EXPECT_EQ(hostile.find('\x1b'), std::string::npos);
  const auto control = error_for({"--audit-max-bytes", "10\nM"});
  EXPECT_EQ(control.find('\n'), std::string::npos) << control;
}

TEST_F(ServeOptionsTest, AuditConfigBlockIsStrict) {
  auto message = error_for({"--config", config_file("audit: 5\n")});
  EXPECT_NE(message.find(":1:8: audit must be a map"), std::string::npos) << message;
  message = error_for({"--config", config_file("audit:\n  rotate: daily\n")});
  EXPECT_NE(message.find(":2:3: unknown audit key 'rotate'"), std::string::npos) << message;
  message = error_for({"--config", config_file("audit:\n  max_bytes: [1, 2]\n")});
  EXPECT_NE(message.find("wrong type: audit.max_bytes must be a single value"), std::string::npos)
      << message;
  message = error_for({"--config", config_file("audit:\n  max_age:\n")});
  EXPECT_NE(message.find("wrong type: audit.max_age"), std::string::npos) << message;
  message = error_for({"--config", config_file("audit:\n  failure: explode\n")});
  EXPECT_NE(message.find(":2:12: audit.failure: 'explode' is not an action"), std::string::npos)
      << message;
  message = error_for({"--config", config_file("audit:\n  checkpoint_every: 1e9\n")});
  EXPECT_NE(message.find("audit.checkpoint_every"), std::string::npos) << message;
  const auto short_key = (folder_ / "short-key").string();
  std::ofstream(short_key) << "tiny";
  message = error_for({"--config", config_file("audit:\n  hmac_key_file: " + short_key + "\n")});
  EXPECT_NE(message.find("a key is 16 to 4096 bytes"), std::string::npos) << message;
}

}  // namespace
}  // namespace dockgate::cli
