// docker_ps: list containers, like `docker ps [-a] [--filter k=v]...`.
#include "tools/builtin_tools.hpp"
#include "tools/json_fields.hpp"
#include "tools/list_filters.hpp"
#include "tools/schema_builders.hpp"
#include "tools/text_table.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

// The filters `docker ps` documents.
const std::vector<std::string> kContainerFilterKeys = {
    "ancestor", "before", "exited",  "expose",  "health", "id",     "isolation", "is-task",
    "label",    "name",   "network", "publish", "since",  "status", "volume"};

std::string short_id(const std::string& id) {
  const auto start = id.rfind(':') == std::string::npos ? 0 : id.rfind(':') + 1;
  return id.substr(start, 12);
}

std::string first_name(const json& container) {
  std::string names;
  for (const auto& n : list_field(container, "Names")) {
    std::string name = n.is_string() ? n.get<std::string>() : "";
    if (!name.empty() && name[0] == '/') name.erase(0, 1);
    names += (names.empty() ? "" : ",") + name;
  }
  return names;
}

std::string ports_text(const json& container) {
  std::string text;
  for (const auto& p : list_field(container, "Ports")) {
    std::string item;
    if (p.contains("PublicPort")) {
      item = text_field(p, "IP") + ":" + std::to_string(integer_field(p, "PublicPort")) + "->";
    }
    item += std::to_string(integer_field(p, "PrivatePort")) + "/" + text_field(p, "Type");
    text += (text.empty() ? "" : ", ") + item;
  }
  return text;
}

std::string quoted_command(const std::string& command) {
  std::string shown = command.size() > 20 ? command.substr(0, 19) + "…" : command;
  return "\"" + shown + "\"";
}

class PsTool final : public Tool {
 public:
  PsTool() {
    definition_.name = "docker_ps";
    definition_.title = "List containers";
    definition_.description =
        "List Docker containers, like `docker ps`. Running containers only unless all is "
        "true. Use it to answer \"show me the running containers\" or to find exited ones to "
        "clean up (all: true, filter: \"status=exited\").";
    definition_.input_schema = schema::object({
        {"all", schema::boolean("Include stopped containers too (docker ps -a). Default false.")},
        {"filter", schema::filter("Docker filter syntax key=value, one string or a list: "
                                  "\"status=exited\", \"name=web\", \"label=app=shop\", "
                                  "\"ancestor=nginx\".")},
    });
    json container = {{"type", "object"},
                      {"properties",
                       {{"id", {{"type", "string"}}},
                        {"name", {{"type", "string"}}},
                        {"image", {{"type", "string"}}},
                        {"command", {{"type", "string"}}},
                        {"created", {{"type", "string"}}},
                        {"state", {{"type", "string"}}},
                        {"status", {{"type", "string"}}},
                        {"ports", {{"type", "string"}}},
                        {"labels", {{"type", "object"}}}}}};
    definition_.output_schema = {
        {"type", "object"},
        {"properties", {{"containers", {{"type", "array"}, {"items", container}}}}},
        {"required", {"containers"}}};
    definition_.read_only = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto filters = parse_list_filters(arguments.value("filter", json()), kContainerFilterKeys);
    if (!filters) return filters.error();
    return actions::Action{
        actions::ListContainers{arguments.value("all", false), *filters, std::nullopt}};
  }

  ToolOutput render(const actions::Action&, const json& engine_result,
                    std::chrono::system_clock::time_point now) const override {
    TextTable table({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"});
    json containers = json::array();
    for (const auto& c : engine_result.is_array() ? engine_result : json::array()) {
      const auto created = integer_field(c, "Created");
      table.add_row({short_id(text_field(c, "Id")), text_field(c, "Image"),
                     quoted_command(text_field(c, "Command")), human_age(created, now),
                     text_field(c, "Status"), ports_text(c), first_name(c)});
      containers.push_back({{"id", text_field(c, "Id")},
                            {"name", first_name(c)},
                            {"image", text_field(c, "Image")},
                            {"command", text_field(c, "Command")},
                            {"created", rfc3339_utc(created)},
                            {"state", text_field(c, "State")},
                            {"status", text_field(c, "Status")},
                            {"ports", ports_text(c)},
                            {"labels", map_field(c, "Labels")}});
    }
    std::string text = table.render();
    if (table.row_count() == 0) text += "(no containers match)\n";
    return ToolOutput{text, {{"containers", containers}}};
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_ps_tool() {
  return std::make_unique<PsTool>();
}

}  // namespace dockgate::tools
