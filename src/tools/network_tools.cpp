// docker_network_ls, docker_network_create and docker_network_rm, like `docker network ls
// [--filter k=v]`, `docker network create [-d D] [--internal] [--subnet CIDR] [--label k=v]
// NAME` and `docker network rm NAME`.
#include <arpa/inet.h>

#include <regex>

#include "tools/builtin_tools.hpp"
#include "tools/json_fields.hpp"
#include "tools/list_filters.hpp"
#include "tools/object_arguments.hpp"
#include "tools/schema_builders.hpp"
#include "tools/text_table.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

const std::vector<std::string> kNetworkFilterKeys = {"driver", "id",    "label",
                                                     "name",   "scope", "type"};

std::string short_id(const std::string& id) {
  return id.substr(0, 12);
}

json network_json(const json& network) {
  json subnets = json::array();
  for (const auto& config : list_field(map_field(network, "IPAM"), "Config")) {
    if (!text_field(config, "Subnet").empty()) subnets.push_back(text_field(config, "Subnet"));
  }
  return {{"id", text_field(network, "Id")},
          {"name", text_field(network, "Name")},
          {"driver", text_field(network, "Driver")},
          {"scope", text_field(network, "Scope")},
          {"internal", network.value("Internal", false)},
          {"subnets", subnets},
          {"labels", map_field(network, "Labels")}};
}

json network_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"name", {{"type", "string"}}},
            {"driver", {{"type", "string"}}},
            {"scope", {{"type", "string"}}},
            {"internal", {{"type", "boolean"}}},
            {"subnets", {{"type", "array"}, {"items", {{"type", "string"}}}}},
            {"labels", {{"type", "object"}}}}}};
}

// "10.1.0.0/16" or "fd00:1::/64": an address inet_pton accepts and a prefix in range. The
// dotted form must be four plain decimal bytes (inet_pton already refuses "010.1.1.1").
Status check_subnet(const std::string& subnet) {
  const std::string wanted = " (wanted a CIDR subnet like \"10.10.0.0/24\" or \"fd00:10::/64\")";
  const auto slash = subnet.find('/');
  static const std::regex kPrefix(R"(\d{1,3})");
  if (slash == std::string::npos || !std::regex_match(subnet.substr(slash + 1), kPrefix)) {
    return make_error("argument 'subnet' must end with a /prefix length, got '" + subnet + "'" +
                      wanted);
  }
  const std::string address = subnet.substr(0, slash);
  const int prefix = std::stoi(subnet.substr(slash + 1));
  unsigned char bytes[16];
  if (address.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, address.c_str(), bytes) != 1) {
      return make_error("argument 'subnet' has an invalid IPv4 address '" + address + "'" + wanted);
    }
    if (prefix > 32) {
      return make_error("argument 'subnet': an IPv4 prefix length is 0..32, got /" +
                        std::to_string(prefix));
    }
  } else {
    if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) {
      return make_error("argument 'subnet' has an invalid IPv6 address '" + address + "'" + wanted);
    }
    if (prefix > 128) {
      return make_error("argument 'subnet': an IPv6 prefix length is 0..128, got /" +
                        std::to_string(prefix));
    }
  }
  return Ok{};
}

class NetworkLsTool final : public Tool {
 public:
  NetworkLsTool() {
    definition_.name = "docker_network_ls";
    definition_.title = "List networks";
    definition_.description =
        "List networks, like `docker network ls`. filter narrows the list: \"driver=bridge\", "
        "\"name=app\", \"label=app=shop\", \"scope=local\", \"type=custom\" (user-defined) or "
        "\"id=...\".";
    definition_.input_schema = schema::object(
        {{"filter", schema::filter("Docker filter syntax key=value, one string or a list; keys: "
                                   "driver, id, label, name, scope, type.")}});
    definition_.output_schema = {
        {"type", "object"},
        {"properties", {{"networks", {{"type", "array"}, {"items", network_schema()}}}}},
        {"required", {"networks"}}};
    definition_.read_only = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto filters = parse_list_filters(arguments.value("filter", json()), kNetworkFilterKeys);
    if (!filters) return filters.error();
    return actions::Action{actions::ListNetworks{*filters, std::nullopt}};
  }

  ToolOutput render(const actions::Action&, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    TextTable table({"NETWORK ID", "NAME", "DRIVER", "SCOPE"});
    json networks = json::array();
    for (const auto& n : engine_result.is_array() ? engine_result : json::array()) {
      table.add_row({short_id(text_field(n, "Id")), text_field(n, "Name"), text_field(n, "Driver"),
                     text_field(n, "Scope")});
      networks.push_back(network_json(n));
    }
    std::string text = table.render();
    if (table.row_count() == 0) text += "(no networks match)\n";
    return ToolOutput{text, {{"networks", networks}}};
  }

 private:
  ToolDefinition definition_;
};

class NetworkCreateTool final : public Tool {
 public:
  NetworkCreateTool() {
    definition_.name = "docker_network_create";
    definition_.title = "Create a network";
    definition_.description =
        "Create a network, like `docker network create`. Containers on the same user-defined "
        "network reach each other by name: create \"app-network\", then docker_run each "
        "container with network: \"app-network\". internal: true cuts it off from outside.";
    definition_.input_schema = schema::object(
        {{"name", schema::string("Network name, e.g. \"app-network\" (letters, digits, _ . -).")},
         {"driver", schema::string("Network driver, e.g. \"bridge\" (the default).")},
         {"internal", schema::boolean("No access to or from outside the network (docker network "
                                      "create --internal). Default false.")},
         {"subnet", schema::string("Subnet in CIDR form, e.g. \"10.10.0.0/24\". Default: "
                                   "chosen by the engine.",
                                   64)},
         {"labels", string_map_schema("Labels as strings, e.g. {\"app\": \"shop\"}. Keys "
                                      "starting with \"dockgate.\" are reserved.")}},
        {"name"});
    definition_.output_schema = {{"type", "object"},
                                 {"properties",
                                  {{"id", {{"type", "string"}}},
                                   {"name", {{"type", "string"}}},
                                   {"warning", {{"type", "string"}}}}},
                                 {"required", {"id", "name"}}};
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    actions::CreateNetwork create;
    create.name = arguments.at("name").get<std::string>();
    if (auto valid = check_object_name("name", create.name, "network"); !valid) {
      return valid.error();
    }
    create.driver = arguments.value("driver", std::string("bridge"));
    if (auto valid = check_driver_name(create.driver); !valid) return valid.error();
    create.internal = arguments.value("internal", false);
    create.subnet = arguments.value("subnet", std::string());
    if (!create.subnet.empty()) {
      if (auto valid = check_subnet(create.subnet); !valid) return valid.error();
    }
    auto labels = string_map_argument("labels", arguments.value("labels", json()),
                                      /*refuse_dockgate_prefix=*/true);
    if (!labels) return labels.error();
    create.labels = std::move(*labels);
    return actions::Action{std::move(create)};
  }

  // engine_result: {"Id": "...", "Warning": "..."}.
  ToolOutput render(const actions::Action& action, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    const auto& create = std::get<actions::CreateNetwork>(action);
    const std::string id = text_field(engine_result, "Id");
    const std::string warning = text_field(engine_result, "Warning");
    std::string text = id + "\n";
    if (!warning.empty()) text += "WARNING: " + warning + "\n";
    json structured = {{"id", id}, {"name", create.name}};
    if (!warning.empty()) structured["warning"] = warning;
    return ToolOutput{text, structured};
  }

 private:
  ToolDefinition definition_;
};

class NetworkRmTool final : public Tool {
 public:
  NetworkRmTool() {
    definition_.name = "docker_network_rm";
    definition_.title = "Remove a network";
    definition_.description =
        "Remove a network, like `docker network rm`. A network with containers attached is "
        "refused: stop or disconnect them first. Docker's own networks (bridge, host, none) "
        "cannot be removed.";
    definition_.input_schema = schema::object(
        {{"network", schema::string("Name or id of the network, e.g. \"app-network\".")}},
        {"network"});
    definition_.output_schema = {
        {"type", "object"},
        {"properties", {{"network", {{"type", "string"}}}, {"removed", {{"type", "boolean"}}}}},
        {"required", {"network", "removed"}}};
    definition_.destructive = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    actions::RemoveNetwork remove;
    remove.name = arguments.at("network").get<std::string>();
    if (auto valid = check_object_name("network", remove.name, "network"); !valid) {
      return valid.error();
    }
    return actions::Action{std::move(remove)};
  }

  ToolOutput render(const actions::Action& action, const json&,
                    std::chrono::system_clock::time_point) const override {
    const auto& remove = std::get<actions::RemoveNetwork>(action);
    return ToolOutput{remove.name + "\n", {{"network", remove.name}, {"removed", true}}};
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_network_ls_tool() {
  return std::make_unique<NetworkLsTool>();
}
std::unique_ptr<Tool> make_network_create_tool() {
  return std::make_unique<NetworkCreateTool>();
}
std::unique_ptr<Tool> make_network_rm_tool() {
  return std::make_unique<NetworkRmTool>();
}

}  // namespace dockgate::tools
