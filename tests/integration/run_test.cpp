// docker_run end to end on the dev engine: tool -> action -> policy (a test policy that allows
// docker_run) -> audit -> engine. Every container the tests run carries the label
// dg-run-test=<suffix> (users may not set dockgate.* labels through docker_run); the network
// the test makes carries dockgate.test=1. TearDown removes all of it, whatever happened.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "gate/engine_executor.hpp"
#include "gate/gate.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const char* kImage = "dockgate-test/busybox:root";
const char* kSecretValue = "s3cret-value-for-the-test\n";

std::optional<std::string> real_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

const char* kPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: run-test
rules:
  - {id: run-allowed, title: Run, effect: allow, match: {tools: [docker_run]}}
)";

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// An HTTP answer's first line from 127.0.0.1:port, retried while the server starts.
std::string http_status_line(int port) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      const std::string request = "GET / HTTP/1.0\r\n\r\n";
      (void)!::write(fd, request.data(), request.size());
      char buffer[256];
      const auto n = ::read(fd, buffer, sizeof buffer);
      if (n > 0) answer.assign(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (!answer.empty()) return answer.substr(0, answer.find('\r'));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

class RunOnEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_environment("DOCKER_HOST")) GTEST_SKIP() << "DOCKER_HOST is unset";
    auto config = engine::engine_config_from_environment(real_environment);
    ASSERT_TRUE(config) << config.error().message;
    engine_ = engine::EngineClient::create(*config).value();
    suffix_ = std::to_string(std::random_device{}());
    folder_ = fs::temp_directory_path() / ("dockgate-run-test-" + suffix_);
    fs::create_directories(folder_ / "secrets");
    std::ofstream(folder_ / "secrets" / "db_password") << kSecretValue;
    audit_ = audit::AuditWriter::open((folder_ / "audit.jsonl").string()).value();
    policy_ = *policy::PolicySet::parse("run-test.yaml", kPolicy);
    ExecutionSettings settings;
    settings.secrets_dir = (folder_ / "secrets").string();
    settings.wait_budget = std::chrono::seconds(20);
    executor_ = std::make_unique<EngineActionExecutor>(*engine_, settings);
    gate_ = std::make_unique<Gate>(tools_, policy_, *audit_, *executor_);
    volume_ = "dg-run-vol-" + suffix_;
    network_ = "dg-run-net-" + suffix_;
  }

  void TearDown() override {
    if (engine_) {
      for (const auto& id : container_ids()) {
        (void)engine_->del("/containers/" + id + "?force=1&v=1");
      }
      (void)engine_->del("/volumes/" + volume_);
      (void)engine_->del("/networks/" + network_);
    }
    if (!folder_.empty()) fs::remove_all(folder_);
  }

  std::vector<std::string> container_ids() {
    const json filters = {{"label", {"dg-run-test=" + suffix_}}};
    auto list = engine_->get("/containers/json?all=1&filters=" + url_encode(filters.dump()));
    std::vector<std::string> ids;
    if (!list || !list->ok()) {
      ADD_FAILURE() << "cannot list the test's containers";
      return ids;
    }
    for (const auto& c : json::parse(list->body)) ids.push_back(c["Id"].get<std::string>());
    return ids;
  }

  json labelled(json arguments) {
    arguments["labels"]["dg-run-test"] = suffix_;
    if (!arguments.contains("image")) arguments["image"] = kImage;
    return arguments;
  }

  CallOutcome run(const json& arguments) {
    return gate_->call(CallContext{{"tester", {}}, "s1", "gtest", "1", "", nullptr}, "docker_run",
                       labelled(arguments));
  }

  json inspect(const std::string& container) {
    auto response = engine_->get("/containers/" + container + "/json");
    EXPECT_TRUE(response && response->ok()) << container;
    return response && response->ok() ? json::parse(response->body) : json::object();
  }

  void create_network() {
    auto created = engine_->post("/networks/create", json{{"Name", network_},
                                                          {"Driver", "bridge"},
                                                          {"CheckDuplicate", true},
                                                          {"Labels", {{"dockgate.test", "1"}}}});
    ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
  }

  std::unique_ptr<engine::EngineClient> engine_;
  std::string suffix_;
  fs::path folder_;
  tools::ToolRegistry tools_ = tools::ToolRegistry::with_builtin_tools();
  std::shared_ptr<const policy::PolicySet> policy_;
  std::unique_ptr<audit::AuditWriter> audit_;
  std::unique_ptr<EngineActionExecutor> executor_;
  std::unique_ptr<Gate> gate_;
  std::string volume_;
  std::string network_;
};

TEST_F(RunOnEngine, DetachedRunCreatesExactlyWhatWasAskedFor) {
  create_network();
  const int port = free_local_port();
  ASSERT_NE(port, 0);
  const std::string name = "dg-run-web-" + suffix_;
  auto outcome = run({
      {"name", name},
      {"ports", {"127.0.0.1:" + std::to_string(port) + ":8080"}},
      {"env", {{"GREETING", "hi"}}},
      {"volumes", {volume_ + ":/data"}},
      {"network", network_},
      {"memory", "64m"},
      {"cpus", "0.5"},
      {"healthcheck",
       {{"test", {"CMD", "true"}},
        {"interval", "5s"},
        {"timeout", "2s"},
        {"retries", 3},
        {"start_period", "1s"}}},
      {"user", "1000:1000"},
      {"cap_drop", {"ALL"}},
      {"cap_add", {"NET_BIND_SERVICE"}},
      {"restart", "on-failure:2"},
      {"read_only", true},
      {"labels", {{"app", "shop"}}},
      {"workdir", "/data"},
      {"entrypoint", {"httpd"}},
      {"command", {"-f", "-p", "8080", "-h", "/data"}},
      {"secrets", {"db_password"}},
      {"pids_limit", 50},
      {"security_opt", {"no-new-privileges"}},
  });
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.text.rfind("Started container " + name + " (id ", 0), 0u) << outcome.text;
  EXPECT_EQ(outcome.structured["name"], name);

  const json c = inspect(name);
  EXPECT_EQ(c["Id"], outcome.structured["id"]);
  EXPECT_NE(c["Config"]["Image"].get<std::string>().find("dockgate-test/busybox:root"),
            std::string::npos);
  const auto env = c["Config"]["Env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "GREETING=hi"), env.end()) << env;
  EXPECT_EQ(c["Config"]["User"], "1000:1000");
  EXPECT_EQ(c["Config"]["WorkingDir"], "/data");
  EXPECT_EQ(c["Config"]["Labels"]["app"], "shop");
  EXPECT_EQ(c["Config"]["Entrypoint"], json::array({"httpd"}));
  EXPECT_EQ(c["Config"]["Cmd"], json::array({"-f", "-p", "8080", "-h", "/data"}));
  EXPECT_TRUE(c["Config"]["ExposedPorts"].contains("8080/tcp"));
  EXPECT_EQ(c["Config"]["Healthcheck"]["Test"], json::array({"CMD", "true"}));
  EXPECT_EQ(c["Config"]["Healthcheck"]["Interval"], 5000000000LL);
  EXPECT_EQ(c["Config"]["Healthcheck"]["Timeout"], 2000000000LL);
  EXPECT_EQ(c["Config"]["Healthcheck"]["StartPeriod"], 1000000000LL);
  EXPECT_EQ(c["Config"]["Healthcheck"]["Retries"], 3);
  const json& host = c["HostConfig"];
  EXPECT_EQ(host["Memory"], 67108864);
  EXPECT_EQ(host["NanoCpus"], 500000000);
  EXPECT_EQ(host["PidsLimit"], 50);
  EXPECT_EQ(host["CapDrop"], json::array({"ALL"}));
  EXPECT_EQ(host["CapAdd"], json::array({"NET_BIND_SERVICE"}));
  EXPECT_EQ(host["RestartPolicy"]["Name"], "on-failure");
  EXPECT_EQ(host["RestartPolicy"]["MaximumRetryCount"], 2);
  EXPECT_EQ(host["ReadonlyRootfs"], true);
  EXPECT_EQ(host["Privileged"], false);
  EXPECT_EQ(host["AutoRemove"], false);
  EXPECT_EQ(host["NetworkMode"], network_);
  EXPECT_EQ(host["SecurityOpt"], json::array({"no-new-privileges=true"}));
  EXPECT_EQ(host["PortBindings"]["8080/tcp"][0]["HostIp"], "127.0.0.1");
  EXPECT_EQ(host["PortBindings"]["8080/tcp"][0]["HostPort"], std::to_string(port));
  ASSERT_EQ(host["Mounts"].size(), 2u) << host["Mounts"];
  EXPECT_EQ(host["Mounts"][0]["Type"], "volume");
  EXPECT_EQ(host["Mounts"][0]["Source"], volume_);
  EXPECT_EQ(host["Mounts"][0]["Target"], "/data");
  EXPECT_EQ(host["Mounts"][1]["Type"], "bind");
  EXPECT_EQ(host["Mounts"][1]["Source"], (folder_ / "secrets" / "db_password").string());
  EXPECT_EQ(host["Mounts"][1]["Target"], "/run/secrets/db_password");
  EXPECT_EQ(host["Mounts"][1]["ReadOnly"], true);
  EXPECT_TRUE(c["NetworkSettings"]["Networks"].contains(network_));

  // The named volume did not exist: the engine made it on create, as docker does, unlabelled.
  auto volume = engine_->get("/volumes/" + volume_);
  ASSERT_TRUE(volume && volume->ok());
  EXPECT_TRUE(json::parse(volume->body)["Labels"].is_null() ||
              json::parse(volume->body)["Labels"].empty());
  // And the published port answers (httpd as uid 1000 on 8080).
  EXPECT_EQ(http_status_line(port).rfind("HTTP/1.", 0), 0u);
}

TEST_F(RunOnEngine, BindsRelabelledBindsAndAnonymousVolumes) {
  const fs::path site = folder_ / "site";
  fs::create_directories(site);
  std::ofstream(site / "index.html") << "hello-site\n";
  const std::string name = "dg-run-binds-" + suffix_;
  auto outcome =
      run({{"name", name},
           {"detach", false},
           {"volumes", {site.string() + ":/site:ro", site.string() + ":/relabel:ro,z", "/cache"}},
           {"command",
            {"sh", "-c",
             "cat /site/index.html /relabel/index.html; touch /site/new 2>/dev/null "
             "&& echo writable || echo read-only; touch /cache/x && echo cache-ok"}}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["output"], "hello-site\nhello-site\nread-only\ncache-ok\n");
  const json host = inspect(name)["HostConfig"];
  // API 1.41's Mounts cannot relabel: the z bind goes as a Binds string, the rest as Mounts.
  EXPECT_EQ(host["Binds"], json::array({site.string() + ":/relabel:ro,z"}));
  ASSERT_EQ(host["Mounts"].size(), 2u) << host["Mounts"];
  EXPECT_EQ(
      host["Mounts"][0],
      json({{"Type", "bind"}, {"Source", site.string()}, {"Target", "/site"}, {"ReadOnly", true}}));
  EXPECT_EQ(host["Mounts"][1], json({{"Type", "volume"}, {"Target", "/cache"}}));
}

TEST_F(RunOnEngine, NamespaceDeviceAndSysctlSettingsReachTheEngine) {
  const std::string first = "dg-run-first-" + suffix_;
  ASSERT_FALSE(run({{"name", first}, {"command", {"sleep", "30"}}}).is_error);
  const std::string name = "dg-run-second-" + suffix_;
  auto outcome = run({{"name", name},
                      {"command", {"sleep", "30"}},
                      {"pid", "container:" + first},
                      {"ipc", "shareable"},
                      {"sysctls", {{"net.core.somaxconn", "1024"}}},
                      {"devices", {"/dev/null:/dev/mynull:r"}},
                      {"ports", {"80"}},
                      {"publish_all", true},
                      {"remove", true}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  const json host = inspect(name)["HostConfig"];
  // The engine stores the joined container by id.
  EXPECT_EQ(host["PidMode"], "container:" + inspect(first)["Id"].get<std::string>());
  EXPECT_EQ(host["IpcMode"], "shareable");
  EXPECT_EQ(host["Sysctls"], json({{"net.core.somaxconn", "1024"}}));
  EXPECT_EQ(host["Devices"], json::array({{{"PathOnHost", "/dev/null"},
                                           {"PathInContainer", "/dev/mynull"},
                                           {"CgroupPermissions", "r"}}}));
  EXPECT_EQ(host["PublishAllPorts"], true);
  EXPECT_EQ(host["AutoRemove"], true);
  EXPECT_EQ(host["PortBindings"]["80/tcp"][0]["HostPort"], "");
}

TEST_F(RunOnEngine, AttachedRunReturnsTheExitCodeAndOutput) {
  auto hello = run({{"detach", false}, {"command", {"echo", "hello"}}});
  ASSERT_FALSE(hello.is_error) << hello.text;
  EXPECT_EQ(hello.structured["exit_code"], 0);
  EXPECT_EQ(hello.structured["output"], "hello\n");
  EXPECT_NE(hello.text.find("exited with code 0\n--- output (last 50 lines) ---\nhello\n"),
            std::string::npos)
      << hello.text;

  auto failing = run({{"detach", false}, {"command", {"sh", "-c", "echo oops >&2; exit 3"}}});
  ASSERT_FALSE(failing.is_error) << failing.text;
  EXPECT_EQ(failing.structured["exit_code"], 3);
  EXPECT_EQ(failing.structured["output"], "oops\n");

  // With a restart policy the first exit is the answer, as docker run without -d gives it.
  auto restarting = run({{"detach", false},
                         {"restart", "on-failure:1"},
                         {"command", {"sh", "-c", "sleep 0.2; exit 4"}}});
  ASSERT_FALSE(restarting.is_error) << restarting.text;
  EXPECT_EQ(restarting.structured["exit_code"], 4);
}

TEST_F(RunOnEngine, AttachedRunWithRemoveLeavesNothingBehind) {
  auto outcome = run({{"detach", false}, {"remove", true}, {"command", {"echo", "bye"}}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["output"], "bye\n");
  EXPECT_TRUE(container_ids().empty());
}

TEST_F(RunOnEngine, SecretIsReadableAtRunSecrets) {
  auto outcome = run({{"detach", false},
                      {"secrets", {"db_password"}},
                      {"command", {"cat", "/run/secrets/db_password"}}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["exit_code"], 0);
  EXPECT_EQ(outcome.structured["output"], kSecretValue);
  // The value was only ever in the container: the audit log never saw it.
  std::ifstream audit(folder_ / "audit.jsonl");
  const std::string log((std::istreambuf_iterator<char>(audit)), {});
  EXPECT_EQ(log.find("s3cret-value"), std::string::npos);
}

TEST_F(RunOnEngine, UnknownSecretOrNoSecretsFolderIsRefusedAndCreatesNothing) {
  auto unknown = run({{"secrets", {"nope"}}, {"command", {"true"}}});
  EXPECT_TRUE(unknown.is_error);
  EXPECT_NE(unknown.text.find("secret 'nope' does not exist on this server"), std::string::npos)
      << unknown.text;

  EngineActionExecutor without_secrets(*engine_);
  Gate gate(tools_, policy_, *audit_, without_secrets);
  auto outcome =
      gate.call(CallContext{{"tester", {}}, "s1", "gtest", "1", "", nullptr}, "docker_run",
                labelled({{"secrets", {"db_password"}}, {"command", {"true"}}}));
  EXPECT_TRUE(outcome.is_error);
  EXPECT_NE(outcome.text.find(
                "secrets are not configured on this server: start dockgate with --secrets-dir"),
            std::string::npos)
      << outcome.text;
  EXPECT_TRUE(container_ids().empty());
}

TEST_F(RunOnEngine, MissingImageIsAClearErrorAndCreatesNothing) {
  auto outcome = run({{"image", "dockgate-test/absent:1"}, {"name", "dg-run-x-" + suffix_}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_NE(outcome.text.find("image dockgate-test/absent:1 is not present on the engine: pull "
                              "it first with docker_pull"),
            std::string::npos)
      << outcome.text;
  EXPECT_TRUE(container_ids().empty());
}

TEST_F(RunOnEngine, AContainerThatCannotStartIsRemovedAgain) {
  auto outcome = run({{"name", "dg-run-broken-" + suffix_}, {"command", {"/no/such/binary"}}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_NE(outcome.text.find("could not be started, so it was removed"), std::string::npos)
      << outcome.text;
  EXPECT_TRUE(container_ids().empty());
}

TEST_F(RunOnEngine, BadInputCreatesNothing) {
  const std::vector<json> bad = {
      {{"ports", {"99999:80"}}},
      {{"memory", "lots"}},
      {{"volumes", {"../../etc:/x"}}},
      {{"command", "rm -rf /"}},
      {{"labels", {{"dockgate.owner", "someone-else"}}}},
      {{"env", {{"A=B", "c"}}}},
      {{"name", std::string(300, 'n')}},
      {{"cpus", true}},
  };
  for (const auto& arguments : bad) {
    auto outcome = run(arguments);
    EXPECT_TRUE(outcome.is_error) << arguments.dump();
    EXPECT_NE(outcome.text.find("argument '"), std::string::npos) << outcome.text;
  }
  EXPECT_TRUE(container_ids().empty());
}

TEST_F(RunOnEngine, AttachedRunPastItsBudgetSaysStillRunning) {
  ExecutionSettings settings;
  settings.wait_budget = std::chrono::seconds(1);
  EngineActionExecutor impatient(*engine_, settings);
  Gate gate(tools_, policy_, *audit_, impatient);
  auto outcome =
      gate.call(CallContext{{"tester", {}}, "s1", "gtest", "1", "", nullptr}, "docker_run",
                labelled({{"detach", false}, {"command", {"sleep", "30"}}}));
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_EQ(outcome.structured["still_running"], true);
  EXPECT_NE(outcome.text.find("is still running after 1s; see docker_logs"), std::string::npos)
      << outcome.text;
  EXPECT_EQ(container_ids().size(), 1u);
}

}  // namespace
}  // namespace dockgate::gate
