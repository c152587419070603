// Where the Docker Engine is and how to reach it. Read from DOCKER_HOST, DOCKER_TLS_VERIFY
// and DOCKER_CERT_PATH as the docker CLI does; a config file may override each field.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace dockgate::engine {

struct EngineConfig {
  // "unix:///var/run/docker.sock" or "tcp://127.0.0.1:2376". Default: the local socket.
  std::string host = "unix:///var/run/docker.sock";
  // For tcp:// hosts. With tls_verify the engine's chain and host/IP are verified and our
  // client certificate is presented. There is no "TLS without verify" mode.
  bool tls_verify = false;
  std::string cert_path;  // folder with ca.pem, cert.pem, key.pem
  // Plain tcp:// without TLS is refused unless this is set explicitly (never by default,
  // never as a fallback when TLS fails).
  bool allow_plain_tcp = false;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{60000};
  // Largest response body we keep in memory.
  std::size_t max_body_bytes = 64 * 1024 * 1024;
};

using EnvironmentLookup = std::function<std::optional<std::string>(const std::string&)>;

// Builds a config from the environment (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH;
// DOCKER_CERT_PATH defaults to ~/.docker when DOCKER_TLS_VERIFY is set, as the CLI does).
Result<EngineConfig> engine_config_from_environment(const EnvironmentLookup& lookup);

// Checks a config is usable before any connection: a known scheme, TLS on tcp:// unless
// allow_plain_tcp, the three PEM files present and readable when tls_verify is set.
Status validate(const EngineConfig& config);

}  // namespace dockgate::engine
