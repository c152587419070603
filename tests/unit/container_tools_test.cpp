// docker_stop, docker_rm, docker_logs and docker_exec: planning (every argument, wrong types,
// missing, oversized and hostile values) and rendering of the executor's answers.
#include <gtest/gtest.h>

#include "tools/object_arguments.hpp"
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

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1795802400));

ToolOutput render(std::string_view tool, const actions::Action& action, const json& result) {
  return registry().find(tool)->render(action, result, kNow);
}

TEST(ContainerTools, AreRegisteredWithTheirAnnotations) {
  for (const char* name : {"docker_stop", "docker_rm", "docker_logs", "docker_exec"}) {
    const Tool* tool = registry().find(name);
    ASSERT_NE(tool, nullptr) << name;
    EXPECT_EQ(tool->definition().input_schema["additionalProperties"], false);
    EXPECT_TRUE(tool->definition().output_schema.is_object()) << name;
  }
  EXPECT_TRUE(registry().find("docker_stop")->definition().destructive);
  EXPECT_TRUE(registry().find("docker_rm")->definition().destructive);
  EXPECT_TRUE(registry().find("docker_logs")->definition().read_only);
  EXPECT_FALSE(registry().find("docker_exec")->definition().read_only);
}

TEST(ContainerTools, ContainerIsRequiredAndMustBeADockerName) {
  for (const char* tool : {"docker_stop", "docker_rm", "docker_logs"}) {
    EXPECT_TRUE(has(error_of(tool, json::object()), "missing required argument 'container'"));
    EXPECT_TRUE(has(error_of(tool, {{"container", 7}}), "argument 'container' must be a string"));
    EXPECT_TRUE(has(error_of(tool, {{"container", std::string(300, 'a')}}), "too long"));
    for (const char* hostile : {"../x", "a/b", "..", "web?force=1", "web x", "-web", "a..b"}) {
      EXPECT_TRUE(has(error_of(tool, {{"container", hostile}}), "must be a container name or id"))
          << tool << " " << hostile;
    }
  }
  EXPECT_TRUE(has(error_of("docker_exec", {{"container", "../x"}, {"command", {"ls"}}}),
                  "must be a container name or id"));
}

TEST(StopTool, PlansTheContainerAndTimeout) {
  auto stop = planned<actions::StopContainer>("docker_stop", {{"container", "web"}});
  EXPECT_EQ(stop.container, "web");
  EXPECT_FALSE(stop.timeout_seconds);
  stop = planned<actions::StopContainer>("docker_stop",
                                         {{"container", "3f2a9c1b7d4e"}, {"timeout", 0}});
  EXPECT_EQ(*stop.timeout_seconds, 0);
  EXPECT_EQ(*planned<actions::StopContainer>("docker_stop", {{"container", "w"}, {"timeout", 600}})
                 .timeout_seconds,
            600);
}

TEST(StopTool, TimeoutOutOfRangeOrWrongTypeIsRefused) {
  EXPECT_TRUE(has(error_of("docker_stop", {{"container", "w"}, {"timeout", -1}}),
                  "argument 'timeout' must be at least 0"));
  EXPECT_TRUE(has(error_of("docker_stop", {{"container", "w"}, {"timeout", 601}}),
                  "argument 'timeout' must be at most 600"));
  EXPECT_TRUE(has(error_of("docker_stop", {{"container", "w"}, {"timeout", "10"}}),
                  "argument 'timeout' must be an integer"));
  EXPECT_TRUE(
      has(error_of("docker_stop", {{"container", "w"}, {"timeout", 1.5}}), "must be an integer"));
}

TEST(StopTool, SaysWhenTheContainerWasAlreadyStopped) {
  actions::Action stop = actions::StopContainer{"web", std::nullopt};
  auto stopped = render("docker_stop", stop, {{"already_stopped", false}});
  EXPECT_EQ(stopped.text, "web\n");
  auto again = render("docker_stop", stop, {{"already_stopped", true}});
  EXPECT_TRUE(has(again.text, "web was already stopped"));
  EXPECT_EQ(again.structured["already_stopped"], true);
}

TEST(RmTool, PlansForceAndVolumes) {
  auto rm = planned<actions::RemoveContainer>("docker_rm", {{"container", "web"}});
  EXPECT_FALSE(rm.force);
  EXPECT_FALSE(rm.remove_volumes);
  rm = planned<actions::RemoveContainer>(
      "docker_rm", {{"container", "web"}, {"force", true}, {"volumes", true}});
  EXPECT_TRUE(rm.force);
  EXPECT_TRUE(rm.remove_volumes);
  EXPECT_TRUE(has(error_of("docker_rm", {{"container", "w"}, {"force", "yes"}}),
                  "argument 'force' must be a boolean"));
  EXPECT_TRUE(
      has(error_of("docker_rm", {{"container", "w"}, {"link", true}}), "unknown argument 'link'"));
}

TEST(LogsTool, PlansEveryArgument) {
  auto logs = planned<actions::ReadLogs>("docker_logs", {{"container", "app-web"}});
  EXPECT_EQ(logs.container, "app-web");
  EXPECT_FALSE(logs.tail);
  EXPECT_FALSE(logs.follow);
  EXPECT_FALSE(logs.timestamps);
  EXPECT_EQ(logs.since, "");
  logs = planned<actions::ReadLogs>("docker_logs", {{"container", "app-web"},
                                                    {"tail", 50},
                                                    {"follow", true},
                                                    {"since", "10m"},
                                                    {"timestamps", true}});
  EXPECT_EQ(*logs.tail, 50);
  EXPECT_TRUE(logs.follow);
  EXPECT_TRUE(logs.timestamps);
  EXPECT_EQ(logs.since, "10m");
  EXPECT_FALSE(
      planned<actions::ReadLogs>("docker_logs", {{"container", "w"}, {"tail", "all"}}).tail);
  EXPECT_EQ(*planned<actions::ReadLogs>("docker_logs", {{"container", "w"}, {"tail", 0}}).tail, 0);
}

TEST(LogsTool, BadTailIsRefused) {
  EXPECT_TRUE(has(error_of("docker_logs", {{"container", "w"}, {"tail", "lots"}}),
                  "argument 'tail' must be one of \"all\""));
  EXPECT_TRUE(has(error_of("docker_logs", {{"container", "w"}, {"tail", -1}}), "at least 0"));
  EXPECT_TRUE(has(error_of("docker_logs", {{"container", "w"}, {"tail", 10001}}), "at most 10000"));
  EXPECT_TRUE(has(error_of("docker_logs", {{"container", "w"}, {"tail", true}}),
                  "argument 'tail' must be an integer or a string"));
}

TEST(LogsTool, SinceAcceptsDockersFormsAndRefusesOthers) {
  for (const char* since : {"2026-11-27T18:00:00Z", "2026-11-27T18:00:00.5+01:00", "1795802400",
                            "1795802400.25", "10m", "1h30m", "45s"}) {
    EXPECT_TRUE(plan("docker_logs", {{"container", "w"}, {"since", since}}).ok()) << since;
  }
  for (const char* since : {"yesterday", "-10m", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                            "1795802400.", "2026-11-27 18:00:00", "10x"}) {
    EXPECT_TRUE(
        has(error_of("docker_logs", {{"container", "w"}, {"since", since}}), "argument 'since'"))
        << since;
  }
  EXPECT_TRUE(has(error_of("docker_logs", {{"container", "w"}, {"since", std::string(65, '1')}}),
                  "too long"));
  EXPECT_TRUE(has(error_of("docker_logs", {{"container", "w"}, {"since", 10}}),
                  "argument 'since' must be a string"));
}

TEST(LogsSince, ConvertsToUnixSecondsForTheApi) {
  EXPECT_EQ(*logs_since_to_unix("2026-11-27T18:00:00Z", kNow), "1795802400");
  EXPECT_EQ(*logs_since_to_unix("2026-11-27T19:00:00+01:00", kNow), "1795802400");
  EXPECT_EQ(*logs_since_to_unix("2026-11-27T18:00:00.25Z", kNow), "1795802400.25");
  EXPECT_EQ(*logs_since_to_unix("1795802400", kNow), "1795802400");
  EXPECT_EQ(*logs_since_to_unix("10m", kNow), "1795801800");
  EXPECT_EQ(*logs_since_to_unix("1h30m", kNow), "1795797000");
  EXPECT_FALSE(logs_since_to_unix("1969-12-31T23:59:59Z", kNow).ok());
}

TEST(LogsTool, RendersStdoutThenAStderrSectionWithCutNotes) {
  actions::Action logs = actions::ReadLogs{"web", 50, false, "", false};
  auto output = render("docker_logs", logs,
                       {{"stdout", "out\n"},
                        {"stderr", "err\n"},
                        {"stdout_bytes", 4},
                        {"stderr_bytes", 4},
                        {"stdout_cut", false},
                        {"stderr_cut", false}});
  EXPECT_EQ(output.text, "out\n--- stderr ---\nerr\n");
  EXPECT_EQ(output.structured["stdout"], "out\n");
  EXPECT_EQ(output.structured["stderr"], "err\n");
  EXPECT_EQ(output.structured["cut"], false);
  EXPECT_EQ(output.structured["container"], "web");

  auto cut = render("docker_logs", logs,
                    {{"stdout", "last\n"}, {"stdout_bytes", 900000}, {"stdout_cut", true}});
  EXPECT_EQ(cut.text, "(output cut: showing the last 5 bytes of 900000)\nlast\n");
  EXPECT_EQ(cut.structured["cut"], true);

  auto empty = render("docker_logs", logs, json::object());
  EXPECT_EQ(empty.text, "(no log output)\n");
}

TEST(LogsTool, FollowSaysHowLongItFollowed) {
  actions::Action logs = actions::ReadLogs{"web", std::nullopt, true, "", false};
  auto output = render("docker_logs", logs, {{"stdout", "tick\n"}, {"followed_seconds", 5.0}});
  EXPECT_EQ(output.text, "(followed for 5s, then stopped reading)\ntick\n");
  EXPECT_EQ(output.structured["followed_seconds"], 5.0);
}

TEST(ExecTool, PlansTheCommandAsGivenWithUserWorkdirAndEnv) {
  auto exec =
      planned<actions::ExecCommand>("docker_exec", {{"container", "web"},
                                                    {"command", {"sh", "-c", "echo hi; exit 3"}},
                                                    {"user", "1000:1000"},
                                                    {"workdir", "/tmp"},
                                                    {"env", {"A=1", "B=x=y"}}});
  EXPECT_EQ(exec.container, "web");
  EXPECT_EQ(exec.argv, (std::vector<std::string>{"sh", "-c", "echo hi; exit 3"}));
  EXPECT_EQ(exec.user, "1000:1000");
  EXPECT_EQ(exec.workdir, "/tmp");
  EXPECT_EQ(exec.env, (std::vector<std::string>{"A=1", "B=x=y"}));
  auto with_object = planned<actions::ExecCommand>(
      "docker_exec", {{"container", "web"}, {"command", {"env"}}, {"env", {{"GREETING", "hi"}}}});
  EXPECT_EQ(with_object.env, std::vector<std::string>{"GREETING=hi"});
  EXPECT_EQ(with_object.user, "");
  EXPECT_TRUE(
      plan("docker_exec", {{"container", "w"}, {"command", {"ls"}}, {"interactive", false}}).ok());
}

TEST(ExecTool, AStringCommandIsRefusedExplainingHowToUseAShell) {
  const auto error = error_of("docker_exec", {{"container", "web"}, {"command", "rm -rf /"}});
  EXPECT_TRUE(has(error, "argument 'command' must be a list of strings")) << error;
  EXPECT_TRUE(has(error, "[\"sh\", \"-c\", \"rm -rf /\"]")) << error;
}

TEST(ExecTool, InteractiveIsRefusedClearly) {
  EXPECT_TRUE(has(
      error_of("docker_exec", {{"container", "web"}, {"command", {"sh"}}, {"interactive", true}}),
      "MCP cannot carry an interactive session; run a non-interactive command "
      "instead"));
}

TEST(ExecTool, MissingWrongOversizedAndHostileValuesAreRefused) {
  EXPECT_TRUE(
      has(error_of("docker_exec", {{"container", "web"}}), "missing required argument 'command'"));
  EXPECT_TRUE(
      has(error_of("docker_exec", {{"command", {"ls"}}}), "missing required argument 'container'"));
  EXPECT_TRUE(has(error_of("docker_exec", {{"container", "web"}, {"command", json::array()}}),
                  "must name a program"));
  EXPECT_TRUE(has(error_of("docker_exec", {{"container", "web"}, {"command", {"ls", 3}}}),
                  "argument 'command[1]' must be a string"));
  EXPECT_TRUE(has(error_of("docker_exec", {{"container", "web"}, {"command", 5}}),
                  "argument 'command' must be a list or a string"));
  EXPECT_TRUE(has(error_of("docker_exec", {{"container", "web"},
                                           {"command", json(std::vector<std::string>(129, "a"))}}),
                  "at most 128"));
  EXPECT_TRUE(
      has(error_of("docker_exec", {{"container", "web"}, {"command", {std::string(8193, 'a')}}}),
          "too long"));
  EXPECT_TRUE(
      has(error_of("docker_exec", {{"container", "w"}, {"command", {"id"}}, {"user", "a b:"}}),
          "argument 'user'"));
  EXPECT_TRUE(
      has(error_of("docker_exec", {{"container", "w"}, {"command", {"ls"}}, {"workdir", "../etc"}}),
          "argument 'workdir' must be an absolute path"));
  EXPECT_TRUE(
      has(error_of("docker_exec", {{"container", "w"}, {"command", {"ls"}}, {"env", "A=1"}}),
          "argument 'env' must be a list or an object"));
  EXPECT_TRUE(
      has(error_of("docker_exec", {{"container", "w"}, {"command", {"ls"}}, {"env", {"=1"}}}),
          "argument 'env[0]'"));
  EXPECT_TRUE(
      has(error_of("docker_exec", {{"container", "w"}, {"command", {"ls"}}, {"env", {{"A", 1}}}}),
          "argument 'env.A' must be a string"));
  EXPECT_TRUE(has(error_of("docker_exec",
                           {{"container", "w"}, {"command", {"ls"}}, {"env", {{"BAD KEY", "1"}}}}),
                  "argument 'env.BAD KEY'"));
  EXPECT_TRUE(
      has(error_of("docker_exec", {{"container", "w"}, {"command", {"ls"}}, {"privileged", true}}),
          "unknown argument 'privileged'"));
}

TEST(ExecTool, StatesTheExitCodeFirstAndANonZeroCodeIsNotAnError) {
  actions::Action exec = actions::ExecCommand{"web", {"sh", "-c", "x"}, "", "", {}};
  auto output = render("docker_exec", exec,
                       {{"stdout", "hi\n"},
                        {"stderr", "oops\n"},
                        {"stdout_bytes", 3},
                        {"stderr_bytes", 5},
                        {"exit_code", 3},
                        {"still_running", false}});
  EXPECT_EQ(output.text, "exit code: 3 (the command failed)\nhi\n--- stderr ---\noops\n");
  EXPECT_EQ(output.structured["exit_code"], 3);
  EXPECT_EQ(output.structured["stdout"], "hi\n");
  EXPECT_EQ(output.structured["stderr"], "oops\n");
  auto ok = render("docker_exec", exec, {{"stdout", "x"}, {"exit_code", 0}});
  EXPECT_EQ(ok.text, "exit code: 0\nx\n");
  auto running =
      render("docker_exec", exec,
             {{"still_running", true}, {"exit_code", nullptr}, {"waited_seconds", 30.0}});
  EXPECT_TRUE(has(running.text, "still running after 30s")) << running.text;
  EXPECT_TRUE(running.structured["exit_code"].is_null());
}

}  // namespace
}  // namespace dockgate::tools
