#include "engine/docker_host.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace dockgate::engine {

namespace {

constexpr std::string_view kUnixScheme = "unix://";
constexpr std::string_view kTcpScheme = "tcp://";
constexpr std::string_view kSupportedForms =
    "use unix:///path/to/docker.sock or tcp://host:port (with DOCKER_TLS_VERIFY)";

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

bool is_valid_port(std::string_view port) {
  int value = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  return error == std::errc{} && end == port.data() + port.size() && value > 0 && value < 65536;
}

Error refuse(std::string_view docker_host, std::string_view why) {
  return make_error("DOCKER_HOST \"" + std::string(docker_host) + "\" " + std::string(why));
}

Result<EngineEndpoint> parse_unix(std::string_view docker_host) {
  EngineEndpoint endpoint;
  endpoint.kind = EngineEndpoint::Kind::unix_socket;
  endpoint.socket_path = std::string(docker_host.substr(kUnixScheme.size()));
  if (endpoint.socket_path.empty() || endpoint.socket_path.front() != '/') {
    return refuse(docker_host, "needs an absolute socket path, e.g. unix:///var/run/docker.sock");
  }
  endpoint.label = std::string(docker_host);
  return endpoint;
}

Result<EngineEndpoint> parse_tcp(std::string_view docker_host, bool tls_verify) {
  std::string_view authority = docker_host.substr(kTcpScheme.size());
  // The docker CLI allows a trailing "/" and a base path; a base path would silently change
  // every request target, so only the bare "/" is accepted.
  if (const auto slash = authority.find('/'); slash != std::string_view::npos) {
    if (authority.substr(slash) != "/") {
      return refuse(docker_host, "has a path; dockgate supports only tcp://host:port");
    }
    authority = authority.substr(0, slash);
  }
  EngineEndpoint endpoint;
  endpoint.kind = EngineEndpoint::Kind::tcp;
  std::string_view port;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return refuse(docker_host, "has an unclosed '['");
    endpoint.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      return refuse(docker_host, "has text after the IPv6 address");
    }
    port = rest.empty() ? rest : rest.substr(1);
  } else {
    const auto colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (std::count(authority.begin(), authority.end(), ':') > 1) {
      return refuse(docker_host, "looks like an IPv6 address: write it as tcp://[::1]:2376");
    }
  }
  if (endpoint.host.empty()) return refuse(docker_host, "has no host name");
  if (port.empty()) {
    endpoint.port = tls_verify ? "2376" : "2375";
  } else if (is_valid_port(port)) {
    endpoint.port = std::string(port);
  } else {
    return refuse(docker_host, "has an invalid port \"" + std::string(port) + "\"");
  }
  endpoint.host_is_ip = is_ip_literal(endpoint.host);
  const bool bracket = endpoint.host.find(':') != std::string::npos;
  endpoint.label = std::string(kTcpScheme) + (bracket ? "[" : "") + endpoint.host +
                   (bracket ? "]" : "") + ":" + endpoint.port;
  return endpoint;
}

}  // namespace

Result<EngineEndpoint> parse_docker_host(std::string_view docker_host, bool tls_verify) {
  if (docker_host.starts_with(kUnixScheme)) return parse_unix(docker_host);
  if (docker_host.starts_with(kTcpScheme)) return parse_tcp(docker_host, tls_verify);
  const auto scheme_end = docker_host.find("://");
  if (scheme_end == std::string_view::npos) {
    return refuse(docker_host, "has no scheme: " + std::string(kSupportedForms));
  }
  const std::string scheme(docker_host.substr(0, scheme_end));
  std::string why = "uses " + scheme + "://, which dockgate does not support";
  if (scheme == "ssh") why += " (it would need the ssh client and docker on the remote host)";
  if (scheme == "npipe") why += " (named pipes exist only on Windows)";
  return refuse(docker_host, why + ": " + std::string(kSupportedForms));
}

}  // namespace dockgate::engine
