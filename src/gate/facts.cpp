// Facts: what the decision needs from the engine that the call does not say, looked up
// read-only before the decision. A lookup that fails (engine down) fails the call closed; an
// object that does not exist is a fact too (exists/present = false).
#include <filesystem>
#include <system_error>

#include "gate/engine_executor.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

std::string text(const json& object, const json::json_pointer& pointer) {
  return object.contains(pointer) && object[pointer].is_string()
             ? object[pointer].get<std::string>()
             : std::string();
}

Result<actions::ImageFacts> image_facts(engine::EngineClient& engine,
                                        const std::string& reference) {
  auto response = engine.get("/images/" + url_encode(reference) + "/json");
  if (response && response->status == 404) return actions::ImageFacts{};
  auto body = json_body(response);
  if (!body) return body.error();
  return actions::ImageFacts{true, text(*body, "/Id"_json_pointer),
                             text(*body, "/Config/User"_json_pointer)};
}

Result<actions::ContainerFacts> container_facts(engine::EngineClient& engine,
                                                const std::string& name) {
  auto response = engine.get("/containers/" + url_encode(name) + "/json");
  if (response && response->status == 404) return actions::ContainerFacts{};
  auto body = json_body(response);
  if (!body) return body.error();
  actions::ContainerFacts facts;
  facts.exists = true;
  facts.id = text(*body, "/Id"_json_pointer);
  facts.name = text(*body, "/Name"_json_pointer);
  if (!facts.name.empty() && facts.name[0] == '/') facts.name.erase(0, 1);
  facts.image = text(*body, "/Config/Image"_json_pointer);
  facts.user = text(*body, "/Config/User"_json_pointer);
  facts.running = body->value("/State/Running"_json_pointer, false);
  const auto labels = body->value("/Config/Labels"_json_pointer, json::object());
  for (const auto& [key, value] : labels.items()) {
    if (value.is_string()) facts.labels[key] = value.get<std::string>();
  }
  return facts;
}

// The host path a bind really names, symlinks resolved; a path that does not exist yet is its
// deepest existing parent resolved plus the rest. Looked up on the dockgate host, which is the
// engine host for a local engine (for a remote engine it is not: see docs/policy.md). A path
// that cannot be resolved gets no fact, and the policy refuses what it cannot judge.
void add_canonical_paths(const actions::ContainerSpec& spec, actions::Facts& facts) {
  for (const auto& mount : spec.mounts) {
    if (mount.source.empty() || mount.source[0] != '/') continue;
    std::error_code error;
    const auto canonical = std::filesystem::weakly_canonical(mount.source, error);
    if (!error) facts.canonical_paths[mount.source] = canonical.string();
  }
}

// A volume's or network's labels: GET /volumes/{name} and /networks/{id} are cheap, read-only.
Result<actions::ObjectFacts> object_facts(engine::EngineClient& engine, actions::ObjectKind kind,
                                          const std::string& name) {
  const std::string prefix = kind == actions::ObjectKind::Volume ? "/volumes/" : "/networks/";
  actions::ObjectFacts facts;
  facts.kind = kind;
  auto response = engine.get(prefix + url_encode(name));
  if (response && response->status == 404) return facts;
  auto body = json_body(response);
  if (!body) return body.error();
  facts.exists = true;
  facts.name = text(*body, "/Name"_json_pointer);
  const auto labels = body->value("/Labels"_json_pointer, json::object());
  for (const auto& [key, value] : labels.items()) {
    if (value.is_string()) facts.labels[key] = value.get<std::string>();
  }
  return facts;
}

// docker_inspect: what the object resolves to, in docker's order (as the executor looks it up),
// with the owner labels of a container, volume or network. Images are shared: only their kind.
Result<actions::Facts> inspect_facts(engine::EngineClient& engine,
                                     const actions::InspectObject& inspect) {
  using actions::ObjectKind;
  std::vector<ObjectKind> kinds = {ObjectKind::Container, ObjectKind::Image, ObjectKind::Volume,
                                   ObjectKind::Network};
  if (inspect.kind) kinds = {*inspect.kind};
  actions::Facts facts;
  for (const auto kind : kinds) {
    if (kind == ObjectKind::Container) {
      auto container = container_facts(engine, inspect.object);
      if (!container) return container.error();
      if (!container->exists) continue;
      facts.container = *container;
    } else if (kind == ObjectKind::Image) {
      auto image = image_facts(engine, inspect.object);
      if (!image) return image.error();
      if (!image->present) continue;
    } else {
      auto object = object_facts(engine, kind, inspect.object);
      if (!object) return object.error();
      if (!object->exists) continue;
      facts.object = *object;
    }
    facts.inspected_kind = kind;
    return facts;
  }
  return facts;
}

template <class Target>
Result<actions::Facts> with_container(engine::EngineClient& engine, const Target& target) {
  auto container = container_facts(engine, target.container);
  if (!container) return container.error();
  actions::Facts facts;
  facts.container = *container;
  return facts;
}

}  // namespace

Result<actions::Facts> EngineActionExecutor::gather_facts(const actions::Action& action) {
  if (const auto* run = std::get_if<actions::RunContainer>(&action)) {
    auto image = image_facts(engine_, run->spec.image.full());
    if (!image) return image.error();
    actions::Facts facts;
    facts.image = *image;
    add_canonical_paths(run->spec, facts);
    for (const auto& mount : run->spec.mounts) {
      if (mount.type != actions::MountType::Volume || mount.source.empty() ||
          mount.source[0] == '/' || facts.mounted_volumes.contains(mount.source))
        continue;
      auto volume = object_facts(engine_, actions::ObjectKind::Volume, mount.source);
      if (!volume) return volume.error();
      facts.mounted_volumes[mount.source] = *volume;
    }
    if (actions::is_user_network(run->spec.network)) {
      auto network = object_facts(engine_, actions::ObjectKind::Network, run->spec.network);
      if (!network) return network.error();
      network->name = run->spec.network;  // as written: the name the finding shows
      facts.joined_network = *network;
    }
    for (const auto& attachment : run->spec.extra_networks) {
      auto network = object_facts(engine_, actions::ObjectKind::Network, attachment.network);
      if (!network) return network.error();
      network->name = attachment.network;
      facts.extra_networks[attachment.network] = *network;
    }
    return facts;
  }
  if (const auto* a = std::get_if<actions::StopContainer>(&action))
    return with_container(engine_, *a);
  if (const auto* a = std::get_if<actions::RemoveContainer>(&action))
    return with_container(engine_, *a);
  if (const auto* a = std::get_if<actions::ReadLogs>(&action)) return with_container(engine_, *a);
  if (const auto* a = std::get_if<actions::ExecCommand>(&action))
    return with_container(engine_, *a);
  if (const auto* a = std::get_if<actions::InspectObject>(&action))
    return inspect_facts(engine_, *a);
  if (const auto* a = std::get_if<actions::RemoveVolume>(&action)) {
    auto object = object_facts(engine_, actions::ObjectKind::Volume, a->name);
    if (!object) return object.error();
    actions::Facts facts;
    facts.object = *object;
    return facts;
  }
  if (const auto* a = std::get_if<actions::RemoveNetwork>(&action)) {
    auto object = object_facts(engine_, actions::ObjectKind::Network, a->name);
    if (!object) return object.error();
    actions::Facts facts;
    facts.object = *object;
    return facts;
  }
  if (const auto* steps = actions::compose_steps(action)) return compose_facts(*steps);
  return actions::Facts{};
}

// Each step's facts as its own tool would gather them, plus what compose needs besides: the
// container a service step would replace (the owner control judges it), and whether a
// network, volume or image to create is there already.
Result<actions::Facts> EngineActionExecutor::compose_facts(
    const std::vector<actions::ComposeStep>& steps) {
  actions::Facts facts;
  for (const auto& step : steps) {
    auto own = gather_facts(step.action);
    if (!own) return make_error(step.subject + ": " + own.error().message);
    if (const auto* run = std::get_if<actions::RunContainer>(&step.action)) {
      auto existing = container_facts(engine_, run->spec.name);
      if (!existing) return existing.error();
      own->container = *existing;
    } else if (const auto* volume = std::get_if<actions::CreateVolume>(&step.action)) {
      auto object = object_facts(engine_, actions::ObjectKind::Volume, volume->name);
      if (!object) return object.error();
      own->object = *object;
    } else if (const auto* network = std::get_if<actions::CreateNetwork>(&step.action)) {
      auto object = object_facts(engine_, actions::ObjectKind::Network, network->name);
      if (!object) return object.error();
      own->object = *object;
    } else if (const auto* pull = std::get_if<actions::PullImage>(&step.action)) {
      auto image = image_facts(engine_, pull->image.full());
      if (!image) return image.error();
      own->image = *image;
    }
    facts.steps.push_back(std::move(*own));
  }
  return facts;
}

}  // namespace dockgate::gate
