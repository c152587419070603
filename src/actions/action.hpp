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

namespace dockgate::actions {

// Docker's list filters: key -> values, e.g. {"status": ["exited"], "label": ["a=b"]}.
using ListFilters = std::map<std::string, std::vector<std::string>>;

struct ListContainers {
  bool all = false;
  ListFilters filters;
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

using Action = std::variant<ListContainers, ListImages, InspectObject>;

// A stable dotted name the policy can match on: "container.list", "image.list", ...
std::string operation_name(const Action& action);

std::string_view kind_name(ObjectKind kind);
std::optional<ObjectKind> parse_kind(std::string_view name);

// The action in brief, for the audit log and policy explanations.
nlohmann::json to_json(const Action& action);

// What the decision needs from the engine that the call does not say. Gathered once,
// read-only, before the decision. Read-only list tools need none; the fields grow with the
// tools that need them (image default user, target container owner, ...).
struct Facts {
  nlohmann::json to_json() const { return nlohmann::json::object(); }
};

}  // namespace dockgate::actions
