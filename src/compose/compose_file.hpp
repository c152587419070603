// Compose files, read natively (Compose Specification subset, docs/compose.md): YAML text ->
// a project whose every service is already a normalized ContainerSpec, so that the policy
// judges each service exactly as it judges docker_run. A key dockgate does not implement is an
// error naming the key and its line: nothing in a file is silently ignored. Pure: no I/O
// except through the read_file callback the caller gives (env_file).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actions/container_spec.hpp"
#include "common/result.hpp"

namespace dockgate::compose {

enum class DependencyCondition { Started, Healthy, CompletedSuccessfully };

struct Dependency {
  std::string service;
  DependencyCondition condition = DependencyCondition::Started;
};

struct BuildSpec {
  std::string context;                    // absolute, lexically normal (not yet canonical)
  std::string dockerfile = "Dockerfile";  // relative to context
  std::map<std::string, std::string> args;
  std::string target;
};

// A project network a service joins: the network's key in the file's `networks:`.
struct ServiceNetwork {
  std::string key;
  std::vector<std::string> aliases;
};

struct Service {
  std::string name;  // the key under services:
  int line = 0;      // 1-based line of the key
  // Every runtime key, normalized: image (see below), command, entrypoint, environment and
  // env_file (merged, environment wins), user, working_dir, ports, expose, volumes (named
  // volume sources are the *full* volume names, e.g. "shop_db-data"), tmpfs, privileged,
  // cap_add, cap_drop, security_opt, read_only, restart, healthcheck, memory/cpus/pids
  // (mem_limit, cpus, pids_limit, deploy.resources.limits), labels, devices, pid, ipc,
  // init, stop_grace_period, secrets (names), sysctls.
  // Left to the planner: spec.name, compose labels, spec.network / aliases / extra_networks.
  // spec.image: the `image:` key; a service with `build:` and no image gets
  // "<project>-<service>:compose" (an explicit tag, so that no-latest rules hold).
  actions::ContainerSpec spec;
  std::optional<BuildSpec> build;
  std::vector<Dependency> depends_on;    // in file order
  std::vector<ServiceNetwork> networks;  // empty and no network_mode: the "default" network
  std::string network_mode;  // "", "host", "none", "bridge", "service:<s>", "container:<x>"
};

struct Network {
  std::string key;   // as in the file ("default" for the implicit one)
  std::string name;  // on the engine: `name:`, or "<project>_<key>"
  std::string driver = "bridge";
  bool external = false;  // must exist; never created or removed
  bool internal = false;
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;
};

struct Volume {
  std::string key;
  std::string name;  // on the engine: `name:`, or "<project>_<key>"
  std::string driver = "local";
  bool external = false;
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;
};

// Secrets are served from dockgate's --secrets-dir by name (as docker_run's `secrets`): a
// top-level secret is `external: true` or `name: <file in the secrets dir>`; `file:` and
// `environment:` (values from the user's machine) are refused with an explanation.
struct Secret {
  std::string key;
  std::string name;  // the file name in the secrets folder
};

struct ComposeFile {
  std::string project;            // `name:` or the folder name, normalized as Compose does
  std::string project_dir;        // where relative paths resolve
  std::vector<Service> services;  // in file order
  std::vector<Network> networks;  // includes "default" when any service uses it
  std::vector<Volume> volumes;
  std::vector<Secret> secrets;
};

struct ParseOptions {
  std::string file_name;     // for messages: "compose.yaml" -> "compose.yaml:12: ..."
  std::string project_dir;   // absolute folder of the file (or of the inline content)
  std::string project_name;  // "" = `name:` or the folder name
  // Interpolation variables: the .env file beside the compose file (parsed with parse_dotenv).
  // dockgate's own environment is never used: on a shared server it is not the user's.
  std::map<std::string, std::string> variables;
  // Reads an env_file (absolute path resolved against project_dir). Empty: env_file refused.
  std::function<Result<std::string>(const std::string& path)> read_file;
};

// Limits: the text at most 1 MiB, 100 services, YAML nesting depth 32.
Result<ComposeFile> parse_compose(std::string_view yaml_text, const ParseOptions& options);

// A .env file: KEY=value lines, # comments, optional `export `, single/double quotes.
Result<std::map<std::string, std::string>> parse_dotenv(std::string_view text,
                                                        const std::string& file_name);

// ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, $VAR, $$ -> $.
// Errors: "${VAR?err}" with VAR unset -> the message "err"; a malformed ${...}.
Result<std::string> interpolate(std::string_view text,
                                const std::map<std::string, std::string>& variables);

// Compose's project name rule: lower-case, [a-z0-9_-], starting with a letter or digit.
// Returns "" when nothing valid remains.
std::string normalize_project_name(std::string_view text);

}  // namespace dockgate::compose
