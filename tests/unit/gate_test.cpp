// The gate's one path, with a counting executor in place of the engine.
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
  std::optional<std::string> fail_with;
  json answer = json::array();
  Result<actions::Facts> gather_facts(const actions::Action&) override { return actions::Facts{}; }
  Result<json> execute(const actions::Action&, const ProgressCallback&) override {
    ++executed;
    if (fail_with) return make_error(*fail_with);
    return answer;
  }
};

const char* kPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: t
rules:
  - {id: read-only-tools, title: Read, effect: allow, match: {tools: [docker_ps, docker_images, docker_inspect]}}
  - {id: volumes, title: Volumes, effect: allow, match: {tools: [docker_volume_create]}}
  - {id: no-images-for-bob, title: No images for bob, effect: deny, match: {tools: [docker_images], principals: [bob]},
     message: bob may not list images, how_to_comply: ask for the images role}
)";

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("dockgate-gate-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
    audit_ = audit::AuditWriter::open((folder_ / "audit.jsonl").string()).value();
    policy_ = *policy::PolicySet::parse("t.yaml", kPolicy);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  CallOutcome call(const std::string& principal, std::string_view tool, const json& arguments) {
    Gate gate(tools_, policy_, *audit_, executor_);
    return gate.call(CallContext{{principal, {}}, "s1", "test-client", "1.0", "", nullptr}, tool,
                     arguments);
  }

  std::vector<json> records() {
    std::vector<json> out;
    std::ifstream in(folder_ / "audit.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  std::filesystem::path folder_;
  tools::ToolRegistry tools_ = tools::ToolRegistry::with_builtin_tools();
  std::shared_ptr<const policy::PolicySet> policy_;
  std::unique_ptr<audit::AuditWriter> audit_;
  CountingExecutor executor_;
};

TEST_F(GateTest, AllowedCallRunsOnceAndLeavesIntentThenOutcome) {
  auto outcome = call("alice", "docker_ps", {{"all", true}});
  EXPECT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(executor_.executed, 1);
  auto log = records();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["stage"], "intent");
  EXPECT_EQ(log[0]["decision"], "allow");
  EXPECT_EQ(log[0]["principal"]["name"], "alice");
  EXPECT_EQ(log[0]["tool"], "docker_ps");
  EXPECT_EQ(log[0]["arguments"]["all"], true);
  EXPECT_EQ(log[0]["action"]["operation"], "container.list");
  EXPECT_EQ(log[0]["policy_sha256"], policy_->sha256());
  EXPECT_EQ(log[0]["client"]["name"], "test-client");
  EXPECT_EQ(log[1]["stage"], "outcome");
  EXPECT_EQ(log[1]["result"], "ok");
  EXPECT_EQ(log[1]["call_id"], log[0]["call_id"]);
  EXPECT_EQ(log[0]["call_id"].get<std::string>().size(), 32u);
}

TEST_F(GateTest, DeniedCallNamesTheRuleAndNeverReachesTheEngine) {
  auto outcome = call("bob", "docker_images", json::object());
  EXPECT_TRUE(outcome.is_error);
  EXPECT_EQ(executor_.executed, 0);
  EXPECT_NE(outcome.text.find("Denied by policy"), std::string::npos);
  EXPECT_NE(outcome.text.find("[no-images-for-bob]"), std::string::npos);
  EXPECT_NE(outcome.text.find("to comply: ask for the images role"), std::string::npos);
  auto log = records();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["decision"], "deny");
  EXPECT_EQ(log[0]["violations"][0]["rule"], "no-images-for-bob");
  EXPECT_EQ(log[1]["result"], "denied");
}

TEST_F(GateTest, UnknownToolIsAnsweredAndAudited) {
  auto outcome = call("alice", "docker_launch_missiles", json::object());
  EXPECT_TRUE(outcome.is_error);
  EXPECT_NE(outcome.text.find("unknown tool 'docker_launch_missiles'; available tools: docker_ps"),
            std::string::npos);
  EXPECT_EQ(executor_.executed, 0);
  auto log = records();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["decision"], "unknown_tool");
  EXPECT_EQ(log[1]["result"], "unknown_tool");
}

TEST_F(GateTest, MalformedArgumentsAreAnsweredAndAudited) {
  auto outcome = call("alice", "docker_ps", {{"all", "yes"}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_EQ(executor_.executed, 0);
  auto log = records();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["decision"], "invalid");
  EXPECT_EQ(log[0]["arguments"]["all"], "yes");
  EXPECT_EQ(log[1]["result"], "invalid");
}

TEST_F(GateTest, EngineErrorIsReturnedToTheModelAndAudited) {
  executor_.fail_with = "cannot reach engine at tcp://127.0.0.1:1: connection refused";
  auto outcome = call("alice", "docker_ps", json::object());
  EXPECT_TRUE(outcome.is_error);
  EXPECT_EQ(outcome.text, *executor_.fail_with);
  auto log = records();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["decision"], "allow");
  EXPECT_EQ(log[1]["result"], "engine_error");
  EXPECT_EQ(log[1]["error"], *executor_.fail_with);
}

TEST_F(GateTest, CallIsRefusedWhenTheIntentRecordCannotBeWritten) {
  // /dev/full accepts the open and fails every write with ENOSPC: a full disk.
  auto full = audit::AuditWriter::open("/dev/full");
  ASSERT_TRUE(full.ok()) << full.error().message;
  Gate gate(tools_, policy_, **full, executor_);
  auto outcome =
      gate.call(CallContext{{"alice", {}}, "s1", "", "", "", nullptr}, "docker_ps", json::object());
  EXPECT_TRUE(outcome.is_error);
  EXPECT_NE(outcome.text.find("audit log cannot be written"), std::string::npos) << outcome.text;
  EXPECT_NE(outcome.text.find("nothing was sent to the engine"), std::string::npos);
  EXPECT_EQ(executor_.executed, 0);
}

TEST_F(GateTest, HostileArgumentsAreRecordedSafely) {
  const std::string invalid_utf8 = "\xff\xfe\"}\n{\"stage\":\"forged\"}";
  auto outcome = call("alice", "docker_inspect", {{"object", invalid_utf8}});
  EXPECT_TRUE(outcome.is_error);
  auto log = records();
  ASSERT_EQ(log.size(), 2u);  // one line per record: the newline did not forge a third
  EXPECT_EQ(log[0]["decision"], "invalid");
}

TEST_F(GateTest, SecretArgumentsNeverReachTheLogOfARefusedCall) {
  // docker_run is not allowed by this policy: the intent record still holds the arguments.
  call("alice", "docker_run",
       {{"image", "busybox:1.36"},
        {"name", "web"},
        {"env", {"DB_PASSWORD=s3cr3t-run-env"}},
        // The same value elsewhere: the planned action records labels, so it is scrubbed there.
        {"labels", {{"note", "copy of s3cr3t-run-env"}}}});
  call("alice", "docker_exec",
       {{"container", "web"}, {"command", {"true"}}, {"env", {"TOKEN=s3cr3t-exec-env"}}});
  std::ifstream in(folder_ / "audit.jsonl");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos) << text;
  auto log = records();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0]["redacted"], json({"arguments.env[0]", "arguments.labels.note"}));
  EXPECT_EQ(log[0]["arguments"]["labels"]["note"], "copy of <redacted>");
  EXPECT_EQ(log[0]["arguments"]["env"][0], "DB_PASSWORD=<redacted>");
  EXPECT_EQ(log[0]["action"]["container"]["env_keys"], json({"DB_PASSWORD"})) << log[0].dump();
  EXPECT_EQ(log[0]["action"]["container"]["labels"]["note"], "copy of <redacted>");
}

TEST_F(GateTest, OutcomeRecordsTheEngineStatusOfAFailure) {
  executor_.fail_with = "engine error (404): No such volume";
  call("alice", "docker_ps", json::object());
  auto log = records();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1]["result"], "engine_error");
  EXPECT_EQ(log[1]["engine_status"], 404);
}

TEST_F(GateTest, OutcomeRecordsWhatTheCallCreated) {
  executor_.answer = {{"Name", "data-vol"}, {"Driver", "local"}};
  auto outcome = call("alice", "docker_volume_create", {{"name", "data-vol"}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  auto log = records();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1]["created"], json({"data-vol"}));
  EXPECT_EQ(log[0]["seq"], 1);
  EXPECT_EQ(log[1]["seq"], 2);
}

}  // namespace
}  // namespace dockgate::gate
