// One service's keys -> Service: each value through the same normalizer docker_run uses, so
// that the policy reads a service exactly as it reads a docker_run call.
#include <algorithm>
#include <regex>

#include "actions/normalize.hpp"
#include "compose/compose_reader.hpp"

namespace dockgate::compose::detail {
namespace {

constexpr std::size_t kMaxLabels = 64;
constexpr std::size_t kMaxSysctls = 32;
// cap_add, cap_drop, security_opt (each item is checked against those before it).
constexpr std::size_t kMaxListItems = 64;

const std::vector<std::string> kServiceKeys = {"image",        "build",        "command",
                                               "entrypoint",   "environment",  "env_file",
                                               "ports",        "expose",       "volumes",
                                               "networks",     "depends_on",   "user",
                                               "privileged",   "cap_add",      "cap_drop",
                                               "security_opt", "read_only",    "restart",
                                               "healthcheck",  "deploy",       "mem_limit",
                                               "cpus",         "pids_limit",   "labels",
                                               "working_dir",  "secrets",      "tmpfs",
                                               "devices",      "network_mode", "pid",
                                               "ipc",          "init",         "stop_grace_period",
                                               "sysctls"};

struct Context {
  const Reader& reader;
  const std::string& where;  // "service 'web'"
};

BuildSpec read_build(const Reader& reader, const YAML::Node& node, const std::string& where) {
  BuildSpec build;
  std::string context = ".";
  if (node.IsScalar()) {
    context = reader.text(node, where, "build");
  } else {
    const auto entries = reader.entries(node, where, "build");
    reader.only_keys(entries, where + ": build", {"context", "dockerfile", "args", "target"});
    for (const auto& entry : entries) {
      if (entry.key == "context") context = reader.text(entry.value, where, "build.context");
      if (entry.key == "dockerfile") {
        build.dockerfile = reader.text(entry.value, where, "build.dockerfile");
        const std::string cleaned = clean_path("/" + build.dockerfile);
        if (build.dockerfile.empty() || build.dockerfile[0] == '/' ||
            build.dockerfile.find("..") != std::string::npos) {
          reader.fail_field(entry.value, where, "build.dockerfile",
                            "must be a path inside the build context, without '..', got '" +
                                build.dockerfile + "'");
        }
        build.dockerfile = cleaned.substr(1);
      }
      if (entry.key == "args") {
        for (auto& [key, value] : reader.key_values(entry.value, where, "build.args", 128, true)) {
          build.args[key] = value;
        }
      }
      if (entry.key == "target") build.target = reader.text(entry.value, where, "build.target");
    }
  }
  if (context.find("://") != std::string::npos || context.rfind("git@", 0) == 0) {
    reader.fail_field(
        node, where, "build.context",
        "must be a folder: remote contexts (URLs, git) are not supported by dockgate");
  }
  if (context.empty()) reader.fail_field(node, where, "build.context", "must not be empty");
  build.context = resolve_path(
      reader.options().project_dir.empty() ? "/" : reader.options().project_dir, context);
  return build;
}

std::vector<Dependency> read_depends_on(const Reader& reader, const YAML::Node& node,
                                        const std::string& where) {
  std::vector<Dependency> out;
  auto add = [&](const YAML::Node& at, Dependency dependency) {
    // A service depends on others of the file: never more than the file's services.
    if (out.size() >= 100) reader.fail(at, where + ": depends_on lists more than 100 services");
    for (const auto& existing : out) {
      if (existing.service == dependency.service) {
        reader.fail(at, where + ": depends_on lists '" + dependency.service + "' twice");
      }
    }
    out.push_back(std::move(dependency));
  };
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      add(node[i],
          {reader.text(node[i], where, indexed("depends_on", i)), DependencyCondition::Started});
    }
    return out;
  }
  if (!node.IsMap())
    reader.fail_field(node, where, "depends_on", "must be a list of services or a map");
  for (const auto& entry : reader.entries(node, where, "depends_on")) {
    Dependency dependency{entry.key, DependencyCondition::Started};
    const std::string field = "depends_on." + entry.key;
    if (!entry.value.IsNull()) {
      const auto settings = reader.entries(entry.value, where, field);
      reader.only_keys(settings, where + ": " + field, {"condition"});
      for (const auto& setting : settings) {
        const std::string condition = reader.text(setting.value, where, field + ".condition");
        if (condition == "service_started") {
          dependency.condition = DependencyCondition::Started;
        } else if (condition == "service_healthy") {
          dependency.condition = DependencyCondition::Healthy;
        } else if (condition == "service_completed_successfully") {
          dependency.condition = DependencyCondition::CompletedSuccessfully;
        } else {
          reader.fail_field(setting.value, where, field + ".condition",
                            "must be service_started, service_healthy or "
                            "service_completed_successfully, got '" +
                                condition + "'");
        }
      }
    }
    add(entry.key_node, std::move(dependency));
  }
  return out;
}

std::vector<ServiceNetwork> read_service_networks(const Reader& reader, const YAML::Node& node,
                                                  const std::string& where,
                                                  const Declared& declared) {
  std::vector<ServiceNetwork> out;
  auto add = [&](const YAML::Node& at, ServiceNetwork network) {
    if (network.key != "default" && !declared.networks.count(network.key)) {
      reader.fail(at, where + ": network '" + network.key +
                          "' is not declared in the top-level 'networks'");
    }
    for (const auto& existing : out) {
      if (existing.key == network.key)
        reader.fail(at, where + ": network '" + network.key + "' is listed twice");
    }
    out.push_back(std::move(network));
  };
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      add(node[i], {reader.text(node[i], where, indexed("networks", i)), {}});
    }
    return out;
  }
  if (!node.IsMap())
    reader.fail_field(node, where, "networks", "must be a list of networks or a map");
  for (const auto& entry : reader.entries(node, where, "networks")) {
    ServiceNetwork network{entry.key, {}};
    const std::string field = "networks." + entry.key;
    if (!entry.value.IsNull()) {
      const auto settings = reader.entries(entry.value, where, field);
      reader.only_keys(settings, where + ": " + field, {"aliases"});
      for (const auto& setting : settings) {
        for (auto& alias : reader.strings(setting.value, where, field + ".aliases")) {
          if (!is_docker_name(alias) &&
              !(alias.size() == 1 && std::isalnum(static_cast<unsigned char>(alias[0])))) {
            reader.fail_field(setting.value, where, field + ".aliases",
                              "holds '" + alias +
                                  "', which is not a valid alias (letters, digits, "
                                  "'_', '.', '-')");
          }
          network.aliases.push_back(std::move(alias));
        }
      }
    }
    add(entry.key_node, std::move(network));
  }
  return out;
}

void read_secrets_used(const Reader& reader, const YAML::Node& node, const std::string& where,
                       const Declared& declared, actions::ContainerSpec& spec) {
  if (!node.IsSequence()) reader.fail_field(node, where, "secrets", "must be a list");
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string field = indexed("secrets", i);
    std::string key;
    if (node[i].IsMap()) {
      const auto settings = reader.entries(node[i], where, field);
      reader.only_keys(settings, where + ": " + field, {"source"});
      for (const auto& setting : settings)
        key = reader.text(setting.value, where, field + ".source");
      if (key.empty()) reader.fail_field(node[i], where, field, "needs a 'source'");
    } else {
      key = reader.text(node[i], where, field, "must be a secret name or a map with 'source'");
    }
    const auto found = declared.secrets.find(key);
    if (found == declared.secrets.end()) {
      reader.fail(node[i],
                  where + ": secret '" + key + "' is not declared in the top-level 'secrets'");
    }
    const std::string& name = found->second->name;
    if (std::find(spec.secrets.begin(), spec.secrets.end(), name) != spec.secrets.end()) {
      reader.fail(node[i], where + ": secret '" + key + "' is listed twice");
    }
    spec.secrets.push_back(name);
  }
}

// host, none, bridge, service:<s>, container:<x>.
std::string read_network_mode(const Reader& reader, const YAML::Node& node,
                              const std::string& where) {
  const std::string mode = reader.text(node, where, "network_mode");
  if (mode == "host" || mode == "none" || mode == "bridge") return mode;
  for (const char* prefix : {"service:", "container:"}) {
    const std::string p(prefix);
    if (mode.rfind(p, 0) == 0 && mode.size() > p.size()) {
      const std::string target = mode.substr(p.size());
      if (is_docker_name(target) ||
          (target.size() == 1 && std::isalnum(static_cast<unsigned char>(target[0]))))
        return mode;
    }
  }
  reader.fail_field(
      node, where, "network_mode",
      "must be host, none, bridge, service:<service> or container:<name>, got '" + mode + "'");
}

// pid and ipc: the keywords given, or container:<name> (service:<s> needs the planner to know
// the other container's name first: not supported).
std::string read_mode(const Reader& reader, const YAML::Node& node, const std::string& where,
                      const std::string& field, const std::vector<std::string>& keywords) {
  const std::string mode = reader.text(node, where, field);
  if (std::find(keywords.begin(), keywords.end(), mode) != keywords.end()) return mode;
  if (mode.rfind("container:", 0) == 0 && is_docker_name(mode.substr(10))) return mode;
  std::string allowed;
  for (const auto& keyword : keywords) allowed += keyword + ", ";
  reader.fail_field(node, where, field,
                    "must be " + allowed + "or container:<name>, got '" + mode + "'");
}

std::int64_t read_memory(const Reader& reader, const YAML::Node& node, const std::string& where,
                         const std::string& field) {
  auto bytes =
      actions::parse_memory_bytes(reader.text(node, where, field, "must be a size like \"512m\""));
  if (!bytes) reader.fail_field(node, where, field, bytes.error().message);
  return *bytes;
}

std::int64_t read_cpus(const Reader& reader, const YAML::Node& node, const std::string& where,
                       const std::string& field) {
  auto nano =
      actions::parse_nano_cpus(reader.text(node, where, field, "must be a number like 0.5"));
  if (!nano) reader.fail_field(node, where, field, nano.error().message);
  return *nano;
}

std::int64_t read_pids(const Reader& reader, const YAML::Node& node, const std::string& where,
                       const std::string& field) {
  // -1 and 0 are docker's "no limit", which the spec writes as 0.
  return std::max<std::int64_t>(0, reader.integer(node, where, field, -1, 4194304));
}

void read_deploy(const Reader& reader, const YAML::Node& node, const std::string& where,
                 actions::ContainerSpec& spec, std::vector<std::string>& limits_set) {
  const auto deploy = reader.entries(node, where, "deploy");
  reader.only_keys(deploy, where + ": deploy", {"resources"});
  for (const auto& resources : deploy) {
    const auto kinds = reader.entries(resources.value, where, "deploy.resources");
    reader.only_keys(kinds, where + ": deploy.resources", {"limits"});
    for (const auto& kind : kinds) {
      const auto limits = reader.entries(kind.value, where, "deploy.resources.limits");
      reader.only_keys(limits, where + ": deploy.resources.limits", {"memory", "cpus", "pids"});
      for (const auto& limit : limits) {
        const std::string field = "deploy.resources.limits." + limit.key;
        if (limit.key == "memory")
          spec.memory_bytes = read_memory(reader, limit.value, where, field);
        if (limit.key == "cpus") spec.nano_cpus = read_cpus(reader, limit.value, where, field);
        if (limit.key == "pids") spec.pids_limit = read_pids(reader, limit.value, where, field);
        limits_set.push_back(limit.key == "pids"     ? "pids_limit"
                             : limit.key == "memory" ? "mem_limit"
                                                     : "cpus");
      }
    }
  }
}

template <class Normalize>
std::vector<std::string> normalized_list(const Reader& reader, const YAML::Node& node,
                                         const std::string& where, const std::string& field,
                                         Normalize normalize) {
  if (!node.IsSequence()) reader.fail_field(node, where, field, "must be a list of strings");
  if (node.size() > kMaxListItems) {
    reader.fail_field(node, where, field,
                      "has more than " + std::to_string(kMaxListItems) + " items");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto value = normalize(reader.text(node[i], where, indexed(field, i)));
    if (!value) reader.fail_field(node[i], where, indexed(field, i), value.error().message);
    if (std::find(out.begin(), out.end(), *value) == out.end()) out.push_back(*value);
  }
  return out;
}

}  // namespace

Service read_service(const Reader& reader, const std::string& project, const Entry& entry,
                     const Declared& declared) {
  Service service;
  service.name = entry.key;
  service.line = reader.line(entry.key_node);
  const std::string where = "service '" + entry.key + "'";
  if (entry.value.IsNull()) reader.fail(entry.key_node, where + ": needs 'image' or 'build'");
  const auto entries = reader.entries(entry.value, where, entry.key);
  for (const auto& key : entries) {
    if (key.key == "container_name") {
      reader.fail(key.key_node, where +
                                    ": key 'container_name' is not supported by dockgate: it names "
                                    "containers <project>-<service>-1 as Compose does, so that "
                                    "'down' finds them; remove container_name");
    }
  }
  reader.only_keys(entries, where, kServiceKeys);
  std::map<std::string, const Entry*> by_key;
  for (const auto& key : entries) by_key[key.key] = &key;
  auto get = [&](const char* key) -> YAML::Node {
    const auto found = by_key.find(key);
    return found == by_key.end() ? YAML::Node(YAML::NodeType::Undefined) : found->second->value;
  };
  actions::ContainerSpec& spec = service.spec;

  if (auto node = get("build"); node.IsDefined()) service.build = read_build(reader, node, where);
  if (auto node = get("image"); node.IsDefined()) {
    auto image = actions::parse_image_reference(reader.text(node, where, "image"));
    if (!image) reader.fail_field(node, where, "image", image.error().message);
    spec.image = std::move(*image);
  } else if (service.build) {
    std::string repository = project + "-" + entry.key;
    std::transform(repository.begin(), repository.end(), repository.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto image = actions::parse_image_reference(repository + ":compose");
    if (!image)
      reader.fail(entry.key_node, where + ": cannot name its image: " + image.error().message);
    spec.image = std::move(*image);
  } else {
    reader.fail(entry.key_node, where + ": needs 'image' or 'build'");
  }

  if (auto node = get("command"); node.IsDefined())
    spec.command = read_argv(reader, node, where, "command");
  if (auto node = get("entrypoint"); node.IsDefined()) {
    spec.entrypoint = read_argv(reader, node, where, "entrypoint");
  }
  spec.env = read_environment(reader, get("environment"), get("env_file"), where);
  if (auto node = get("user"); node.IsDefined()) {
    spec.user = reader.text(node, where, "user");
    if (auto user = actions::parse_user_spec(spec.user); !user) {
      reader.fail_field(node, where, "user", user.error().message);
    }
  }
  if (auto node = get("working_dir"); node.IsDefined()) {
    spec.workdir = reader.text(node, where, "working_dir");
    if (spec.workdir.empty() || spec.workdir[0] != '/') {
      reader.fail_field(node, where, "working_dir",
                        "must be an absolute path like /app, got '" + spec.workdir + "'");
    }
  }
  if (auto node = get("healthcheck"); node.IsDefined())
    spec.healthcheck = read_healthcheck(reader, node, where);
  if (auto node = get("labels"); node.IsDefined()) {
    const auto labels = reader.key_values(node, where, "labels", kMaxLabels, false);
    check_label_keys(reader, node, where, labels);
    spec.labels = {labels.begin(), labels.end()};
  }

  if (auto node = get("ports"); node.IsDefined()) read_ports(reader, node, where, spec);
  if (auto node = get("expose"); node.IsDefined()) read_expose(reader, node, where, spec);
  if (auto node = get("volumes"); node.IsDefined())
    read_volumes(reader, node, where, declared, spec);
  if (auto node = get("tmpfs"); node.IsDefined()) read_tmpfs(reader, node, where, spec);
  if (auto node = get("devices"); node.IsDefined()) read_devices(reader, node, where, spec);
  if (auto node = get("secrets"); node.IsDefined())
    read_secrets_used(reader, node, where, declared, spec);

  if (auto node = get("networks"); node.IsDefined()) {
    service.networks = read_service_networks(reader, node, where, declared);
  }
  if (auto node = get("network_mode"); node.IsDefined()) {
    service.network_mode = read_network_mode(reader, node, where);
    if (!service.networks.empty()) {
      reader.fail(node, where + ": 'network_mode' and 'networks' cannot both be set");
    }
  }
  if (auto node = get("depends_on"); node.IsDefined()) {
    service.depends_on = read_depends_on(reader, node, where);
  }
  if (auto node = get("pid"); node.IsDefined())
    spec.pid_mode = read_mode(reader, node, where, "pid", {"host"});
  if (auto node = get("ipc"); node.IsDefined()) {
    spec.ipc_mode = read_mode(reader, node, where, "ipc", {"none", "private", "shareable", "host"});
  }

  // Limits: each set once, whether by its own key or by deploy.resources.limits.
  std::vector<std::string> limits_set;
  if (auto node = get("deploy"); node.IsDefined())
    read_deploy(reader, node, where, spec, limits_set);
  auto limit_once = [&](const char* key, const YAML::Node& node) {
    if (std::find(limits_set.begin(), limits_set.end(), key) != limits_set.end()) {
      reader.fail(node,
                  where + ": '" + key + "' is also set in deploy.resources.limits: set it once");
    }
  };
  if (auto node = get("mem_limit"); node.IsDefined()) {
    limit_once("mem_limit", node);
    spec.memory_bytes = read_memory(reader, node, where, "mem_limit");
  }
  if (auto node = get("cpus"); node.IsDefined()) {
    limit_once("cpus", node);
    spec.nano_cpus = read_cpus(reader, node, where, "cpus");
  }
  if (auto node = get("pids_limit"); node.IsDefined()) {
    limit_once("pids_limit", node);
    spec.pids_limit = read_pids(reader, node, where, "pids_limit");
  }

  if (auto node = get("cap_add"); node.IsDefined()) {
    spec.cap_add = normalized_list(reader, node, where, "cap_add", actions::normalize_capability);
  }
  if (auto node = get("cap_drop"); node.IsDefined()) {
    spec.cap_drop = normalized_list(reader, node, where, "cap_drop", actions::normalize_capability);
  }
  if (auto node = get("security_opt"); node.IsDefined()) {
    spec.security_opt =
        normalized_list(reader, node, where, "security_opt", actions::normalize_security_opt);
  }
  if (auto node = get("privileged"); node.IsDefined())
    spec.privileged = reader.boolean(node, where, "privileged");
  if (auto node = get("read_only"); node.IsDefined())
    spec.read_only_rootfs = reader.boolean(node, where, "read_only");
  if (auto node = get("init"); node.IsDefined()) spec.init = reader.boolean(node, where, "init");
  if (auto node = get("restart"); node.IsDefined()) {
    auto restart = actions::parse_restart_policy(reader.text(node, where, "restart"));
    if (!restart) reader.fail_field(node, where, "restart", restart.error().message);
    spec.restart = *restart;
  }
  if (auto node = get("stop_grace_period"); node.IsDefined()) {
    auto ns = actions::parse_duration_ns(reader.text(node, where, "stop_grace_period"));
    if (!ns) reader.fail_field(node, where, "stop_grace_period", ns.error().message);
    if (*ns < 0) reader.fail_field(node, where, "stop_grace_period", "must not be negative");
    // Whole seconds, rounded up: the engine's StopTimeout is in seconds, and a grace period
    // must never shrink.
    spec.stop_timeout_s =
        static_cast<int>(std::min<std::int64_t>((*ns + 999999999) / 1000000000, 86400));
  }
  if (auto node = get("sysctls"); node.IsDefined()) {
    static const std::regex kSysctl(R"([A-Za-z0-9][A-Za-z0-9_./-]*)");
    for (auto& [key, value] : reader.key_values(node, where, "sysctls", kMaxSysctls, false)) {
      if (key.size() > 255 || !std::regex_match(key, kSysctl)) {
        reader.fail_field(node, where, "sysctls." + key,
                          "must be a kernel parameter like net.core.somaxconn");
      }
      spec.sysctls[key] = value;
    }
  }
  return service;
}

}  // namespace dockgate::compose::detail
