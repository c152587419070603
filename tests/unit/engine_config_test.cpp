// Engine configuration from the environment, DOCKER_HOST parsing and API version arithmetic:
// all pure, no engine and no network.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "engine/api_version.hpp"
#include "engine/docker_host.hpp"
#include "engine/engine_client.hpp"
#include "engine/engine_config.hpp"

namespace dockgate::engine {
namespace {

using Environment = std::map<std::string, std::string>;

EnvironmentLookup lookup_in(Environment environment) {
  return [environment = std::move(environment)](const std::string& name) {
    const auto found = environment.find(name);
    return found == environment.end() ? std::nullopt : std::optional(found->second);
  };
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// A DOCKER_CERT_PATH with the three PEM files (content does not matter to validate()).
class CertFolder {
 public:
  CertFolder() {
    path_ = std::filesystem::temp_directory_path() /
            ("dockgate-engine-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
    for (const char* name : {"ca.pem", "cert.pem", "key.pem"}) std::ofstream(path_ / name) << "x";
  }
  ~CertFolder() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }
  void remove(const char* name) const { std::filesystem::remove(path_ / name); }

 private:
  std::filesystem::path path_;
};

TEST(EngineConfigFromEnvironment, EmptyEnvironmentUsesTheLocalSocket) {
  auto config = engine_config_from_environment(lookup_in({}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->host, "unix:///var/run/docker.sock");
  EXPECT_FALSE(config->tls_verify);
  EXPECT_FALSE(config->allow_plain_tcp);
  EXPECT_TRUE(config->cert_path.empty());
  EXPECT_TRUE(validate(*config));
}

TEST(EngineConfigFromEnvironment, EmptyDockerHostMeansTheDefault) {
  auto config = engine_config_from_environment(lookup_in({{"DOCKER_HOST", ""}}));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->host, "unix:///var/run/docker.sock");
}

TEST(EngineConfigFromEnvironment, UnixSocketFromDockerHost) {
  auto config =
      engine_config_from_environment(lookup_in({{"DOCKER_HOST", "unix:///run/dev/docker.sock"}}));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->host, "unix:///run/dev/docker.sock");
  EXPECT_TRUE(validate(*config));
}

TEST(EngineConfigFromEnvironment, AnyNonEmptyTlsVerifyTurnsVerificationOnLikeTheDockerCli) {
  for (const char* value : {"1", "0", "false", "yes"}) {
    auto config = engine_config_from_environment(
        lookup_in({{"DOCKER_TLS_VERIFY", value}, {"DOCKER_CERT_PATH", "/certs"}}));
    ASSERT_TRUE(config);
    EXPECT_TRUE(config->tls_verify) << value;
  }
  auto empty = engine_config_from_environment(lookup_in({{"DOCKER_TLS_VERIFY", ""}}));
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->tls_verify);
}

TEST(EngineConfigFromEnvironment, CertPathDefaultsToHomeDotDockerWhenTlsVerifyIsSet) {
  auto config = engine_config_from_environment(
      lookup_in({{"DOCKER_TLS_VERIFY", "1"}, {"HOME", "/home/alice"}}));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->cert_path, "/home/alice/.docker");
}

TEST(EngineConfigFromEnvironment, TlsVerifyWithoutCertPathOrHomeIsAnError) {
  auto config = engine_config_from_environment(lookup_in({{"DOCKER_TLS_VERIFY", "1"}}));
  ASSERT_FALSE(config);
  EXPECT_TRUE(contains(config.error().message, "DOCKER_CERT_PATH"));
}

TEST(EngineConfigFromEnvironment, TcpWithTlsAndCertFilesValidates) {
  CertFolder certs;
  auto config = engine_config_from_environment(lookup_in({{"DOCKER_HOST", "tcp://127.0.0.1:2376"},
                                                          {"DOCKER_TLS_VERIFY", "1"},
                                                          {"DOCKER_CERT_PATH", certs.path()}}));
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->tls_verify);
  EXPECT_EQ(config->cert_path, certs.path());
  auto valid = validate(*config);
  EXPECT_TRUE(valid) << valid.error().message;
}

TEST(EngineConfigFromEnvironment, RejectsUnsupportedSchemes) {
  for (const char* host : {"ssh://me@host", "npipe:////./pipe/docker_engine", "fd://",
                           "http://127.0.0.1:2375", "127.0.0.1:2376"}) {
    auto config = engine_config_from_environment(lookup_in({{"DOCKER_HOST", host}}));
    ASSERT_FALSE(config) << host;
    EXPECT_TRUE(contains(config.error().message, host)) << config.error().message;
    EXPECT_TRUE(contains(config.error().message, "unix://")) << config.error().message;
  }
}

TEST(EngineConfigValidate, PlainTcpIsRefusedWithAClearMessage) {
  EngineConfig config;
  config.host = "tcp://10.0.0.5:2375";
  auto valid = validate(config);
  ASSERT_FALSE(valid);
  EXPECT_TRUE(contains(valid.error().message, "without TLS")) << valid.error().message;
  EXPECT_TRUE(contains(valid.error().message, "DOCKER_TLS_VERIFY")) << valid.error().message;
  EXPECT_FALSE(EngineClient::create(config));
}

TEST(EngineConfigValidate, CertPathWithoutTlsVerifyIsStillPlainTcpAndRefused) {
  EngineConfig config;
  config.host = "tcp://10.0.0.5:2376";
  config.cert_path = "/certs";
  auto valid = validate(config);
  ASSERT_FALSE(valid);
  EXPECT_TRUE(contains(valid.error().message, "DOCKER_CERT_PATH is set")) << valid.error().message;
}

TEST(EngineConfigValidate, PlainTcpOnlyWhenAllowedExplicitly) {
  EngineConfig config;
  config.host = "tcp://10.0.0.5:2375";
  config.allow_plain_tcp = true;
  EXPECT_TRUE(validate(config));
  EXPECT_TRUE(EngineClient::create(config));  // no network until the first call
}

TEST(EngineConfigValidate, MissingCertFileIsNamed) {
  CertFolder certs;
  certs.remove("key.pem");
  EngineConfig config;
  config.host = "tcp://127.0.0.1:2376";
  config.tls_verify = true;
  config.cert_path = certs.path();
  auto valid = validate(config);
  ASSERT_FALSE(valid);
  EXPECT_TRUE(contains(valid.error().message, certs.path() + "/key.pem")) << valid.error().message;
  EXPECT_TRUE(contains(valid.error().message, "does not exist")) << valid.error().message;
}

TEST(EngineConfigValidate, TlsWithoutCertPathIsAnError) {
  EngineConfig config;
  config.host = "tcp://127.0.0.1:2376";
  config.tls_verify = true;
  EXPECT_FALSE(validate(config));
}

TEST(EngineConfigValidate, UnparsableCertFilesFailAtCreateNotAtValidate) {
  CertFolder certs;  // files hold "x", not PEM
  EngineConfig config;
  config.host = "tcp://127.0.0.1:2376";
  config.tls_verify = true;
  config.cert_path = certs.path();
  EXPECT_TRUE(validate(config));
  auto client = EngineClient::create(config);
  ASSERT_FALSE(client);
  EXPECT_TRUE(contains(client.error().message, "ca.pem")) << client.error().message;
}

TEST(DockerHost, TcpPortDefaultsTo2376WithTlsAnd2375Without) {
  auto with_tls = parse_docker_host("tcp://engine.example", true);
  ASSERT_TRUE(with_tls);
  EXPECT_EQ(with_tls->port, "2376");
  EXPECT_EQ(with_tls->label, "tcp://engine.example:2376");
  EXPECT_FALSE(with_tls->host_is_ip);
  auto without = parse_docker_host("tcp://engine.example/", false);
  ASSERT_TRUE(without);
  EXPECT_EQ(without->port, "2375");
}

TEST(DockerHost, IpLiteralsAreRecognizedForCertificateIpChecks) {
  auto v4 = parse_docker_host("tcp://127.0.0.1:2376", true);
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->host_is_ip);
  EXPECT_EQ(v4->host, "127.0.0.1");
  auto v6 = parse_docker_host("tcp://[::1]:2376", true);
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->host_is_ip);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->label, "tcp://[::1]:2376");
}

TEST(DockerHost, RejectsMalformedTcpHosts) {
  for (const char* host : {"tcp://", "tcp://:2376", "tcp://h:0", "tcp://h:99999", "tcp://h:x",
                           "tcp://h:2376/v1.41", "tcp://::1:2376", "tcp://[::1"}) {
    EXPECT_FALSE(parse_docker_host(host, true)) << host;
  }
}

TEST(DockerHost, UnixNeedsAnAbsolutePath) {
  EXPECT_FALSE(parse_docker_host("unix://", false));
  EXPECT_FALSE(parse_docker_host("unix://relative.sock", false));
  auto socket = parse_docker_host("unix:///var/run/docker.sock", false);
  ASSERT_TRUE(socket);
  EXPECT_EQ(socket->socket_path, "/var/run/docker.sock");
}

TEST(ApiVersion, ComparesNumericallyNotAsText) {
  EXPECT_LT(*parse_api_version("1.9"), *parse_api_version("1.41"));
  EXPECT_LT(*parse_api_version("1.41"), *parse_api_version("2.0"));
  EXPECT_EQ(*parse_api_version("1.41"), *parse_api_version("1.41"));
  EXPECT_FALSE(parse_api_version("1"));
  EXPECT_FALSE(parse_api_version("1.x"));
  EXPECT_FALSE(parse_api_version(""));
  EXPECT_FALSE(parse_api_version("v1.41"));
}

TEST(ApiVersion, NewerEnginesAreCappedAtTheHighestWeSpeak) {
  EXPECT_EQ(choose_api_version("1.45", "1.24").value(), "1.41");
  EXPECT_EQ(choose_api_version("1.41", "1.12").value(), "1.41");
  EXPECT_EQ(choose_api_version("1.30", "").value(), "1.30");
  EXPECT_EQ(choose_api_version("1.24", "").value(), "1.24");
}

TEST(ApiVersion, OldEnginesAreRefusedWithTheReason) {
  auto old = choose_api_version("1.9", "");
  ASSERT_FALSE(old);
  EXPECT_TRUE(contains(old.error().message, "1.24")) << old.error().message;
  EXPECT_FALSE(choose_api_version("garbage", ""));
}

TEST(ApiVersion, EnginesThatDroppedOurVersionAreRefused) {
  auto dropped = choose_api_version("1.50", "1.44");
  ASSERT_FALSE(dropped);
  EXPECT_TRUE(contains(dropped.error().message, "1.44")) << dropped.error().message;
}

TEST(EngineResponse, ErrorMessageReadsTheEnginesJsonMessage) {
  EngineResponse response{404, "application/json", "{\"message\":\"No such container: x\"}\n"};
  EXPECT_EQ(response.error_message(), "No such container: x");
  EngineResponse plain{500, "text/plain", "  page not found\n"};
  EXPECT_EQ(plain.error_message(), "page not found");
  EngineResponse empty{502, "", ""};
  EXPECT_TRUE(contains(empty.error_message(), "502"));
}

}  // namespace
}  // namespace dockgate::engine
