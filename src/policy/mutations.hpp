// Mutate rules: defaults and labels a policy applies to a call before it is judged, so that
// "drop every capability" or "limit memory" need not be typed by every caller. They never
// weaken a call: defaults fill only what the call left unset (an explicit value is kept and
// judged as it is), and labels are always set, so an owner label cannot be forged.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actions/action.hpp"
#include "auth/principal.hpp"
#include "policy/loader_support.hpp"

namespace dockgate::policy {

struct Mutation;
struct Rule;

struct MutationSpec {
  std::vector<std::string> cap_drop;  // normalized; added to cap_drop when missing
  bool no_new_privileges = false;     // add "no-new-privileges=true" unless one is given
  std::optional<std::int64_t> default_memory_bytes;
  std::optional<std::int64_t> default_nano_cpus;
  std::optional<std::int64_t> default_pids_limit;
  // Set on containers, volumes and networks; "{principal}" in a value is the caller's name,
  // "{team}" its first team (role "team:<name>"): a label needing a team the caller lacks is
  // not set.
  std::map<std::string, std::string> labels;
  // container/volume/network lists show only what carries label=<caller> (or
  // team_label=<a team of the caller>): the engine filters, the caller's filters still apply.
  std::optional<OwnerControl> list_owned_only;
};

// Reads a rule's `mutate:` block; every problem goes to errors with file:line:col.
std::shared_ptr<const MutationSpec> read_mutation_spec(const YAML::Node& node,
                                                       const std::string& where,
                                                       loader::ErrorList& errors);

// Applies one rule's mutations to the action and appends what changed to `applied`.
void apply_mutations(const Rule& rule, const MutationSpec& spec, const auth::Principal& principal,
                     actions::Action& action, std::vector<Mutation>& applied);

}  // namespace dockgate::policy
