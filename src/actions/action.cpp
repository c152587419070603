#include "actions/action.hpp"

namespace dockgate::actions {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace

std::string operation_name(const Action& action) {
  return std::visit(Overloaded{
                        [](const ListContainers&) { return std::string("container.list"); },
                        [](const ListImages&) { return std::string("image.list"); },
                        [](const InspectObject&) { return std::string("object.inspect"); },
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

nlohmann::json to_json(const Action& action) {
  nlohmann::json out = {{"operation", operation_name(action)}};
  std::visit(Overloaded{
                 [&](const ListContainers& a) {
                   out["all"] = a.all;
                   out["filters"] = a.filters;
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
             },
             action);
  return out;
}

}  // namespace dockgate::actions
