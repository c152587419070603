// The gate executes the very action the policy judged: mutate rules change it before the
// decision, the executor receives the changed action, and the caller is told what changed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gate/gate.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

class RecordingExecutor final : public ActionExecutor {
 public:
  std::optional<actions::Action> executed;
  Result<actions::Facts> gather_facts(const actions::Action&) override { return actions::Facts{}; }
  Result<json> execute(const actions::Action& action, const ProgressCallback&) override {
    executed = action;
    return json{{"Name", "data"}, {"Driver", "local"}};
  }
};

const char* kPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: t
rules:
  - {id: volumes, title: Volumes, effect: allow, match: {tools: [docker_volume_create, docker_policy_check]}}
  - id: owner
    title: Owner label
    effect: mutate
    match: {operations: [volume.create]}
    mutate: {labels: {team: "{principal}-team"}}
)";

class GateMutationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("dockgate-gate-mutation-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
    audit_ = audit::AuditWriter::open((folder_ / "audit.jsonl").string()).value();
    policy_ = *policy::PolicySet::parse("t.yaml", kPolicy);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  CallOutcome call(std::string_view tool, const json& arguments) {
    Gate gate(tools_, policy_, *audit_, executor_);
    return gate.call(CallContext{{"alice", {}}, "s1", "test-client", "1.0", "", nullptr}, tool,
                     arguments);
  }

  std::filesystem::path folder_;
  tools::ToolRegistry tools_ = tools::ToolRegistry::with_builtin_tools();
  std::shared_ptr<const policy::PolicySet> policy_;
  std::unique_ptr<audit::AuditWriter> audit_;
  RecordingExecutor executor_;
};

TEST_F(GateMutationTest, TheExecutorReceivesTheMutatedAction) {
  // bob's team is a forgery attempt: the policy's label wins.
  auto outcome = call("docker_volume_create", {{"name", "data"}, {"labels", {{"team", "bob"}}}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  ASSERT_TRUE(executor_.executed.has_value());
  const auto& create = std::get<actions::CreateVolume>(*executor_.executed);
  EXPECT_EQ(create.labels.at("team"), "alice-team");
  EXPECT_NE(outcome.text.find("Policy set [owner]: labels.team = alice-team (was bob)"),
            std::string::npos)
      << outcome.text;
  // The audit intent names the change, and its action is the mutated one.
  std::ifstream log(folder_ / "audit.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(log, line));
  const auto intent = json::parse(line);
  ASSERT_EQ(intent["stage"], "intent") << line;
  ASSERT_EQ(intent["mutations"].size(), 1u) << line;
  EXPECT_EQ(intent["mutations"][0]["rule"], "owner");
  EXPECT_EQ(intent["mutations"][0]["before"], "bob");
  EXPECT_EQ(intent["mutations"][0]["after"], "alice-team");
  EXPECT_EQ(intent["mutations"][0]["policy_file"], "t.yaml:6");
}

TEST_F(GateMutationTest, PolicyCheckReportsTheMutations) {
  auto outcome = call("docker_policy_check",
                      {{"tool", "docker_volume_create"}, {"arguments", {{"name", "data"}}}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_FALSE(executor_.executed.has_value());  // nothing runs
  ASSERT_TRUE(outcome.structured.contains("mutations")) << outcome.structured.dump();
  const auto& m = outcome.structured["mutations"][0];
  EXPECT_EQ(m["rule"], "owner");
  EXPECT_EQ(m["field"], "labels.team");
  EXPECT_EQ(m["before"], "(unset)");
  EXPECT_EQ(m["after"], "alice-team");
}

}  // namespace
}  // namespace dockgate::gate
