// A parsed compose file -> the steps of docker_compose_up / docker_compose_down, named and
// labelled as Docker Compose names and labels them, so that `docker compose ps` and `down`
// (and dockgate's own down) find the stack.
#include "tools/compose_plan.hpp"

#include <algorithm>
#include <set>

namespace dockgate::tools {
namespace {

using compose::ComposeFile;
using compose::Service;
using nlohmann::json;

constexpr const char* kProject = "com.docker.compose.project";

std::string container_name(const ComposeFile& file, const std::string& service) {
  return file.project + "-" + service + "-1";
}

const Service* find_service(const ComposeFile& file, const std::string& name) {
  for (const auto& s : file.services)
    if (s.name == name) return &s;
  return nullptr;
}

// The services to start: those asked for and, transitively, what they depend on; in start
// order (each after its dependencies, else in file order). The parser refused cycles.
Result<std::vector<const Service*>> start_order(const ComposeFile& file,
                                                const std::vector<std::string>& wanted) {
  std::set<std::string> selected;
  std::vector<std::string> pending = wanted;
  if (wanted.empty())
    for (const auto& s : file.services) pending.push_back(s.name);
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    const Service* service = find_service(file, name);
    if (service == nullptr) {
      std::string names;
      for (const auto& s : file.services) names += (names.empty() ? "" : ", ") + s.name;
      return make_error("services: \"" + name +
                        "\" is not a service of this file (services: " + names + ")");
    }
    if (!selected.insert(name).second) continue;
    for (const auto& d : service->depends_on) pending.push_back(d.service);
  }
  std::vector<const Service*> order;
  std::set<std::string> placed;
  while (order.size() < selected.size()) {
    bool progressed = false;
    for (const auto& s : file.services) {
      if (!selected.contains(s.name) || placed.contains(s.name)) continue;
      const bool ready = std::all_of(s.depends_on.begin(), s.depends_on.end(),
                                     [&](const auto& d) { return placed.contains(d.service); });
      if (!ready) continue;
      order.push_back(&s);
      placed.insert(s.name);
      progressed = true;
    }
    if (!progressed) return make_error("services: depends_on forms a cycle");
  }
  return order;
}

const compose::Network* find_network(const ComposeFile& file, const std::string& key) {
  for (const auto& n : file.networks)
    if (n.key == key) return &n;
  return nullptr;
}

// The networks a service joins, by key: its own, or "default" when it names none.
std::vector<compose::ServiceNetwork> joined_networks(const Service& service) {
  if (!service.network_mode.empty()) return {};
  if (service.networks.empty()) return {compose::ServiceNetwork{"default", {}}};
  return service.networks;
}

actions::WaitCondition wait_condition(compose::DependencyCondition condition) {
  switch (condition) {
    case compose::DependencyCondition::Healthy:
      return actions::WaitCondition::Healthy;
    case compose::DependencyCondition::CompletedSuccessfully:
      return actions::WaitCondition::CompletedSuccessfully;
    case compose::DependencyCondition::Started:
      break;
  }
  return actions::WaitCondition::Started;
}

Result<actions::RunContainer> run_step(const ComposeFile& file, const Service& service,
                                       const std::string& source) {
  actions::RunContainer run{service.spec, /*detach=*/true};
  auto& spec = run.spec;
  spec.name = container_name(file, service.name);
  spec.labels[kProject] = file.project;
  spec.labels["com.docker.compose.service"] = service.name;
  spec.labels["com.docker.compose.container-number"] = "1";
  spec.labels["com.docker.compose.oneoff"] = "False";
  spec.labels["com.docker.compose.project.working_dir"] = file.project_dir;
  spec.labels["com.docker.compose.project.config_files"] = source;
  const std::string& mode = service.network_mode;
  if (mode.rfind("service:", 0) == 0) {
    spec.network = "container:" + container_name(file, mode.substr(8));
  } else if (!mode.empty()) {
    spec.network = mode;
  }
  bool first = true;
  for (const auto& joined : joined_networks(service)) {
    const compose::Network* network = find_network(file, joined.key);
    if (network == nullptr)
      return make_error("services." + service.name + ".networks: \"" + joined.key +
                        "\" is not declared under networks");
    if (!actions::is_user_network(network->name))
      return make_error("services." + service.name + ".networks: \"" + joined.key + "\" is " +
                        network->name + ", not a user-defined network; use network_mode for " +
                        "host, none or bridge");
    std::vector<std::string> aliases{service.name};
    aliases.insert(aliases.end(), joined.aliases.begin(), joined.aliases.end());
    if (first) {
      spec.network = network->name;
      spec.network_aliases = std::move(aliases);
      first = false;
    } else {
      spec.extra_networks.push_back({network->name, std::move(aliases)});
    }
  }
  return run;
}

bool uses_volume(const Service& service, const compose::Volume& volume) {
  return std::any_of(service.spec.mounts.begin(), service.spec.mounts.end(), [&](const auto& m) {
    return m.type == actions::MountType::Volume && m.source == volume.name;
  });
}

bool uses_network(const Service& service, const compose::Network& network) {
  const auto joined = joined_networks(service);
  return std::any_of(joined.begin(), joined.end(),
                     [&](const auto& j) { return j.key == network.key; });
}

// The image compose tags a built service with when the file gives none (compose_file.hpp).
bool has_default_image(const ComposeFile& file, const Service& service) {
  return service.spec.image.repository == "library/" + file.project + "-" + service.name &&
         service.spec.image.tag == "compose" && service.spec.image.registry == "docker.io";
}

}  // namespace

Result<actions::ComposeUp> plan_compose_up(const ComposeFile& file, const std::string& source,
                                           const std::vector<std::string>& services, bool detach,
                                           const Tool& build_tool) {
  auto order = start_order(file, services);
  if (!order) return order.error();
  actions::ComposeUp up;
  up.project = file.project;
  up.source = source;
  up.detach = detach;
  for (const auto& network : file.networks) {
    if (network.external || std::none_of(order->begin(), order->end(), [&](const Service* s) {
          return uses_network(*s, network);
        }))
      continue;
    actions::CreateNetwork create;
    create.name = network.name;
    create.driver = network.driver;
    create.internal = network.internal;
    create.labels = network.labels;
    create.labels[kProject] = file.project;
    create.labels["com.docker.compose.network"] = network.key;
    if (!network.driver_opts.empty())
      return make_error("networks." + network.key +
                        ".driver_opts: not supported by dockgate yet; remove it");
    up.steps.push_back(
        {"docker_network_create", "networks." + network.key, std::move(create), {}, std::nullopt});
  }
  for (const auto& volume : file.volumes) {
    if (volume.external || std::none_of(order->begin(), order->end(),
                                        [&](const Service* s) { return uses_volume(*s, volume); }))
      continue;
    actions::CreateVolume create{volume.name, volume.driver, volume.driver_opts, volume.labels};
    create.labels[kProject] = file.project;
    create.labels["com.docker.compose.volume"] = volume.key;
    up.steps.push_back(
        {"docker_volume_create", "volumes." + volume.key, std::move(create), {}, std::nullopt});
  }
  // One image step per image; a service that builds it wins over one that only names it.
  std::set<std::string> images;
  std::vector<const Service*> by_image = *order;
  std::stable_partition(by_image.begin(), by_image.end(),
                        [](const Service* s) { return s->build.has_value(); });
  for (const Service* service : by_image) {
    const std::string image = service->spec.image.full();
    if (!images.insert(image).second) continue;
    const std::string subject = "services." + service->name;
    if (service->build) {
      json arguments = {{"path", service->build->context},
                        {"dockerfile", service->build->dockerfile},
                        {"tag", image},
                        {"build_args", service->build->args}};
      if (!service->build->target.empty()) arguments["target"] = service->build->target;
      auto build = plan_call(build_tool, arguments);
      if (!build) return make_error(subject + ".build: " + build.error().message);
      up.steps.push_back({"docker_build", subject + ".build", std::move(*build), {}, std::nullopt});
    } else {
      up.steps.push_back({"docker_pull",
                          subject + ".image",
                          actions::PullImage{service->spec.image},
                          {},
                          std::nullopt});
    }
  }
  for (const Service* service : *order) {
    auto run = run_step(file, *service, source);
    if (!run) return run.error();
    actions::ComposeStep step{
        "docker_run", "services." + service->name, std::move(*run), {}, std::nullopt};
    for (const auto& d : service->depends_on)
      step.waits.push_back(
          {d.service, container_name(file, d.service), wait_condition(d.condition)});
    up.steps.push_back(std::move(step));
    up.services.push_back(service->name);
  }
  return up;
}

Result<actions::ComposeDown> plan_compose_down(const ComposeFile& file, const std::string& source,
                                               bool remove_volumes,
                                               const std::string& remove_images) {
  actions::ComposeDown down;
  down.project = file.project;
  down.source = source;
  down.remove_volumes = remove_volumes;
  down.remove_images = remove_images;
  for (const auto& service : file.services) {
    down.steps.push_back({"docker_rm",
                          "services." + service.name,
                          actions::RemoveContainer{container_name(file, service.name),
                                                   /*force=*/true, remove_volumes},
                          {},
                          std::nullopt});
  }
  for (const auto& network : file.networks) {
    if (network.external) continue;
    down.steps.push_back({"docker_network_rm",
                          "networks." + network.key,
                          actions::RemoveNetwork{network.name},
                          {},
                          std::nullopt});
  }
  if (remove_volumes) {
    for (const auto& volume : file.volumes) {
      if (volume.external) continue;
      down.steps.push_back({"docker_volume_rm",
                            "volumes." + volume.key,
                            actions::RemoveVolume{volume.name, false},
                            {},
                            std::nullopt});
    }
  }
  if (remove_images != "none") {
    std::set<std::string> images;
    for (const auto& service : file.services) {
      // "local": only the images compose named itself (built, no image: key); "all": every one.
      if (remove_images == "local" && !has_default_image(file, service)) continue;
      const std::string image = service.spec.image.full();
      if (!images.insert(image).second) continue;
      down.steps.push_back({"docker_rmi",
                            "services." + service.name + ".image",
                            actions::RemoveImage{image, false},
                            {},
                            std::nullopt});
    }
  }
  return down;
}

}  // namespace dockgate::tools
