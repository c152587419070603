// The owner control (tenant isolation): a caller may act only on the containers, volumes and
// networks that carry its name (or one of its teams) in the owner label dockgate's mutate rules
// set at creation, which the tools' `labels` argument cannot forge.
//
// A target that is not the caller's and a target that does not exist get the same finding,
// word for word: a denial must not tell bob whether alice has a container called "db".
#include <algorithm>
#include <regex>

#include "common/overloaded.hpp"
#include "policy/controls.hpp"

namespace dockgate::policy {
namespace {

// What the call targets, as the facts describe it. labels == nullptr: no such object (or no
// facts were gathered, which is judged the same way: fail closed).
struct OwnedTarget {
  std::string_view kind;      // "container", "volume", "network"
  std::string_view verb;      // "stop", "remove", ...
  std::string_view argument;  // the tool argument naming it
  std::string name;           // as the caller gave it
  std::string_view lister;    // the tool that lists the caller's own
  const std::map<std::string, std::string>* labels = nullptr;
};

const std::map<std::string, std::string>* container_labels(const actions::Facts& facts) {
  return facts.container && facts.container->exists ? &facts.container->labels : nullptr;
}

const std::map<std::string, std::string>* object_labels(const actions::Facts& facts,
                                                        actions::ObjectKind kind) {
  return facts.object && facts.object->exists && facts.object->kind == kind ? &facts.object->labels
                                                                            : nullptr;
}

OwnedTarget container_target(std::string_view verb, const std::string& name,
                             const actions::Facts& facts) {
  return {"container", verb, "container", name, "docker_ps", container_labels(facts)};
}

// nullopt: the action has no owned target (a list, a create, an image).
std::optional<OwnedTarget> owned_target(const actions::Action& action,
                                        const actions::Facts& facts) {
  using actions::ObjectKind;
  return std::visit(
      Overloaded{
          [&](const actions::StopContainer& a) -> std::optional<OwnedTarget> {
            return container_target("stop", a.container, facts);
          },
          [&](const actions::RemoveContainer& a) -> std::optional<OwnedTarget> {
            return container_target("remove", a.container, facts);
          },
          [&](const actions::ReadLogs& a) -> std::optional<OwnedTarget> {
            return container_target("read the logs of", a.container, facts);
          },
          [&](const actions::ExecCommand& a) -> std::optional<OwnedTarget> {
            return container_target("exec into", a.container, facts);
          },
          [&](const actions::RemoveVolume& a) -> std::optional<OwnedTarget> {
            return OwnedTarget{
                "volume", "remove",           "name",
                a.name,   "docker_volume_ls", object_labels(facts, ObjectKind::Volume)};
          },
          [&](const actions::RemoveNetwork& a) -> std::optional<OwnedTarget> {
            return OwnedTarget{"network",
                               "remove",
                               "name",
                               a.name,
                               "docker_network_ls",
                               object_labels(facts, ObjectKind::Network)};
          },
          [&](const actions::InspectObject& a) -> std::optional<OwnedTarget> {
            // Images are shared by every tenant of an engine: not judged here.
            if (facts.inspected_kind == ObjectKind::Image) return std::nullopt;
            OwnedTarget target{"container, volume or network",
                               "inspect",
                               "object",
                               a.object,
                               "docker_ps, docker_volume_ls or docker_network_ls",
                               nullptr};
            if (facts.inspected_kind == ObjectKind::Container) {
              target.labels = container_labels(facts);
            } else if (facts.inspected_kind) {
              target.labels = object_labels(facts, *facts.inspected_kind);
            }
            return target;
          },
          [](const auto&) -> std::optional<OwnedTarget> { return std::nullopt; },
      },
      action);
}

bool label_is(const std::map<std::string, std::string>& labels, const std::string& key,
              const std::string& value) {
  const auto found = labels.find(key);
  return !value.empty() && found != labels.end() && found->second == value;
}

// Whether these labels are the caller's or one of its teams'. nullptr (nothing): nobody's.
bool owned_by(const std::map<std::string, std::string>* labels, const OwnerControl& control,
              const auth::Principal& principal, const std::vector<std::string>& teams) {
  if (labels == nullptr) return false;
  if (label_is(*labels, control.label, principal.name)) return true;
  return std::any_of(teams.begin(), teams.end(), [&](const std::string& team) {
    return label_is(*labels, control.team_label, team);
  });
}

std::string owned_text(const OwnerControl& control, const auth::Principal& principal,
                       const std::vector<std::string>& teams) {
  std::string owned = control.label + "=" + principal.name;
  for (const auto& team : teams) owned += " or " + control.team_label + "=" + team;
  return owned;
}

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

// docker_run: a named volume it mounts and a user network it joins must be the caller's too
// (else bob mounts alice's data by name). Missing ones are refused alike, so that the answer
// does not tell whether another tenant's exists: create them first with docker_volume_create
// or docker_network_create, which label them.
void check_run_joins(const OwnerControl& control, const actions::RunContainer& run,
                     const actions::Facts& facts, const auth::Principal& principal,
                     const std::vector<std::string>& teams, std::vector<Finding>& out) {
  const std::string owned = owned_text(control, principal, teams);
  for (std::size_t i = 0; i < run.spec.mounts.size(); ++i) {
    const auto& mount = run.spec.mounts[i];
    if (mount.type != actions::MountType::Volume || mount.source.empty() || mount.source[0] == '/')
      continue;
    const auto found = facts.mounted_volumes.find(mount.source);
    if (found != facts.mounted_volumes.end() && found->second.exists &&
        owned_by(&found->second.labels, control, principal, teams))
      continue;
    out.push_back(Finding{"owner", "mounts[" + std::to_string(i) + "].source", quoted(mount.source),
                          "volumes labelled " + owned,
                          "you can only mount volumes labelled " + owned + ", and " +
                              quoted(mount.source) +
                              " is not one of them (or does not exist); create it first with "
                              "docker_volume_create; docker_volume_ls lists yours"});
  }
  // A compose service whose container exists is replaced: that container must be the caller's.
  if (facts.container && facts.container->exists &&
      !owned_by(&facts.container->labels, control, principal, teams)) {
    out.push_back({"owner", "name", quoted(run.spec.name), "containers labelled " + owned,
                   "a container named " + quoted(run.spec.name) + " exists and is not labelled " +
                       owned + ": choose another compose project name"});
  }
  auto check_network = [&](const std::string& name, const std::optional<actions::ObjectFacts>& seen,
                           const std::string& field) {
    if (seen && seen->exists && owned_by(&seen->labels, control, principal, teams)) return;
    out.push_back(Finding{"owner", field, quoted(name), "networks labelled " + owned,
                          "you can only join networks labelled " + owned + ", and " + quoted(name) +
                              " is not one of them (or does not exist); create it first with "
                              "docker_network_create; docker_network_ls lists yours"});
  };
  if (actions::is_user_network(run.spec.network))
    check_network(run.spec.network, facts.joined_network, "network");
  // Further networks (compose): each must be the caller's too, and a user network.
  for (std::size_t i = 0; i < run.spec.extra_networks.size(); ++i) {
    const auto& name = run.spec.extra_networks[i].network;
    const auto found = facts.extra_networks.find(name);
    check_network(name,
                  found == facts.extra_networks.end() ? std::nullopt : std::optional(found->second),
                  "extra_networks[" + std::to_string(i) + "]");
  }
}

}  // namespace

std::vector<std::string> principal_teams(const auth::Principal& principal) {
  constexpr std::string_view kTeamRole = "team:";
  std::vector<std::string> teams;
  for (const auto& role : principal.roles) {
    if (role.size() > kTeamRole.size() && role.compare(0, kTeamRole.size(), kTeamRole) == 0)
      teams.push_back(role.substr(kTeamRole.size()));
  }
  return teams;
}

bool valid_label_key(const std::string& key) {
  static const std::regex kKey("[A-Za-z0-9][A-Za-z0-9._/-]{0,127}");
  return std::regex_match(key, kKey);
}

void check_owner(const OwnerControl& control, const actions::Action& action,
                 const actions::Facts& facts, const auth::Principal& principal,
                 std::vector<Finding>& out) {
  const auto teams =
      control.team_label.empty() ? std::vector<std::string>{} : principal_teams(principal);
  if (const auto* run = std::get_if<actions::RunContainer>(&action)) {
    check_run_joins(control, *run, facts, principal, teams, out);
    return;
  }
  const auto target = owned_target(action, facts);
  if (!target || owned_by(target->labels, control, principal, teams)) return;
  const std::string owned = owned_text(control, principal, teams);
  const std::string kinds = target->kind == "container" ? "containers"
                            : target->kind == "volume"  ? "volumes"
                            : target->kind == "network" ? "networks"
                                                        : "containers, volumes and networks";
  // The same words whether the target is another tenant's or does not exist (see top).
  out.push_back(Finding{"owner", std::string(target->argument), "\"" + target->name + "\"",
                        std::string(kinds) + " labelled " + owned,
                        "you can only " + std::string(target->verb) + " " + kinds + " labelled " +
                            owned + ", and \"" + target->name +
                            "\" is not one of them (or does not exist); " +
                            std::string(target->lister) + " lists yours"});
}

}  // namespace dockgate::policy
