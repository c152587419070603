// Internal to the engine component: DOCKER_HOST parsed into where to connect. Pure, so the
// unit tests can check every accepted and refused form without a network.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace dockgate::engine {

struct EngineEndpoint {
  enum class Kind { unix_socket, tcp };
  Kind kind = Kind::unix_socket;
  std::string socket_path;  // unix_socket only
  std::string host;         // tcp only: a DNS name or an IP literal (IPv6 without brackets)
  std::string port;         // tcp only
  bool host_is_ip = false;  // an IP literal is verified against the certificate's IP SANs
  std::string label;        // normalized, for messages: "tcp://127.0.0.1:2376"
};

// Accepts unix:///absolute/path and tcp://host[:port] (IPv6 as tcp://[::1]:2376); the
// port defaults to 2376 with TLS and 2375 without, as the docker CLI does. Anything else
// (ssh://, npipe://, fd://, http://, a bare host) is refused with a sentence saying why.
Result<EngineEndpoint> parse_docker_host(std::string_view docker_host, bool tls_verify);

}  // namespace dockgate::engine
