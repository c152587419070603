// Registry credentials for docker_pull, from the server's configuration only (never from a
// tool call): the config file's `registry_auth:` map (host -> username and password_file) and
// a docker config.json-like file (--registry-auth-file). Error messages name files and hosts,
// never a password.
#pragma once

#include <map>
#include <string>

#include <yaml-cpp/yaml.h>

#include "common/result.hpp"

namespace dockgate::cli {

struct RegistryLogin {
  std::string username;
  std::string password;
};

using RegistryLogins = std::map<std::string, RegistryLogin>;  // registry host -> login

// "https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io" -> "docker.io";
// "http://127.0.0.1:5001/" -> "127.0.0.1:5001": the host as image references name it.
std::string normalize_registry_host(const std::string& text);

// {"auths": {"<host>": {"auth": base64("user:password")}}} (or "username" and "password").
Result<RegistryLogins> load_registry_auth_file(const std::string& path);

// The config file's registry_auth map: {<host>: {username: u, password_file: /path}}.
// `file` names the config file in messages.
Result<RegistryLogins> registry_auth_from_config(const YAML::Node& node, const std::string& file);

}  // namespace dockgate::cli
