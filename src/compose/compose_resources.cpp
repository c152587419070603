// Top-level networks, volumes and secrets. Engine names follow Compose: "<project>_<key>"
// unless `name:` is given; an external resource keeps its `name:` or its key.
#include <regex>

#include "compose/compose_reader.hpp"

namespace dockgate::compose::detail {
namespace {

constexpr std::size_t kMaxResources = 100;
constexpr std::size_t kMaxOptions = 64;

std::map<std::string, std::string> to_map(
    const std::vector<std::pair<std::string, std::string>>& items) {
  return {items.begin(), items.end()};
}

// One resource's settings, shared by networks and volumes.
struct Common {
  std::string name;
  std::string driver;
  bool external = false;
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;

  // A Network or a Volume with these settings (the type's default driver unless one is given).
  template <class Resource>
  Resource into(const std::string& key) && {
    Resource resource;
    resource.key = key;
    resource.name = std::move(name);
    if (!driver.empty()) resource.driver = std::move(driver);
    resource.external = external;
    resource.driver_opts = std::move(driver_opts);
    resource.labels = std::move(labels);
    return resource;
  }
};

Common read_common(const Reader& reader, const Entry& resource, const std::string& kind,
                   const std::string& project, const std::vector<std::string>& supported) {
  const std::string context = kind + " '" + resource.key + "'";
  Common common;
  bool named = false;
  std::vector<std::string> settings;
  if (!resource.value.IsNull()) {
    const auto entries = reader.entries(resource.value, context, resource.key);
    reader.only_keys(entries, context, supported);
    for (const auto& entry : entries) {
      settings.push_back(entry.key);
      if (entry.key == "name") {
        common.name = reader.text(entry.value, context, "name");
        named = true;
      } else if (entry.key == "driver") {
        common.driver = reader.text(entry.value, context, "driver");
      } else if (entry.key == "external") {
        if (entry.value.IsMap()) {
          reader.fail(entry.value, context +
                                       ": 'external' must be true or false (the old "
                                       "'external: {name: ...}' form: use 'name:')");
        }
        common.external = reader.boolean(entry.value, context, "external");
      } else if (entry.key == "driver_opts") {
        common.driver_opts =
            to_map(reader.key_values(entry.value, context, "driver_opts", kMaxOptions, false));
      } else if (entry.key == "labels") {
        const auto labels = reader.key_values(entry.value, context, "labels", kMaxOptions, false);
        check_label_keys(reader, entry.value, context, labels);
        common.labels = to_map(labels);
      }
    }
  }
  if (common.external) {
    for (const auto& setting : settings) {
      if (setting != "external" && setting != "name") {
        reader.fail(resource.key_node, context + ": an external " + kind + " is used as it is: '" +
                                           setting + "' cannot be set with 'external: true'");
      }
    }
  }
  if (!named) common.name = common.external ? resource.key : project + "_" + resource.key;
  if (!is_docker_name(common.name)) {
    reader.fail(resource.key_node, context + ": the " + kind + " name '" + common.name +
                                       "' is not valid: use letters, digits, '_', '.' and '-', "
                                       "starting with a letter or digit");
  }
  return common;
}

std::vector<Entry> resources(const Reader& reader, const YAML::Node& node,
                             const std::string& field) {
  if (node.IsNull()) return {};
  auto entries = reader.entries(node, "", field);
  if (entries.size() > kMaxResources) {
    reader.fail(node,
                "'" + field + "' has more than " + std::to_string(kMaxResources) + " entries");
  }
  return entries;
}

}  // namespace

std::vector<Network> read_networks(const Reader& reader, const YAML::Node& node,
                                   const std::string& project) {
  std::vector<Network> networks;
  for (const auto& entry : resources(reader, node, "networks")) {
    auto network = read_common(reader, entry, "network", project,
                               {"name", "driver", "external", "internal", "driver_opts", "labels"})
                       .into<Network>(entry.key);
    if (entry.value.IsMap()) {
      const std::string context = "network '" + entry.key + "'";
      for (const auto& setting : reader.entries(entry.value, context, entry.key)) {
        if (setting.key == "internal") {
          network.internal = reader.boolean(setting.value, context, "internal");
        }
      }
    }
    networks.push_back(std::move(network));
  }
  return networks;
}

std::vector<Volume> read_volumes_top(const Reader& reader, const YAML::Node& node,
                                     const std::string& project) {
  std::vector<Volume> volumes;
  for (const auto& entry : resources(reader, node, "volumes")) {
    volumes.push_back(read_common(reader, entry, "volume", project,
                                  {"name", "driver", "external", "driver_opts", "labels"})
                          .into<Volume>(entry.key));
  }
  return volumes;
}

std::vector<Secret> read_secrets(const Reader& reader, const YAML::Node& node) {
  static const std::regex kSecret(R"([A-Za-z0-9][A-Za-z0-9_.-]*)");
  std::vector<Secret> secrets;
  for (const auto& entry : resources(reader, node, "secrets")) {
    const std::string context = "secret '" + entry.key + "'";
    Secret secret;
    secret.key = entry.key;
    bool external = false;
    if (!entry.value.IsNull()) {
      const auto entries = reader.entries(entry.value, context, entry.key);
      for (const auto& setting : entries) {
        if (setting.key == "file" || setting.key == "environment") {
          reader.fail(setting.key_node,
                      context + ": '" + setting.key +
                          "' is not supported: dockgate serves secrets from its secrets folder "
                          "(--secrets-dir), not from files or variables of the machine it runs "
                          "on; use 'external: true' (the file named as the key) or 'name: "
                          "<file in the secrets folder>'");
        }
      }
      reader.only_keys(entries, context, {"external", "name"});
      for (const auto& setting : entries) {
        if (setting.key == "external")
          external = reader.boolean(setting.value, context, "external");
        if (setting.key == "name") secret.name = reader.text(setting.value, context, "name");
      }
    }
    if (secret.name.empty() && !external) {
      reader.fail(entry.key_node, context +
                                      ": say where it comes from: 'external: true' (the "
                                      "file named '" +
                                      entry.key +
                                      "' in dockgate's secrets folder) or 'name: <file>'");
    }
    if (secret.name.empty()) secret.name = entry.key;
    if (secret.name.size() > 255 || !std::regex_match(secret.name, kSecret)) {
      reader.fail(entry.key_node, context +
                                      ": a secret name is letters, digits and _ . - "
                                      "(starting with a letter or digit), got '" +
                                      secret.name + "'");
    }
    secrets.push_back(std::move(secret));
  }
  return secrets;
}

}  // namespace dockgate::compose::detail
