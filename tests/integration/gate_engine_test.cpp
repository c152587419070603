// The gate's whole path on the real dev engine: tool -> action -> policy -> audit -> engine.
// Creates its own labelled container and removes it, whatever happens.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
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
name: t
rules:
  - {id: read-only-tools, title: Read, effect: allow, match: {tools: [docker_ps, docker_images, docker_inspect]}}
)";

class GateOnEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_environment("DOCKER_HOST")) GTEST_SKIP() << "DOCKER_HOST is unset";
    auto config = engine::engine_config_from_environment(real_environment);
    ASSERT_TRUE(config) << config.error().message;
    engine_ = engine::EngineClient::create(*config).value();
    folder_ = fs::temp_directory_path() / ("dockgate-gate-engine-" + std::to_string(::getpid()));
    fs::create_directories(folder_);
    audit_ = audit::AuditWriter::open((folder_ / "audit.jsonl").string()).value();
    policy_ = *policy::PolicySet::parse("t.yaml", kPolicy);
    executor_ = std::make_unique<EngineActionExecutor>(*engine_);
    gate_ = std::make_unique<Gate>(tools_, policy_, *audit_, *executor_);

    name_ = "dg-gate-test-" + std::to_string(std::random_device{}());
    const json spec = {{"Image", "dockgate-test/busybox:root"},
                       {"Cmd", {"sleep", "300"}},
                       {"Labels", {{"dockgate.test", "1"}, {"dockgate.gate-test", name_}}}};
    auto created = engine_->post("/containers/create?name=" + name_, spec);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_EQ(created->status, 201) << created->body;
    auto started = engine_->post("/containers/" + name_ + "/start");
    ASSERT_TRUE(started && started->status == 204);
  }

  void TearDown() override {
    if (engine_ && !name_.empty()) (void)engine_->del("/containers/" + name_ + "?force=1");
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
  std::string name_;
};

TEST_F(GateOnEngine, PsListsTheContainerTheTestCreated) {
  auto outcome = call("docker_ps", {{"filter", "label=dockgate.gate-test=" + name_}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_NE(outcome.text.find(name_), std::string::npos) << outcome.text;
  ASSERT_EQ(outcome.structured["containers"].size(), 1u);
  EXPECT_EQ(outcome.structured["containers"][0]["state"], "running");
}

TEST_F(GateOnEngine, InspectFindsTheContainerWithoutAType) {
  auto outcome = call("docker_inspect",
                      {{"object", name_}, {"format", "{{.State.Status}} {{json .Config.Labels}}"}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["type"], "container");
  EXPECT_EQ(outcome.text.rfind("running {", 0), 0u) << outcome.text;
}

TEST_F(GateOnEngine, InspectFindsAnImageByReference) {
  auto outcome = call("docker_inspect", {{"object", "dockgate-test/busybox:user"}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["type"], "image");
  EXPECT_EQ(outcome.structured["object"]["Config"]["User"], "1000:1000");
}

TEST_F(GateOnEngine, InspectOfAMissingObjectSaysSo) {
  auto outcome = call("docker_inspect", {{"object", name_ + "-missing"}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_NE(outcome.text.find("no container, image, volume or network named"), std::string::npos);
  auto typed = call("docker_inspect", {{"object", name_}, {"type", "volume"}});
  EXPECT_TRUE(typed.is_error);
  EXPECT_NE(typed.text.find("no volume named"), std::string::npos) << typed.text;
}

TEST_F(GateOnEngine, EngineRejectingAFilterValueIsAToolError) {
  auto outcome = call("docker_ps", {{"filter", "status=sleepy"}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_NE(outcome.text.find("engine error (400)"), std::string::npos) << outcome.text;
}

TEST_F(GateOnEngine, ImagesListsTheTestImages) {
  auto outcome = call("docker_images", {{"filter", "reference=dockgate-test/busybox"}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_NE(outcome.text.find("dockgate-test/busybox"), std::string::npos);
}

TEST(GateEngineDown, EngineDownIsAClearErrorAndAudited) {
  engine::EngineConfig config;
  config.host = "tcp://127.0.0.1:1";
  config.allow_plain_tcp = true;
  auto engine = engine::EngineClient::create(config).value();
  const auto path =
      fs::temp_directory_path() / ("dockgate-down-" + std::to_string(::getpid()) + ".jsonl");
  auto audit = audit::AuditWriter::open(path.string()).value();
  tools::ToolRegistry tools = tools::ToolRegistry::with_builtin_tools();
  EngineActionExecutor executor(*engine);
  Gate gate(tools, *policy::PolicySet::parse("t.yaml", kPolicy), *audit, executor);
  auto outcome = gate.call(CallContext{{"tester", {}}, "s1", "", "", "", nullptr}, "docker_ps",
                           json::object());
  EXPECT_TRUE(outcome.is_error);
  EXPECT_NE(outcome.text.find("cannot reach engine at tcp://127.0.0.1:1: connection refused"),
            std::string::npos)
      << outcome.text;
  std::ifstream in(path);
  std::vector<json> records;
  for (std::string line; std::getline(in, line);) records.push_back(json::parse(line));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1]["result"], "engine_error");
  fs::remove(path);
}

}  // namespace
}  // namespace dockgate::gate
