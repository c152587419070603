// parse_compose: the top level of a compose file, the limits, and the checks that span
// services (depends_on, network_mode: service:x, the implicit "default" network).
#include <functional>
#include <set>

#include "compose/compose_reader.hpp"

namespace dockgate::compose {
namespace {

using detail::Entry;
using detail::Failure;
using detail::Reader;

constexpr std::size_t kMaxTextBytes = 1u << 20;
constexpr std::size_t kMaxServices = 100;
constexpr int kMaxDepth = 32;
// yaml-cpp shares an aliased node rather than copying it, so "billion laughs" costs little to
// load but would cost the walk everything: the walk counts every node it reaches.
constexpr std::size_t kMaxNodes = 100000;

void check_shape(const Reader& reader, const YAML::Node& node, int depth, std::size_t& nodes) {
  if (++nodes > kMaxNodes) {
    reader.fail(node, "the file has more than " + std::to_string(kMaxNodes) +
                          " YAML nodes (counting each use of an alias)");
  }
  if (depth > kMaxDepth) {
    reader.fail(node, "the file nests deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  if (node.IsSequence()) {
    for (const auto& item : node) check_shape(reader, item, depth + 1, nodes);
  } else if (node.IsMap()) {
    for (const auto& item : node) {
      check_shape(reader, item.first, depth + 1, nodes);
      check_shape(reader, item.second, depth + 1, nodes);
    }
  }
}

// YAML::Load reads the first document only, and yaml-cpp 0.7's LoadAll can loop forever on
// malformed text (",,,!-a"), so further documents are found in the text: a "---" at the start
// of a line after some content (the marker cannot occur there inside a scalar). 0: none.
int second_document_line(std::string_view text) {
  bool content = false;
  int line = 0;
  for (std::size_t start = 0; start < text.size();) {
    const auto end = std::min(text.find('\n', start), text.size());
    const std::string_view current = text.substr(start, end - start);
    ++line;
    start = end + 1;
    const bool marker =
        current.substr(0, 3) == "---" &&
        (current.size() == 3 || current[3] == ' ' || current[3] == '\t' || current[3] == '\r');
    if (marker && content) return line;
    const auto first = current.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && current[first] != '#' && current[0] != '%') {
      content = content || !marker;
    }
  }
  return 0;
}

bool is_service_name(const std::string& name) {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string project_name(const Reader& reader, const std::vector<Entry>& top) {
  const ParseOptions& options = reader.options();
  if (!options.project_name.empty()) {
    std::string name = normalize_project_name(options.project_name);
    if (name.empty()) {
      throw Failure{"project name '" + options.project_name +
                    "' has no letter or digit: a project name is lower-case letters, digits, "
                    "'_' and '-'"};
    }
    return name;
  }
  for (const auto& entry : top) {
    if (entry.key != "name") continue;
    const std::string text = reader.text(entry.value, "", "name");
    std::string name = normalize_project_name(text);
    if (name.empty()) {
      reader.fail(entry.value, "'name' '" + text +
                                   "' has no letter or digit: a project name is lower-case "
                                   "letters, digits, '_' and '-'");
    }
    return name;
  }
  std::string dir = detail::clean_path(options.project_dir.empty() ? "/" : options.project_dir);
  std::string name = normalize_project_name(dir.substr(dir.rfind('/') + 1));
  if (name.empty()) {
    throw Failure{options.file_name + ": cannot name the project after the folder '" + dir +
                  "': give the file a 'name:' or pass a project name"};
  }
  return name;
}

// depends_on: every name a service of the file, and no cycle (named in the error).
void check_dependencies(const Reader& reader, const std::vector<Service>& list) {
  auto fail = [&](const Service& service, const std::string& message) {
    throw Failure{reader.options().file_name + ":" + std::to_string(service.line) + ": service '" +
                  service.name + "': " + message};
  };
  std::map<std::string, const Service*> by_name;
  for (const auto& service : list) by_name[service.name] = &service;
  for (const auto& service : list) {
    for (const auto& dependency : service.depends_on) {
      if (!by_name.count(dependency.service)) {
        fail(service,
             "depends on '" + dependency.service + "', which is not a service of this file");
      }
    }
    const std::string& mode = service.network_mode;
    if (mode.rfind("service:", 0) == 0 && !by_name.count(mode.substr(8))) {
      fail(service, "network_mode '" + mode + "' names no service of this file");
    }
  }
  std::map<std::string, int> state;  // 1 = on the current path, 2 = done
  std::vector<std::string> path;
  std::function<void(const Service&)> visit = [&](const Service& service) {
    state[service.name] = 1;
    path.push_back(service.name);
    for (const auto& dependency : service.depends_on) {
      const int seen = state[dependency.service];
      if (seen == 1) {
        std::string cycle;
        auto from = std::find(path.begin(), path.end(), dependency.service);
        for (; from != path.end(); ++from) cycle += *from + " -> ";
        fail(service, "depends_on forms a cycle: " + cycle + dependency.service);
      }
      if (seen == 0) visit(*by_name[dependency.service]);
    }
    path.pop_back();
    state[service.name] = 2;
  };
  for (const auto& service : list) {
    if (state[service.name] == 0) visit(service);
  }
}

ComposeFile parse(std::string_view yaml_text, const ParseOptions& options) {
  Reader reader(options);
  if (yaml_text.size() > kMaxTextBytes) {
    throw Failure{options.file_name + ": is " + std::to_string(yaml_text.size()) +
                  " bytes; a compose file may be at most 1 MiB"};
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    throw Failure{options.file_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                  std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
  if (const int line = second_document_line(yaml_text); line > 0) {
    throw Failure{options.file_name + ":" + std::to_string(line) +
                  ": the file holds more than one YAML document (---): write one"};
  }
  std::size_t nodes = 0;
  check_shape(reader, root, 0, nodes);
  if (!root.IsMap()) {
    reader.fail(root,
                "a compose file must be a map with 'services' (and optionally name, "
                "networks, volumes, secrets)");
  }
  const auto top = reader.entries(root, "", "(top level)");
  reader.only_keys(top, "top level",
                   {"version", "name", "services", "networks", "volumes", "secrets"});
  ComposeFile file;
  file.project_dir = detail::clean_path(options.project_dir.empty() ? "/" : options.project_dir);
  file.project = project_name(reader, top);
  YAML::Node services;
  for (const auto& entry : top) {
    // `version` is obsolete in the Compose Specification: read (so that it is a string), unused.
    if (entry.key == "version") (void)reader.text(entry.value, "", "version");
    if (entry.key == "services") services = entry.value;
    if (entry.key == "networks")
      file.networks = detail::read_networks(reader, entry.value, file.project);
    if (entry.key == "volumes")
      file.volumes = detail::read_volumes_top(reader, entry.value, file.project);
    if (entry.key == "secrets") file.secrets = detail::read_secrets(reader, entry.value);
  }
  if (!services.IsDefined() || services.IsNull()) {
    reader.fail(root, "the file has no services: add 'services:' with at least one service");
  }
  detail::Declared declared;
  for (const auto& volume : file.volumes) declared.volumes[volume.key] = &volume;
  for (const auto& network : file.networks) declared.networks[network.key] = &network;
  for (const auto& secret : file.secrets) declared.secrets[secret.key] = &secret;
  const auto service_entries = reader.entries(services, "", "services");
  if (service_entries.empty())
    reader.fail(services, "'services' is empty: add at least one service");
  if (service_entries.size() > kMaxServices) {
    reader.fail(services, "the file has " + std::to_string(service_entries.size()) +
                              " services (at most " + std::to_string(kMaxServices) + ")");
  }
  for (const auto& entry : service_entries) {
    if (!is_service_name(entry.key)) {
      reader.fail(entry.key_node, "service name '" + entry.key +
                                      "' is not valid: use letters, digits, '.', '_' and '-'");
    }
    file.services.push_back(detail::read_service(reader, file.project, entry, declared));
  }
  check_dependencies(reader, file.services);
  const bool uses_default = std::any_of(file.services.begin(), file.services.end(), [](auto& s) {
    const bool listed = std::any_of(s.networks.begin(), s.networks.end(),
                                    [](auto& network) { return network.key == "default"; });
    return listed || (s.networks.empty() && s.network_mode.empty());
  });
  if (uses_default && !declared.networks.count("default")) {
    Network network;
    network.key = "default";
    network.name = file.project + "_default";
    file.networks.push_back(std::move(network));
  }
  return file;
}

}  // namespace

Result<ComposeFile> parse_compose(std::string_view yaml_text, const ParseOptions& options) {
  try {
    return parse(yaml_text, options);
  } catch (const Failure& failure) {
    return make_error(failure.message);
  } catch (const YAML::Exception& e) {
    // Conversions inside the walk; the walk checks types first, so this is a safety net.
    return make_error(options.file_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    // std::regex and allocation failures: still an answer, never an exception out of here.
    return make_error(options.file_name + ": cannot be read: " + e.what());
  }
}

}  // namespace dockgate::compose
