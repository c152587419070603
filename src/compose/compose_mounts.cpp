// A service's ports, expose, volumes, tmpfs and devices. Short forms go through docker_run's
// normalizers unchanged; long forms are written back into the short form first, so that one
// parser decides what a port or a mount is.
#include <algorithm>

#include "actions/normalize.hpp"
#include "compose/compose_reader.hpp"

namespace dockgate::compose::detail {
namespace {

constexpr std::size_t kMaxPorts = 1024;
constexpr std::size_t kMaxMounts = 128;

std::string project_dir(const Reader& reader) {
  return reader.options().project_dir.empty() ? "/" : reader.options().project_dir;
}

bool is_relative_host_path(const std::string& source) {
  return source == "." || source == ".." || source.rfind("./", 0) == 0 ||
         source.rfind("../", 0) == 0;
}

// A named volume's source is its key in the file; the mount gets the volume's engine name.
void resolve_named_volume(const Reader& reader, const YAML::Node& node, const std::string& where,
                          const Declared& declared, actions::Mount& mount) {
  if (mount.type != actions::MountType::Volume || mount.source.empty()) return;
  const auto found = declared.volumes.find(mount.source);
  if (found == declared.volumes.end()) {
    reader.fail(
        node, where + ": volume '" + mount.source + "' is not declared in the top-level 'volumes'");
  }
  mount.source = found->second->name;
}

actions::Mount short_volume(const Reader& reader, const YAML::Node& node, const std::string& where,
                            const std::string& field, std::string text) {
  // "./data:/data": relative host paths resolve against the project folder (Compose's rule);
  // the result is absolute and lexically normal, and the planner checks where it points.
  const auto colon = text.find(':');
  if (colon != std::string::npos && is_relative_host_path(text.substr(0, colon))) {
    text = resolve_path(project_dir(reader), text.substr(0, colon)) + text.substr(colon);
  }
  auto mount = actions::parse_volume_spec(text);
  if (!mount) reader.fail_field(node, where, field, mount.error().message);
  return *mount;
}

actions::Mount long_volume(const Reader& reader, const YAML::Node& node, const std::string& where,
                           const std::string& field) {
  const auto entries = reader.entries(node, where, field);
  reader.only_keys(entries, where + ": " + field,
                   {"type", "source", "target", "read_only", "bind", "volume", "tmpfs"});
  std::string type, source, target;
  bool read_only = false;
  std::string propagation, selinux;
  for (const auto& entry : entries) {
    const std::string name = field + "." + entry.key;
    if (entry.key == "type") type = reader.text(entry.value, where, name);
    if (entry.key == "source") source = reader.text(entry.value, where, name);
    if (entry.key == "target") target = reader.text(entry.value, where, name);
    if (entry.key == "read_only") read_only = reader.boolean(entry.value, where, name);
    if (entry.key == "volume") {
      // nocopy and subpath have no place in a Mount here: refused by the empty key list.
      reader.only_keys(reader.entries(entry.value, where, name), where + ": " + name, {});
    }
    if (entry.key == "tmpfs") {
      reader.fail(entry.key_node, where + ": '" + name +
                                      "' (size, mode) is not supported by dockgate: a tmpfs mount "
                                      "here carries no options; remove it");
    }
    if (entry.key == "bind") {
      const auto options = reader.entries(entry.value, where, name);
      reader.only_keys(options, where + ": " + name, {"propagation", "selinux"});
      for (const auto& option : options) {
        if (option.key == "propagation")
          propagation = reader.text(option.value, where, name + ".propagation");
        if (option.key == "selinux") selinux = reader.text(option.value, where, name + ".selinux");
      }
    }
  }
  if (target.empty())
    reader.fail_field(node, where, field, "needs a 'target' (the path in the container)");
  if (type != "volume" && type != "bind" && type != "tmpfs") {
    reader.fail_field(node, where, field + ".type",
                      "must be volume, bind or tmpfs, got '" + type + "'");
  }
  if ((!propagation.empty() || !selinux.empty()) && type != "bind") {
    reader.fail_field(node, where, field, "'bind' options apply to type: bind only");
  }
  if (type == "tmpfs") {
    if (!source.empty()) reader.fail_field(node, where, field, "a tmpfs mount has no 'source'");
    auto checked = actions::parse_volume_spec(target);
    if (!checked) reader.fail_field(node, where, field + ".target", checked.error().message);
    actions::Mount mount;
    mount.type = actions::MountType::Tmpfs;
    mount.target = checked->target;
    mount.read_only = read_only;
    return mount;
  }
  if (type == "bind") {
    if (source.empty()) reader.fail_field(node, where, field, "a bind mount needs a 'source'");
    // As the short form: relative paths resolve against the project folder; absolute ones go
    // to docker_run's parser as written ("~" and ".." in them are refused there).
    if (source[0] != '/' && source[0] != '~') source = resolve_path(project_dir(reader), source);
  } else if (!source.empty() && (source[0] == '/' || is_relative_host_path(source))) {
    reader.fail_field(node, where, field + ".source",
                      "is a path: a volume's source is a volume name (use type: bind for a path)");
  }
  std::string modes = read_only ? "ro" : "";
  for (const std::string& mode : {propagation, selinux}) {
    if (!mode.empty()) modes += (modes.empty() ? "" : ",") + mode;
  }
  std::string text = source.empty() ? target : source + ":" + target;
  if (!modes.empty()) {
    if (source.empty())
      reader.fail_field(node, where, field, "an anonymous volume takes no options");
    text += ":" + modes;
  }
  auto mount = actions::parse_volume_spec(text);
  if (!mount) reader.fail_field(node, where, field, mount.error().message);
  const bool is_bind = mount->type == actions::MountType::Bind;
  if (is_bind != (type == "bind")) {
    reader.fail_field(node, where, field + ".source", "does not match type: " + type);
  }
  return *mount;
}

std::string port_text(const Reader& reader, const YAML::Node& node, const std::string& where,
                      const std::string& field) {
  const auto entries = reader.entries(node, where, field);
  reader.only_keys(entries, where + ": " + field, {"target", "published", "host_ip", "protocol"});
  std::string target, published, host_ip, protocol;
  for (const auto& entry : entries) {
    const std::string name = field + "." + entry.key;
    if (entry.key == "target")
      target = std::to_string(reader.integer(entry.value, where, name, 1, 65535));
    if (entry.key == "published")
      published = reader.text(entry.value, where, name, "must be a port or a range");
    if (entry.key == "host_ip") host_ip = reader.text(entry.value, where, name);
    if (entry.key == "protocol") protocol = reader.text(entry.value, where, name);
  }
  if (target.empty())
    reader.fail_field(node, where, field, "needs a 'target' (the container port)");
  if (!host_ip.empty() && published.empty()) published = "0";
  std::string text;
  if (!host_ip.empty())
    text = (host_ip.find(':') != std::string::npos ? "[" + host_ip + "]" : host_ip) + ":";
  if (!published.empty()) text += published + ":";
  text += target;
  if (!protocol.empty()) text += "/" + protocol;
  return text;
}

}  // namespace

void read_ports(const Reader& reader, const YAML::Node& node, const std::string& where,
                actions::ContainerSpec& spec) {
  if (!node.IsSequence()) reader.fail_field(node, where, "ports", "must be a list");
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string field = indexed("ports", i);
    const std::string text =
        node[i].IsMap() ? port_text(reader, node[i], where, field)
                        : reader.text(node[i], where, field, "must be a string or a number");
    auto ports = actions::parse_port_spec(text);
    if (!ports) reader.fail_field(node[i], where, field, ports.error().message);
    spec.ports.insert(spec.ports.end(), ports->begin(), ports->end());
    if (spec.ports.size() > kMaxPorts) {
      reader.fail_field(node[i], where, "ports",
                        "publish more than " + std::to_string(kMaxPorts) + " ports");
    }
  }
}

void read_expose(const Reader& reader, const YAML::Node& node, const std::string& where,
                 actions::ContainerSpec& spec) {
  if (!node.IsSequence()) reader.fail_field(node, where, "expose", "must be a list");
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string field = indexed("expose", i);
    const std::string text = reader.text(node[i], where, field, "must be a string or a number");
    // "80", "80/udp", "8000-8001": the same grammar as a container port with nothing published.
    auto ports = actions::parse_port_spec(text);
    if (!ports || text.find(':') != std::string::npos) {
      reader.fail_field(node[i], where, field,
                        "must be a port like 80, 80/udp or a range 8000-8001, got '" + text + "'");
    }
    for (const auto& port : *ports) {
      const std::string value = std::to_string(port.container_port) + "/" + port.protocol;
      if (std::find(spec.exposed_ports.begin(), spec.exposed_ports.end(), value) ==
          spec.exposed_ports.end()) {
        spec.exposed_ports.push_back(value);
      }
    }
    if (spec.exposed_ports.size() > kMaxPorts) {
      reader.fail_field(node[i], where, "expose",
                        "lists more than " + std::to_string(kMaxPorts) + " ports");
    }
  }
}

void read_volumes(const Reader& reader, const YAML::Node& node, const std::string& where,
                  const Declared& declared, actions::ContainerSpec& spec) {
  if (!node.IsSequence()) reader.fail_field(node, where, "volumes", "must be a list");
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string field = indexed("volumes", i);
    actions::Mount mount =
        node[i].IsMap()
            ? long_volume(reader, node[i], where, field)
            : short_volume(reader, node[i], where, field,
                           reader.text(node[i], where, field, "must be a string or a map"));
    resolve_named_volume(reader, node[i], where, declared, mount);
    spec.mounts.push_back(std::move(mount));
    if (spec.mounts.size() > kMaxMounts) {
      reader.fail_field(node[i], where, "volumes",
                        "has more than " + std::to_string(kMaxMounts) + " mounts");
    }
  }
}

void read_tmpfs(const Reader& reader, const YAML::Node& node, const std::string& where,
                actions::ContainerSpec& spec) {
  const auto paths = reader.strings(node, where, "tmpfs");
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string field = node.IsSequence() ? indexed("tmpfs", i) : "tmpfs";
    if (paths[i].find(':') != std::string::npos) {
      reader.fail_field(node, where, field,
                        "takes a path only: tmpfs options (size, mode) are not supported by "
                        "dockgate, got '" +
                            paths[i] + "'");
    }
    auto checked = actions::parse_volume_spec(paths[i]);
    if (!checked) reader.fail_field(node, where, field, checked.error().message);
    actions::Mount mount;
    mount.type = actions::MountType::Tmpfs;
    mount.target = checked->target;
    spec.mounts.push_back(std::move(mount));
    if (spec.mounts.size() > kMaxMounts) {
      reader.fail_field(node, where, "tmpfs",
                        "makes more than " + std::to_string(kMaxMounts) + " mounts");
    }
  }
}

void read_devices(const Reader& reader, const YAML::Node& node, const std::string& where,
                  actions::ContainerSpec& spec) {
  if (!node.IsSequence()) reader.fail_field(node, where, "devices", "must be a list");
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string field = indexed("devices", i);
    auto device = actions::parse_device_spec(reader.text(node[i], where, field));
    if (!device) reader.fail_field(node[i], where, field, device.error().message);
    spec.devices.push_back(*device);
  }
}

}  // namespace dockgate::compose::detail
