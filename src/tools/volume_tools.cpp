// docker_volume_ls, docker_volume_create and docker_volume_rm: named volumes, like `docker
// volume ls [--filter k=v]`, `docker volume create [--driver D] [--opt k=v] [--label k=v] NAME`
// and `docker volume rm [-f] NAME`.
#include "tools/builtin_tools.hpp"
#include "tools/json_fields.hpp"
#include "tools/list_filters.hpp"
#include "tools/object_arguments.hpp"
#include "tools/schema_builders.hpp"
#include "tools/text_table.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

const std::vector<std::string> kVolumeFilterKeys = {"dangling", "driver", "label", "name"};

json volume_json(const json& volume) {
  return {{"name", text_field(volume, "Name")},
          {"driver", text_field(volume, "Driver")},
          {"mountpoint", text_field(volume, "Mountpoint")},
          {"scope", text_field(volume, "Scope")},
          {"labels", map_field(volume, "Labels")},
          {"options", map_field(volume, "Options")}};
}

json volume_schema() {
  return {{"type", "object"},
          {"properties",
           {{"name", {{"type", "string"}}},
            {"driver", {{"type", "string"}}},
            {"mountpoint", {{"type", "string"}}},
            {"scope", {{"type", "string"}}},
            {"labels", {{"type", "object"}}},
            {"options", {{"type", "object"}}}}}};
}

class VolumeLsTool final : public Tool {
 public:
  VolumeLsTool() {
    definition_.name = "docker_volume_ls";
    definition_.title = "List volumes";
    definition_.description =
        "List volumes, like `docker volume ls`. filter narrows the list: \"dangling=true\" "
        "(used by no container), \"driver=local\", \"label=app=shop\", \"name=db\".";
    definition_.input_schema = schema::object(
        {{"filter", schema::filter("Docker filter syntax key=value, one string or a list; keys: "
                                   "dangling, driver, label, name.")}});
    definition_.output_schema = {
        {"type", "object"},
        {"properties", {{"volumes", {{"type", "array"}, {"items", volume_schema()}}}}},
        {"required", {"volumes"}}};
    definition_.read_only = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto filters = parse_list_filters(arguments.value("filter", json()), kVolumeFilterKeys);
    if (!filters) return filters.error();
    return actions::Action{actions::ListVolumes{*filters, std::nullopt}};
  }

  ToolOutput render(const actions::Action&, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    TextTable table({"DRIVER", "VOLUME NAME"});
    json volumes = json::array();
    for (const auto& v : list_field(engine_result, "Volumes")) {
      table.add_row({text_field(v, "Driver"), text_field(v, "Name")});
      volumes.push_back(volume_json(v));
    }
    std::string text = table.render();
    if (table.row_count() == 0) text += "(no volumes match)\n";
    return ToolOutput{text, {{"volumes", volumes}}};
  }

 private:
  ToolDefinition definition_;
};

class VolumeCreateTool final : public Tool {
 public:
  VolumeCreateTool() {
    definition_.name = "docker_volume_create";
    definition_.title = "Create a volume";
    definition_.description =
        "Create a named volume for persistent data, like `docker volume create`. Use it for "
        "\"create a volume for my database data\", then mount it with docker_run volumes: "
        "[\"NAME:/path\"]. Creating a volume that exists already returns it unchanged.";
    definition_.input_schema = schema::object(
        {{"name", schema::string("Volume name, e.g. \"db-data\" (letters, digits, _ . -).")},
         {"driver", schema::string("Volume driver. Default \"local\".")},
         {"driver_opts", string_map_schema("Driver options as strings (docker volume create "
                                           "--opt), e.g. {\"type\": \"tmpfs\", \"device\": "
                                           "\"tmpfs\", \"o\": \"size=100m\"}.")},
         {"labels", string_map_schema("Labels as strings, e.g. {\"app\": \"shop\"}. Keys "
                                      "starting with \"dockgate.\" are reserved.")}},
        {"name"});
    definition_.output_schema = {{"type", "object"},
                                 {"properties", {{"volume", volume_schema()}}},
                                 {"required", {"volume"}}};
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    actions::CreateVolume create;
    create.name = arguments.at("name").get<std::string>();
    if (auto valid = check_object_name("name", create.name, "volume"); !valid) {
      return valid.error();
    }
    if (create.name.size() < 2) {
      return make_error("argument 'name' must be at least 2 characters (docker's volume names)");
    }
    create.driver = arguments.value("driver", std::string("local"));
    if (auto valid = check_driver_name(create.driver); !valid) return valid.error();
    auto options = string_map_argument("driver_opts", arguments.value("driver_opts", json()),
                                       /*refuse_dockgate_prefix=*/false);
    if (!options) return options.error();
    create.driver_opts = std::move(*options);
    auto labels = string_map_argument("labels", arguments.value("labels", json()),
                                      /*refuse_dockgate_prefix=*/true);
    if (!labels) return labels.error();
    create.labels = std::move(*labels);
    return actions::Action{std::move(create)};
  }

  ToolOutput render(const actions::Action& action, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    const auto& create = std::get<actions::CreateVolume>(action);
    const std::string name = text_field(engine_result, "Name");
    return ToolOutput{(name.empty() ? create.name : name) + "\n",
                      {{"volume", volume_json(engine_result)}}};
  }

 private:
  ToolDefinition definition_;
};

class VolumeRmTool final : public Tool {
 public:
  VolumeRmTool() {
    definition_.name = "docker_volume_rm";
    definition_.title = "Remove a volume";
    definition_.description =
        "Remove a volume and all its data, like `docker volume rm`. A volume in use by a "
        "container (even a stopped one) is refused: remove the container first.";
    definition_.input_schema = schema::object(
        {{"volume", schema::string("Name of the volume, e.g. \"db-data\".")},
         {"force", schema::boolean("Do not fail when the volume does not exist (docker volume "
                                   "rm -f). Default false.")}},
        {"volume"});
    definition_.output_schema = {
        {"type", "object"},
        {"properties", {{"volume", {{"type", "string"}}}, {"removed", {{"type", "boolean"}}}}},
        {"required", {"volume", "removed"}}};
    definition_.destructive = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    actions::RemoveVolume remove;
    remove.name = arguments.at("volume").get<std::string>();
    if (auto valid = check_object_name("volume", remove.name, "volume"); !valid) {
      return valid.error();
    }
    remove.force = arguments.value("force", false);
    return actions::Action{std::move(remove)};
  }

  ToolOutput render(const actions::Action& action, const json&,
                    std::chrono::system_clock::time_point) const override {
    const auto& remove = std::get<actions::RemoveVolume>(action);
    return ToolOutput{remove.name + "\n", {{"volume", remove.name}, {"removed", true}}};
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_volume_ls_tool() {
  return std::make_unique<VolumeLsTool>();
}
std::unique_ptr<Tool> make_volume_create_tool() {
  return std::make_unique<VolumeCreateTool>();
}
std::unique_ptr<Tool> make_volume_rm_tool() {
  return std::make_unique<VolumeRmTool>();
}

}  // namespace dockgate::tools
