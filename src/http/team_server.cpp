#include "http/team_server.hpp"

#include "asio/asio.hpp"
#include "http/listener.hpp"

namespace dockgate::team_server {

std::string check_config(const TeamServerConfig& config) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(config.bind_host, ec);
  if (ec) {
    return "'" + config.bind_host + "' is not an IP address to listen on (e.g. 127.0.0.1:8443)";
  }
  if (config.test_no_auth && !address.is_loopback()) {
    return "--http-test-no-auth (no authentication, for the conformance suite) is only allowed on "
           "a loopback address, not " +
           config.bind_host;
  }
  if (config.insecure_loopback) {
    if (!address.is_loopback()) {
      return "plain HTTP (--http-insecure-loopback) is only allowed on a loopback address, not " +
             config.bind_host + ": bearer tokens would cross the network in clear";
    }
    if (!config.tls_cert_file.empty() || !config.tls_key_file.empty()) {
      return "--http-insecure-loopback and --tls-cert/--tls-key exclude each other";
    }
  } else if (config.tls_cert_file.empty() || config.tls_key_file.empty()) {
    return "--tls-cert and --tls-key are required with --http (plain HTTP only with "
           "--http-insecure-loopback on 127.0.0.1)";
  }
  if (config.max_sessions == 0 || config.max_connections == 0 || config.max_body_bytes == 0 ||
      config.session_idle_timeout.count() <= 0 || config.auth_failures_per_minute == 0) {
    return "the team server's limits must all be positive";
  }
  return {};
}

Status serve(const TeamServerConfig& config, TeamServerServices& services) {
  Listener listener(config, services);
  if (auto opened = listener.open(); !opened) return opened.error();
  listener.run();
  return Ok{};
}

}  // namespace dockgate::team_server
