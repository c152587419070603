// `dockgate serve --http ...`: the team server's flags, their defaults and their refusals.
#include <gtest/gtest.h>

#include <map>

#include "cli/serve_options.hpp"

namespace dockgate::cli {
namespace {

engine::EnvironmentLookup no_environment() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

Result<ServeOptions> parse(std::vector<std::string> args) {
  return parse_serve_options(args, no_environment());
}

std::string error_for(std::vector<std::string> args) {
  auto options = parse(std::move(args));
  EXPECT_FALSE(options.ok());
  return options.ok() ? "" : options.error().message;
}

const std::vector<std::string> kTls = {"--tls-cert", "c.pem",        "--tls-key",
                                       "k.pem",      "--users-file", "u.yaml"};

std::vector<std::string> with_tls(std::vector<std::string> args) {
  args.insert(args.end(), kTls.begin(), kTls.end());
  return args;
}

TEST(ServeHttpOptions, StdioStaysTheDefault) {
  auto options = parse({});
  ASSERT_TRUE(options.ok());
  EXPECT_FALSE(options->http);
}

TEST(ServeHttpOptions, HttpWithTlsAndDefaults) {
  auto options = parse(with_tls({"--http", "127.0.0.1:8443"}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  ASSERT_TRUE(options->http);
  EXPECT_EQ(options->http->bind_host, "127.0.0.1");
  EXPECT_EQ(options->http->port, 8443);
  EXPECT_EQ(options->http->tls_cert_file, "c.pem");
  EXPECT_FALSE(options->http->insecure_loopback);
  EXPECT_EQ(options->http->session_idle_timeout, std::chrono::seconds(1800));
  EXPECT_EQ(options->users_file, "u.yaml");
  EXPECT_TRUE(options->http->allowed_origins.empty());
}

TEST(ServeHttpOptions, AllFlags) {
  auto options =
      parse(with_tls({"--http", "[::1]:0", "--allowed-host", "dockgate.example", "--allowed-host",
                      "dockgate.example:8443", "--allowed-origin", "https://tool.example",
                      "--session-idle-timeout", "60", "--auth-failures-per-minute", "3"}));
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->http->bind_host, "::1");
  EXPECT_EQ(options->http->port, 0);
  EXPECT_EQ(options->http->allowed_hosts.size(), 2u);
  EXPECT_EQ(options->http->allowed_origins, std::vector<std::string>{"https://tool.example"});
  EXPECT_EQ(options->http->session_idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(options->http->auth_failures_per_minute, 3u);
}

TEST(ServeHttpOptions, BadListenAddresses) {
  for (const char* address : {"8443", "127.0.0.1", "127.0.0.1:", ":8443", "127.0.0.1:65536",
                              "127.0.0.1:-1", "127.0.0.1:84x3", "[::1:8443", "localhost:8443",
                              "300.1.1.1:8443", "127.0.0.1:99999999999999999999"}) {
    EXPECT_FALSE(error_for(with_tls({"--http", address})).empty()) << address;
  }
  EXPECT_NE(error_for(with_tls({"--http", std::string(10000, '1') + ":1"})).find("--http"),
            std::string::npos);
}

TEST(ServeHttpOptions, MissingValuesAndWrongTypes) {
  EXPECT_NE(error_for({"--http"}).find("http"), std::string::npos);
  EXPECT_FALSE(
      error_for(with_tls({"--http", "127.0.0.1:1", "--session-idle-timeout", "soon"})).empty());
  EXPECT_FALSE(
      error_for(with_tls({"--http", "127.0.0.1:1", "--session-idle-timeout", "-5"})).empty());
  EXPECT_FALSE(
      error_for(with_tls({"--http", "127.0.0.1:1", "--session-idle-timeout", "0"})).empty());
  EXPECT_FALSE(
      error_for(with_tls({"--http", "127.0.0.1:1", "--auth-failures-per-minute", "0"})).empty());
  EXPECT_FALSE(
      error_for(with_tls({"--http", "127.0.0.1:1", "--auth-failures-per-minute", "1e9"})).empty());
  EXPECT_FALSE(error_for({"--http", "127.0.0.1:1", "--tls-cert"}).empty());
}

TEST(ServeHttpOptions, TlsAndUsersFileRequired) {
  EXPECT_NE(error_for({"--http", "127.0.0.1:8443", "--users-file", "u"}).find("--tls-cert"),
            std::string::npos);
  EXPECT_NE(error_for({"--http", "127.0.0.1:8443", "--tls-cert", "c", "--tls-key", "k"})
                .find("--users-file is required"),
            std::string::npos);
}

TEST(ServeHttpOptions, PlainHttpOnlyOnLoopbackAndOnlyByName) {
  auto options =
      parse({"--http", "127.0.0.1:8080", "--http-insecure-loopback", "--users-file", "u"});
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_TRUE(options->http->insecure_loopback);
  EXPECT_NE(error_for({"--http", "0.0.0.0:8080", "--http-insecure-loopback", "--users-file", "u"})
                .find("loopback"),
            std::string::npos);
  EXPECT_NE(error_for({"--http", "10.1.2.3:8080", "--http-insecure-loopback", "--users-file", "u"})
                .find("loopback"),
            std::string::npos);
  EXPECT_FALSE(error_for(with_tls({"--http", "127.0.0.1:1", "--http-insecure-loopback"})).empty());
}

TEST(ServeHttpOptions, TestNoAuthOnlyOnLoopbackAndWithoutUsers) {
  auto options =
      parse({"--http", "127.0.0.1:0", "--http-insecure-loopback", "--http-test-no-auth"});
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_TRUE(options->http->test_no_auth);
  EXPECT_TRUE(options->users_file.empty());
  auto ipv6 = parse({"--http", "[::1]:0", "--http-insecure-loopback", "--http-test-no-auth"});
  ASSERT_TRUE(ipv6.ok()) << ipv6.error().message;
  // With TLS on loopback it is allowed too (no users file).
  auto tls = parse({"--http", "127.0.0.1:0", "--tls-cert", "c.pem", "--tls-key", "k.pem",
                    "--http-test-no-auth"});
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  EXPECT_TRUE(tls->http->test_no_auth);
  // Off loopback: refused, with TLS or without.
  EXPECT_NE(error_for({"--http", "0.0.0.0:8080", "--tls-cert", "c.pem", "--tls-key", "k.pem",
                       "--http-test-no-auth"})
                .find("--http-test-no-auth"),
            std::string::npos);
  EXPECT_NE(error_for({"--http", "10.1.2.3:8080", "--tls-cert", "c.pem", "--tls-key", "k.pem",
                       "--http-test-no-auth"})
                .find("loopback"),
            std::string::npos);
  EXPECT_NE(error_for({"--http", "0.0.0.0:8080", "--http-insecure-loopback", "--http-test-no-auth"})
                .find("loopback"),
            std::string::npos);
  // Neither TLS nor --http-insecure-loopback: refused.
  EXPECT_NE(error_for({"--http", "127.0.0.1:8080", "--http-test-no-auth"}).find("--tls-cert"),
            std::string::npos);
  // A users file contradicts it.
  EXPECT_NE(error_for({"--http", "127.0.0.1:8080", "--http-insecure-loopback",
                       "--http-test-no-auth", "--users-file", "u"})
                .find("exclude each other"),
            std::string::npos);
  // Without --http it means nothing.
  EXPECT_NE(error_for({"--http-test-no-auth"}).find("only applies"), std::string::npos);
}

TEST(ServeHttpOptions, PrincipalComesFromTheTokenNotFlags) {
  EXPECT_NE(error_for(with_tls({"--http", "127.0.0.1:1", "--principal", "root"})).find("token"),
            std::string::npos);
  EXPECT_FALSE(error_for(with_tls({"--http", "127.0.0.1:1", "--role", "admin"})).empty());
}

TEST(ServeHttpOptions, TeamFlagsNeedHttp) {
  EXPECT_NE(error_for({"--tls-cert", "c.pem"}).find("only applies with --http"), std::string::npos);
  EXPECT_NE(error_for({"--users-file", "u"}).find("only applies with --http"), std::string::npos);
  EXPECT_NE(error_for({"--http-insecure-loopback"}).find("only applies"), std::string::npos);
}

TEST(ServeHttpOptions, HostileHostsAndOrigins) {
  for (const std::string& host :
       std::vector<std::string>{"", "a b", "evil/path", "a,b", std::string(300, 'h')}) {
    EXPECT_NE(error_for(with_tls({"--http", "127.0.0.1:1", "--allowed-host", host}))
                  .find("--allowed-host"),
              std::string::npos)
        << host;
  }
  for (const std::string& origin :
       std::vector<std::string>{"tool.example", "https://tool.example/", "https://a b",
                                "javascript:alert(1)", "https://" + std::string(300, 'o')}) {
    EXPECT_NE(error_for(with_tls({"--http", "127.0.0.1:1", "--allowed-origin", origin}))
                  .find("--allowed-origin"),
              std::string::npos)
        << origin;
  }
}

}  // namespace
}  // namespace dockgate::cli
