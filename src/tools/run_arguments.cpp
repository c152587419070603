#include "tools/run_arguments.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "actions/normalize.hpp"
#include "tools/schema_builders.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxEnvEntries = 128;
constexpr std::size_t kMaxEnvValueLength = 8192;
constexpr std::size_t kMaxLabels = 64;
constexpr std::size_t kMaxLabelValueLength = 4096;
constexpr std::size_t kMaxSysctls = 32;

Error argument_error(const std::string& argument, const std::string& message) {
  return make_error("argument '" + argument + "': " + message);
}

std::string indexed(const std::string& argument, std::size_t index) {
  return argument + "[" + std::to_string(index) + "]";
}

// docker's container name pattern (daemon/names.go), also used for network names here.
bool is_docker_name(const std::string& text) {
  static const std::regex kName(R"([A-Za-z0-9][A-Za-z0-9_.-]+)");
  return std::regex_match(text, kName);
}

bool is_secret_name(const std::string& text) {
  static const std::regex kSecret(R"([A-Za-z0-9][A-Za-z0-9_.-]*)");
  return std::regex_match(text, kSecret);
}

// A string list argument, each item through `normalize`; errors name the item.
template <class Normalize>
Status for_each_string(const json& arguments, const char* argument, Normalize normalize) {
  if (!arguments.contains(argument)) return Ok{};
  const json& list = arguments.at(argument);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string()) return argument_error(indexed(argument, i), "must be a string");
    if (auto status = normalize(list[i].get<std::string>(), indexed(argument, i)); !status) {
      return status;
    }
  }
  return Ok{};
}

// {"KEY": "value"} objects (env, labels, sysctls): the schema validator checks neither the
// values' type nor NULs in keys, so this does.
Result<std::map<std::string, std::string>> string_map(const json& object,
                                                      const std::string& argument,
                                                      std::size_t max_entries,
                                                      std::size_t max_value_length) {
  if (!object.is_object()) return argument_error(argument, "must be an object");
  if (object.size() > max_entries) {
    return argument_error(argument, "has " + std::to_string(object.size()) + " entries (at most " +
                                        std::to_string(max_entries) + ")");
  }
  std::map<std::string, std::string> values;
  for (const auto& [key, value] : object.items()) {
    const std::string name = argument + "." + key;
    if (key.empty()) return argument_error(argument, "keys must not be empty");
    if (key.size() > schema::kMaxNameLength) {
      return argument_error(
          argument, "key is too long: " + std::to_string(key.size()) + " characters (at most 256)");
    }
    if (key.find('\0') != std::string::npos || !value.is_string() ||
        value.get_ref<const std::string&>().find('\0') != std::string::npos) {
      return argument_error(name, "keys and values must be strings without NUL characters");
    }
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > max_value_length) {
      return argument_error(name, "value is too long: " + std::to_string(text.size()) +
                                      " characters (at most " + std::to_string(max_value_length) +
                                      ")");
    }
    values[key] = text;
  }
  return values;
}

Result<std::vector<std::string>> plan_env(const json& env) {
  std::vector<std::string> entries;
  auto add = [&](const std::string& entry, const std::string& name) -> Status {
    auto parsed = actions::parse_env_entry(entry);
    if (!parsed) return argument_error(name, parsed.error().message);
    entries.push_back(*parsed);
    return Ok{};
  };
  if (env.is_array()) {
    if (env.size() > kMaxEnvEntries) {
      return argument_error("env", "has " + std::to_string(env.size()) + " entries (at most " +
                                       std::to_string(kMaxEnvEntries) + ")");
    }
    for (std::size_t i = 0; i < env.size(); ++i) {
      if (!env[i].is_string()) return argument_error(indexed("env", i), "must be a \"KEY=value\"");
      if (auto added = add(env[i].get<std::string>(), indexed("env", i)); !added) {
        return added.error();
      }
    }
    return entries;
  }
  auto map = string_map(env, "env", kMaxEnvEntries, kMaxEnvValueLength);
  if (!map) return map.error();
  for (const auto& [key, value] : *map) {
    // "A=B": "c" would silently become A with the value "B=c".
    if (key.find('=') != std::string::npos) {
      return argument_error("env." + key, "a variable name must not contain '='");
    }
    if (auto added = add(key + "=" + value, "env." + key); !added) return added.error();
  }
  return entries;
}

Result<std::optional<std::vector<std::string>>> plan_argv(const json& arguments,
                                                          const char* argument) {
  if (!arguments.contains(argument)) return std::optional<std::vector<std::string>>{};
  const json& argv = arguments.at(argument);
  if (!argv.is_array()) {
    return argument_error(
        argument,
        std::string(argument) + " must be a list of arguments, e.g. [\"sh\", \"-c\", \"...\"]");
  }
  std::vector<std::string> items;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (!argv[i].is_string()) return argument_error(indexed(argument, i), "must be a string");
    items.push_back(argv[i].get<std::string>());
  }
  if (items.empty()) return argument_error(argument, "must not be an empty list");
  return std::optional<std::vector<std::string>>(std::move(items));
}

Result<actions::HealthCheck> plan_healthcheck(const json& healthcheck) {
  actions::HealthCheck check;
  if (!healthcheck.contains("test")) {
    return argument_error("healthcheck.test",
                          "is required, e.g. [\"CMD\", \"wget\", \"-q\", \"-O-\", "
                          "\"http://localhost/\"] or \"wget -q -O- http://localhost/\"");
  }
  const json& test = healthcheck.at("test");
  if (test.is_string()) {
    check.test = {"CMD-SHELL", test.get<std::string>()};
  } else {
    for (const auto& item : test) check.test.push_back(item.get<std::string>());
    if (check.test.empty()) return argument_error("healthcheck.test", "must not be empty");
    const std::string& kind = check.test.front();
    if (kind == "NONE" && check.test.size() != 1) {
      return argument_error("healthcheck.test", "[\"NONE\"] takes no further items");
    }
    if (kind == "CMD-SHELL" && check.test.size() != 2) {
      return argument_error("healthcheck.test",
                            "[\"CMD-SHELL\", \"<shell command>\"] takes exactly one command");
    }
    if (kind == "CMD" && check.test.size() < 2) {
      return argument_error("healthcheck.test", "[\"CMD\", ...] needs a command after CMD");
    }
    // A bare argv, as models often write it, is what docker's "CMD" form means.
    if (kind != "NONE" && kind != "CMD" && kind != "CMD-SHELL") {
      check.test.insert(check.test.begin(), "CMD");
    }
  }
  const std::pair<const char*, std::int64_t*> durations[] = {
      {"interval", &check.interval_ns},
      {"timeout", &check.timeout_ns},
      {"start_period", &check.start_period_ns}};
  for (const auto& [key, target] : durations) {
    if (!healthcheck.contains(key)) continue;
    auto parsed = actions::parse_duration_ns(healthcheck.at(key).get<std::string>());
    if (!parsed) return argument_error(std::string("healthcheck.") + key, parsed.error().message);
    *target = *parsed;
  }
  check.retries = healthcheck.value("retries", 0);
  return check;
}

// "--device SRC[:DST][:PERMS]" as docker's parseDevice reads it, stored as "SRC:DST:PERMS".
Result<std::string> plan_device(const std::string& text, const std::string& argument) {
  auto device = actions::parse_device_spec(text);
  if (!device) return argument_error(argument, device.error().message);
  return *device;
}

// "host", "none", "bridge", a network name, or "container:<name>".
Status check_mode(const json& arguments, const char* argument,
                  const std::vector<std::string>& keywords, bool names_allowed) {
  if (!arguments.contains(argument)) return Ok{};
  const auto value = arguments.at(argument).get<std::string>();
  if (std::find(keywords.begin(), keywords.end(), value) != keywords.end()) return Ok{};
  if (value.rfind("container:", 0) == 0 && is_docker_name(value.substr(10))) return Ok{};
  if (names_allowed && is_docker_name(value)) return Ok{};
  std::string allowed;
  for (const auto& keyword : keywords) allowed += "\"" + keyword + "\", ";
  return argument_error(argument, "must be " + allowed + (names_allowed ? "a network name, " : "") +
                                      "or \"container:<name>\", got '" + value + "'");
}

Status plan_host_settings(const json& arguments, actions::ContainerSpec& spec) {
  if (auto status = check_mode(arguments, "network", {"host", "none", "bridge", "default"}, true);
      !status) {
    return status;
  }
  if (auto status = check_mode(arguments, "pid", {"host"}, false); !status) return status;
  if (auto status = check_mode(arguments, "ipc", {"none", "private", "shareable", "host"}, false);
      !status) {
    return status;
  }
  spec.network = arguments.value("network", std::string());
  spec.pid_mode = arguments.value("pid", std::string());
  spec.ipc_mode = arguments.value("ipc", std::string());
  if (arguments.contains("memory")) {
    auto bytes = actions::parse_memory_bytes(arguments["memory"].get<std::string>());
    if (!bytes) return argument_error("memory", bytes.error().message);
    spec.memory_bytes = *bytes;
  }
  if (arguments.contains("cpus")) {
    const json& cpus = arguments["cpus"];
    // A number is what the model meant by "0.5"; its shortest text is docker's --cpus text.
    auto nano = actions::parse_nano_cpus(cpus.is_string() ? cpus.get<std::string>() : cpus.dump());
    if (!nano) return argument_error("cpus", nano.error().message);
    spec.nano_cpus = *nano;
  }
  spec.pids_limit = arguments.value("pids_limit", std::int64_t{0});
  if (arguments.contains("restart")) {
    auto restart = actions::parse_restart_policy(arguments["restart"].get<std::string>());
    if (!restart) return argument_error("restart", restart.error().message);
    spec.restart = *restart;
  }
  auto capabilities = [](std::vector<std::string>& out) {
    return [&out](const std::string& text, const std::string& name) -> Status {
      auto capability = actions::normalize_capability(text);
      if (!capability) return argument_error(name, capability.error().message);
      if (std::find(out.begin(), out.end(), *capability) == out.end()) out.push_back(*capability);
      return Ok{};
    };
  };
  if (auto s = for_each_string(arguments, "cap_add", capabilities(spec.cap_add)); !s) return s;
  if (auto s = for_each_string(arguments, "cap_drop", capabilities(spec.cap_drop)); !s) return s;
  if (auto s = for_each_string(arguments, "security_opt",
                               [&](const std::string& text, const std::string& name) -> Status {
                                 auto option = actions::normalize_security_opt(text);
                                 if (!option) return argument_error(name, option.error().message);
                                 spec.security_opt.push_back(*option);
                                 return Ok{};
                               });
      !s) {
    return s;
  }
  if (auto s = for_each_string(arguments, "devices",
                               [&](const std::string& text, const std::string& name) -> Status {
                                 auto device = plan_device(text, name);
                                 if (!device) return device.error();
                                 spec.devices.push_back(*device);
                                 return Ok{};
                               });
      !s) {
    return s;
  }
  if (arguments.contains("sysctls")) {
    auto sysctls = string_map(arguments["sysctls"], "sysctls", kMaxSysctls, 1024);
    if (!sysctls) return sysctls.error();
    static const std::regex kSysctl(R"([A-Za-z0-9][A-Za-z0-9_./-]*)");
    for (const auto& [key, _] : *sysctls) {
      if (!std::regex_match(key, kSysctl)) {
        return argument_error("sysctls." + key,
                              "must be a kernel parameter like net.core.somaxconn");
      }
    }
    spec.sysctls = std::move(*sysctls);
  }
  spec.privileged = arguments.value("privileged", false);
  spec.read_only_rootfs = arguments.value("read_only", false);
  spec.publish_all = arguments.value("publish_all", false);
  spec.auto_remove = arguments.value("remove", false);
  return Ok{};
}

Status plan_ports_and_mounts(const json& arguments, actions::ContainerSpec& spec) {
  if (auto s = for_each_string(arguments, "ports",
                               [&](const std::string& text, const std::string& name) -> Status {
                                 auto ports = actions::parse_port_spec(text);
                                 if (!ports) return argument_error(name, ports.error().message);
                                 spec.ports.insert(spec.ports.end(), ports->begin(), ports->end());
                                 return Ok{};
                               });
      !s) {
    return s;
  }
  if (auto s = for_each_string(arguments, "volumes",
                               [&](const std::string& text, const std::string& name) -> Status {
                                 auto mount = actions::parse_volume_spec(text);
                                 if (!mount) return argument_error(name, mount.error().message);
                                 spec.mounts.push_back(*mount);
                                 return Ok{};
                               });
      !s) {
    return s;
  }
  return for_each_string(
      arguments, "secrets", [&](const std::string& text, const std::string& name) -> Status {
        if (!is_secret_name(text)) {
          return argument_error(name,
                                "a secret name is letters, digits and _ . - "
                                "(starting with a letter or digit), got '" +
                                    text + "'");
        }
        if (std::find(spec.secrets.begin(), spec.secrets.end(), text) != spec.secrets.end()) {
          return argument_error(name, "secret '" + text + "' is listed twice");
        }
        spec.secrets.push_back(text);
        return Ok{};
      });
}

Status plan_process(const json& arguments, actions::ContainerSpec& spec) {
  auto command = plan_argv(arguments, "command");
  if (!command) return command.error();
  spec.command = std::move(*command);
  auto entrypoint = plan_argv(arguments, "entrypoint");
  if (!entrypoint) return entrypoint.error();
  spec.entrypoint = std::move(*entrypoint);
  if (arguments.contains("env")) {
    auto env = plan_env(arguments["env"]);
    if (!env) return env.error();
    spec.env = std::move(*env);
  }
  if (arguments.contains("user")) {
    spec.user = arguments["user"].get<std::string>();
    // Validated as runc reads it, so the policy's reading and the engine's agree.
    if (auto user = actions::parse_user_spec(spec.user); !user) {
      return argument_error("user", user.error().message);
    }
  }
  if (arguments.contains("workdir")) {
    spec.workdir = arguments["workdir"].get<std::string>();
    if (spec.workdir.empty() || spec.workdir[0] != '/') {
      return argument_error("workdir",
                            "must be an absolute path like /app, got '" + spec.workdir + "'");
    }
  }
  if (arguments.contains("healthcheck")) {
    auto check = plan_healthcheck(arguments["healthcheck"]);
    if (!check) return check.error();
    spec.healthcheck = std::move(*check);
  }
  if (arguments.contains("labels")) {
    auto labels = string_map(arguments["labels"], "labels", kMaxLabels, kMaxLabelValueLength);
    if (!labels) return labels.error();
    for (const auto& [key, _] : *labels) {
      std::string lower = key;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower.rfind(kReservedLabelPrefix, 0) == 0) {
        return argument_error("labels." + key,
                              std::string("labels starting with '") + kReservedLabelPrefix +
                                  "' are reserved for dockgate; choose another key");
      }
    }
    spec.labels = std::move(*labels);
  }
  return Ok{};
}

}  // namespace

Result<actions::RunContainer> plan_run_arguments(const json& arguments) {
  actions::RunContainer run;
  auto& spec = run.spec;
  if (!arguments.contains("image") || !arguments["image"].is_string()) {
    return argument_error("image", "is required: an image reference like \"nginx:1.25\"");
  }
  auto image = actions::parse_image_reference(arguments["image"].get<std::string>());
  if (!image) return argument_error("image", image.error().message);
  spec.image = std::move(*image);
  if (arguments.contains("name")) {
    spec.name = arguments["name"].get<std::string>();
    if (!is_docker_name(spec.name)) {
      return argument_error("name",
                            "a container name is at least 2 of letters, digits and _ . - "
                            "(starting with a letter or digit), got '" +
                                spec.name + "'");
    }
  }
  run.detach = arguments.value("detach", true);
  if (auto status = plan_process(arguments, spec); !status) return status.error();
  if (auto status = plan_ports_and_mounts(arguments, spec); !status) return status.error();
  if (auto status = plan_host_settings(arguments, spec); !status) return status.error();
  return run;
}

}  // namespace dockgate::tools
