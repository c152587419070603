// docker_build end to end on the dev engine, through the gate: a context in a temporary
// workspace root with a .dockerignore, built FROM dockgate-test/busybox:root. Every image this
// test builds (and every cached step, which carries the same label) is removed in TearDown.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
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
name: build-test
rules:
  - id: build-allowed
    title: Builds
    effect: allow
    match:
      tools: [docker_build]
  - id: build-pinned
    title: Pinned FROM images
    match: {operations: [image.build]}
    require:
      images: {forbid_latest: true}
    message: pin FROM images
  - id: build-network
    title: No host network
    match: {operations: [image.build]}
    require:
      build: {network_modes: [default, none]}
    message: no host network for builds
)";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class BuildOnEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_environment("DOCKER_HOST")) GTEST_SKIP() << "DOCKER_HOST is unset";
    auto config = engine::engine_config_from_environment(real_environment);
    ASSERT_TRUE(config) << config.error().message;
    engine_ = engine::EngineClient::create(*config).value();
    suffix_ = std::to_string(std::random_device{}());
    folder_ = fs::temp_directory_path() / ("dockgate-build-" + suffix_);
    fs::create_directories(folder_ / "root" / "app");
    folder_ = fs::canonical(folder_);
    audit_ = audit::AuditWriter::open((folder_ / "audit.jsonl").string()).value();
    auto policy = policy::PolicySet::parse("build.yaml", kPolicy);
    ASSERT_TRUE(policy.ok()) << policy.error().message;
    policy_ = *policy;
    tools_ = tools::ToolRegistry::with_builtin_tools({(folder_ / "root").string()});
    executor_ = std::make_unique<EngineActionExecutor>(*engine_);
    gate_ = std::make_unique<Gate>(tools_, policy_, *audit_, *executor_);
    tag_ = "dockgate-test/built:" + suffix_;
  }

  void TearDown() override {
    if (engine_ && !suffix_.empty()) {
      (void)engine_->del("/images/" + tag_ + "?force=1");
      // Cached steps of failed builds carry the label too; newest first (children first).
      const json filters = {{"label", {"dg-build-test=" + suffix_}}};
      auto listed = engine_->get("/images/json?all=1&filters=" + url_encode(filters.dump()));
      if (listed && listed->ok()) {
        auto images = json::parse(listed->body, nullptr, false);
        if (images.is_array()) {
          std::sort(images.begin(), images.end(), [](const json& a, const json& b) {
            return a.value("Created", 0) > b.value("Created", 0);
          });
          for (const auto& image : images)
            (void)engine_->del("/images/" + image.value("Id", std::string("none")) + "?force=1");
        }
      }
    }
    if (!folder_.empty()) fs::remove_all(folder_);
  }

  void write(const std::string& relative, const std::string& text) {
    std::ofstream(folder_ / "root" / "app" / relative) << text;
  }
  std::string dockerfile(const std::string& run) const {
    return "FROM dockgate-test/busybox:root\nLABEL dockgate.test=1 dg-build-test=" + suffix_ +
           "\nCOPY . /ctx\n" + run + "\n";
  }

  CallOutcome call(const json& arguments) {
    return gate_->call(CallContext{{"tester", {}}, "s1", "gtest", "1", "", nullptr}, "docker_build",
                       arguments);
  }

  std::unique_ptr<engine::EngineClient> engine_;
  fs::path folder_;
  tools::ToolRegistry tools_;
  std::shared_ptr<const policy::PolicySet> policy_;
  std::unique_ptr<audit::AuditWriter> audit_;
  std::unique_ptr<EngineActionExecutor> executor_;
  std::unique_ptr<Gate> gate_;
  std::string suffix_, tag_;
};

TEST_F(BuildOnEngine, BuildsHonouringDockerignore) {
  // The RUN fails the build if .dockerignore was not honoured.
  write("Dockerfile",
        dockerfile(R"(RUN ["/bin/sh","-c","test ! -e /ctx/secret.txt && test ! -e /ctx/app.log )"
                   R"(&& test -e /ctx/keep.log && ls -R /ctx > /listing"])"));
  write(".dockerignore", "secret.txt\n*.log\n!keep.log\n");
  write("secret.txt", "do not send");
  write("app.log", "noise");
  write("keep.log", "kept");
  auto built = call({{"path", (folder_ / "root" / "app").string()}, {"tag", tag_}});
  ASSERT_FALSE(built.is_error) << built.text;
  EXPECT_TRUE(has(built.text, "Successfully tagged docker.io/" + tag_)) << built.text;
  const std::string id = built.structured["image_id"];
  EXPECT_EQ(id.rfind("sha256:", 0), 0u) << id;
  auto inspected = engine_->get("/images/" + tag_ + "/json");
  ASSERT_TRUE(inspected.ok());
  ASSERT_EQ(inspected->status, 200) << inspected->body;
  EXPECT_EQ(json::parse(inspected->body)["Id"], id);
}

TEST_F(BuildOnEngine, AFailingDockerfileIsAnErrorWithTheBuildersWords) {
  write("Dockerfile", dockerfile(R"(RUN ["/bin/sh","-c","echo about to fail; exit 3"])"));
  auto built = call({{"path", (folder_ / "root" / "app").string()}, {"tag", tag_}});
  ASSERT_TRUE(built.is_error) << built.text;
  EXPECT_TRUE(has(built.text, "the build failed")) << built.text;
  EXPECT_TRUE(has(built.text, "returned a non-zero code: 3")) << built.text;
  EXPECT_TRUE(has(built.text, "about to fail")) << built.text;
  auto inspected = engine_->get("/images/" + tag_ + "/json");
  ASSERT_TRUE(inspected.ok());
  EXPECT_EQ(inspected->status, 404);
}

TEST_F(BuildOnEngine, PolicyAndHostileInputsBuildNothing) {
  write("Dockerfile", "FROM dockgate-test/busybox\nLABEL dg-build-test=" + suffix_ + "\n");
  const std::string app = (folder_ / "root" / "app").string();
  auto latest = call({{"path", app}, {"tag", tag_}});
  ASSERT_TRUE(latest.is_error);
  EXPECT_TRUE(has(latest.text, "from[0].tag")) << latest.text;
  write("Dockerfile", dockerfile("RUN true"));
  auto host = call({{"path", app}, {"tag", tag_}, {"network", "host"}});
  ASSERT_TRUE(host.is_error);
  EXPECT_TRUE(has(host.text, "build-network")) << host.text;
  auto outside = call({{"path", "/etc"}, {"tag", tag_}});
  ASSERT_TRUE(outside.is_error);
  EXPECT_TRUE(has(outside.text, "outside the workspace roots")) << outside.text;
  auto inspected = engine_->get("/images/" + tag_ + "/json");
  ASSERT_TRUE(inspected.ok());
  EXPECT_EQ(inspected->status, 404);
}

}  // namespace
}  // namespace dockgate::gate
