// Reads a deny rule's `require:` block into typed controls, as strictly as the rest of the
// file: an unknown control or option, a value of the wrong type or an unparsable size is an
// error with file:line:col, so a typo never becomes a requirement that judges nothing.
#include <charconv>

#include "policy/loader_support.hpp"

namespace dockgate::policy::loader {
namespace {

// A list that may be empty (an empty allowlist means "none allowed").
std::optional<std::vector<std::string>> read_list(const YAML::Node& map, const std::string& key,
                                                  const std::string& where, ErrorList& errors) {
  const auto node = map[key];
  if (!node) return std::nullopt;
  if (!node.IsSequence()) {
    errors.add(node.Mark(), where + ": '" + key + "' must be a list of strings (may be empty)",
               code::kWrongType);
    return std::nullopt;
  }
  std::vector<std::string> values;
  for (const auto& item : node) {
    if (!item.IsScalar()) {
      errors.add(item.Mark(), where + ": every entry of '" + key + "' must be a string",
                 code::kWrongType);
      continue;
    }
    values.push_back(item.Scalar());
  }
  return values;
}

// Reads a control given as a map: checks it is one and that its keys are known.
bool open_map(const YAML::Node& node, const std::set<std::string>& keys, const std::string& where,
              ErrorList& errors) {
  if (!node.IsMap()) {
    errors.add(node.Mark(), where + ": must be a map with: " + join(keys), code::kWrongType);
    return false;
  }
  check_keys(node, keys, where, errors);
  return true;
}

// "cap_net_bind_service" -> "NET_BIND_SERVICE", as the normalizer spells the action's names.
std::optional<std::string> capability_name(const std::string& text) {
  std::string name;
  for (char c : text) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.rfind("CAP_", 0) == 0) name.erase(0, 4);
  if (name.empty() || name == "ALL") return std::nullopt;
  for (char c : name) {
    if (!(std::isupper(static_cast<unsigned char>(c)) || c == '_')) return std::nullopt;
  }
  return name;
}

CapabilityControl read_capabilities(const YAML::Node& node, const std::string& where,
                                    ErrorList& errors) {
  CapabilityControl control;
  if (!open_map(node, {"drop_all", "allowed_add"}, where, errors)) return control;
  control.drop_all = read_bool(node, "drop_all", where, errors).value_or(false);
  if (auto adds = read_list(node, "allowed_add", where, errors)) {
    control.allowed_add.emplace();
    for (const auto& add : *adds) {
      if (auto name = capability_name(add)) {
        control.allowed_add->push_back(*name);
      } else {
        errors.add(node["allowed_add"].Mark(),
                   where + ": allowed_add entry '" + add +
                       "' must be a capability name such as NET_BIND_SERVICE (ALL is never "
                       "allowed: it re-adds every capability)");
      }
    }
  }
  return control;
}

BindMountControl read_bind_mounts(const YAML::Node& node, const std::string& where,
                                  ErrorList& errors) {
  BindMountControl control;
  if (!open_map(node,
                {"allowed_paths", "deny_docker_socket", "forbid_volumes_from", "require_read_only",
                 "allowed_propagation"},
                where, errors))
    return control;
  if (auto paths = read_list(node, "allowed_paths", where, errors)) {
    control.allowed_paths.emplace();
    for (const auto& path : *paths) {
      auto normal = normalize_host_path(path);
      if (!normal) {
        errors.add(node["allowed_paths"].Mark(),
                   where + ": allowed path '" + path + "' must be an absolute path");
      } else {
        control.allowed_paths->push_back(*normal);
      }
    }
  }
  control.deny_docker_socket = read_bool(node, "deny_docker_socket", where, errors).value_or(true);
  control.forbid_volumes_from =
      read_bool(node, "forbid_volumes_from", where, errors).value_or(true);
  control.require_read_only = read_bool(node, "require_read_only", where, errors).value_or(false);
  control.allowed_propagation = read_list(node, "allowed_propagation", where, errors);
  return control;
}

PortControl read_ports(const YAML::Node& node, const std::string& where, ErrorList& errors) {
  PortControl control;
  if (!open_map(node, {"host_port_range", "host_ips", "publish_all"}, where, errors))
    return control;
  if (auto range = read_string(node, "host_port_range", where, errors, false)) {
    static const std::regex kRange("([0-9]{1,5})-([0-9]{1,5})");
    std::smatch parts;
    int low = 0, high = 0;
    if (std::regex_match(*range, parts, kRange)) {
      low = std::stoi(parts[1]);
      high = std::stoi(parts[2]);
    }
    if (low < 1 || high > 65535 || low > high) {
      errors.add(node["host_port_range"].Mark(),
                 where + ": host_port_range '" + *range + "' must be LOW-HIGH within 1-65535");
    } else {
      control.host_port_range = std::make_pair(low, high);
    }
  }
  control.host_ips = read_list(node, "host_ips", where, errors);
  if (auto publish_all = read_bool(node, "publish_all", where, errors))
    control.forbid_publish_all = !*publish_all;
  return control;
}

ResourceControl read_resources(const YAML::Node& node, const std::string& where,
                               ErrorList& errors) {
  ResourceControl control;
  if (!open_map(node,
                {"require_memory", "require_cpus", "require_pids_limit", "memory_max", "cpus_max",
                 "pids_max"},
                where, errors))
    return control;
  control.require_memory = read_bool(node, "require_memory", where, errors).value_or(false);
  control.require_cpus = read_bool(node, "require_cpus", where, errors).value_or(false);
  control.require_pids_limit = read_bool(node, "require_pids_limit", where, errors).value_or(false);
  if (auto text = read_string(node, "memory_max", where, errors, false)) {
    control.memory_max_bytes = parse_policy_bytes(*text);
    if (!control.memory_max_bytes)
      errors.add(node["memory_max"].Mark(),
                 where + ": memory_max '" + *text + "' must be a size such as 512m or 2g");
  }
  if (auto text = read_string(node, "cpus_max", where, errors, false)) {
    control.cpus_max_nano = parse_policy_cpus(*text);
    if (!control.cpus_max_nano)
      errors.add(node["cpus_max"].Mark(),
                 where + ": cpus_max '" + *text + "' must be a number of CPUs such as 0.5 or 2");
  }
  control.pids_max = read_int(node, "pids_max", where, errors, 1, 4194304);
  return control;
}

std::vector<CommandPattern> read_patterns(const YAML::Node& node, const std::string& key,
                                          const std::string& where, ErrorList& errors) {
  std::vector<CommandPattern> patterns;
  const auto texts = read_list(node, key, where, errors).value_or(std::vector<std::string>{});
  for (const auto& text : texts) {
    try {
      patterns.push_back(CommandPattern{text, std::regex(text, std::regex::ECMAScript)});
    } catch (const std::regex_error& e) {
      errors.add(node[key].Mark(),
                 where + ": '" + text + "' in " + key + " is not a valid regular expression");
    }
  }
  return patterns;
}

}  // namespace

std::optional<std::string> read_label_key(const YAML::Node& map, const std::string& key,
                                          const std::string& where, ErrorList& errors,
                                          bool required) {
  auto text = read_string(map, key, where, errors, required);
  if (!text) return std::nullopt;
  if (!valid_label_key(*text)) {
    // Cut: a hostile 10 KB value need not be echoed whole.
    errors.add(map[key].Mark(), where + ": '" + key + "' must be a label key of 1 to 128 " +
                                    "letters, digits and . _ / - (got '" + text->substr(0, 64) +
                                    (text->size() > 64 ? "...'" : "'") + ")");
    return std::nullopt;
  }
  return text;
}

namespace {

std::optional<OwnerControl> read_owner(const YAML::Node& node, const std::string& where,
                                       ErrorList& errors) {
  if (!open_map(node, {"label", "team_label"}, where, errors)) return std::nullopt;
  auto label = read_label_key(node, "label", where, errors, true);
  auto team_label = read_label_key(node, "team_label", where, errors, false);
  if (label && team_label && *label == *team_label) {
    errors.add(node["team_label"].Mark(),
               where +
                   ": 'team_label' must differ from 'label' (a team name would pass as an "
                   "owner name)");
    return std::nullopt;
  }
  if (!label) return std::nullopt;
  return OwnerControl{*label, team_label.value_or("")};
}

}  // namespace

std::shared_ptr<const Controls> read_controls(const YAML::Node& node, const std::string& where,
                                              ErrorList& errors) {
  auto controls = std::make_shared<Controls>();
  if (!open_map(
          node,
          {"privileged", "run_as_non_root", "capabilities", "host_namespaces", "bind_mounts",
           "ports", "devices", "security_opt", "sysctls", "read_only_rootfs", "resources",
           "restart", "images", "exec", "volume_drivers", "network_drivers", "build", "owner"},
          where, errors))
    return nullptr;
  if (node.size() == 0) errors.add(node.Mark(), where + ": must name at least one control");
  auto& c = *controls;
  c.privileged = read_bool(node, "privileged", where, errors);
  c.run_as_non_root = read_bool(node, "run_as_non_root", where, errors);
  c.host_namespaces = read_bool(node, "host_namespaces", where, errors);
  c.devices = read_bool(node, "devices", where, errors);
  c.read_only_rootfs = read_bool(node, "read_only_rootfs", where, errors);
  if (node["capabilities"])
    c.capabilities = read_capabilities(node["capabilities"], where + " capabilities", errors);
  if (node["bind_mounts"])
    c.bind_mounts = read_bind_mounts(node["bind_mounts"], where + " bind_mounts", errors);
  if (node["ports"]) c.ports = read_ports(node["ports"], where + " ports", errors);
  if (const auto n = node["security_opt"]) {
    const auto w = where + " security_opt";
    if (open_map(n, {"forbid_unconfined", "require_no_new_privileges"}, w, errors)) {
      c.security_opt =
          SecurityOptControl{read_bool(n, "forbid_unconfined", w, errors).value_or(false),
                             read_bool(n, "require_no_new_privileges", w, errors).value_or(false)};
    }
  }
  if (const auto n = node["sysctls"]; n && open_map(n, {"allowed"}, where + " sysctls", errors)) {
    c.sysctls_allowed =
        read_list(n, "allowed", where + " sysctls", errors).value_or(std::vector<std::string>{});
  }
  if (node["resources"])
    c.resources = read_resources(node["resources"], where + " resources", errors);
  if (const auto n = node["restart"]) {
    const auto w = where + " restart";
    if (open_map(n, {"allowed", "max_retries"}, w, errors)) {
      RestartControl restart;
      restart.allowed = read_list(n, "allowed", w, errors).value_or(std::vector<std::string>{});
      for (const auto& name : restart.allowed) {
        if (name != "no" && name != "always" && name != "unless-stopped" && name != "on-failure")
          errors.add(n["allowed"].Mark(), w + ": '" + name +
                                              "' is not a restart policy (no, always, "
                                              "unless-stopped, on-failure)");
      }
      if (auto max = read_int(n, "max_retries", w, errors, 0, 1000))
        restart.max_retries = static_cast<int>(*max);
      c.restart = restart;
    }
  }
  if (const auto n = node["images"]) {
    const auto w = where + " images";
    if (open_map(n,
                 {"allowed_registries", "denied_registries", "allowed_repositories",
                  "denied_repositories", "forbid_latest", "require_digest"},
                 w, errors)) {
      ImageControl images;
      images.allowed_registries = read_string_list(n, "allowed_registries", w, errors);
      images.denied_registries = read_string_list(n, "denied_registries", w, errors);
      images.allowed_repositories = read_string_list(n, "allowed_repositories", w, errors);
      images.denied_repositories = read_string_list(n, "denied_repositories", w, errors);
      images.forbid_latest = read_bool(n, "forbid_latest", w, errors).value_or(false);
      images.require_digest = read_bool(n, "require_digest", w, errors).value_or(false);
      c.images = images;
    }
  }
  if (const auto n = node["exec"]) {
    const auto w = where + " exec";
    if (open_map(n, {"forbid_root", "allowed_users", "allowed_commands", "denied_commands"}, w,
                 errors)) {
      ExecControl exec;
      exec.forbid_root = read_bool(n, "forbid_root", w, errors).value_or(false);
      exec.allowed_users = read_string_list(n, "allowed_users", w, errors);
      exec.allowed_commands = read_patterns(n, "allowed_commands", w, errors);
      exec.denied_commands = read_patterns(n, "denied_commands", w, errors);
      c.exec = exec;
    }
  }
  if (const auto n = node["volume_drivers"]) {
    const auto w = where + " volume_drivers";
    if (open_map(n, {"allowed", "forbid_bind_options", "allowed_options"}, w, errors)) {
      VolumeDriverControl volumes;
      volumes.allowed = read_string_list(n, "allowed", w, errors);
      volumes.forbid_bind_options = read_bool(n, "forbid_bind_options", w, errors).value_or(false);
      volumes.allowed_options = read_list(n, "allowed_options", w, errors);
      c.volume_drivers = volumes;
    }
  }
  if (const auto n = node["network_drivers"]) {
    const auto w = where + " network_drivers";
    if (open_map(n, {"allowed"}, w, errors))
      c.network_drivers = NetworkDriverControl{read_string_list(n, "allowed", w, errors)};
  }
  if (const auto n = node["build"]) {
    const auto w = where + " build";
    if (open_map(n, {"network_modes"}, w, errors)) {
      BuildControl build;
      if (n["network_modes"]) build.network_modes = read_string_list(n, "network_modes", w, errors);
      for (const auto& mode : build.network_modes) {
        if (mode != "default" && mode != "none" && mode != "host")
          errors.add(n["network_modes"].Mark(),
                     w + ": network_modes: unknown mode '" + mode + "' (default, none, host)");
      }
      c.build = build;
    }
  }
  if (const auto n = node["owner"]) {
    c.owner = read_owner(n, where + " owner", errors);
  }
  return controls;
}

}  // namespace dockgate::policy::loader
