#include "actions/action.hpp"

#include "common/overloaded.hpp"

namespace dockgate::actions {
namespace {

using nlohmann::json;

json mount_json(const Mount& m) {
  static const char* kTypes[] = {"bind", "volume", "tmpfs"};
  json out = {
      {"type", kTypes[static_cast<int>(m.type)]}, {"target", m.target}, {"read_only", m.read_only}};
  if (!m.source.empty()) out["source"] = m.source;
  if (!m.propagation.empty()) out["propagation"] = m.propagation;
  if (!m.selinux_relabel.empty()) out["selinux_relabel"] = m.selinux_relabel;
  return out;
}

// Environment values are left out: they may be secrets. Only the keys are recorded.
json env_keys(const std::vector<std::string>& env) {
  json keys = json::array();
  for (const auto& entry : env) keys.push_back(entry.substr(0, entry.find('=')));
  return keys;
}

json spec_json(const ContainerSpec& s) {
  json ports = json::array();
  for (const auto& p : s.ports) {
    ports.push_back({{"host_ip", p.host_ip},
                     {"host_port", p.host_port},
                     {"container_port", p.container_port},
                     {"protocol", p.protocol}});
  }
  json mounts = json::array();
  for (const auto& m : s.mounts) mounts.push_back(mount_json(m));
  json out = {{"name", s.name},
              {"image", s.image.full()},
              {"user", s.user},
              {"env_keys", env_keys(s.env)},
              {"labels", s.labels},
              {"ports", ports},
              {"publish_all", s.publish_all},
              {"mounts", mounts},
              {"secrets", s.secrets},
              {"network", s.network},
              {"memory_bytes", s.memory_bytes},
              {"nano_cpus", s.nano_cpus},
              {"pids_limit", s.pids_limit},
              {"cap_add", s.cap_add},
              {"cap_drop", s.cap_drop},
              {"privileged", s.privileged},
              {"read_only_rootfs", s.read_only_rootfs},
              {"security_opt", s.security_opt},
              {"restart", s.restart.name},
              {"auto_remove", s.auto_remove}};
  if (s.command) out["command"] = *s.command;
  if (s.entrypoint) out["entrypoint"] = *s.entrypoint;
  if (!s.workdir.empty()) out["workdir"] = s.workdir;
  for (const auto& [key, value] : {std::pair{"pid_mode", &s.pid_mode},
                                   {"ipc_mode", &s.ipc_mode},
                                   {"uts_mode", &s.uts_mode},
                                   {"userns_mode", &s.userns_mode},
                                   {"cgroupns_mode", &s.cgroupns_mode}}) {
    if (!value->empty()) out[key] = *value;
  }
  if (!s.devices.empty()) out["devices"] = s.devices;
  if (!s.sysctls.empty()) out["sysctls"] = s.sysctls;
  if (!s.volumes_from.empty()) out["volumes_from"] = s.volumes_from;
  if (!s.network_aliases.empty()) out["network_aliases"] = s.network_aliases;
  if (!s.extra_networks.empty()) {
    json extra = json::array();
    for (const auto& n : s.extra_networks)
      extra.push_back({{"network", n.network}, {"aliases", n.aliases}});
    out["extra_networks"] = extra;
  }
  if (!s.exposed_ports.empty()) out["exposed_ports"] = s.exposed_ports;
  if (s.init) out["init"] = true;
  if (s.stop_timeout_s) out["stop_timeout_s"] = *s.stop_timeout_s;
  if (s.healthcheck)
    out["healthcheck"] = {{"test", s.healthcheck->test}, {"retries", s.healthcheck->retries}};
  return out;
}

}  // namespace

namespace {
// The plan, step by step, for the audit log: each step's own action in brief.
json steps_json(const std::vector<ComposeStep>& steps) {
  json out = json::array();
  for (const auto& step : steps) {
    json entry = {{"tool", step.tool}, {"subject", step.subject}, {"action", to_json(step.action)}};
    if (!step.waits.empty()) {
      json waits = json::array();
      static const char* kConditions[] = {"service_started", "service_healthy",
                                          "service_completed_successfully"};
      for (const auto& w : step.waits)
        waits.push_back(
            {{"service", w.service}, {"condition", kConditions[static_cast<int>(w.condition)]}});
      entry["waits"] = waits;
    }
    out.push_back(std::move(entry));
  }
  return out;
}
}  // namespace

const std::vector<ComposeStep>* compose_steps(const Action& action) {
  if (const auto* up = std::get_if<ComposeUp>(&action)) return &up->steps;
  if (const auto* down = std::get_if<ComposeDown>(&action)) return &down->steps;
  return nullptr;
}

void record_judged_identities(Action& action, const Facts& facts) {
  auto* steps = compose_steps(action);
  if (steps == nullptr) return;
  for (std::size_t i = 0; i < steps->size() && i < facts.steps.size(); ++i) {
    const Facts& seen = facts.steps[i];
    auto& step = (*steps)[i];
    auto container = [&] {
      if (seen.container) step.judged_id = seen.container->exists ? seen.container->id : "";
    };
    // Networks and volumes are known by name (the engine refuses a second of the same name).
    auto object = [&] {
      if (seen.object) step.judged_id = seen.object->exists ? seen.object->name : "";
    };
    std::visit(Overloaded{
                   [&](const RunContainer&) { container(); },
                   [&](const RemoveContainer&) { container(); },
                   [&](const CreateNetwork&) { object(); },
                   [&](const RemoveNetwork&) { object(); },
                   [&](const CreateVolume&) { object(); },
                   [&](const RemoveVolume&) { object(); },
                   [&](const PullImage&) {
                     if (seen.image) step.judged_id = seen.image->present ? seen.image->id : "";
                   },
                   [](const auto&) {},
               },
               step.action);
  }
}

std::vector<ComposeStep>* compose_steps(Action& action) {
  if (auto* up = std::get_if<ComposeUp>(&action)) return &up->steps;
  if (auto* down = std::get_if<ComposeDown>(&action)) return &down->steps;
  return nullptr;
}

std::string ImageRef::full() const {
  std::string out = registry + "/" + repository;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string ImageRef::familiar() const {
  std::string out = repository;
  // A docker.io path whose first component reads as a host ("a.b/x", "localhost/x") keeps its
  // registry, so the familiar form never names another registry when read back.
  std::string first = repository.substr(0, repository.find('/'));
  bool first_reads_as_host = first.find_first_of(".:") != std::string::npos || first == "localhost";
  if (registry != "docker.io" || first_reads_as_host) {
    out = registry + "/" + repository;
  } else if (out.rfind("library/", 0) == 0 && out.find('/', 8) == std::string::npos) {
    // Only "library/<name>" is shortened (reference.FamiliarName): "library/a/b" kept whole
    // would otherwise read back as docker.io/a/b, a different repository.
    out = out.substr(8);
  }
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string operation_name(const Action& action) {
  return std::visit(Overloaded{
                        [](const ListContainers&) { return "container.list"; },
                        [](const ListImages&) { return "image.list"; },
                        [](const InspectObject&) { return "object.inspect"; },
                        [](const RunContainer&) { return "container.create"; },
                        [](const StopContainer&) { return "container.stop"; },
                        [](const RemoveContainer&) { return "container.remove"; },
                        [](const ReadLogs&) { return "container.logs"; },
                        [](const ExecCommand&) { return "container.exec"; },
                        [](const ListVolumes&) { return "volume.list"; },
                        [](const CreateVolume&) { return "volume.create"; },
                        [](const RemoveVolume&) { return "volume.remove"; },
                        [](const ListNetworks&) { return "network.list"; },
                        [](const CreateNetwork&) { return "network.create"; },
                        [](const RemoveNetwork&) { return "network.remove"; },
                        [](const CheckPolicy&) { return "policy.check"; },
                        [](const ShowPolicy&) { return "policy.show"; },
                        [](const BuildImage&) { return "image.build"; },
                        [](const PullImage&) { return "image.pull"; },
                        [](const RemoveImage&) { return "image.remove"; },
                        [](const ComposeUp&) { return "compose.up"; },
                        [](const ComposeDown&) { return "compose.down"; },
                    },
                    action);
}

std::string_view kind_name(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Container:
      return "container";
    case ObjectKind::Image:
      return "image";
    case ObjectKind::Volume:
      return "volume";
    case ObjectKind::Network:
      return "network";
  }
  return "unknown";
}

std::optional<ObjectKind> parse_kind(std::string_view name) {
  for (auto kind :
       {ObjectKind::Container, ObjectKind::Image, ObjectKind::Volume, ObjectKind::Network}) {
    if (kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

json to_json(const Action& action) {
  json out = {{"operation", operation_name(action)}};
  std::visit(Overloaded{
                 [&](const ListContainers& a) {
                   out["all"] = a.all;
                   out["filters"] = a.filters;
                   if (a.visible_labels) out["visible_labels"] = *a.visible_labels;
                 },
                 [&](const ListImages& a) {
                   out["all"] = a.all;
                   out["filters"] = a.filters;
                 },
                 [&](const InspectObject& a) {
                   out["object"] = a.object;
                   out["type"] = a.kind ? std::string(kind_name(*a.kind)) : std::string("any");
                   if (!a.format.empty()) out["format"] = a.format;
                 },
                 [&](const RunContainer& a) {
                   out["container"] = spec_json(a.spec);
                   out["detach"] = a.detach;
                 },
                 [&](const StopContainer& a) {
                   out["container"] = a.container;
                   if (a.timeout_seconds) out["timeout_seconds"] = *a.timeout_seconds;
                 },
                 [&](const RemoveContainer& a) {
                   out["container"] = a.container;
                   out["force"] = a.force;
                   out["remove_volumes"] = a.remove_volumes;
                 },
                 [&](const ReadLogs& a) {
                   out["container"] = a.container;
                   if (a.tail) out["tail"] = *a.tail;
                   out["follow"] = a.follow;
                 },
                 [&](const ExecCommand& a) {
                   out["container"] = a.container;
                   out["argv"] = a.argv;
                   out["user"] = a.user;
                   out["env_keys"] = env_keys(a.env);
                 },
                 [&](const ListVolumes& a) {
                   out["filters"] = a.filters;
                   if (a.visible_labels) out["visible_labels"] = *a.visible_labels;
                 },
                 [&](const CreateVolume& a) {
                   out["name"] = a.name;
                   out["driver"] = a.driver;
                   out["driver_opts"] = a.driver_opts;
                 },
                 [&](const RemoveVolume& a) {
                   out["name"] = a.name;
                   out["force"] = a.force;
                 },
                 [&](const ListNetworks& a) {
                   out["filters"] = a.filters;
                   if (a.visible_labels) out["visible_labels"] = *a.visible_labels;
                 },
                 [&](const CreateNetwork& a) {
                   out["name"] = a.name;
                   out["driver"] = a.driver;
                   out["internal"] = a.internal;
                   if (!a.subnet.empty()) out["subnet"] = a.subnet;
                 },
                 [&](const RemoveNetwork& a) { out["name"] = a.name; },
                 // The judged call's arguments are in the record's "arguments" already.
                 [&](const CheckPolicy& a) { out["tool"] = a.tool; },
                 [&](const ShowPolicy& a) {
                   if (!a.tool.empty()) out["tool"] = a.tool;
                 },
                 [&](const BuildImage& a) {
                   out["context_dir"] = a.context_dir;
                   out["dockerfile"] = a.dockerfile;
                   out["tags"] = a.tags;
                   json keys = json::array();  // build arg values may be secrets: keys only
                   for (const auto& [key, value] : a.build_args) keys.push_back(key);
                   out["build_arg_keys"] = keys;
                   if (!a.target.empty()) out["target"] = a.target;
                   out["no_cache"] = a.no_cache;
                   json from = json::array();
                   for (const auto& image : a.from_images) from.push_back(image.full());
                   out["from"] = from;
                   if (!a.network_mode.empty()) out["network_mode"] = a.network_mode;
                 },
                 [&](const PullImage& a) { out["image"] = a.image.full(); },
                 [&](const RemoveImage& a) {
                   out["image"] = a.image;
                   out["force"] = a.force;
                 },
                 [&](const ComposeUp& a) {
                   out["project"] = a.project;
                   out["source"] = a.source;
                   out["services"] = a.services;
                   out["detach"] = a.detach;
                   out["steps"] = steps_json(a.steps);
                 },
                 [&](const ComposeDown& a) {
                   out["project"] = a.project;
                   out["source"] = a.source;
                   out["remove_volumes"] = a.remove_volumes;
                   out["remove_images"] = a.remove_images;
                   out["steps"] = steps_json(a.steps);
                 },
             },
             action);
  return out;
}

bool is_user_network(const std::string& network) {
  return !network.empty() && network != "bridge" && network != "default" && network != "host" &&
         network != "none" && network.rfind("container:", 0) != 0;
}

json Facts::to_json() const {
  json out = json::object();
  if (image) out["image"] = {{"present", image->present}, {"id", image->id}, {"user", image->user}};
  if (container) {
    out["container"] = {{"exists", container->exists}, {"id", container->id},
                        {"name", container->name},     {"image", container->image},
                        {"user", container->user},     {"running", container->running},
                        {"labels", container->labels}};
  }
  if (object) {
    out["object"] = {{"kind", kind_name(object->kind)},
                     {"exists", object->exists},
                     {"name", object->name},
                     {"labels", object->labels}};
  }
  if (inspected_kind) out["inspected_kind"] = kind_name(*inspected_kind);
  for (const auto& [name, volume] : mounted_volumes)
    out["mounted_volumes"][name] = {{"exists", volume.exists}, {"labels", volume.labels}};
  if (joined_network) {
    out["joined_network"] = {{"name", joined_network->name},
                             {"exists", joined_network->exists},
                             {"labels", joined_network->labels}};
  }
  if (!canonical_paths.empty()) out["canonical_paths"] = canonical_paths;
  for (const auto& [name, network] : extra_networks)
    out["extra_networks"][name] = {{"exists", network.exists}, {"labels", network.labels}};
  if (!steps.empty()) {
    out["steps"] = json::array();
    for (const auto& step : steps) out["steps"].push_back(step.to_json());
  }
  return out;
}

}  // namespace dockgate::actions
