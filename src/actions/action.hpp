// Actions: what a tool call will do, in engine terms. Tools plan them, policy judges them,
// audit records them and the engine request is serialized from the very same value, so no
// field reaches the engine that the policy did not see. This header includes nothing of ours.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "actions/container_spec.hpp"

namespace dockgate::actions {

// Docker's list filters: key -> values, e.g. {"status": ["exited"], "label": ["a=b"]}.
using ListFilters = std::map<std::string, std::vector<std::string>>;

// Set by the policy (mutate list_owned_only), never by a tool: label filters "key=value", of
// which a listed object must carry at least one ("dockgate.owner=alice", "dockgate.team=web").
// The engine's label filters are ANDed, so the executor asks once per entry, each time with the
// caller's filters plus that one, and returns the union. Absent: no such restriction; empty:
// nothing is visible (the engine is not asked).
using VisibleLabels = std::vector<std::string>;

struct ListContainers {
  bool all = false;
  ListFilters filters;
  std::optional<VisibleLabels> visible_labels;
};

struct ListImages {
  bool all = false;
  ListFilters filters;
};

enum class ObjectKind { Container, Image, Volume, Network };

struct InspectObject {
  std::string object;              // name or id
  std::optional<ObjectKind> kind;  // absent: found by lookup, in docker's order
  std::string format;              // Go-template subset; empty: the whole JSON
};

// docker_run: create (and, unless detach is false, only start) a container.
struct RunContainer {
  ContainerSpec spec;
  bool detach = true;  // false: wait (bounded) for the exit, return the code and output tail
};

struct StopContainer {
  std::string container;
  std::optional<int> timeout_seconds;  // absent: the container's own stop timeout
};

struct RemoveContainer {
  std::string container;
  bool force = false;
  bool remove_volumes = false;  // anonymous volumes, as docker rm -v
};

struct ReadLogs {
  std::string container;
  std::optional<int> tail;  // last N lines; absent: all (capped)
  bool follow = false;      // keep reading for a bounded time, then return
  std::string since;        // RFC 3339 time, Unix time or a Go duration ("10m")
  bool timestamps = false;
};

struct ExecCommand {
  std::string container;
  std::vector<std::string> argv;  // run as given: no shell is added
  std::string user;               // "" = the container's user
  std::string workdir;
  std::vector<std::string> env;  // "KEY=value"
};

struct ListVolumes {
  ListFilters filters;
  std::optional<VisibleLabels> visible_labels;
};
struct CreateVolume {
  std::string name;
  std::string driver = "local";
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;
};
struct RemoveVolume {
  std::string name;
  bool force = false;
};

struct ListNetworks {
  ListFilters filters;
  std::optional<VisibleLabels> visible_labels;
};
struct CreateNetwork {
  std::string name;
  std::string driver = "bridge";
  bool internal = false;
  std::string subnet;  // CIDR, "" = the engine chooses
  std::map<std::string, std::string> labels;
};
struct RemoveNetwork {
  std::string name;
};

// docker_pull: the normalized reference; an implicit tag is "latest" (judged by the policy).
struct PullImage {
  ImageRef image;
};

// docker_rmi: as typed (a name, a reference or an id: the engine resolves it). Untagged
// parents are removed as well (docker's default, noprune=false).
struct RemoveImage {
  std::string image;
  bool force = false;
};

// docker_build: build an image from a context folder on the dockgate host (read there, sent
// to the engine as a tar). from_images are the Dockerfile's FROM images, judged by policy.
struct BuildImage {
  std::string context_dir;                // canonical absolute path, inside a workspace root
  std::string dockerfile = "Dockerfile";  // relative to context_dir
  std::vector<std::string> tags;          // normalized references, ImageRef::full()
  std::map<std::string, std::string> build_args;
  std::string target;  // the stage to build; "" = the last
  bool no_cache = false;
  std::vector<ImageRef> from_images;  // every FROM image (stage names and scratch left out)
  std::string network_mode;           // "" = the engine's default
};

// docker_policy_check and docker_policy_show: answered by the gate from the active policy,
// never sent to the engine (see Gate::call). They are actions so that the policy judges and the
// audit log records them like every other call.
struct CheckPolicy {
  std::string tool;          // the tool whose call is to be judged
  nlohmann::json arguments;  // its arguments, planned with that tool's own validation
};
struct ShowPolicy {
  std::string tool;  // "" = every rule; else the rules that can match this tool
};

// docker_compose_up / docker_compose_down: a Compose project as a list of steps, each an action
// of its own that the policy judges exactly as the single tool named in `tool` would be judged
// (so that a rule written for docker_run holds for every compose service), executed in order.
struct ComposeStep;

struct ComposeUp {
  std::string project;
  std::string source;                 // the compose file's canonical path, or "(inline content)"
  std::vector<std::string> services;  // the services started, in start order
  bool detach = true;  // false: wait (bounded) for the services to exit, return their logs
  std::vector<ComposeStep> steps;  // networks, volumes, images, then containers
  // Values that may be secrets (environment values, build args, .env and env_file values): the
  // gate scrubs them from every record of the call. Never serialized.
  std::vector<std::string> sensitive_values;
};

struct ComposeDown {
  std::string project;
  std::string source;
  bool remove_volumes = false;
  std::string remove_images = "none";         // none | local | all
  std::vector<ComposeStep> steps;             // containers, networks, then volumes and images
  std::vector<std::string> sensitive_values;  // as ComposeUp's
};

using Action =
    std::variant<ListContainers, ListImages, InspectObject, RunContainer, StopContainer,
                 RemoveContainer, ReadLogs, ExecCommand, ListVolumes, CreateVolume, RemoveVolume,
                 ListNetworks, CreateNetwork, RemoveNetwork, PullImage, RemoveImage, BuildImage,
                 CheckPolicy, ShowPolicy, ComposeUp, ComposeDown>;

struct Facts;

// What a compose container waits for before it starts (depends_on).
enum class WaitCondition { Started, Healthy, CompletedSuccessfully };
struct ServiceWait {
  std::string service;
  std::string container;
  WaitCondition condition = WaitCondition::Started;
};

struct ComposeStep {
  std::string tool;     // whose rules judge it: "docker_run", "docker_network_create", ...
  std::string subject;  // for people and violation fields: "services.web", "networks.default"
  Action action;
  // How the executor treats an object that already exists (facts decide at execution):
  //   create steps (network, volume, pull): kept as it is; run steps: kept when its
  //   com.docker.compose.config-hash label matches, else replaced; remove steps: skipped when
  //   absent, and never run on an object without this project's label.
  std::vector<ServiceWait> waits;  // run steps: depends_on, in order
  // What the decision saw of the step's object (set by the gate from the facts, never by a
  // tool): the container's, network's or volume's id or the image's id when it existed, ""
  // when it did not; nullopt when not looked up. The executor acts only on that very object:
  // one that appeared, vanished or was replaced after the decision fails the step.
  std::optional<std::string> judged_id;
};

// Copies each step's judged identity (ComposeStep::judged_id) from the facts gathered for it.
void record_judged_identities(Action& action, const Facts& facts);

// The steps of a compose action (empty for every other action).
const std::vector<ComposeStep>* compose_steps(const Action& action);
std::vector<ComposeStep>* compose_steps(Action& action);

// A stable dotted name the policy can match on: "container.list", "image.list", ...
std::string operation_name(const Action& action);

std::string_view kind_name(ObjectKind kind);
std::optional<ObjectKind> parse_kind(std::string_view name);

// The action in brief, for the audit log and policy explanations.
nlohmann::json to_json(const Action& action);

// What the decision needs from the engine that the call does not say. Gathered once,
// read-only, before the decision. Read-only list tools need none; the fields grow with the
// tools that need them (image default user, target container owner, ...).
struct ImageFacts {
  bool present = false;
  std::string id;
  std::string user;  // the image's configured User ("" = root)
};

struct ContainerFacts {
  bool exists = false;
  std::string id;
  std::string name;
  std::string image;  // the image reference it was created from
  std::string user;   // its configured User
  bool running = false;
  std::map<std::string, std::string> labels;
};

// A network a container joins by name: not "", bridge, default, host, none or container:<x>.
bool is_user_network(const std::string& network);

// A volume or network named by the call (docker_volume_rm, docker_network_rm, docker_inspect).
struct ObjectFacts {
  ObjectKind kind = ObjectKind::Volume;
  bool exists = false;
  std::string name;
  std::map<std::string, std::string> labels;
};

struct Facts {
  std::optional<ImageFacts> image;          // docker_run: the image to run
  std::optional<ContainerFacts> container;  // stop, rm, logs, exec, inspect: the target
  std::optional<ObjectFacts> object;        // volume/network rm, inspect of a volume/network
  // docker_inspect: the kind the object resolves to, looked up in docker's order (or the
  // given type); absent when nothing by that name exists.
  std::optional<ObjectKind> inspected_kind;
  // docker_run: each named volume it mounts (by name) and the user-defined network it joins,
  // so that the owner control can refuse another tenant's.
  std::map<std::string, ObjectFacts> mounted_volumes;
  std::optional<ObjectFacts> joined_network;
  // docker_run (compose): each further network of spec.extra_networks, by name.
  std::map<std::string, ObjectFacts> extra_networks;
  // docker_run: each bind source as written -> its canonical path on the engine host (symlinks
  // resolved; for a path that does not exist, its deepest existing parent resolved).
  std::map<std::string, std::string> canonical_paths;
  // docker_compose_up / _down: each step's facts, by index into the action's steps.
  std::vector<Facts> steps;
  nlohmann::json to_json() const;
};

}  // namespace dockgate::actions
