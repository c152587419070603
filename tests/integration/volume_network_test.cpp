// docker_volume_* and docker_network_* end to end on the dev engine, through the gate with a
// test policy that allows them. Labels under "dockgate." are refused to models, so what the
// tests create carries dg-vn-test=<suffix> and a unique name; TearDown removes both by name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "gate/engine_executor.hpp"
#include "gate/gate.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::optional<std::string> real_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

const char* kPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: volume-network-test
rules:
  - id: volumes-networks-allowed
    title: Volumes and networks
    effect: allow
    match:
      tools: [docker_volume_ls, docker_volume_create, docker_volume_rm, docker_network_ls, docker_network_create, docker_network_rm]
)";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class VolumeNetworkOnEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_environment("DOCKER_HOST")) GTEST_SKIP() << "DOCKER_HOST is unset";
    auto config = engine::engine_config_from_environment(real_environment);
    ASSERT_TRUE(config) << config.error().message;
    engine_ = engine::EngineClient::create(*config).value();
    folder_ = fs::temp_directory_path() / ("dockgate-vn-" + std::to_string(::getpid()));
    fs::create_directories(folder_);
    audit_ = audit::AuditWriter::open((folder_ / "audit.jsonl").string()).value();
    policy_ = *policy::PolicySet::parse("vn.yaml", kPolicy);
    executor_ = std::make_unique<EngineActionExecutor>(*engine_);
    gate_ = std::make_unique<Gate>(tools_, policy_, *audit_, *executor_);
    suffix_ = std::to_string(std::random_device{}());
    volume_ = "dg-vn-test-volume-" + suffix_;
    network_ = "dg-vn-test-network-" + suffix_;
  }

  void TearDown() override {
    if (engine_ && !suffix_.empty()) {
      (void)engine_->del("/volumes/" + volume_ + "?force=1");
      (void)engine_->del("/networks/" + network_);
    }
    if (!folder_.empty()) fs::remove_all(folder_);
  }

  CallOutcome call(std::string_view tool, const json& arguments) {
    return gate_->call(CallContext{{"tester", {}}, "s1", "gtest", "1", "", nullptr}, tool,
                       arguments);
  }

  std::unique_ptr<engine::EngineClient> engine_;
  fs::path folder_;
  tools::ToolRegistry tools_ = tools::ToolRegistry::with_builtin_tools();
  std::shared_ptr<const policy::PolicySet> policy_;
  std::unique_ptr<audit::AuditWriter> audit_;
  std::unique_ptr<EngineActionExecutor> executor_;
  std::unique_ptr<Gate> gate_;
  std::string suffix_, volume_, network_;
};

TEST_F(VolumeNetworkOnEngine, VolumeCreateListRemoveWithLabelsAndDriverOptions) {
  auto created = call("docker_volume_create",
                      {{"name", volume_},
                       {"driver_opts", {{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=1m"}}},
                       {"labels", {{"dg-vn-test", suffix_}}}});
  ASSERT_FALSE(created.is_error) << created.text;
  EXPECT_EQ(created.text, volume_ + "\n");
  EXPECT_EQ(created.structured["volume"]["name"], volume_);
  EXPECT_EQ(created.structured["volume"]["options"]["o"], "size=1m");

  auto listed = call("docker_volume_ls", {{"filter", "label=dg-vn-test=" + suffix_}});
  ASSERT_FALSE(listed.is_error) << listed.text;
  EXPECT_EQ(listed.text, "DRIVER   VOLUME NAME\nlocal    " + volume_ + "\n");
  ASSERT_EQ(listed.structured["volumes"].size(), 1u);
  EXPECT_EQ(listed.structured["volumes"][0]["labels"]["dg-vn-test"], suffix_);

  auto removed = call("docker_volume_rm", {{"volume", volume_}});
  ASSERT_FALSE(removed.is_error) << removed.text;
  auto after = call("docker_volume_ls", {{"filter", "name=" + volume_}});
  EXPECT_TRUE(has(after.text, "(no volumes match)")) << after.text;

  auto missing = call("docker_volume_rm", {{"volume", volume_}});
  EXPECT_TRUE(missing.is_error);
  EXPECT_TRUE(has(missing.text, "no such volume")) << missing.text;
  auto forced = call("docker_volume_rm", {{"volume", volume_}, {"force", true}});
  EXPECT_FALSE(forced.is_error) << forced.text;
}

TEST_F(VolumeNetworkOnEngine, RefusedVolumeArgumentsCreateNothing) {
  auto reserved =
      call("docker_volume_create", {{"name", volume_}, {"labels", {{"dockgate.owner", "x"}}}});
  EXPECT_TRUE(reserved.is_error);
  auto opts = call("docker_volume_create", {{"name", volume_}, {"driver_opts", {{"size", 1}}}});
  EXPECT_TRUE(opts.is_error);
  auto response = engine_->get("/volumes/" + volume_);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST_F(VolumeNetworkOnEngine, NetworkCreateInternalWithSubnetListRemove) {
  auto created = call("docker_network_create", {{"name", network_},
                                                {"internal", true},
                                                {"subnet", "10.201.200.0/24"},
                                                {"labels", {{"dg-vn-test", suffix_}}}});
  ASSERT_FALSE(created.is_error) << created.text;
  const std::string id = created.structured["id"];
  EXPECT_EQ(id.size(), 64u);
  auto inspected = engine_->get("/networks/" + network_);
  ASSERT_TRUE(inspected && inspected->status == 200);
  const auto network = json::parse(inspected->body);
  EXPECT_EQ(network["Internal"], true);
  EXPECT_EQ(network["Driver"], "bridge");
  EXPECT_EQ(network["IPAM"]["Config"][0]["Subnet"], "10.201.200.0/24");
  EXPECT_EQ(network["Labels"]["dg-vn-test"], suffix_);

  auto listed =
      call("docker_network_ls", {{"filter", {"label=dg-vn-test=" + suffix_, "type=custom"}}});
  ASSERT_FALSE(listed.is_error) << listed.text;
  EXPECT_TRUE(has(listed.text, "NETWORK ID     NAME")) << listed.text;
  EXPECT_TRUE(has(listed.text, id.substr(0, 12) + "   " + network_ + "   bridge   local"))
      << listed.text;
  ASSERT_EQ(listed.structured["networks"].size(), 1u);
  EXPECT_EQ(listed.structured["networks"][0]["subnets"], json::array({"10.201.200.0/24"}));

  auto duplicate = call("docker_network_create", {{"name", network_}});
  EXPECT_TRUE(duplicate.is_error);
  EXPECT_TRUE(has(duplicate.text, "already exists")) << duplicate.text;

  auto removed = call("docker_network_rm", {{"network", network_}});
  ASSERT_FALSE(removed.is_error) << removed.text;
  auto gone = engine_->get("/networks/" + network_);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  auto missing = call("docker_network_rm", {{"network", network_}});
  EXPECT_TRUE(missing.is_error);
  EXPECT_TRUE(has(missing.text, "not found")) << missing.text;
}

TEST_F(VolumeNetworkOnEngine, BadSubnetCreatesNothing) {
  auto outcome = call("docker_network_create", {{"name", network_}, {"subnet", "999.1.1.1/99"}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_TRUE(has(outcome.text, "argument 'subnet'")) << outcome.text;
  auto response = engine_->get("/networks/" + network_);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

}  // namespace
}  // namespace dockgate::gate
