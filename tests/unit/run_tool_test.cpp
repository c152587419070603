// docker_run: arguments -> RunContainer, and the rendering of the executor's answer. Every
// argument lands in its spec field; every bad input is refused with an error naming it.
#include <gtest/gtest.h>

#include "tools/tool.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;
using namespace std::string_literals;

const Tool& run_tool() {
  static const ToolRegistry tools = ToolRegistry::with_builtin_tools();
  const Tool* tool = tools.find("docker_run");
  EXPECT_NE(tool, nullptr);
  return *tool;
}

actions::RunContainer planned(const json& arguments) {
  auto action = plan_call(run_tool(), arguments);
  EXPECT_TRUE(action.ok()) << arguments.dump() << ": " << action.error().message;
  if (!action.ok()) return {};
  return std::get<actions::RunContainer>(*action);
}

std::string refusal(const json& arguments) {
  auto action = plan_call(run_tool(), arguments);
  EXPECT_FALSE(action.ok()) << "expected docker_run to refuse " << arguments.dump();
  return action.ok() ? "" : action.error().message;
}

json with_image(json arguments) {
  arguments["image"] = "dockgate-test/busybox:root";
  return arguments;
}

// Every string has a maxLength and every list a maxItems, however deep.
void expect_bounded(const json& schema, const std::string& path) {
  ASSERT_TRUE(schema.is_object()) << path << ": " << schema.dump();
  const std::string type = schema.value("type", "");
  if (type == "string") {
    EXPECT_TRUE(schema.contains("maxLength")) << path;
  }
  if (type == "array") {
    EXPECT_TRUE(schema.contains("maxItems")) << path;
    expect_bounded(schema.at("items"), path + "[]");
  }
  if (type == "object") {
    const json properties = schema.value("properties", json::object());
    for (const auto& [key, property] : properties.items()) {
      expect_bounded(property, path + "." + key);
    }
    const json patterns = schema.value("patternProperties", json::object());
    for (const auto& [pattern, property] : patterns.items()) {
      expect_bounded(property, path + "." + pattern);
    }
    EXPECT_TRUE(schema.contains("properties") || schema.contains("maxProperties")) << path;
  }
  const json options = schema.value("anyOf", json::array());
  for (const auto& option : options) expect_bounded(option, path);
}

TEST(RunToolDefinition, RequiresImageAndBoundsEveryInput) {
  const auto& definition = run_tool().definition();
  EXPECT_EQ(definition.name, "docker_run");
  EXPECT_EQ(definition.input_schema["required"], json::array({"image"}));
  EXPECT_EQ(definition.input_schema["additionalProperties"], false);
  EXPECT_FALSE(definition.read_only);
  expect_bounded(definition.input_schema, "arguments");
  EXPECT_NE(definition.description.find("\"ports\": [\"8080:80\"]"), std::string::npos);
  for (const char* name :
       {"image",      "name",      "detach",     "ports",        "env",     "volumes",
        "network",    "memory",    "cpus",       "healthcheck",  "secrets", "user",
        "cap_add",    "cap_drop",  "command",    "entrypoint",   "workdir", "labels",
        "restart",    "read_only", "privileged", "security_opt", "remove",  "publish_all",
        "pids_limit", "devices",   "sysctls",    "pid",          "ipc"}) {
    EXPECT_TRUE(definition.input_schema["properties"].contains(name)) << name;
  }
}

TEST(RunToolPlan, TheNginxExampleFromTheDescription) {
  auto run = planned({{"image", "nginx:1.25"}, {"name", "web"}, {"ports", {"8080:80"}}});
  EXPECT_TRUE(run.detach);
  EXPECT_EQ(run.spec.image.full(), "docker.io/library/nginx:1.25");
  EXPECT_EQ(run.spec.name, "web");
  ASSERT_EQ(run.spec.ports.size(), 1u);
  EXPECT_EQ(run.spec.ports[0].host_port, 8080);
  EXPECT_EQ(run.spec.ports[0].container_port, 80);
  EXPECT_EQ(run.spec.ports[0].protocol, "tcp");
  EXPECT_FALSE(run.spec.command.has_value());
  EXPECT_FALSE(run.spec.entrypoint.has_value());
  EXPECT_FALSE(run.spec.healthcheck.has_value());
}

TEST(RunToolPlan, EveryArgumentLandsInItsSpecField) {
  auto run = planned(with_image({
      {"name", "app-1"},
      {"detach", false},
      {"ports", {"127.0.0.1:8080:80", "53:53/udp"}},
      {"env", {"A=1", "B=x=y"}},
      {"volumes", {"db-data:/data", "/srv/site:/site:ro"}},
      {"network", "app-network"},
      {"memory", "64m"},
      {"cpus", "0.5"},
      {"healthcheck",
       {{"test", {"CMD", "true"}},
        {"interval", "5s"},
        {"timeout", "2s"},
        {"retries", 3},
        {"start_period", "1s"}}},
      {"secrets", {"db_password", "api.key"}},
      {"user", "1000:1000"},
      {"cap_drop", {"ALL"}},
      {"cap_add", {"net_bind_service"}},
      {"command", {"sh", "-c", "echo hi"}},
      {"entrypoint", {"/bin/sh"}},
      {"workdir", "/app"},
      {"labels", {{"app", "shop"}}},
      {"restart", "on-failure:2"},
      {"read_only", true},
      {"privileged", true},
      {"security_opt", {"no-new-privileges"}},
      {"remove", true},
      {"publish_all", true},
      {"pids_limit", 100},
      {"devices", {"/dev/fuse", "/dev/a:/dev/b", "/dev/c:r"}},
      {"sysctls", {{"net.core.somaxconn", "1024"}}},
      {"pid", "host"},
      {"ipc", "container:other"},
  }));
  const auto& s = run.spec;
  EXPECT_FALSE(run.detach);
  EXPECT_EQ(s.name, "app-1");
  ASSERT_EQ(s.ports.size(), 2u);
  EXPECT_EQ(s.ports[0].host_ip, "127.0.0.1");
  EXPECT_EQ(s.ports[1].protocol, "udp");
  EXPECT_EQ(s.env, (std::vector<std::string>{"A=1", "B=x=y"}));
  ASSERT_EQ(s.mounts.size(), 2u);
  EXPECT_EQ(s.mounts[0].type, actions::MountType::Volume);
  EXPECT_EQ(s.mounts[0].source, "db-data");
  EXPECT_EQ(s.mounts[1].type, actions::MountType::Bind);
  EXPECT_TRUE(s.mounts[1].read_only);
  EXPECT_EQ(s.network, "app-network");
  EXPECT_EQ(s.memory_bytes, 64 * 1024 * 1024);
  EXPECT_EQ(s.nano_cpus, 500000000);
  ASSERT_TRUE(s.healthcheck.has_value());
  EXPECT_EQ(s.healthcheck->test, (std::vector<std::string>{"CMD", "true"}));
  EXPECT_EQ(s.healthcheck->interval_ns, 5'000'000'000);
  EXPECT_EQ(s.healthcheck->timeout_ns, 2'000'000'000);
  EXPECT_EQ(s.healthcheck->start_period_ns, 1'000'000'000);
  EXPECT_EQ(s.healthcheck->retries, 3);
  EXPECT_EQ(s.secrets, (std::vector<std::string>{"db_password", "api.key"}));
  EXPECT_EQ(s.user, "1000:1000");
  EXPECT_EQ(s.cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_EQ(s.cap_add, std::vector<std::string>{"NET_BIND_SERVICE"});
  EXPECT_EQ(*s.command, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(*s.entrypoint, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(s.workdir, "/app");
  EXPECT_EQ(s.labels, (std::map<std::string, std::string>{{"app", "shop"}}));
  EXPECT_EQ(s.restart.name, "on-failure");
  EXPECT_EQ(s.restart.maximum_retry_count, 2);
  EXPECT_TRUE(s.read_only_rootfs);
  EXPECT_TRUE(s.privileged);
  EXPECT_EQ(s.security_opt.size(), 1u);
  EXPECT_TRUE(s.auto_remove);
  EXPECT_TRUE(s.publish_all);
  EXPECT_EQ(s.pids_limit, 100);
  EXPECT_EQ(s.devices, (std::vector<std::string>{"/dev/fuse:/dev/fuse:rwm", "/dev/a:/dev/b:rwm",
                                                 "/dev/c:/dev/c:r"}));
  EXPECT_EQ(s.sysctls, (std::map<std::string, std::string>{{"net.core.somaxconn", "1024"}}));
  EXPECT_EQ(s.pid_mode, "host");
  EXPECT_EQ(s.ipc_mode, "container:other");
}

TEST(RunToolPlan, EnvAsAnObjectEqualsTheList) {
  auto run = planned(with_image({{"env", {{"B", "2"}, {"A", "x=1"}}}}));
  EXPECT_EQ(run.spec.env, (std::vector<std::string>{"A=x=1", "B=2"}));
}

TEST(RunToolPlan, CpusAsANumberAndHealthcheckShortForms) {
  EXPECT_EQ(planned(with_image({{"cpus", 0.5}})).spec.nano_cpus, 500000000);
  EXPECT_EQ(planned(with_image({{"cpus", 2}})).spec.nano_cpus, 2000000000);
  auto shell = planned(with_image({{"healthcheck", {{"test", "wget -q -O- localhost"}}}}));
  EXPECT_EQ(shell.spec.healthcheck->test,
            (std::vector<std::string>{"CMD-SHELL", "wget -q -O- localhost"}));
  auto bare = planned(with_image({{"healthcheck", {{"test", {"true"}}}}}));
  EXPECT_EQ(bare.spec.healthcheck->test, (std::vector<std::string>{"CMD", "true"}));
  auto none = planned(with_image({{"healthcheck", {{"test", {"NONE"}}}}}));
  EXPECT_EQ(none.spec.healthcheck->test, std::vector<std::string>{"NONE"});
}

TEST(RunToolPlan, NetworkModesAreKeptAsGivenForThePolicy) {
  EXPECT_EQ(planned(with_image({{"network", "host"}})).spec.network, "host");
  EXPECT_EQ(planned(with_image({{"network", "none"}})).spec.network, "none");
  EXPECT_EQ(planned(with_image({{"network", "container:db"}})).spec.network, "container:db");
}

struct BadInput {
  const char* title;
  json arguments;  // with the image unless the case is about it
  const char* expected;
};

TEST(RunToolPlan, EachBadInputIsRefusedNamingTheArgument) {
  const std::string long_name(300, 'a');
  json many_ports = json::array();
  for (int i = 0; i < 65; ++i) many_ports.push_back("80");
  json many_labels = json::object();
  for (int i = 0; i < 65; ++i) many_labels["k" + std::to_string(i)] = "v";
  const std::vector<BadInput> cases = {
      // missing or wrong type
      {"no image", json::object(), "missing required argument 'image'"},
      {"image number", {{"image", 5}}, "argument 'image' must be a string"},
      {"ports string", with_image({{"ports", "8080:80"}}), "argument 'ports' must be a list"},
      {"detach string", with_image({{"detach", "yes"}}), "argument 'detach' must be a boolean"},
      {"labels list", with_image({{"labels", {"a=b"}}}), "argument 'labels' must be an object"},
      {"label value number", with_image({{"labels", {{"a", 1}}}}), "argument 'labels.a'"},
      {"env number", with_image({{"env", 3}}), "argument 'env' must be"},
      {"cpus bool", with_image({{"cpus", true}}), "argument 'cpus' must be"},
      {"retries string", with_image({{"healthcheck", {{"test", "true"}, {"retries", "3"}}}}),
       "argument 'healthcheck.retries' must be an integer"},
      {"healthcheck without test", with_image({{"healthcheck", {{"interval", "5s"}}}}),
       "missing required argument 'healthcheck.test'"},
      {"unknown argument", with_image({{"volume", {"x:/x"}}}), "unknown argument 'volume'"},
      // oversized
      {"long name", with_image({{"name", long_name}}), "argument 'name' is too long"},
      {"65 ports", with_image({{"ports", many_ports}}), "argument 'ports' has 65 entries"},
      {"65 labels", with_image({{"labels", many_labels}}), "argument 'labels': has 65 entries"},
      {"huge env value", with_image({{"env", {{"A", std::string(9000, 'x')}}}}),
       "argument 'env.A' is too long: 9000 characters"},
      {"pids limit", with_image({{"pids_limit", 0}}), "argument 'pids_limit' must be at least 1"},
      // hostile or malformed
      {"port out of range", with_image({{"ports", {"99999:80"}}}), "argument 'ports[0]': "},
      {"memory lots", with_image({{"memory", "lots"}}), "argument 'memory': "},
      {"cpus negative", with_image({{"cpus", -1}}), "argument 'cpus': "},
      {"relative volume", with_image({{"volumes", {"../../etc:/x"}}}), "argument 'volumes[0]': "},
      {"command string", with_image({{"command", "rm -rf /"}}),
       "argument 'command' must be a list"},
      {"empty command", with_image({{"command", json::array()}}), "argument 'command'"},
      {"entrypoint string", with_image({{"entrypoint", "/bin/sh"}}),
       "argument 'entrypoint' must be a list"},
      {"reserved label", with_image({{"labels", {{"dockgate.owner", "me"}}}}),
       "argument 'labels.dockgate.owner': labels starting with 'dockgate.' are reserved"},
      {"reserved label upper", with_image({{"labels", {{"DockGate.Owner", "me"}}}}),
       "argument 'labels.DockGate.Owner'"},
      {"env key with =", with_image({{"env", {{"A=B", "c"}}}}),
       "argument 'env.A=B': a variable name must not contain '='"},
      {"env NUL in list", with_image({{"env", {"A\0B=1"s}}}), "argument 'env[0]'"},
      {"env NUL in key", with_image({{"env", {{"A\0B"s, "1"}}}}), "NUL"},
      {"env bad key", with_image({{"env", {"1A=x"}}}), "argument 'env[0]': "},
      {"bad image", json{{"image", "UPPER/Case"}}, "argument 'image': "},
      {"bad name", with_image({{"name", "-web"}}), "argument 'name': a container name"},
      {"name with slash", with_image({{"name", "a/b"}}), "argument 'name'"},
      {"bad network", with_image({{"network", "my net"}}), "argument 'network': must be"},
      {"bad pid", with_image({{"pid", "private"}}), "argument 'pid': must be \"host\""},
      {"bad ipc", with_image({{"ipc", "container:"}}), "argument 'ipc'"},
      {"secret traversal", with_image({{"secrets", {"../etc/shadow"}}}),
       "argument 'secrets[0]': a secret name"},
      {"secret twice", with_image({{"secrets", {"a", "a"}}}), "argument 'secrets[1]'"},
      {"relative workdir", with_image({{"workdir", "app"}}), "argument 'workdir': must be"},
      {"bad capability", with_image({{"cap_add", {"CAP_TELEPORT"}}}), "argument 'cap_add[0]': "},
      {"bad security opt", with_image({{"security_opt", {"whatever"}}}),
       "argument 'security_opt[0]': "},
      {"bad restart", with_image({{"restart", "sometimes"}}), "argument 'restart': "},
      {"bad duration", with_image({{"healthcheck", {{"test", "true"}, {"interval", "often"}}}}),
       "argument 'healthcheck.interval': "},
      {"relative device", with_image({{"devices", {"dev/fuse"}}}), "argument 'devices[0]'"},
      {"device climb", with_image({{"devices", {"/dev/../etc/shadow"}}}), "argument 'devices[0]'"},
      {"device perms", with_image({{"devices", {"/dev/a:/dev/b:rwx"}}}), "argument 'devices[0]'"},
      {"bad sysctl", with_image({{"sysctls", {{"../x", "1"}}}}), "argument 'sysctls.../x'"},
      {"healthcheck NONE plus", with_image({{"healthcheck", {{"test", {"NONE", "x"}}}}}),
       "argument 'healthcheck.test'"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.title);
    const std::string message = refusal(bad.arguments);
    EXPECT_NE(message.find(bad.expected), std::string::npos)
        << bad.title << ": got \"" << message << "\"";
  }
}

TEST(RunToolRender, DetachedRunSaysWhatStarted) {
  auto out = run_tool().render(
      actions::RunContainer{},
      {{"id", "0123456789abcdef"}, {"name", "web"}, {"warnings", {"careful"}}}, {});
  EXPECT_EQ(out.text, "Started container web (id 0123456789ab)\nWarning: careful\n");
  EXPECT_EQ(out.structured["id"], "0123456789abcdef");
  EXPECT_EQ(out.structured["name"], "web");
  EXPECT_EQ(out.structured["warnings"], json::array({"careful"}));
  EXPECT_FALSE(out.structured.contains("exit_code"));
}

TEST(RunToolRender, AttachedRunShowsExitCodeAndOutput) {
  auto out = run_tool().render(actions::RunContainer{},
                               {{"id", "0123456789abcdef"},
                                {"name", "job"},
                                {"warnings", json::array()},
                                {"exit_code", 3},
                                {"output", "hello"},
                                {"output_truncated", false}},
                               {});
  EXPECT_EQ(out.text, "Container job exited with code 3\n--- output (last 50 lines) ---\nhello\n");
  EXPECT_EQ(out.structured["exit_code"], 3);
  EXPECT_EQ(out.structured["output"], "hello");
}

TEST(RunToolRender, StillRunningPointsToLogs) {
  auto out = run_tool().render(actions::RunContainer{},
                               {{"id", "0123456789abcdef"},
                                {"name", "slow"},
                                {"warnings", json::array()},
                                {"still_running", true},
                                {"waited_seconds", 30}},
                               {});
  EXPECT_EQ(out.text,
            "Container slow (id 0123456789ab) is still running after 30s; see docker_logs for "
            "its output\n");
  EXPECT_EQ(out.structured["still_running"], true);
}

}  // namespace
}  // namespace dockgate::tools
