// docker_compose_up / docker_compose_down end to end on the dev engine, through the gate under
// policies/default.yaml. Each test writes its compose file into a fresh workspace folder
// named dgcompose<random> (the project name) and tears the project down by its label.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
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

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Scenario 1 of tools.md as a compose file: a "database" (busybox httpd serving a file from
// its named volume (mounted on the image's /tmp, so uid 1000 may write), healthy once the file is
// there) and a web service that starts only when the database is healthy and fetches the file by
// the service name "db".
const char* kScenario = R"(services:
  db:
    image: dockgate-test/busybox:user
    user: "1000:1000"
    cap_drop: [ALL]
    stop_grace_period: 1s
    environment:
      DB_PASSWORD: ${DB_PASSWORD:-compose-test-secret-value}
    command: ["sh", "-c", "sleep 1; echo ready > /tmp/state; exec httpd -f -p 8080 -h /tmp"]
    volumes:
      - db-data:/tmp
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/state"]
      interval: 1s
      timeout: 2s
      retries: 30
  web:
    image: dockgate-test/busybox:user
    user: "1000:1000"
    cap_drop: [ALL]
    command: ["sh", "-c", "T=${API_TOKEN:-none}; wget -q -O /tmp/got http://db:8080/state; exec sleep 3600"]
    stop_grace_period: 1s
    ports:
      - "127.0.0.1::8080"
    depends_on:
      db:
        condition: service_healthy
volumes:
  db-data:
)";

class ComposeOnEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_environment("DOCKER_HOST")) GTEST_SKIP() << "DOCKER_HOST is unset";
    auto config = engine::engine_config_from_environment(real_environment);
    ASSERT_TRUE(config) << config.error().message;
    engine_ = engine::EngineClient::create(*config).value();
    project_ = "dgcompose" + std::to_string(std::random_device{}());
    root_ = fs::temp_directory_path() / ("dockgate-compose-" + std::to_string(::getpid()));
    folder_ = root_ / project_;
    fs::create_directories(folder_);
    root_ = fs::canonical(root_);
    folder_ = fs::canonical(folder_);
    audit_path_ = (root_ / "audit.jsonl").string();
    audit_ = audit::AuditWriter::open(audit_path_).value();
    auto loaded =
        policy::PolicySet::load({std::string(DOCKGATE_SOURCE_DIR) + "/policies/default.yaml"});
    ASSERT_TRUE(loaded) << loaded.error().message;
    policy_ = *loaded;
    tools_ = std::make_unique<tools::ToolRegistry>(
        tools::ToolRegistry::with_builtin_tools({root_.string()}));
    executor_ = std::make_unique<EngineActionExecutor>(*engine_);
    gate_ = std::make_unique<Gate>(*tools_, policy_, *audit_, *executor_);
  }

  void TearDown() override {
    if (engine_ && !project_.empty()) {
      for (const char* kind : {"containers", "networks", "volumes"}) {
        for (const auto& id : labelled(kind)) {
          const std::string suffix = std::string(kind) == "containers" ? "?force=1&v=1" : "";
          (void)engine_->del("/" + std::string(kind) + "/" + id + suffix);
        }
      }
    }
    if (!root_.empty()) fs::remove_all(root_);
  }

  // Ids (names for volumes) of what carries this test's project label.
  std::vector<std::string> labelled(const std::string& kind) {
    const std::string filters =
        "%7B%22label%22%3A%5B%22com.docker.compose.project%3D" + project_ + "%22%5D%7D";
    const std::string path = kind == "containers" ? "/containers/json?all=1&filters=" + filters
                                                  : "/" + kind + "?filters=" + filters;
    auto response = engine_->get(path);
    std::vector<std::string> out;
    if (!response || !response->ok()) return out;
    json body = json::parse(response->body);
    if (kind == "volumes") body = body["Volumes"];
    if (!body.is_array()) return out;
    for (const auto& item : body) out.push_back(item.value(kind == "volumes" ? "Name" : "Id", ""));
    return out;
  }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(folder_ / name) << text;
  }

  CallOutcome call(std::string_view tool, const json& arguments) {
    return gate_->call(CallContext{{"tester", {}}, "s1", "gtest", "1", "", nullptr}, tool,
                       arguments);
  }

  json inspect(const std::string& container) {
    auto response = engine_->get("/containers/" + container + "/json");
    if (!response || !response->ok()) return nullptr;
    return json::parse(response->body);
  }

  std::string shell(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return out;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    ::pclose(pipe);
    return out;
  }

  std::unique_ptr<engine::EngineClient> engine_;
  fs::path root_, folder_;
  std::string project_, audit_path_;
  std::unique_ptr<tools::ToolRegistry> tools_;
  std::shared_ptr<const policy::PolicySet> policy_;
  std::unique_ptr<audit::AuditWriter> audit_;
  std::unique_ptr<EngineActionExecutor> executor_;
  std::unique_ptr<Gate> gate_;
};

TEST_F(ComposeOnEngine, ScenarioOneComesUpIsSeenByDockerComposeAndGoesDown) {
  write("docker-compose.yml", kScenario);
  write(".env", "API_TOKEN=dotenv-token-secret-value\n");
  auto up = call("docker_compose_up", {{"path", folder_.string()}});
  ASSERT_FALSE(up.is_error) << up.text;
  EXPECT_TRUE(has(up.text, "services.db: created " + project_ + "-db-1")) << up.text;

  // web started after db was healthy, and reached it by its service name.
  const json db = inspect(project_ + "-db-1");
  ASSERT_FALSE(db.is_null());
  EXPECT_EQ(db["State"]["Health"]["Status"], "healthy");
  EXPECT_EQ(db["Config"]["Labels"]["com.docker.compose.project"], project_);
  EXPECT_EQ(db["Config"]["Labels"]["com.docker.compose.service"], "db");
  EXPECT_EQ(db["Config"]["Labels"]["com.docker.compose.oneoff"], "False");
  EXPECT_EQ(db["HostConfig"]["CapDrop"], json({"ALL"}));
  auto fetched = call("docker_exec", {{"container", project_ + "-web-1"},
                                      {"command", json({"sh", "-c", "sleep 1; cat /tmp/got"})}});
  ASSERT_FALSE(fetched.is_error) << fetched.text;
  EXPECT_TRUE(has(fetched.text, "ready")) << fetched.text;

  // Docker Compose itself sees the stack (Debian's docker-compose 1.29, same engine).
  ASSERT_FALSE(shell("command -v docker-compose").empty())
      << "docker-compose is missing: scripts/setup.sh installs it";
  {
    // requests (under docker-py) lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override the
    // DOCKER_CERT_PATH CA, which would make it distrust the dev engine: unset them.
    const std::string ps = shell("cd '" + folder_.string() +
                                 "' && env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE docker-compose "
                                 "ps 2>&1");
    EXPECT_TRUE(has(ps, project_ + "-db-1")) << ps;
    EXPECT_TRUE(has(ps, project_ + "-web-1")) << ps;
  }

  // A second up of the same file changes nothing.
  const std::string web_id = inspect(project_ + "-web-1")["Id"];
  auto again = call("docker_compose_up", {{"path", folder_.string()}});
  ASSERT_FALSE(again.is_error) << again.text;
  EXPECT_TRUE(has(again.text, "services.web: running")) << again.text;
  EXPECT_EQ(inspect(project_ + "-web-1")["Id"], web_id);

  // A changed service is recreated.
  std::string changed = kScenario;
  changed.replace(changed.find("exec sleep 3600"), 15, "exec sleep 3601");
  write("docker-compose.yml", changed);
  auto recreated = call("docker_compose_up", {{"path", folder_.string()}});
  ASSERT_FALSE(recreated.is_error) << recreated.text;
  EXPECT_TRUE(has(recreated.text, "services.web: recreated")) << recreated.text;
  EXPECT_TRUE(has(recreated.text, "services.db: running")) << recreated.text;

  // The secret from the environment never reaches the audit log; the plan and steps do.
  std::ifstream audit(audit_path_);
  const std::string log((std::istreambuf_iterator<char>(audit)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(has(log, "compose-test-secret-value"));
  EXPECT_FALSE(has(log, "dotenv-token-secret-value")) << "a .env value in a command is scrubbed";
  EXPECT_TRUE(
      has(inspect(project_ + "-web-1")["Config"]["Cmd"].dump(), "dotenv-token-secret-value"));
  EXPECT_TRUE(has(log, "\"steps\""));

  auto down = call("docker_compose_down", {{"path", folder_.string()}});
  ASSERT_FALSE(down.is_error) << down.text;
  EXPECT_TRUE(labelled("containers").empty());
  EXPECT_TRUE(labelled("networks").empty());
  EXPECT_EQ(labelled("volumes").size(), 1u) << "down keeps named volumes without removeVolumes";
  auto down_volumes =
      call("docker_compose_down", {{"path", folder_.string()}, {"removeVolumes", true}});
  ASSERT_FALSE(down_volumes.is_error) << down_volumes.text;
  EXPECT_TRUE(labelled("volumes").empty());
}

TEST_F(ComposeOnEngine, OneBadServiceRefusesTheWholeFileAndCreatesNothing) {
  write("compose.yaml", R"(services:
  good:
    image: dockgate-test/busybox:user
    user: "1000:1000"
    cap_drop: [ALL]
    command: ["sleep", "60"]
  bad:
    image: dockgate-test/busybox:root
    privileged: true
    network_mode: host
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
)");
  auto up = call("docker_compose_up", {{"path", folder_.string()}});
  ASSERT_TRUE(up.is_error);
  for (const char* part :
       {"[pss-privileged]", "services.bad.privileged", "[pss-run-as-non-root]", "services.bad.user",
        "[pss-host-namespaces]", "services.bad.network", "[cis-docker-socket]"})
    EXPECT_TRUE(has(up.text, part)) << part << "\n" << up.text;
  EXPECT_FALSE(has(up.text, "field: services.good")) << up.text;
  EXPECT_TRUE(labelled("containers").empty());
  EXPECT_TRUE(labelled("networks").empty());
}

TEST_F(ComposeOnEngine, InlineContentAndBadFilesAreAnsweredClearly) {
  std::string inline_file = "name: " + project_ + "\n" + kScenario;
  auto up = call("docker_compose_up", {{"content", inline_file}, {"services", {"db"}}});
  ASSERT_FALSE(up.is_error) << up.text;
  EXPECT_FALSE(inspect(project_ + "-db-1").is_null());
  EXPECT_TRUE(inspect(project_ + "-web-1").is_null()) << "only db (and its dependencies) asked";
  auto down = call("docker_compose_down", {{"content", inline_file}, {"removeVolumes", true}});
  ASSERT_FALSE(down.is_error) << down.text;
  EXPECT_TRUE(labelled("containers").empty());

  auto unknown = call("docker_compose_up", {{"content",
                                             "services:\n  a:\n    image: x:1\n    "
                                             "frobnicate: true\n"}});
  EXPECT_TRUE(unknown.is_error);
  EXPECT_TRUE(has(unknown.text, "frobnicate")) << unknown.text;
  EXPECT_TRUE(has(unknown.text, ":4")) << unknown.text;
  auto broken = call("docker_compose_up", {{"content", "services:\n  a: [\n"}});
  EXPECT_TRUE(broken.is_error);
  auto missing = call("docker_compose_up",
                      {{"content", "services:\n  a:\n    image: ${NOPE?set NOPE first}\n"}});
  EXPECT_TRUE(missing.is_error);
  EXPECT_TRUE(has(missing.text, "set NOPE first")) << missing.text;
  auto escape = call("docker_compose_up", {{"path", "/etc"}});
  EXPECT_TRUE(escape.is_error);
  EXPECT_TRUE(has(escape.text, "outside the workspace roots")) << escape.text;
  auto both = call("docker_compose_up", {{"path", folder_.string()}, {"content", "services: {}"}});
  EXPECT_TRUE(both.is_error);
  EXPECT_TRUE(labelled("containers").empty());
}

TEST_F(ComposeOnEngine, TheExecutorActsOnlyOnWhatTheDecisionSaw) {
  // A network judged absent that exists when the step runs (another call made it meanwhile)
  // fails the step; a container judged absent is not looked for again by down.
  const std::string network = project_ + "_default";
  ASSERT_TRUE(engine_->post(
      "/networks/create",
      json{{"Name", network}, {"Labels", {{"com.docker.compose.project", project_}}}}));
  actions::CreateNetwork create;
  create.name = network;
  create.labels["com.docker.compose.project"] = project_;
  actions::ComposeUp up;
  up.project = project_;
  up.steps.push_back({"docker_network_create", "networks.default", create, {}, std::string()});
  auto result = executor_->execute(up, nullptr);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(has(result->value("error", ""), "appeared after the decision")) << result->dump();

  actions::ComposeDown down;
  down.project = project_;
  down.steps.push_back({"docker_network_rm",
                        "networks.default",
                        actions::RemoveNetwork{network},
                        {},
                        std::string()});
  auto skipped = executor_->execute(down, nullptr);
  ASSERT_TRUE(skipped) << skipped.error().message;
  EXPECT_EQ((*skipped)["steps"][0]["outcome"], "absent");
  EXPECT_EQ(labelled("networks").size(), 1u) << "judged absent: not removed";
}

}  // namespace
}  // namespace dockgate::gate
