#include "engine/engine_config.hpp"

#include <filesystem>
#include <fstream>

#include "engine/docker_host.hpp"

namespace dockgate::engine {

namespace {

struct PemFile {
  const char* name;
  const char* role;
};

// The docker CLI's file names inside DOCKER_CERT_PATH.
constexpr PemFile kPemFiles[] = {
    {"ca.pem", "the CA that signed the engine's certificate"},
    {"cert.pem", "our client certificate"},
    {"key.pem", "our client key"},
};

Status check_readable_file(const std::filesystem::path& path, const PemFile& file) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  const std::string what = path.string() + " (" + file.role + ")";
  if (error || !std::filesystem::exists(status)) {
    return make_error("TLS file " + what + " does not exist: check DOCKER_CERT_PATH");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return make_error("TLS file " + what + " is not a regular file: check DOCKER_CERT_PATH");
  }
  if (!std::ifstream(path).is_open()) {
    return make_error("TLS file " + what + " is not readable by this user");
  }
  return Ok{};
}

}  // namespace

Result<EngineConfig> engine_config_from_environment(const EnvironmentLookup& lookup) {
  const auto non_empty = [&lookup](const char* name) -> std::optional<std::string> {
    auto value = lookup(name);
    if (value && value->empty()) return std::nullopt;
    return value;
  };
  EngineConfig config;
  if (auto host = non_empty("DOCKER_HOST")) config.host = *host;
  // As the docker CLI: any non-empty value turns verification on, even "0" or "false".
  config.tls_verify = non_empty("DOCKER_TLS_VERIFY").has_value();
  if (auto cert_path = non_empty("DOCKER_CERT_PATH")) {
    config.cert_path = *cert_path;
  } else if (config.tls_verify) {
    const auto home = non_empty("HOME");
    if (!home) {
      return make_error(
          "DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor HOME is: set "
          "DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem");
    }
    config.cert_path = (std::filesystem::path(*home) / ".docker").string();
  }
  // A malformed DOCKER_HOST is refused here already, so it is reported as the environment's
  // fault; the files and the TLS rules are validate()'s, since a config file may still
  // override fields.
  if (auto endpoint = parse_docker_host(config.host, config.tls_verify); !endpoint) {
    return endpoint.error();
  }
  return config;
}

Status validate(const EngineConfig& config) {
  auto endpoint = parse_docker_host(config.host, config.tls_verify);
  if (!endpoint) return endpoint.error();
  if (config.connect_timeout.count() <= 0 || config.read_timeout.count() <= 0) {
    return make_error("engine timeouts must be positive");
  }
  if (config.max_body_bytes == 0) return make_error("engine max_body_bytes must be positive");
  // TLS matters only on tcp://; a unix socket is protected by its file permissions.
  if (endpoint->kind != EngineEndpoint::Kind::tcp) return Ok{};
  if (!config.tls_verify) {
    if (config.allow_plain_tcp) return Ok{};
    std::string message = "refusing " + endpoint->label +
                          " without TLS: anyone on the network could drive the engine. Set "
                          "DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to a folder with ca.pem, "
                          "cert.pem and key.pem";
    if (!config.cert_path.empty()) {
      message +=
          " (DOCKER_CERT_PATH is set but DOCKER_TLS_VERIFY is not; dockgate has no "
          "TLS-without-verification mode)";
    }
    return make_error(message + ", or set allow_plain_tcp explicitly");
  }
  if (config.cert_path.empty()) {
    return make_error("TLS to " + endpoint->label +
                      " needs DOCKER_CERT_PATH: a folder with ca.pem, cert.pem and key.pem");
  }
  for (const auto& file : kPemFiles) {
    auto readable = check_readable_file(std::filesystem::path(config.cert_path) / file.name, file);
    if (!readable) return readable;
  }
  return Ok{};
}

}  // namespace dockgate::engine
