// docker_pull and docker_rmi without Docker: argument checking, rendering, the policy's image
// control on pulls, registry logins from the configuration, and progress notifications from
// the gate through the MCP session.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/registry_auth.hpp"
#include "gate/gate.hpp"
#include "mcp/session.hpp"
#include "policy/controls.hpp"
#include "tools/tool.hpp"

namespace dockgate {
namespace {

using nlohmann::json;

const tools::ToolRegistry& registry() {
  static const auto tools = tools::ToolRegistry::with_builtin_tools();
  return tools;
}

Result<actions::Action> plan(const std::string& tool, const json& arguments) {
  return tools::plan_call(*registry().find(tool), arguments);
}

std::string error_of(const std::string& tool, const json& arguments) {
  auto planned = plan(tool, arguments);
  EXPECT_FALSE(planned) << tool << " accepted " << arguments.dump();
  return planned ? std::string() : planned.error().message;
}

TEST(PullTool, NormalizesTheReferenceAsDockerDoes) {
  auto planned = plan("docker_pull", {{"image", "postgres:13"}});
  ASSERT_TRUE(planned) << planned.error().message;
  const auto& pull = std::get<actions::PullImage>(*planned);
  EXPECT_EQ(pull.image.full(), "docker.io/library/postgres:13");
  EXPECT_EQ(actions::operation_name(*planned), "image.pull");
  EXPECT_EQ(actions::to_json(*planned)["image"], "docker.io/library/postgres:13");

  auto implicit = plan("docker_pull", {{"image", "127.0.0.1:5000/dockgate-test/busybox"}});
  ASSERT_TRUE(implicit);
  EXPECT_TRUE(std::get<actions::PullImage>(*implicit).image.implicit_tag);
}

TEST(PullTool, RefusesBadImagesWithTheArgumentNamed) {
  EXPECT_NE(error_of("docker_pull", json::object()).find("image"), std::string::npos);
  EXPECT_NE(error_of("docker_pull", {{"image", 42}}).find("image"), std::string::npos);
  EXPECT_NE(error_of("docker_pull", {{"image", std::string(300, 'a')}}).find("image"),
            std::string::npos);
  for (const char* hostile : {"team/UPPER", "a b", "http://x/y", "", "busybox:1\n", "../etc",
                              "busybox@sha256:short", "-rm"}) {
    EXPECT_NE(error_of("docker_pull", {{"image", hostile}}).find("image"), std::string::npos)
        << hostile;
  }
  EXPECT_FALSE(plan("docker_pull", {{"image", "busybox:1"}, {"registry_password", "x"}}));
}

TEST(PullTool, RendersTheSummaryOrThatThePullContinues) {
  auto planned = plan("docker_pull", {{"image", "busybox:1.36"}});
  ASSERT_TRUE(planned);
  const auto* tool = registry().find("docker_pull");
  const json done = {{"complete", true},
                     {"digest", "sha256:abc"},
                     {"status", "Downloaded newer image for busybox:1.36"},
                     {"status_lines",
                      {"Pulling from library/busybox", "Digest: sha256:abc",
                       "Status: Downloaded newer image for busybox:1.36"}}};
  auto output = tool->render(*planned, done, {});
  EXPECT_NE(output.text.find("Status: Downloaded newer image for busybox:1.36"), std::string::npos);
  EXPECT_EQ(output.structured["digest"], "sha256:abc");
  EXPECT_EQ(output.structured["complete"], true);

  auto unfinished = tool->render(*planned, {{"complete", false}, {"budget_seconds", 50.0}}, {});
  EXPECT_NE(unfinished.text.find("after 50 s"), std::string::npos);
  EXPECT_NE(unfinished.text.find("call docker_pull again"), std::string::npos);
  EXPECT_EQ(unfinished.structured["complete"], false);
}

TEST(RmiTool, AcceptsReferencesAndIds) {
  for (const char* image :
       {"postgres:13", "127.0.0.1:5000/dockgate-test/busybox:1", "1a2b3c4d",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    auto planned = plan("docker_rmi", {{"image", image}, {"force", true}});
    ASSERT_TRUE(planned) << image << ": " << planned.error().message;
    const auto& remove = std::get<actions::RemoveImage>(*planned);
    EXPECT_EQ(remove.image, image);  // sent as typed: the engine resolves names and ids
    EXPECT_TRUE(remove.force);
  }
}

TEST(RmiTool, RefusesBadInput) {
  EXPECT_NE(error_of("docker_rmi", json::object()).find("image"), std::string::npos);
  EXPECT_NE(error_of("docker_rmi", {{"image", true}}).find("image"), std::string::npos);
  EXPECT_NE(error_of("docker_rmi", {{"image", "busybox:1"}, {"force", "yes"}}).find("force"),
            std::string::npos);
  EXPECT_NE(error_of("docker_rmi", {{"image", std::string(300, 'b')}}).find("image"),
            std::string::npos);
  for (const char* hostile : {"team/UPPER:1", "a b", "http://x/y", "", "x?force=1", "x/../../y"}) {
    EXPECT_NE(error_of("docker_rmi", {{"image", hostile}}).find("image"), std::string::npos)
        << hostile;
  }
  EXPECT_TRUE(registry().find("docker_rmi")->definition().destructive);
}

TEST(RmiTool, RendersUntaggedAndDeleted) {
  auto planned = plan("docker_rmi", {{"image", "busybox:1"}});
  ASSERT_TRUE(planned);
  const json removed = {
      {"removed",
       {{{"Untagged", "busybox:1"}}, {{"Deleted", "sha256:aaa"}}, {{"Deleted", "sha256:bbb"}}}}};
  auto output = registry().find("docker_rmi")->render(*planned, removed, {});
  EXPECT_EQ(output.text, "Untagged: busybox:1\nDeleted: sha256:aaa\nDeleted: sha256:bbb\n");
  EXPECT_EQ(output.structured["deleted"].size(), 2u);
  EXPECT_EQ(output.structured["untagged"][0], "busybox:1");
}

TEST(PullPolicy, TheImageControlJudgesPulls) {
  policy::Controls controls;
  controls.images = policy::ImageControl{};
  controls.images->forbid_latest = true;
  controls.images->allowed_registries = {"127.0.0.1:5000"};
  auto latest = plan("docker_pull", {{"image", "127.0.0.1:5000/team/app"}});
  ASSERT_TRUE(latest);
  auto findings = policy::check_controls(controls, *latest, {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].field, "image.tag");

  auto hub = plan("docker_pull", {{"image", "postgres:13"}});
  ASSERT_TRUE(hub);
  findings = policy::check_controls(controls, *hub, {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].allowed.find("127.0.0.1:5000"), std::string::npos);

  auto pinned = plan("docker_pull", {{"image", "127.0.0.1:5000/team/app:1"}});
  ASSERT_TRUE(pinned);
  EXPECT_TRUE(policy::check_controls(controls, *pinned, {}).empty());
}

TEST(PullPolicy, TheDefaultPolicyRefusesAnImplicitLatestPull) {
  auto policy =
      policy::PolicySet::load({std::string(DOCKGATE_SOURCE_DIR) + "/policies/default.yaml"});
  ASSERT_TRUE(policy) << policy.error().message;
  auto decide = [&](const std::string& tool, const json& arguments) {
    auto action = plan(tool, arguments);
    EXPECT_TRUE(action);
    return (*policy)->decide(policy::DecisionInput{tool, *action, {}, {"alice", {}}, {}});
  };
  const auto latest = decide("docker_pull", {{"image", "postgres"}});
  EXPECT_FALSE(latest.allowed);
  ASSERT_FALSE(latest.violations.empty());
  EXPECT_EQ(latest.violations[0].rule_id, "cis-image-pinned");
  EXPECT_TRUE(decide("docker_pull", {{"image", "postgres:13"}}).allowed);
  EXPECT_TRUE(decide("docker_rmi", {{"image", "postgres:13"}}).allowed);
}

class RegistryAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("dockgate-registry-auth-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }
  std::string write(const std::string& name, const std::string& content) {
    const auto path = folder_ / name;
    std::ofstream(path) << content;
    return path.string();
  }
  std::filesystem::path folder_;
};

TEST_F(RegistryAuthTest, ReadsDockerConfigJson) {
  // base64("tester:s3cret pass") and a Docker Hub entry under its legacy address.
  const auto path = write("config.json", R"({"auths": {
      "http://127.0.0.1:5001/": {"auth": "dGVzdGVyOnMzY3JldCBwYXNz"},
      "https://index.docker.io/v1/": {"username": "hub", "password": "pw"}}})");
  auto logins = cli::load_registry_auth_file(path);
  ASSERT_TRUE(logins) << logins.error().message;
  EXPECT_EQ(logins->at("127.0.0.1:5001").username, "tester");
  EXPECT_EQ(logins->at("127.0.0.1:5001").password, "s3cret pass");
  EXPECT_EQ(logins->at("docker.io").username, "hub");
}

TEST_F(RegistryAuthTest, ErrorsNameTheHostNeverThePassword) {
  // base64("nocolon-s3cret"): no user:password separator.
  auto bad = cli::load_registry_auth_file(
      write("bad.json", R"({"auths": {"r.example.com": {"auth": "bm9jb2xvbi1zM2NyZXQ="}}})"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("r.example.com"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("s3cret"), std::string::npos);
  EXPECT_FALSE(cli::load_registry_auth_file(write("x.json", "[1]")));
  EXPECT_FALSE(cli::load_registry_auth_file((folder_ / "missing.json").string()));
}

TEST_F(RegistryAuthTest, ReadsTheConfigFileMapWithPasswordFiles) {
  const auto password = write("password", "s3cret\n");
  const auto node =
      YAML::Load("127.0.0.1:5001: {username: tester, password_file: " + password + "}");
  auto logins = cli::registry_auth_from_config(node, "dockgate.yaml");
  ASSERT_TRUE(logins) << logins.error().message;
  EXPECT_EQ(logins->at("127.0.0.1:5001").password, "s3cret");
  EXPECT_FALSE(cli::registry_auth_from_config(YAML::Load("h: {username: u}"), "c.yaml"));
  EXPECT_FALSE(cli::registry_auth_from_config(
      YAML::Load("h: {username: u, password_file: /nonexistent, password: x}"), "c.yaml"));
  EXPECT_FALSE(cli::registry_auth_from_config(YAML::Load("[1]"), "c.yaml"));
}

// An executor whose pull reports progress out of order, and once more after it returned.
class ReportingExecutor final : public gate::ActionExecutor {
 public:
  Result<actions::Facts> gather_facts(const actions::Action&) override { return actions::Facts{}; }
  Result<json> execute(const actions::Action&, const gate::ProgressCallback& progress) override {
    if (progress) {
      for (double value : {1.0, 3.0, 2.0, 3.0, 4.0})
        progress(value, "step " + std::to_string(value));
    }
    late = progress;
    return json{{"complete", true}, {"status_lines", {"Status: done"}}};
  }
  gate::ProgressCallback late;
};

class ProgressToolService final : public mcp::ToolService {
 public:
  ProgressToolService(gate::Gate& gate, ReportingExecutor& executor)
      : gate_(gate), executor_(executor) {}
  json list_tools(const mcp::SessionContext&) override { return json::array(); }
  json call_tool(const mcp::ToolCall& call) override {
    gate::CallContext context{{"alice", {}}, "s1", "", "", "", nullptr};
    if (call.progress_token && call.notify) {
      context.progress = [&call](double progress, std::string message) {
        call.notify("notifications/progress", {{"progressToken", *call.progress_token},
                                               {"progress", progress},
                                               {"message", message}});
      };
    }
    const auto outcome = gate_.call(context, call.name, call.arguments);
    // A report after the call returned must not reach the client.
    if (executor_.late) executor_.late(99, "too late");
    return {{"content", json::array({{{"type", "text"}, {"text", outcome.text}}})},
            {"isError", outcome.is_error}};
  }

 private:
  gate::Gate& gate_;
  ReportingExecutor& executor_;
};

TEST(PullProgress, NotificationsGrowAndStopBeforeTheReply) {
  const auto folder =
      std::filesystem::temp_directory_path() / ("dockgate-progress-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  auto audit = audit::AuditWriter::open((folder / "audit.jsonl").string()).value();
  auto policy = *policy::PolicySet::parse("t.yaml", R"(apiVersion: dockgate/v1
kind: Policy
name: t
rules:
  - {id: pulls, title: Pulls, effect: allow, match: {tools: [docker_pull]}}
)");
  ReportingExecutor executor;
  gate::Gate gate(registry(), policy, *audit, executor);
  ProgressToolService service(gate, executor);
  std::mutex mutex;
  std::vector<json> sent;
  {
    mcp::Session session(service, mcp::ServerIdentity{}, mcp::SessionContext{}, {},
                         [&](std::string text) {
                           std::lock_guard lock(mutex);
                           sent.push_back(json::parse(text));
                         });
    session.receive(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{)"
                    R"("protocolVersion":"2025-06-18","capabilities":{},)"
                    R"("clientInfo":{"name":"t","version":"1"}}})");
    session.receive(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    session.receive(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":)"
                    R"("docker_pull","arguments":{"image":"busybox:1"},)"
                    R"("_meta":{"progressToken":"tok"}}})");
    session.drain();
  }
  std::filesystem::remove_all(folder);
  std::vector<double> progress;
  bool replied = false;
  for (const auto& message : sent) {
    if (message.value("method", "") == "notifications/progress") {
      EXPECT_FALSE(replied) << "a notification followed the reply";
      EXPECT_EQ(message["params"]["progressToken"], "tok");
      progress.push_back(message["params"]["progress"].get<double>());
    } else if (message.contains("id") && message["id"] == 1) {
      replied = true;
      EXPECT_EQ(message["result"]["isError"], false) << message.dump();
    }
  }
  EXPECT_TRUE(replied);
  EXPECT_EQ(progress, (std::vector<double>{1.0, 3.0, 4.0}));
}

}  // namespace
}  // namespace dockgate
