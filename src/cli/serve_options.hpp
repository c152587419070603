// Options of `dockgate serve`, from (lowest to highest precedence) defaults, the docker
// environment (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), a YAML config file, and
// command-line flags.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cli/audit_options.hpp"
#include "cli/registry_auth.hpp"
#include "common/result.hpp"
#include "engine/engine_config.hpp"
#include "http/team_server.hpp"

namespace dockgate::cli {

struct ServeOptions {
  engine::EngineConfig engine;
  std::vector<std::string> policy_paths;
  std::string audit_log_path;
  AuditSettings audit;    // rotation, checkpoints, failure action (--audit-*, config `audit:`)
  std::string principal;  // empty: the OS user running dockgate
  std::vector<std::string> roles;
  // docker_run secrets: one regular file per secret, bind-mounted read-only at
  // /run/secrets/<name>. Empty: secrets are refused. Made absolute when set.
  std::string secrets_dir;
  // docker_build: folders whose subfolders may be build contexts (read on the dockgate host).
  // Empty: docker_build is refused. Each made canonical (symlinks resolved) when set.
  std::vector<std::string> workspace_roots;
  // docker_pull: registry host -> login, from the config file's registry_auth and
  // --registry-auth-file (which wins for a host in both). Never logged.
  RegistryLogins registry_auth;
  std::optional<std::chrono::milliseconds> pull_budget;  // absent: the gate's default (50 s)
  // --http: serve the team server (Streamable HTTP, TLS, bearer tokens) instead of stdio.
  std::optional<team_server::TeamServerConfig> http;
  std::string users_file;  // required with --http
  bool show_help = false;
};

// "127.0.0.1:8443" or "[::1]:8443" -> (host, port); an error names what is wrong.
Result<std::pair<std::string, unsigned short>> parse_listen_address(const std::string& text);

// args: what follows "serve" on the command line.
Result<ServeOptions> parse_serve_options(const std::vector<std::string>& args,
                                         const engine::EnvironmentLookup& environment);

std::string serve_usage();

// $XDG_STATE_HOME/dockgate/audit.jsonl, else ~/.local/state/dockgate/audit.jsonl.
std::string default_audit_log_path(const engine::EnvironmentLookup& environment);

}  // namespace dockgate::cli
