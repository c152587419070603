// Reading and applying `effect: mutate` rules (see mutations.hpp for the guarantees).
#include "policy/mutations.hpp"

#include <algorithm>
#include <set>

#include "actions/normalize.hpp"
#include "common/overloaded.hpp"
#include "policy/policy.hpp"
#include "policy/text.hpp"

namespace dockgate::policy {
namespace {

using namespace loader;

constexpr const char* kUnset = "(unset)";
constexpr std::size_t kMaxLabelKey = 128;
constexpr std::size_t kMaxLabelValue = 1024;
constexpr std::string_view kPrincipalPlaceholder = "{principal}";
constexpr std::string_view kTeamPlaceholder = "{team}";

bool printable(const std::string& text) {
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Values may name the caller ("{principal}") or its team ("{team}"); any other {...} is a
// typo worth an error.
bool placeholders_known(const std::string& value) {
  for (std::size_t open = value.find('{'); open != std::string::npos;
       open = value.find('{', open + 1)) {
    if (value.compare(open, kPrincipalPlaceholder.size(), kPrincipalPlaceholder) != 0 &&
        value.compare(open, kTeamPlaceholder.size(), kTeamPlaceholder) != 0)
      return false;
  }
  return true;
}

void read_cap_drop(const YAML::Node& node, const std::string& where, ErrorList& errors,
                   MutationSpec& spec) {
  for (const auto& name : read_string_list(node, "cap_drop", where, errors)) {
    auto normalized = actions::normalize_capability(name);
    if (!normalized) {
      errors.add(node["cap_drop"].Mark(), where + ": cap_drop: " + normalized.error().message);
    } else if (std::find(spec.cap_drop.begin(), spec.cap_drop.end(), *normalized) ==
               spec.cap_drop.end()) {
      spec.cap_drop.push_back(*normalized);
    }
  }
}

void read_labels(const YAML::Node& node, const std::string& where, ErrorList& errors,
                 MutationSpec& spec) {
  const auto labels = node["labels"];
  if (!labels) return;
  if (!labels.IsMap() || labels.size() == 0) {
    errors.add(labels.Mark(), where + ": 'labels' must be a non-empty map of label: value",
               code::kWrongType);
    return;
  }
  std::set<std::string> seen;
  for (const auto& entry : labels) {
    const std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) {
      errors.add(entry.first.Mark(), where + ": label '" + key + "' is given twice",
                 code::kDuplicate);
      continue;
    }
    if (!entry.second.IsScalar() || entry.second.Scalar().empty()) {
      errors.add(entry.second.Mark(), where + ": label '" + key + "' must be a non-empty string",
                 code::kWrongType);
      continue;
    }
    const std::string value = entry.second.Scalar();
    if (key.empty() || key.size() > kMaxLabelKey || !printable(key)) {
      errors.add(entry.first.Mark(), where + ": a label key must be 1 to " +
                                         std::to_string(kMaxLabelKey) + " printable characters");
    } else if (value.size() > kMaxLabelValue || !printable(value)) {
      errors.add(entry.second.Mark(), where + ": label '" + key + "' must be at most " +
                                          std::to_string(kMaxLabelValue) + " printable characters");
    } else if (!placeholders_known(value)) {
      errors.add(entry.second.Mark(),
                 where + ": label '" + key + "': the only placeholders are {principal} and {team}");
    } else {
      spec.labels[key] = value;
    }
  }
}

void replace_all(std::string& value, std::string_view placeholder, std::string_view with) {
  for (std::size_t at = value.find(placeholder); at != std::string::npos;
       at = value.find(placeholder, at + with.size())) {
    value.replace(at, placeholder.size(), with);
  }
}

// nullopt: the value names {team} and the caller has none, so the label is left unset (an
// empty team label would be a team of its own).
std::optional<std::string> with_principal(std::string value, const auth::Principal& principal) {
  if (value.find(kTeamPlaceholder) != std::string::npos) {
    const auto teams = principal_teams(principal);
    if (teams.empty()) return std::nullopt;
    replace_all(value, kTeamPlaceholder, teams.front());
  }
  replace_all(value, kPrincipalPlaceholder, principal.name);
  return value;
}

void read_list_owned_only(const YAML::Node& node, const std::string& where, ErrorList& errors,
                          MutationSpec& spec) {
  const auto list = node["list_owned_only"];
  if (!list) return;
  const std::string inner = where + " list_owned_only";
  if (!list.IsMap()) {
    errors.add(list.Mark(), inner + ": must be a map with: label, team_label", code::kWrongType);
    return;
  }
  check_keys(list, {"label", "team_label"}, inner, errors);
  auto label = read_label_key(list, "label", inner, errors, true);
  auto team_label = read_label_key(list, "team_label", inner, errors, false);
  if (label && team_label && *label == *team_label) {
    errors.add(list["team_label"].Mark(), inner + ": 'team_label' must differ from 'label'");
    return;
  }
  if (label) spec.list_owned_only = OwnerControl{*label, team_label.value_or("")};
}

class Applier {
 public:
  Applier(const Rule& rule, std::vector<Mutation>& applied) : rule_(rule), applied_(applied) {}

  void record(std::string field, std::string before, std::string after) {
    applied_.push_back(
        Mutation{rule_.id, rule_.location, std::move(field), std::move(before), std::move(after)});
  }

  void labels(const MutationSpec& spec, const auth::Principal& principal,
              std::map<std::string, std::string>& labels) {
    for (const auto& [key, template_value] : spec.labels) {
      auto expanded = with_principal(template_value, principal);
      if (!expanded) continue;
      std::string value = std::move(*expanded);
      auto found = labels.lower_bound(key);
      const bool given = found != labels.end() && found->first == key;
      if (given && found->second == value) continue;
      record(text::concat({"labels.", key}), given ? found->second : std::string(kUnset), value);
      if (given) {
        found->second = std::move(value);
      } else {
        labels.emplace_hint(found, key, std::move(value));
      }
    }
  }

  // Narrows a list to what the caller owns. A second rule narrows further (the entries both
  // allow); narrowed to nothing, the list is empty without asking the engine.
  void visible(const MutationSpec& spec, const auth::Principal& principal,
               std::optional<actions::VisibleLabels>& visible) {
    if (!spec.list_owned_only) return;
    const auto& owned = *spec.list_owned_only;
    actions::VisibleLabels wanted{owned.label + "=" + principal.name};
    if (!owned.team_label.empty()) {
      for (const auto& team : principal_teams(principal))
        wanted.push_back(owned.team_label + "=" + team);
    }
    const std::string before = visible ? joined(*visible) : kUnset;
    if (visible) {
      actions::VisibleLabels both;
      for (const auto& entry : *visible)
        if (std::find(wanted.begin(), wanted.end(), entry) != wanted.end()) both.push_back(entry);
      wanted = std::move(both);
    }
    if (visible && *visible == wanted) return;
    visible = wanted;
    record("visible_labels", before, wanted.empty() ? "[] (nothing)" : joined(wanted));
  }

  void container(const MutationSpec& spec, const auth::Principal& principal,
                 actions::ContainerSpec& container) {
    // At most one change per capability, no-new-privileges, default and label: room for them
    // all at once rather than growing the list change by change.
    applied_.reserve(applied_.size() + spec.cap_drop.size() + 4 + spec.labels.size());
    for (const auto& cap : spec.cap_drop) {
      if (std::find(container.cap_drop.begin(), container.cap_drop.end(), cap) !=
          container.cap_drop.end())
        continue;
      const std::string before = joined(container.cap_drop);
      container.cap_drop.push_back(cap);
      record("cap_drop", before, joined(container.cap_drop));
    }
    if (spec.no_new_privileges) {
      // An explicit no-new-privileges (even =false) is the caller's: it is judged, not changed.
      const bool given = std::any_of(
          container.security_opt.begin(), container.security_opt.end(),
          [](const std::string& opt) { return opt.rfind("no-new-privileges", 0) == 0; });
      if (!given) {
        const std::string before = joined(container.security_opt);
        container.security_opt.push_back("no-new-privileges=true");
        record("security_opt", before, joined(container.security_opt));
      }
    }
    fill("memory_bytes", container.memory_bytes, spec.default_memory_bytes);
    fill("nano_cpus", container.nano_cpus, spec.default_nano_cpus);
    fill("pids_limit", container.pids_limit, spec.default_pids_limit);
    labels(spec, principal, container.labels);
  }

 private:
  static std::string joined(const std::vector<std::string>& values) {
    if (values.empty()) return kUnset;
    std::size_t size = 2 + 2 * (values.size() - 1);
    for (const auto& v : values) size += v.size();
    std::string text;
    text.reserve(size);
    text += '[';
    for (const auto& v : values) {
      if (text.size() > 1) text += ", ";
      text += v;
    }
    text += ']';
    return text;
  }

  // 0 is "not given"; a negative value (unlimited, typed on purpose) is kept and judged.
  void fill(const char* field, std::int64_t& value, const std::optional<std::int64_t>& fallback) {
    if (!fallback || value != 0) return;
    value = *fallback;
    record(field, kUnset, std::to_string(value));
  }

  const Rule& rule_;
  std::vector<Mutation>& applied_;
};

}  // namespace

std::shared_ptr<const MutationSpec> read_mutation_spec(const YAML::Node& node,
                                                       const std::string& where,
                                                       ErrorList& errors) {
  if (!node.IsMap() || node.size() == 0) {
    errors.add(node.Mark(),
               where +
                   ": 'mutate' must be a map with any of: cap_drop, no_new_privileges, "
                   "default_memory, default_cpus, default_pids_limit, labels, list_owned_only",
               code::kWrongType);
    return nullptr;
  }
  check_keys(node,
             {"cap_drop", "no_new_privileges", "default_memory", "default_cpus",
              "default_pids_limit", "labels", "list_owned_only"},
             where, errors);
  auto spec = std::make_shared<MutationSpec>();
  read_cap_drop(node, where, errors, *spec);
  if (auto nnp = read_bool(node, "no_new_privileges", where, errors)) {
    spec->no_new_privileges = *nnp;
  }
  if (auto text = read_string(node, "default_memory", where, errors, false)) {
    spec->default_memory_bytes = parse_policy_bytes(*text);
    if (!spec->default_memory_bytes)
      errors.add(node["default_memory"].Mark(),
                 where + ": default_memory '" + *text + "' must be a size such as 512m or 2g");
  }
  if (auto text = read_string(node, "default_cpus", where, errors, false)) {
    spec->default_nano_cpus = parse_policy_cpus(*text);
    if (!spec->default_nano_cpus)
      errors.add(node["default_cpus"].Mark(), where + ": default_cpus '" + *text +
                                                  "' must be a number of CPUs such as 0.5 or 2");
  }
  spec->default_pids_limit = read_int(node, "default_pids_limit", where, errors, 1, 4194304);
  read_labels(node, where, errors, *spec);
  read_list_owned_only(node, where, errors, *spec);
  return spec;
}

void apply_mutations(const Rule& rule, const MutationSpec& spec, const auth::Principal& principal,
                     actions::Action& action, std::vector<Mutation>& applied) {
  Applier applier(rule, applied);
  std::visit(
      Overloaded{
          [&](actions::RunContainer& run) { applier.container(spec, principal, run.spec); },
          [&](actions::CreateVolume& create) { applier.labels(spec, principal, create.labels); },
          [&](actions::CreateNetwork& create) { applier.labels(spec, principal, create.labels); },
          [&](actions::ListContainers& list) {
            applier.visible(spec, principal, list.visible_labels);
          },
          [&](actions::ListVolumes& list) {
            applier.visible(spec, principal, list.visible_labels);
          },
          [&](actions::ListNetworks& list) {
            applier.visible(spec, principal, list.visible_labels);
          },
          [](auto&) {},
      },
      action);
}

}  // namespace dockgate::policy
