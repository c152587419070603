// Options of `dockgate serve`, from (lowest to highest precedence) defaults, the docker
// environment (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), a YAML config file, and
// command-line flags.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "engine/engine_config.hpp"

namespace dockgate::cli {

struct ServeOptions {
  engine::EngineConfig engine;
  std::vector<std::string> policy_paths;
  std::string audit_log_path;
  std::string principal;  // empty: the OS user running dockgate
  std::vector<std::string> roles;
  // docker_run secrets: one regular file per secret, bind-mounted read-only at
  // /run/secrets/<name>. Empty: secrets are refused. Made absolute when set.
  std::string secrets_dir;
  bool show_help = false;
};

// args: what follows "serve" on the command line.
Result<ServeOptions> parse_serve_options(const std::vector<std::string>& args,
                                         const engine::EnvironmentLookup& environment);

std::string serve_usage();

}  // namespace dockgate::cli
