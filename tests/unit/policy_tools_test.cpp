// docker_policy_check and docker_policy_show through the gate (a counting executor in place of
// the engine), and the gate's policy swap on reload.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gate/gate.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

class CountingExecutor final : public ActionExecutor {
 public:
  int executed = 0;
  int facts_looked_up = 0;
  std::optional<std::string> facts_fail_with;
  Result<actions::Facts> gather_facts(const actions::Action&) override {
    ++facts_looked_up;
    if (facts_fail_with) return make_error(*facts_fail_with);
    return actions::Facts{};
  }
  Result<json> execute(const actions::Action&, const ProgressCallback&) override {
    ++executed;
    return json::array();
  }
};

const char* kPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: t
rules:
  - {id: read-only-tools, title: Read, effect: allow, match: {tools: [docker_ps, docker_images]}}
  - {id: policy-tools, title: Ask the policy, effect: allow, match: {tools: [docker_policy_check, docker_policy_show]}}
  - {id: no-images-for-bob, title: No images for bob, effect: deny, match: {tools: [docker_images], principals: [bob]},
     message: bob may not list images, how_to_comply: ask for the images role}
  - {id: warn-ps, title: ps is watched, effect: deny, mode: warn, match: {tools: [docker_ps]},
     message: ps is noted}
)";

const char* kOtherPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: other
rules:
  - {id: only-images, title: Images only, effect: allow, match: {tools: [docker_images]}}
)";

class PolicyToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("dockgate-policy-tools-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
    audit_ = audit::AuditWriter::open((folder_ / "audit.jsonl").string()).value();
    gate_ = std::make_unique<Gate>(tools_, *policy::PolicySet::parse("t.yaml", kPolicy), *audit_,
                                   executor_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  CallOutcome call(const std::string& principal, std::string_view tool, const json& arguments) {
    return gate_->call(CallContext{{principal, {}}, "s1", "test-client", "1.0", "", nullptr}, tool,
                       arguments);
  }
  CallOutcome check(const std::string& principal, const std::string& tool, const json& arguments) {
    return call(principal, "docker_policy_check", {{"tool", tool}, {"arguments", arguments}});
  }

  std::vector<json> records() {
    std::vector<json> out;
    std::ifstream in(folder_ / "audit.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  std::filesystem::path folder_;
  tools::ToolRegistry tools_ = tools::ToolRegistry::with_builtin_tools();
  std::unique_ptr<audit::AuditWriter> audit_;
  CountingExecutor executor_;
  std::unique_ptr<Gate> gate_;
};

TEST_F(PolicyToolsTest, CheckOfADeniedCallListsEveryViolationAndRunsNothing) {
  auto outcome = check("bob", "docker_images", json::object());
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(executor_.executed, 0);
  EXPECT_NE(outcome.text.find("would be denied"), std::string::npos) << outcome.text;
  EXPECT_NE(outcome.text.find("[no-images-for-bob]"), std::string::npos) << outcome.text;
  EXPECT_NE(outcome.text.find("ask for the images role"), std::string::npos) << outcome.text;
  EXPECT_EQ(outcome.structured["allowed"], false);
  ASSERT_EQ(outcome.structured["violations"].size(), 1u);
  EXPECT_EQ(outcome.structured["violations"][0]["rule"], "no-images-for-bob");
  EXPECT_EQ(outcome.structured["violations"][0]["how_to_comply"], "ask for the images role");
  EXPECT_TRUE(outcome.structured["warnings"].empty());
}

TEST_F(PolicyToolsTest, CheckOfAnAllowedCallSaysSoWithItsWarningsAndRunsNothing) {
  auto outcome = check("alice", "docker_ps", {{"all", true}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(executor_.executed, 0);
  EXPECT_EQ(executor_.facts_looked_up, 1);  // the checked call's facts, read-only
  EXPECT_NE(outcome.text.find("would be allowed"), std::string::npos) << outcome.text;
  EXPECT_EQ(outcome.structured["allowed"], true);
  EXPECT_EQ(outcome.structured["operation"], "container.list");
  ASSERT_EQ(outcome.structured["warnings"].size(), 1u);
  EXPECT_EQ(outcome.structured["warnings"][0]["rule"], "warn-ps");
}

TEST_F(PolicyToolsTest, CheckIsAuditedAsItsOwnCallJudgedByThePolicy) {
  check("bob", "docker_images", json::object());
  auto log = records();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["stage"], "intent");
  EXPECT_EQ(log[0]["tool"], "docker_policy_check");
  EXPECT_EQ(log[0]["decision"], "allow");
  EXPECT_EQ(log[0]["allowed_by"], json::array({"policy-tools"}));
  EXPECT_EQ(log[0]["action"]["operation"], "policy.check");
  EXPECT_EQ(log[0]["action"]["tool"], "docker_images");
  EXPECT_EQ(log[1]["result"], "ok");
}

TEST_F(PolicyToolsTest, CheckItselfIsDeniedWhenNoRuleAllowsIt) {
  gate_->install_policy(policy::PolicySet::parse("o.yaml", kOtherPolicy), "sighup");
  auto outcome = check("alice", "docker_images", json::object());
  EXPECT_TRUE(outcome.is_error);
  EXPECT_NE(outcome.text.find("[default-deny]"), std::string::npos) << outcome.text;
  EXPECT_EQ(executor_.facts_looked_up, 0);
}

TEST_F(PolicyToolsTest, CheckReportsInvalidArgumentsOfTheCheckedToolAsWouldBeRefused) {
  auto outcome = check("alice", "docker_ps", {{"all", "yes"}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["allowed"], false);
  EXPECT_EQ(outcome.structured["stage"], "invalid");
  EXPECT_NE(outcome.text.find("'all'"), std::string::npos) << outcome.text;
  EXPECT_EQ(executor_.facts_looked_up, 0);
}

TEST_F(PolicyToolsTest, CheckOfAnUnknownOrHostileToolNameNamesTheTools) {
  for (const std::string name : {"docker_nope", "../../bin/sh", "docker_ps\n"}) {
    auto outcome = check("alice", name, json::object());
    ASSERT_FALSE(outcome.is_error) << outcome.text;
    EXPECT_EQ(outcome.structured["stage"], "unknown_tool");
    EXPECT_NE(outcome.text.find("available tools: docker_ps"), std::string::npos) << outcome.text;
  }
  EXPECT_EQ(executor_.executed, 0);
}

TEST_F(PolicyToolsTest, CheckWhenFactsAreUnavailableFailsClosed) {
  executor_.facts_fail_with = "cannot reach engine";
  auto outcome = check("alice", "docker_ps", json::object());
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["allowed"], false);
  EXPECT_EQ(outcome.structured["stage"], "facts_unavailable");
}

TEST_F(PolicyToolsTest, CheckOfACheckJudgesWithoutRecursingOrRunning) {
  auto outcome = check("alice", "docker_policy_check",
                       {{"tool", "docker_images"}, {"arguments", json::object()}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["allowed"], true);
  EXPECT_EQ(outcome.structured["operation"], "policy.check");
  EXPECT_EQ(executor_.executed, 0);
}

TEST_F(PolicyToolsTest, CheckArgumentsOfTheWrongShapeAreRefusedClearly) {
  auto wrong_type =
      call("alice", "docker_policy_check", {{"tool", 7}, {"arguments", json::object()}});
  EXPECT_TRUE(wrong_type.is_error);
  EXPECT_NE(wrong_type.text.find("'tool'"), std::string::npos) << wrong_type.text;
  auto not_object =
      call("alice", "docker_policy_check", {{"tool", "docker_ps"}, {"arguments", "x"}});
  EXPECT_TRUE(not_object.is_error);
  EXPECT_NE(not_object.text.find("'arguments'"), std::string::npos) << not_object.text;
  auto missing = call("alice", "docker_policy_check", {{"tool", "docker_ps"}});
  EXPECT_TRUE(missing.is_error);
  EXPECT_NE(missing.text.find("missing required argument 'arguments'"), std::string::npos);
  auto oversized = check("alice", "docker_ps", {{"all", std::string(70000, 'a')}});
  EXPECT_TRUE(oversized.is_error);
  EXPECT_NE(oversized.text.find("too large"), std::string::npos) << oversized.text;
  auto long_name = check("alice", std::string(100, 'd'), json::object());
  EXPECT_TRUE(long_name.is_error);
  EXPECT_EQ(executor_.executed, 0);
  EXPECT_EQ(executor_.facts_looked_up, 0);
}

TEST_F(PolicyToolsTest, ShowListsRulesAndFiltersByTool) {
  auto all = call("alice", "docker_policy_show", json::object());
  ASSERT_FALSE(all.is_error) << all.text;
  EXPECT_EQ(all.structured["rules"].size(), 4u);
  EXPECT_NE(all.text.find("[no-images-for-bob] deny"), std::string::npos) << all.text;
  EXPECT_NE(all.text.find("To comply: ask for the images role"), std::string::npos) << all.text;
  auto ps = call("alice", "docker_policy_show", {{"tool", "docker_ps"}});
  ASSERT_FALSE(ps.is_error) << ps.text;
  std::vector<std::string> ids;
  for (const auto& r : ps.structured["rules"]) ids.push_back(r["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"read-only-tools", "warn-ps"}));
  EXPECT_EQ(executor_.executed, 0);
  EXPECT_EQ(executor_.facts_looked_up, 0);
  auto wrong = call("alice", "docker_policy_show", {{"tool", json::array()}});
  EXPECT_TRUE(wrong.is_error);
}

TEST_F(PolicyToolsTest, ShowPlansAPolicyOperationTheRulesCanMatch) {
  const auto* tool = tools_.find("docker_policy_show");
  ASSERT_NE(tool, nullptr);
  auto action = tools::plan_call(*tool, json::object());
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(actions::operation_name(*action), "policy.show");
}

TEST_F(PolicyToolsTest, BrokenReloadKeepsTheLastGoodPolicyAndIsAudited) {
  const auto before = gate_->policy()->sha256();
  EXPECT_FALSE(gate_->install_policy(policy::PolicySet::parse("bad.yaml", "rules: [\n"), "sighup"));
  EXPECT_EQ(gate_->policy()->sha256(), before);
  auto log = records();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["stage"], "policy_reload");
  EXPECT_EQ(log[0]["result"], "rejected");
  EXPECT_EQ(log[0]["policy_sha256"], before);
  EXPECT_NE(log[0]["error"].get<std::string>().find("bad.yaml:"), std::string::npos);
  EXPECT_FALSE(call("alice", "docker_ps", json::object()).is_error);
}

TEST_F(PolicyToolsTest, GoodReloadSwapsAndCallsInFlightKeepTheirSnapshot) {
  const auto snapshot = gate_->policy();
  ASSERT_TRUE(
      gate_->install_policy(policy::PolicySet::parse("o.yaml", kOtherPolicy), "file_changed"));
  EXPECT_NE(gate_->policy()->sha256(), snapshot->sha256());
  EXPECT_EQ(snapshot->rules().size(), 4u);  // the old set lives on while someone holds it
  auto log = records();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["result"], "ok");
  EXPECT_EQ(log[0]["trigger"], "file_changed");
  EXPECT_EQ(log[0]["previous"], snapshot->sha256());
  EXPECT_EQ(log[0]["policy_sha256"], gate_->policy()->sha256());
  EXPECT_TRUE(call("alice", "docker_ps", json::object()).is_error);  // now denied
}

}  // namespace
}  // namespace dockgate::gate
