// The walk over a compose file's YAML shared by the parser's files (not a public interface).
// A failure anywhere in the walk is thrown as Failure and caught once, in parse_compose, where
// it becomes the Result's error: the walk is deep and every step can fail, and the exception
// never leaves the component (DESIGN.md: errors cross boundaries as values).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compose/compose_file.hpp"

namespace dockgate::compose::detail {

struct Failure {
  std::string message;
};

// One map entry as read: the key's text, its value and the key node (for the key's line).
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

class Reader {
 public:
  explicit Reader(const ParseOptions& options) : options_(options) {}

  const ParseOptions& options() const { return options_; }

  // "compose.yaml:12: <message>", with the node's line (or no line when it has none).
  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const;
  // "<context>: '<field>' <what>", e.g. "service 'web': 'ports[1]' must be a string".
  [[noreturn]] void fail_field(const YAML::Node& node, const std::string& context,
                               const std::string& field, const std::string& what) const;
  int line(const YAML::Node& node) const;

  // A scalar's text, interpolated; a map, list or null is a type error naming `expected`.
  std::string text(const YAML::Node& node, const std::string& context, const std::string& field,
                   const std::string& expected = "must be a string") const;
  bool boolean(const YAML::Node& node, const std::string& context, const std::string& field) const;
  std::int64_t integer(const YAML::Node& node, const std::string& context, const std::string& field,
                       std::int64_t min, std::int64_t max) const;

  // A map's entries in file order: YAML merge keys ("<<: *base") applied (the map's own keys
  // win), duplicates refused, and "x-*" extension keys dropped (Compose ignores them).
  std::vector<Entry> entries(const YAML::Node& node, const std::string& context,
                             const std::string& field) const;
  // Refuses any key not in `supported`, naming them all.
  void only_keys(const std::vector<Entry>& entries, const std::string& context,
                 const std::vector<std::string>& supported) const;

  // A string or a list of strings.
  std::vector<std::string> strings(const YAML::Node& node, const std::string& context,
                                   const std::string& field) const;
  // A map of scalars or a list of "KEY=value". A "KEY" item (or a null map value) takes the
  // variable's value when `from_variables` (environment, build args; unset: dropped), else "".
  std::vector<std::pair<std::string, std::string>> key_values(const YAML::Node& node,
                                                              const std::string& context,
                                                              const std::string& field,
                                                              std::size_t max_entries,
                                                              bool from_variables) const;

 private:
  const ParseOptions& options_;
};

inline std::string indexed(const std::string& field, std::size_t index) {
  return field + "[" + std::to_string(index) + "]";
}

// "/a/b/../c/./d" -> "/a/c/d": the lexical clean Compose does on relative host paths. ".."
// never climbs above "/". The result is absolute and normal, not canonical (no symlinks).
std::string clean_path(const std::string& path);
// `path` resolved against `base` (absolute) when relative, then cleaned.
std::string resolve_path(const std::string& base, const std::string& path);

// A docker object name: [A-Za-z0-9][A-Za-z0-9_.-]+ (daemon/names.go).
bool is_docker_name(const std::string& text);

// "dockgate." and "com.docker.compose." labels are dockgate's and Compose's own.
void check_label_keys(const Reader& reader, const YAML::Node& node, const std::string& context,
                      const std::vector<std::pair<std::string, std::string>>& labels);

// Service keys -> Service (compose_service.cpp); `project` names build images and volumes.
struct Declared {
  std::map<std::string, const Volume*> volumes;
  std::map<std::string, const Network*> networks;
  std::map<std::string, const Secret*> secrets;
};
Service read_service(const Reader& reader, const std::string& project, const Entry& entry,
                     const Declared& declared);

// compose_service_io.cpp: command/entrypoint, environment and env_file, healthcheck.
std::vector<std::string> read_argv(const Reader& reader, const YAML::Node& node,
                                   const std::string& context, const std::string& field);
std::vector<std::string> read_environment(const Reader& reader, const YAML::Node& environment,
                                          const YAML::Node& env_file, const std::string& context);
actions::HealthCheck read_healthcheck(const Reader& reader, const YAML::Node& node,
                                      const std::string& context);
std::vector<std::string> shell_split(const Reader& reader, const YAML::Node& node,
                                     const std::string& context, const std::string& field,
                                     const std::string& text);

// compose_mounts.cpp: ports, expose, volumes, tmpfs, devices.
void read_ports(const Reader& reader, const YAML::Node& node, const std::string& context,
                actions::ContainerSpec& spec);
void read_expose(const Reader& reader, const YAML::Node& node, const std::string& context,
                 actions::ContainerSpec& spec);
void read_volumes(const Reader& reader, const YAML::Node& node, const std::string& context,
                  const Declared& declared, actions::ContainerSpec& spec);
void read_tmpfs(const Reader& reader, const YAML::Node& node, const std::string& context,
                actions::ContainerSpec& spec);
void read_devices(const Reader& reader, const YAML::Node& node, const std::string& context,
                  actions::ContainerSpec& spec);

// compose_resources.cpp: top-level networks, volumes and secrets.
std::vector<Network> read_networks(const Reader& reader, const YAML::Node& node,
                                   const std::string& project);
std::vector<Volume> read_volumes_top(const Reader& reader, const YAML::Node& node,
                                     const std::string& project);
std::vector<Secret> read_secrets(const Reader& reader, const YAML::Node& node);

}  // namespace dockgate::compose::detail
