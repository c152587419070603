// docker_volume_* and docker_network_*: planning (every argument, wrong types, missing,
// oversized and hostile values) and rendering like the docker CLI.
#include <gtest/gtest.h>

#include "tools/tool.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

const ToolRegistry& registry() {
  static const ToolRegistry tools = ToolRegistry::with_builtin_tools();
  return tools;
}

Result<actions::Action> plan(std::string_view tool, const json& arguments) {
  const Tool* t = registry().find(tool);
  EXPECT_NE(t, nullptr) << tool;
  return plan_call(*t, arguments);
}

template <class A>
A planned(std::string_view tool, const json& arguments) {
  auto action = plan(tool, arguments);
  EXPECT_TRUE(action.ok()) << (action.ok() ? "" : action.error().message);
  return action.ok() ? std::get<A>(*action) : A{};
}

std::string error_of(std::string_view tool, const json& arguments) {
  auto action = plan(tool, arguments);
  EXPECT_FALSE(action.ok()) << "expected " << tool << " to refuse " << arguments.dump();
  return action.ok() ? "" : action.error().message;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ToolOutput render(std::string_view tool, const actions::Action& action, const json& result) {
  return registry().find(tool)->render(action, result, std::chrono::system_clock::now());
}

TEST(VolumeTools, LsPlansFiltersAndRefusesUnknownKeys) {
  auto list = planned<actions::ListVolumes>("docker_volume_ls",
                                            {{"filter", {"dangling=true", "label=app=shop"}}});
  EXPECT_EQ(list.filters.at("dangling"), std::vector<std::string>{"true"});
  EXPECT_EQ(list.filters.at("label"), std::vector<std::string>{"app=shop"});
  EXPECT_TRUE(planned<actions::ListVolumes>("docker_volume_ls", json::object()).filters.empty());
  EXPECT_TRUE(
      has(error_of("docker_volume_ls", {{"filter", "status=exited"}}),
          "filter key 'status' is not supported here (keys: dangling, driver, label, name)"));
  EXPECT_TRUE(has(error_of("docker_volume_ls", {{"filter", 1}}), "argument 'filter' must be"));
}

TEST(VolumeTools, LsRendersDockersTable) {
  auto output = render("docker_volume_ls", actions::ListVolumes{},
                       {{"Volumes",
                         {{{"Name", "db-data"}, {"Driver", "local"}, {"Labels", nullptr}},
                          {{"Name", "cache"}, {"Driver", "local"}}}},
                        {"Warnings", nullptr}});
  EXPECT_EQ(output.text, "DRIVER   VOLUME NAME\nlocal    db-data\nlocal    cache\n");
  ASSERT_EQ(output.structured["volumes"].size(), 2u);
  EXPECT_EQ(output.structured["volumes"][0]["name"], "db-data");
  EXPECT_TRUE(output.structured["volumes"][0]["labels"].is_object());
  auto empty = render("docker_volume_ls", actions::ListVolumes{}, {{"Volumes", nullptr}});
  EXPECT_TRUE(has(empty.text, "(no volumes match)"));
}

TEST(VolumeTools, CreatePlansEveryArgument) {
  auto create = planned<actions::CreateVolume>("docker_volume_create", {{"name", "db-data"}});
  EXPECT_EQ(create.name, "db-data");
  EXPECT_EQ(create.driver, "local");
  EXPECT_TRUE(create.driver_opts.empty());
  create = planned<actions::CreateVolume>(
      "docker_volume_create", {{"name", "scratch"},
                               {"driver", "local"},
                               {"driver_opts", {{"type", "tmpfs"}, {"device", "tmpfs"}}},
                               {"labels", {{"app", "shop"}}}});
  EXPECT_EQ(create.driver_opts.at("type"), "tmpfs");
  EXPECT_EQ(create.labels.at("app"), "shop");
}

TEST(VolumeTools, CreateRefusesBadValues) {
  EXPECT_TRUE(
      has(error_of("docker_volume_create", json::object()), "missing required argument 'name'"));
  EXPECT_TRUE(
      has(error_of("docker_volume_create", {{"name", 3}}), "argument 'name' must be a string"));
  EXPECT_TRUE(has(error_of("docker_volume_create", {{"name", std::string(257, 'v')}}), "too long"));
  for (const char* hostile : {"../etc", "/etc", "a/b", "x", ".hidden"}) {
    EXPECT_TRUE(has(error_of("docker_volume_create", {{"name", hostile}}), "argument 'name'"))
        << hostile;
  }
  EXPECT_TRUE(has(error_of("docker_volume_create", {{"name", "vv"}, {"driver", "../evil"}}),
                  "argument 'driver' must be a driver name"));
  EXPECT_TRUE(
      has(error_of("docker_volume_create", {{"name", "vv"}, {"driver_opts", {{"size", 100}}}}),
          "argument 'driver_opts.size' must be a string"));
  EXPECT_TRUE(
      has(error_of("docker_volume_create", {{"name", "vv"}, {"driver_opts", {{"o", true}}}}),
          "must be a string"));
  EXPECT_TRUE(has(error_of("docker_volume_create", {{"name", "vv"}, {"driver_opts", "type=tmpfs"}}),
                  "argument 'driver_opts' must be an object"));
  EXPECT_TRUE(has(error_of("docker_volume_create",
                           {{"name", "vv"}, {"driver_opts", {{"o", std::string(5000, 'x')}}}}),
                  "at most 4096"));
  json many = json::object();
  for (int i = 0; i < 65; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_TRUE(
      has(error_of("docker_volume_create", {{"name", "vv"}, {"labels", many}}), "at most 64"));
  EXPECT_TRUE(has(
      error_of("docker_volume_create", {{"name", "vv"}, {"labels", {{"dockgate.owner", "me"}}}}),
      "reserved for dockgate"));
  EXPECT_TRUE(has(
      error_of("docker_volume_create", {{"name", "vv"}, {"labels", {{"DockGate.Owner", "me"}}}}),
      "reserved for dockgate"));
  EXPECT_TRUE(has(error_of("docker_volume_create", {{"name", "vv"}, {"labels", {{"a b", "1"}}}}),
                  "has a key 'a b'"));
}

TEST(VolumeTools, RmPlansForceAndRefusesHostileNames) {
  auto rm =
      planned<actions::RemoveVolume>("docker_volume_rm", {{"volume", "db-data"}, {"force", true}});
  EXPECT_EQ(rm.name, "db-data");
  EXPECT_TRUE(rm.force);
  EXPECT_TRUE(
      has(error_of("docker_volume_rm", json::object()), "missing required argument 'volume'"));
  EXPECT_TRUE(has(error_of("docker_volume_rm", {{"volume", "../x"}}), "argument 'volume'"));
  EXPECT_TRUE(has(error_of("docker_volume_rm", {{"volume", "v"}, {"force", 1}}),
                  "argument 'force' must be a boolean"));
}

TEST(NetworkTools, LsPlansFiltersAndRendersDockersTable) {
  auto list = planned<actions::ListNetworks>("docker_network_ls", {{"filter", "type=custom"}});
  EXPECT_EQ(list.filters.at("type"), std::vector<std::string>{"custom"});
  EXPECT_TRUE(has(error_of("docker_network_ls", {{"filter", "dangling=true"}}),
                  "(keys: driver, id, label, name, scope, type)"));
  auto output = render("docker_network_ls", actions::ListNetworks{},
                       json::array({{{"Id", "0123456789abcdef0123"},
                                     {"Name", "app-network"},
                                     {"Driver", "bridge"},
                                     {"Scope", "local"},
                                     {"Internal", true},
                                     {"IPAM", {{"Config", {{{"Subnet", "10.1.0.0/24"}}}}}}}}));
  EXPECT_EQ(output.text,
            "NETWORK ID     NAME          DRIVER   SCOPE\n"
            "0123456789ab   app-network   bridge   local\n");
  EXPECT_EQ(output.structured["networks"][0]["subnets"], json::array({"10.1.0.0/24"}));
  EXPECT_EQ(output.structured["networks"][0]["internal"], true);
}

TEST(NetworkTools, CreatePlansEveryArgument) {
  auto create = planned<actions::CreateNetwork>("docker_network_create", {{"name", "app-network"}});
  EXPECT_EQ(create.driver, "bridge");
  EXPECT_FALSE(create.internal);
  EXPECT_EQ(create.subnet, "");
  create = planned<actions::CreateNetwork>("docker_network_create", {{"name", "backend"},
                                                                     {"driver", "bridge"},
                                                                     {"internal", true},
                                                                     {"subnet", "10.201.200.0/24"},
                                                                     {"labels", {{"tier", "db"}}}});
  EXPECT_TRUE(create.internal);
  EXPECT_EQ(create.subnet, "10.201.200.0/24");
  EXPECT_EQ(create.labels.at("tier"), "db");
  EXPECT_EQ(planned<actions::CreateNetwork>("docker_network_create",
                                            {{"name", "v6"}, {"subnet", "fd00:10::/64"}})
                .subnet,
            "fd00:10::/64");
}

TEST(NetworkTools, CreateRefusesBadSubnetsNamesAndLabels) {
  for (const char* subnet :
       {"999.1.1.1/99", "10.0.0.0", "10.0.0.0/33", "10.0.0/24", "fd00::/129", "fd00::zz/64",
        "10.0.0.0/-1", "10.0.0.0/24/1", "010.0.0.0/8", "10.0.0.0/ 8"}) {
    EXPECT_TRUE(has(error_of("docker_network_create", {{"name", "n1"}, {"subnet", subnet}}),
                    "argument 'subnet'"))
        << subnet;
  }
  EXPECT_TRUE(has(error_of("docker_network_create", {{"name", "n1"}, {"subnet", 24}}),
                  "argument 'subnet' must be a string"));
  EXPECT_TRUE(
      has(error_of("docker_network_create", json::object()), "missing required argument 'name'"));
  EXPECT_TRUE(has(error_of("docker_network_create", {{"name", "../host"}}), "argument 'name'"));
  EXPECT_TRUE(
      has(error_of("docker_network_create", {{"name", std::string(257, 'n')}}), "too long"));
  EXPECT_TRUE(has(error_of("docker_network_create", {{"name", "n1"}, {"internal", "true"}}),
                  "argument 'internal' must be a boolean"));
  EXPECT_TRUE(has(error_of("docker_network_create", {{"name", "n1"}, {"driver", "a b"}}),
                  "argument 'driver'"));
  EXPECT_TRUE(has(
      error_of("docker_network_create", {{"name", "n1"}, {"labels", {{"dockgate.project", "x"}}}}),
      "reserved for dockgate"));
  EXPECT_TRUE(has(error_of("docker_network_create", {{"name", "n1"}, {"labels", {{"a", 1}}}}),
                  "argument 'labels.a' must be a string"));
}

TEST(NetworkTools, CreateRendersTheIdAndAnyWarning) {
  actions::Action create = actions::CreateNetwork{"n1", "bridge", false, "", {}};
  auto output = render("docker_network_create", create, {{"Id", "abc123"}, {"Warning", ""}});
  EXPECT_EQ(output.text, "abc123\n");
  EXPECT_EQ(output.structured["name"], "n1");
}

TEST(NetworkTools, RmPlansTheNetworkAndRefusesHostileNames) {
  EXPECT_EQ(planned<actions::RemoveNetwork>("docker_network_rm", {{"network", "app-network"}}).name,
            "app-network");
  EXPECT_TRUE(
      has(error_of("docker_network_rm", json::object()), "missing required argument 'network'"));
  EXPECT_TRUE(has(error_of("docker_network_rm", {{"network", "a/../b"}}), "argument 'network'"));
  EXPECT_TRUE(has(error_of("docker_network_rm", {{"network", ""}}), "must not be empty"));
}

}  // namespace
}  // namespace dockgate::tools
