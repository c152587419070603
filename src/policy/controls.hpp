// Typed controls: what a deny rule's `require:` block says about the effective action (the
// normalized value that will be sent to the engine, with facts resolved). One checker per
// control key; each returns every finding, never only the first, so a denial lists them all.
// Pure: no I/O, no clock. Controls that do not apply to an action's kind are skipped (a
// `capabilities` requirement says nothing about a volume create): scope rules with `match`.
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actions/action.hpp"
#include "auth/principal.hpp"

namespace dockgate::policy {

// One unmet requirement: where, what was found, what is allowed and how to fix it.
struct Finding {
  std::string_view control;   // the `require` key: "capabilities" (a constant text)
  std::string field;          // "cap_add[1]", "mounts[0].source", "user"
  std::string found;          // the value found, as the engine would get it
  std::string allowed;        // what the rule allows
  std::string how_to_comply;  // a one-line fix for this finding
};

struct CapabilityControl {
  bool drop_all = false;                                // cap_drop must contain ALL
  std::optional<std::vector<std::string>> allowed_add;  // absent: any add except ALL
};

struct BindMountControl {
  std::optional<std::vector<std::string>> allowed_paths;  // absent: any; []: no host path
  bool deny_docker_socket = true;  // the engine/runtime sockets, their folders and parents
  bool forbid_volumes_from = true;
  bool require_read_only = false;
  std::optional<std::vector<std::string>> allowed_propagation;  // "" = the default
};

struct PortControl {
  std::optional<std::pair<int, int>> host_port_range;  // ephemeral (0) always allowed
  std::optional<std::vector<std::string>> host_ips;    // "" and 0.0.0.0 = every interface
  bool forbid_publish_all = false;
};

struct SecurityOptControl {
  bool forbid_unconfined = false;  // seccomp/apparmor/systempaths unconfined, label disable
  bool require_no_new_privileges = false;
};

struct ResourceControl {
  bool require_memory = false;
  bool require_cpus = false;
  bool require_pids_limit = false;
  std::optional<std::int64_t> memory_max_bytes;
  std::optional<std::int64_t> cpus_max_nano;
  std::optional<std::int64_t> pids_max;
};

struct RestartControl {
  std::vector<std::string> allowed;  // no | always | unless-stopped | on-failure
  std::optional<int> max_retries;    // on-failure's maximum retry count
};

struct ImageControl {
  std::vector<std::string> allowed_registries;  // globs; empty: any
  std::vector<std::string> denied_registries;
  std::vector<std::string> allowed_repositories;  // "registry/repository" globs; empty: any
  std::vector<std::string> denied_repositories;
  bool forbid_latest = false;  // ":latest" or no tag, unless pinned by digest
  bool require_digest = false;
};

struct CommandPattern {
  std::string text;  // as written, for messages
  std::regex regex;  // full match over the argv joined by single spaces
};

struct ExecControl {
  bool forbid_root = false;                      // the effective exec user must be a non-root UID
  std::vector<std::string> allowed_users;        // exact user strings; empty: any (subject to root)
  std::vector<CommandPattern> allowed_commands;  // empty: any
  std::vector<CommandPattern> denied_commands;
};

struct VolumeDriverControl {
  std::vector<std::string> allowed;  // empty: any
  bool forbid_bind_options = false;  // o=bind/rbind, device=..., type=none/bind
  std::optional<std::vector<std::string>> allowed_options;  // driver option keys
};

// docker_build: the network its RUN steps get. "default" is the engine's default (bridge).
struct BuildControl {
  std::vector<std::string> network_modes = {"default", "none"};
};

struct NetworkDriverControl {
  std::vector<std::string> allowed;
};

// Tenant isolation: the target of stop, rm, exec, logs and inspect (a container, volume or
// network) and of volume/network rm must carry `label` = the caller's name, or `team_label` =
// one of the caller's teams (roles "team:<name>"). Images are shared and never judged by it.
struct OwnerControl {
  std::string label;       // "dockgate.owner"
  std::string team_label;  // "dockgate.team"; "" = no team access
};

// A deny rule's `require:` block. An absent control is not judged.
struct Controls {
  std::optional<bool> privileged;       // false: never privileged
  std::optional<bool> run_as_non_root;  // true: the effective UID must be known and not 0
  std::optional<CapabilityControl> capabilities;
  std::optional<bool> host_namespaces;  // false: no host or container:<x> namespaces
  std::optional<BindMountControl> bind_mounts;
  std::optional<PortControl> ports;
  std::optional<bool> devices;  // false: no host devices
  std::optional<SecurityOptControl> security_opt;
  std::optional<std::vector<std::string>> sysctls_allowed;
  std::optional<bool> read_only_rootfs;  // true: required
  std::optional<ResourceControl> resources;
  std::optional<RestartControl> restart;
  std::optional<ImageControl> images;
  std::optional<ExecControl> exec;
  std::optional<VolumeDriverControl> volume_drivers;
  std::optional<NetworkDriverControl> network_drivers;
  std::optional<BuildControl> build;
  std::optional<OwnerControl> owner;
};

// Every finding of every control against the action; empty means all requirements are met.
// principal: the caller, for `owner` (without one, nothing is anybody's: owner finds).
std::vector<Finding> check_controls(const Controls& controls, const actions::Action& action,
                                    const actions::Facts& facts,
                                    const auth::Principal& principal = auth::Principal{});
// The same, appended to out (one vector for every rule of a decision).
void check_controls(const Controls& controls, const actions::Action& action,
                    const actions::Facts& facts, const auth::Principal& principal,
                    std::vector<Finding>& out);

// controls_owner.cpp: the owner control; does nothing for actions without an owned target.
void check_owner(const OwnerControl& control, const actions::Action& action,
                 const actions::Facts& facts, const auth::Principal& principal,
                 std::vector<Finding>& out);

// The caller's teams: each role "team:<name>" with a non-empty name, in role order.
std::vector<std::string> principal_teams(const auth::Principal& principal);

// A label key a policy may name (owner labels, list filters): 1 to 128 of letters, digits and
// . _ / -, starting with a letter or digit, so it can never smuggle a newline or a "=".
bool valid_label_key(const std::string& key);

// The checkers, by family (controls_container.cpp, controls_mounts.cpp, controls_images.cpp).
void check_container_controls(const Controls& controls, const actions::RunContainer& run,
                              const actions::Facts& facts, std::vector<Finding>& out);
void check_bind_mounts(const BindMountControl& control, const actions::ContainerSpec& spec,
                       const actions::Facts& facts, std::vector<Finding>& out);
// field: where the image is in the action ("image"; a build's "from[0]", "from[1]", ...).
void check_image(const ImageControl& control, const actions::ImageRef& image,
                 std::vector<Finding>& out, const std::string& field = "image");
// docker_build: images (on every FROM image) and build (its network mode).
void check_build(const Controls& controls, const actions::BuildImage& build,
                 std::vector<Finding>& out);
void check_exec(const Controls& controls, const actions::ExecCommand& exec,
                const actions::Facts& facts, std::vector<Finding>& out);
void check_volume_create(const VolumeDriverControl& control, const actions::CreateVolume& volume,
                         std::vector<Finding>& out);

// Judges a user string as runc would run it. Empty result: provably non-root.
// Otherwise the reason it is root or cannot be shown not to be.
std::optional<std::string> root_user_problem(const std::string& user);

// "/var/run/../run//docker.sock" -> "/run/docker.sock": lexical only ("." and ".." folded, "/"
// repeated or trailing removed, /var/run read as /run as on Debian). nullopt: not absolute.
std::optional<std::string> normalize_host_path(const std::string& path);

// Glob with '*' inside one '/'-separated segment and '**' across segments.
bool glob_matches(std::string_view pattern, std::string_view text);

// Policy-file units: "2g", "512m", "1024k", "1048576" (binary units) and "1.5" CPUs.
std::optional<std::int64_t> parse_policy_bytes(const std::string& text);
std::optional<std::int64_t> parse_policy_cpus(const std::string& text);

}  // namespace dockgate::policy
