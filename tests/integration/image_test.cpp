// docker_pull and docker_rmi end to end on the dev engine, through the gate. Only references
// the tests create are removed: a pulled reference that was on the engine before is left
// alone, and docker_rmi works on a unique tag made for it. The credential test starts its own
// registry with htpasswd auth (scripts/auth-registry.sh) and stops it in TearDown.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

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
name: image-test
rules:
  - {id: image-tools, title: Images, effect: allow, match: {tools: [docker_pull, docker_rmi]}}
  - id: pinned
    title: Pulls are pinned
    match: {operations: [image.pull]}
    require: {images: {forbid_latest: true}}
    message: pin the tag
)";

const std::string kRegistryImage = "127.0.0.1:5000/dockgate-test/busybox:1";
const std::string kAuthPort = "5001";
const std::string kAuthUser = "dockgate-tester";
const std::string kAuthPassword = "Pa55-word-that-must-never-be-logged";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class ImagesOnEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_environment("DOCKER_HOST")) GTEST_SKIP() << "DOCKER_HOST is unset";
    auto config = engine::engine_config_from_environment(real_environment);
    ASSERT_TRUE(config) << config.error().message;
    engine_ = engine::EngineClient::create(*config).value();
    suffix_ = std::to_string(std::random_device{}());
    folder_ = fs::temp_directory_path() / ("dockgate-images-" + suffix_);
    fs::create_directories(folder_);
    audit_ = audit::AuditWriter::open((folder_ / "audit.jsonl").string()).value();
    policy_ = *policy::PolicySet::parse("images.yaml", kPolicy);
    make_gate({});
  }

  void TearDown() override {
    for (const auto& reference : created_) (void)engine_->del("/images/" + reference + "?force=0");
    if (!auth_dir_.empty()) {
      const std::string stop =
          std::string(DOCKGATE_SOURCE_DIR) + "/scripts/auth-registry.sh stop " + auth_dir_.string();
      EXPECT_EQ(std::system(stop.c_str()), 0);
    }
    if (!folder_.empty()) fs::remove_all(folder_);
  }

  void make_gate(ExecutionSettings settings) {
    gate_.reset();
    executor_ = std::make_unique<EngineActionExecutor>(*engine_, std::move(settings));
    gate_ = std::make_unique<Gate>(tools_, policy_, *audit_, *executor_);
  }

  CallOutcome call(std::string_view tool, const json& arguments, ProgressCallback progress = {}) {
    return gate_->call(CallContext{{"tester", {}}, "s1", "gtest", "1", "", std::move(progress)},
                       tool, arguments);
  }

  bool image_exists(const std::string& reference) {
    auto response = engine_->get("/images/" + reference + "/json");
    return response && response->status == 200;
  }

  std::string audit_text() {
    std::ifstream in(folder_ / "audit.jsonl");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::unique_ptr<engine::EngineClient> engine_;
  fs::path folder_, auth_dir_;
  std::string suffix_;
  std::vector<std::string> created_;  // references the test made, removed in TearDown
  tools::ToolRegistry tools_ = tools::ToolRegistry::with_builtin_tools();
  std::shared_ptr<const policy::PolicySet> policy_;
  std::unique_ptr<audit::AuditWriter> audit_;
  std::unique_ptr<EngineActionExecutor> executor_;
  std::unique_ptr<Gate> gate_;
};

TEST_F(ImagesOnEngine, PullsFromTheLocalRegistryWithProgress) {
  if (!image_exists(kRegistryImage)) created_.push_back(kRegistryImage);  // ours to remove
  std::vector<double> progress;
  auto outcome = call("docker_pull", {{"image", kRegistryImage}},
                      [&](double value, std::string) { progress.push_back(value); });
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_TRUE(has(outcome.text, "Status: ")) << outcome.text;
  EXPECT_TRUE(has(outcome.text, kRegistryImage)) << outcome.text;
  EXPECT_EQ(outcome.structured["complete"], true);
  EXPECT_EQ(outcome.structured["digest"].get<std::string>().rfind("sha256:", 0), 0u)
      << outcome.structured.dump();
  EXPECT_TRUE(image_exists(kRegistryImage));
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_TRUE(std::adjacent_find(progress.begin(), progress.end()) == progress.end());
}

TEST_F(ImagesOnEngine, AMissingTagIsAnErrorWithTheRegistrysWords) {
  const std::string missing = "127.0.0.1:5000/dockgate-test/busybox:no-such-tag-" + suffix_;
  auto outcome = call("docker_pull", {{"image", missing}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_TRUE(has(outcome.text, "manifest unknown") || has(outcome.text, "not found"))
      << outcome.text;
  EXPECT_FALSE(image_exists(missing));
}

TEST_F(ImagesOnEngine, AnImplicitLatestIsDeniedAndNothingIsPulled) {
  auto outcome = call("docker_pull", {{"image", "127.0.0.1:5000/dockgate-test/busybox"}});
  EXPECT_TRUE(outcome.is_error);
  EXPECT_TRUE(has(outcome.text, "Denied by policy")) << outcome.text;
  EXPECT_TRUE(has(outcome.text, "[pinned]")) << outcome.text;
  EXPECT_FALSE(image_exists("127.0.0.1:5000/dockgate-test/busybox:latest"));
}

TEST_F(ImagesOnEngine, RmiUntagsAReferenceTheTestMade) {
  const std::string repository = "dockgate-test/rmi-" + suffix_;
  auto tagged =
      engine_->post("/images/dockgate-test/busybox:root/tag?repo=" + repository + "&tag=1");
  ASSERT_TRUE(tagged && tagged->status == 201) << (tagged ? tagged->body : tagged.error().message);
  created_.push_back(repository + ":1");

  auto outcome = call("docker_rmi", {{"image", repository + ":1"}});
  ASSERT_FALSE(outcome.is_error) << outcome.text;
  EXPECT_TRUE(has(outcome.text, "Untagged: " + repository + ":1")) << outcome.text;
  // dockgate-test/busybox:root still holds the image: nothing is deleted.
  EXPECT_FALSE(has(outcome.text, "Deleted:")) << outcome.text;
  EXPECT_FALSE(image_exists(repository + ":1"));
  EXPECT_TRUE(image_exists("dockgate-test/busybox:root"));

  auto again = call("docker_rmi", {{"image", repository + ":1"}});
  EXPECT_TRUE(again.is_error);
  EXPECT_TRUE(has(again.text, "No such image")) << again.text;
}

TEST_F(ImagesOnEngine, HostileReferencesReachNoEngine) {
  for (const char* image : {"team/UPPER:1", "a b:1", "http://x/y:1", "busybox:1\r\nX: y"}) {
    EXPECT_TRUE(call("docker_pull", {{"image", image}}).is_error) << image;
    EXPECT_TRUE(call("docker_rmi", {{"image", image}}).is_error) << image;
  }
  EXPECT_TRUE(image_exists("dockgate-test/busybox:root"));
}

TEST_F(ImagesOnEngine, PullsFromARegistryWithCredentialsFromTheConfiguration) {
  auth_dir_ = folder_ / "auth-registry";
  const std::string start = std::string(DOCKGATE_SOURCE_DIR) + "/scripts/auth-registry.sh start " +
                            auth_dir_.string() + " " + kAuthPort + " " + kAuthUser + " '" +
                            kAuthPassword + "' >/dev/null";
  ASSERT_EQ(std::system(start.c_str()), 0) << "scripts/auth-registry.sh start failed";
  const std::string image = "127.0.0.1:" + kAuthPort + "/dockgate-test/busybox:auth";
  ASSERT_FALSE(image_exists(image)) << image << " is on the engine already";

  auto refused = call("docker_pull", {{"image", image}});
  EXPECT_TRUE(refused.is_error);
  EXPECT_TRUE(has(refused.text, "unauthorized") || has(refused.text, "no basic auth credentials"))
      << refused.text;
  EXPECT_FALSE(image_exists(image));

  ExecutionSettings settings;
  settings.registry_auth["127.0.0.1:" + kAuthPort] = RegistryCredential{kAuthUser, kAuthPassword};
  make_gate(settings);
  created_.push_back(image);
  auto pulled = call("docker_pull", {{"image", image}});
  ASSERT_FALSE(pulled.is_error) << pulled.text;
  EXPECT_TRUE(image_exists(image));

  settings.registry_auth["127.0.0.1:" + kAuthPort].password = "wrong-password";
  make_gate(settings);
  (void)engine_->del("/images/" + image);
  auto wrong = call("docker_pull", {{"image", image}});
  EXPECT_TRUE(wrong.is_error);
  EXPECT_FALSE(has(wrong.text, "wrong-password")) << wrong.text;

  const auto audit = audit_text();
  EXPECT_TRUE(has(audit, "image.pull"));
  EXPECT_FALSE(has(audit, kAuthPassword)) << "the password reached the audit log";
  EXPECT_FALSE(has(audit, "wrong-password")) << "a password reached the audit log";
}

}  // namespace
}  // namespace dockgate::gate
