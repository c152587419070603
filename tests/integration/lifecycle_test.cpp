// docker_logs, docker_exec, docker_stop and docker_rm end to end on the dev engine, through the
// gate with a test policy that allows them. Each test creates its own container (label
// dockgate.test=1) with the EngineClient and TearDown removes it, whatever happened.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <thread>

#include "gate/engine_executor.hpp"
#include "gate/gate.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::steady_clock;

std::optional<std::string> real_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

const char* kPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: lifecycle-test
rules:
  - {id: lifecycle-allowed, title: Lifecycle, effect: allow, match: {tools: [docker_logs, docker_exec, docker_stop, docker_rm]}}
)";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class LifecycleOnEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_environment("DOCKER_HOST")) GTEST_SKIP() << "DOCKER_HOST is unset";
    auto config = engine::engine_config_from_environment(real_environment);
    ASSERT_TRUE(config) << config.error().message;
    engine_ = engine::EngineClient::create(*config).value();
    folder_ = fs::temp_directory_path() / ("dockgate-lifecycle-" + std::to_string(::getpid()));
    fs::create_directories(folder_);
    audit_ = audit::AuditWriter::open((folder_ / "audit.jsonl").string()).value();
    policy_ = *policy::PolicySet::parse("lifecycle.yaml", kPolicy);
    settings_.follow_window = std::chrono::milliseconds(2000);
    settings_.wait_budget = std::chrono::milliseconds(10000);
    use_settings(settings_);

    name_ = "dg-lifecycle-test-" + std::to_string(std::random_device{}());
    const json spec = {{"Image", "dockgate-test/busybox:root"},
                       {"Cmd", {"sh", "-c", "echo out; echo err >&2; sleep 300"}},
                       {"Labels", {{"dockgate.test", "1"}}}};
    auto created = engine_->post("/containers/create?name=" + name_, spec);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_EQ(created->status, 201) << created->body;
    auto started = engine_->post("/containers/" + name_ + "/start");
    ASSERT_TRUE(started && started->status == 204);
    // Wait (bounded) for the two lines, so that every test starts from the same output.
    for (int i = 0; i < 50; ++i) {
      auto logs = engine_->get("/containers/" + name_ + "/logs?stdout=1&stderr=1");
      if (logs && has(logs->body, "out") && has(logs->body, "err")) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  void TearDown() override {
    if (engine_ && !name_.empty()) {
      (void)engine_->del("/containers/" + name_ + "?force=1");
      (void)engine_->del("/containers/" + name_ + "-tty?force=1");
    }
    if (!folder_.empty()) fs::remove_all(folder_);
  }

  void use_settings(const ExecutionSettings& settings) {
    executor_ = std::make_unique<EngineActionExecutor>(*engine_, settings);
    gate_ = std::make_unique<Gate>(tools_, policy_, *audit_, *executor_);
  }

  CallOutcome call(std::string_view tool, const json& arguments) {
    return gate_->call(CallContext{{"tester", {}}, "s1", "gtest", "1", "", nullptr}, tool,
                       arguments);
  }

  int inspect_status() {
    auto response = engine_->get("/containers/" + name_ + "/json");
    return response ? response->status : 0;
  }

  std::unique_ptr<engine::EngineClient> engine_;
  fs::path folder_;
  tools::ToolRegistry tools_ = tools::ToolRegistry::with_builtin_tools();
  std::shared_ptr<const policy::PolicySet> policy_;
  std::unique_ptr<audit::AuditWriter> audit_;
  ExecutionSettings settings_;
  std::unique_ptr<EngineActionExecutor> executor_;
  std::unique_ptr<Gate> gate_;
  std::string name_;
};

TEST_F(LifecycleOnEngine, LogsShowStdoutAndTheStderrSection) {
  auto outcome = call("docker_logs", {{"container", name_}, {"tail", 10}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.text, "out\n--- stderr ---\nerr\n");
  EXPECT_EQ(outcome.structured["stdout"], "out\n");
  EXPECT_EQ(outcome.structured["stderr"], "err\n");
  EXPECT_EQ(outcome.structured["cut"], false);
}

TEST_F(LifecycleOnEngine, LogsTailAndTimestampsAndSince) {
  auto zero = call("docker_logs", {{"container", name_}, {"tail", 0}});
  ASSERT_FALSE(zero.is_error) << zero.text;
  EXPECT_EQ(zero.text, "(no log output)\n");
  auto stamped = call("docker_logs", {{"container", name_}, {"timestamps", true}});
  ASSERT_FALSE(stamped.is_error) << stamped.text;
  const std::string out = stamped.structured["stdout"];
  EXPECT_EQ(out.rfind("20", 0), 0u) << out;  // "2026-11-27T18:00:00.123456789Z out"
  EXPECT_TRUE(has(out, "Z out\n")) << out;
  const auto future = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() +
                      3600;
  auto later = call("docker_logs", {{"container", name_}, {"since", std::to_string(future)}});
  ASSERT_FALSE(later.is_error) << later.text;
  EXPECT_EQ(later.text, "(no log output)\n");
  auto recent = call("docker_logs", {{"container", name_}, {"since", "10m"}});
  ASSERT_FALSE(recent.is_error) << recent.text;
  EXPECT_EQ(recent.structured["stdout"], "out\n");
}

TEST_F(LifecycleOnEngine, LogsOfATtyContainerAreReadRaw) {
  const json spec = {{"Image", "dockgate-test/busybox:root"},
                     {"Tty", true},
                     {"Cmd", {"sh", "-c", "echo tty-out; echo tty-err >&2; sleep 300"}},
                     {"Labels", {{"dockgate.test", "1"}}}};
  auto created = engine_->post("/containers/create?name=" + name_ + "-tty", spec);
  ASSERT_TRUE(created && created->status == 201);
  auto started = engine_->post("/containers/" + name_ + "-tty/start");
  ASSERT_TRUE(started && started->status == 204);
  CallOutcome outcome;
  for (int i = 0; i < 50; ++i) {
    outcome = call("docker_logs", {{"container", name_ + "-tty"}});
    if (has(outcome.text, "tty-err")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  // A terminal has one stream: both lines arrive as stdout, with the terminal's \r\n.
  EXPECT_EQ(outcome.structured["stdout"], "tty-out\r\ntty-err\r\n");
  EXPECT_EQ(outcome.structured["stderr"], "");
}

TEST_F(LifecycleOnEngine, LogsFollowReturnsWithinTheWindow) {
  const auto started = steady_clock::now();
  auto outcome = call("docker_logs", {{"container", name_}, {"follow", true}});
  const auto took = steady_clock::now() - started;
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.text.rfind("(followed for 2s", 0), 0u) << outcome.text;
  EXPECT_TRUE(has(outcome.text, "out\n")) << outcome.text;
  EXPECT_GE(took, std::chrono::milliseconds(1900));
  EXPECT_LT(took, std::chrono::seconds(5));
  // Nothing new arrives while following: still an answer, not a timeout error.
  auto quiet = call("docker_logs", {{"container", name_}, {"follow", true}, {"tail", 0}});
  ASSERT_FALSE(quiet.is_error) << quiet.text;
  EXPECT_EQ(quiet.text, "(followed for 2s, then stopped reading)\n(no log output)\n");
}

TEST_F(LifecycleOnEngine, LogsOfAMissingContainerUseTheEnginesWords) {
  auto outcome = call("docker_logs", {{"container", name_ + "-missing"}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_TRUE(has(outcome.text, "No such container: " + name_ + "-missing")) << outcome.text;
}

TEST_F(LifecycleOnEngine, ExecReturnsStdoutStderrAndTheExitCode) {
  auto outcome = call("docker_exec", {{"container", name_},
                                      {"command", {"sh", "-c", "echo hi; echo oops >&2; exit 3"}}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;  // the command ran: not a tool error
  EXPECT_EQ(outcome.text, "exit code: 3 (the command failed)\nhi\n--- stderr ---\noops\n");
  EXPECT_EQ(outcome.structured["exit_code"], 3);
  EXPECT_EQ(outcome.structured["stdout"], "hi\n");
  EXPECT_EQ(outcome.structured["stderr"], "oops\n");
}

TEST_F(LifecycleOnEngine, ExecHonoursUserEnvAndWorkdir) {
  auto user =
      call("docker_exec", {{"container", name_}, {"command", {"id", "-u"}}, {"user", "1000"}});
  ASSERT_FALSE(user.is_error) << user.text;
  EXPECT_EQ(user.structured["stdout"], "1000\n");
  EXPECT_EQ(user.structured["exit_code"], 0);
  auto env = call("docker_exec", {{"container", name_},
                                  {"command", {"sh", "-c", "echo $GREETING-$OTHER"}},
                                  {"env", {{"GREETING", "hello"}, {"OTHER", "a b"}}}});
  ASSERT_FALSE(env.is_error) << env.text;
  EXPECT_EQ(env.structured["stdout"], "hello-a b\n");
  auto listed =
      call("docker_exec", {{"container", name_}, {"command", {"env"}}, {"env", {"FROM_LIST=1"}}});
  EXPECT_TRUE(has(listed.structured["stdout"].get<std::string>(), "FROM_LIST=1\n"));
  auto dir = call("docker_exec", {{"container", name_}, {"command", {"pwd"}}, {"workdir", "/tmp"}});
  ASSERT_FALSE(dir.is_error) << dir.text;
  EXPECT_EQ(dir.structured["stdout"], "/tmp\n");
}

TEST_F(LifecycleOnEngine, ExecOutputIsCutToItsLastPart) {
  ExecutionSettings small = settings_;
  small.max_output_bytes = 4096;
  use_settings(small);
  auto outcome = call(
      "docker_exec",
      {{"container", name_},
       {"command", {"sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done"}}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["cut"], true);
  EXPECT_GT(outcome.structured["stdout_bytes"].get<int>(), 20000);
  EXPECT_LE(outcome.structured["stdout"].get<std::string>().size(), 4096u);
  EXPECT_TRUE(has(outcome.text, "(output cut: showing the last ")) << outcome.text.substr(0, 200);
  EXPECT_TRUE(has(outcome.text, "line 2999\n"));
}

TEST_F(LifecycleOnEngine, ExecThatOutlivesTheBudgetReturnsWhatArrived) {
  ExecutionSettings short_budget = settings_;
  short_budget.wait_budget = std::chrono::milliseconds(1500);
  use_settings(short_budget);
  const auto started = steady_clock::now();
  auto outcome = call("docker_exec",
                      {{"container", name_}, {"command", {"sh", "-c", "echo started; sleep 30"}}});
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(5));
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_TRUE(has(outcome.text, "still running after")) << outcome.text;
  EXPECT_TRUE(has(outcome.text, "started\n")) << outcome.text;
  EXPECT_TRUE(outcome.structured["exit_code"].is_null());
}

TEST_F(LifecycleOnEngine, StopThenStopAgainSaysAlreadyStoppedAndExecIsRefused) {
  auto stopped = call("docker_stop", {{"container", name_}, {"timeout", 1}});
  ASSERT_FALSE(stopped.is_error) << stopped.text;
  EXPECT_EQ(stopped.text, name_ + "\n");
  EXPECT_EQ(stopped.structured["already_stopped"], false);
  auto again = call("docker_stop", {{"container", name_}});
  ASSERT_FALSE(again.is_error) << again.text;
  EXPECT_TRUE(has(again.text, "already stopped")) << again.text;
  EXPECT_EQ(again.structured["already_stopped"], true);
  auto exec = call("docker_exec", {{"container", name_}, {"command", {"true"}}});
  EXPECT_TRUE(exec.is_error);
  EXPECT_TRUE(has(exec.text, "is not running")) << exec.text;
  // Logs of a stopped container still work.
  auto logs = call("docker_logs", {{"container", name_}});
  ASSERT_FALSE(logs.is_error) << logs.text;
  EXPECT_EQ(logs.structured["stdout"], "out\n");
}

TEST_F(LifecycleOnEngine, RmOfARunningContainerNeedsForce) {
  auto refused = call("docker_rm", {{"container", name_}});
  EXPECT_TRUE(refused.is_error);
  EXPECT_TRUE(has(refused.text, "You cannot remove a running container")) << refused.text;
  EXPECT_TRUE(has(refused.text, "stop it first")) << refused.text;
  EXPECT_TRUE(has(refused.text, "force: true")) << refused.text;
  EXPECT_EQ(inspect_status(), 200);
  auto removed = call("docker_rm", {{"container", name_}, {"force", true}, {"volumes", true}});
  ASSERT_FALSE(removed.is_error) << removed.text;
  EXPECT_EQ(removed.text, name_ + "\n");
  EXPECT_EQ(inspect_status(), 404);
  auto missing = call("docker_rm", {{"container", name_}});
  EXPECT_TRUE(missing.is_error);
  EXPECT_TRUE(has(missing.text, "No such container")) << missing.text;
}

TEST_F(LifecycleOnEngine, StreamingReadsEndAtTheEnginesEndOrAtTheDeadline) {
  std::string body;
  auto sink = [&body](std::string_view piece) { body.append(piece); };
  auto whole = engine_->get_stream("/containers/" + name_ + "/logs?stdout=1&stderr=1",
                                   {steady_clock::now() + std::chrono::seconds(10)}, sink);
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(whole->status, 200);
  EXPECT_FALSE(whole->deadline_reached);
  EXPECT_FALSE(whole->truncated);
  EXPECT_EQ(body.size(), 2 * 8 + 8u);  // two frames: "out\n" and "err\n"

  body.clear();
  const auto started = steady_clock::now();
  auto followed = engine_->get_stream("/containers/" + name_ + "/logs?stdout=1&stderr=1&follow=1",
                                      {started + std::chrono::milliseconds(800)}, sink);
  ASSERT_TRUE(followed) << followed.error().message;
  EXPECT_TRUE(followed->deadline_reached);
  EXPECT_EQ(body.size(), 2 * 8 + 8u);
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(3));

  // exec start answers a hijacked connection: the body runs until the engine closes it.
  auto exec = engine_->post("/containers/" + name_ + "/exec",
                            json{{"AttachStdout", true}, {"Cmd", {"echo", "x"}}});
  ASSERT_TRUE(exec && exec->status == 201);
  body.clear();
  auto started_exec =
      engine_->post_stream("/exec/" + json::parse(exec->body)["Id"].get<std::string>() + "/start",
                           json{{"Detach", false}, {"Tty", false}},
                           {steady_clock::now() + std::chrono::seconds(10)}, sink);
  ASSERT_TRUE(started_exec) << started_exec.error().message;
  EXPECT_EQ(started_exec->status, 200);
  EXPECT_FALSE(started_exec->deadline_reached);
  EXPECT_FALSE(started_exec->truncated);
  EXPECT_EQ(body, std::string("\x01\x00\x00\x00\x00\x00\x00\x02x\n", 10));

  auto missing = engine_->get_stream("/containers/" + name_ + "-missing/logs?stdout=1",
                                     {steady_clock::now() + std::chrono::seconds(5)}, sink);
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(has(missing->error_message(), "No such container")) << missing->body;
}

TEST_F(LifecycleOnEngine, HostileContainerNamesNeverReachTheEngine) {
  auto outcome = call("docker_stop", {{"container", "../" + name_}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_TRUE(has(outcome.text, "must be a container name or id")) << outcome.text;
  EXPECT_EQ(inspect_status(), 200);
  auto running = engine_->get("/containers/" + name_ + "/json");
  ASSERT_TRUE(running);
  EXPECT_TRUE(json::parse(running->body)["State"]["Running"].get<bool>());
}

}  // namespace
}  // namespace dockgate::gate
