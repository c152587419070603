// docker_compose_up / docker_compose_down planning (no engine): the steps, their order, names
// and labels; and every argument refused when of the wrong type, missing, oversized or hostile.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tools/tool.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const char* kFile = R"(name: shop
services:
  web:
    image: dockgate-test/busybox:user
    depends_on:
      db: {condition: service_healthy}
    networks:
      front: {aliases: [www]}
      back: {}
  db:
    image: dockgate-test/busybox:user
    volumes: [data:/data]
  tool:
    build: ./tool
networks:
  front: {}
  back: {}
volumes:
  data: {}
)";

class ComposeTools : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("dockgate-compose-tools-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "shop" / "tool");
    root_ = fs::canonical(root_);
    std::ofstream(root_ / "shop" / "compose.yaml") << kFile;
    std::ofstream(root_ / "shop" / "tool" / "Dockerfile") << "FROM busybox:1.36\n";
    registry_ = std::make_unique<ToolRegistry>(ToolRegistry::with_builtin_tools({root_.string()}));
  }
  void TearDown() override { fs::remove_all(root_); }

  Result<actions::Action> plan(const std::string& tool, const json& arguments) {
    return plan_call(*registry_->find(tool), arguments);
  }
  std::string error(const std::string& tool, const json& arguments) {
    auto planned = plan(tool, arguments);
    EXPECT_FALSE(planned.ok()) << arguments.dump();
    return planned.ok() ? "" : planned.error().message;
  }

  fs::path root_;
  std::unique_ptr<ToolRegistry> registry_;
};

std::vector<std::string> subjects(const std::vector<actions::ComposeStep>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s.tool + " " + s.subject);
  return out;
}

TEST_F(ComposeTools, UpPlansNetworksVolumesImagesThenServicesInDependencyOrder) {
  auto planned = plan("docker_compose_up", {{"path", (root_ / "shop").string()}});
  ASSERT_TRUE(planned.ok()) << planned.error().message;
  const auto& up = std::get<actions::ComposeUp>(*planned);
  EXPECT_EQ(up.project, "shop");
  EXPECT_EQ(up.source, (root_ / "shop" / "compose.yaml").string());
  EXPECT_EQ(subjects(up.steps),
            (std::vector<std::string>{
                "docker_network_create networks.front", "docker_network_create networks.back",
                "docker_network_create networks.default", "docker_volume_create volumes.data",
                "docker_build services.tool.build", "docker_pull services.db.image",
                "docker_run services.db", "docker_run services.tool", "docker_run services.web"}));
  const auto& web = std::get<actions::RunContainer>(up.steps[8].action).spec;
  EXPECT_EQ(web.name, "shop-web-1");
  EXPECT_EQ(web.network, "shop_front");
  EXPECT_EQ(web.network_aliases, (std::vector<std::string>{"web", "www"}));
  ASSERT_EQ(web.extra_networks.size(), 1u);
  EXPECT_EQ(web.extra_networks[0].network, "shop_back");
  EXPECT_EQ(web.labels.at("com.docker.compose.project"), "shop");
  EXPECT_EQ(web.labels.at("com.docker.compose.service"), "web");
  EXPECT_EQ(web.labels.at("com.docker.compose.oneoff"), "False");
  ASSERT_EQ(up.steps[8].waits.size(), 1u);
  EXPECT_EQ(up.steps[8].waits[0].container, "shop-db-1");
  EXPECT_EQ(up.steps[8].waits[0].condition, actions::WaitCondition::Healthy);
  const auto& build = std::get<actions::BuildImage>(up.steps[4].action);
  EXPECT_EQ(build.context_dir, (root_ / "shop" / "tool").string());
  EXPECT_EQ(build.tags, (std::vector<std::string>{"docker.io/library/shop-tool:compose"}));
}

TEST_F(ComposeTools, ServicesSubsetPullsInItsDependencies) {
  auto planned =
      plan("docker_compose_up", {{"path", (root_ / "shop").string()}, {"services", {"web"}}});
  ASSERT_TRUE(planned.ok()) << planned.error().message;
  EXPECT_EQ(std::get<actions::ComposeUp>(*planned).services,
            (std::vector<std::string>{"db", "web"}));
  auto unknown =
      error("docker_compose_up", {{"path", (root_ / "shop").string()}, {"services", {"nope"}}});
  EXPECT_NE(unknown.find("\"nope\" is not a service"), std::string::npos) << unknown;
}

TEST_F(ComposeTools, DownRemovesContainersNetworksAndOnlyWhatIsAskedBesides) {
  auto planned = plan(
      "docker_compose_down",
      {{"path", (root_ / "shop").string()}, {"removeVolumes", true}, {"removeImages", "local"}});
  ASSERT_TRUE(planned.ok()) << planned.error().message;
  const auto& down = std::get<actions::ComposeDown>(*planned);
  EXPECT_EQ(subjects(down.steps),
            (std::vector<std::string>{
                "docker_rm services.web", "docker_rm services.db", "docker_rm services.tool",
                "docker_network_rm networks.front", "docker_network_rm networks.back",
                "docker_network_rm networks.default", "docker_volume_rm volumes.data",
                "docker_rmi services.tool.image"}));
  auto plain = plan("docker_compose_down", {{"path", (root_ / "shop").string()}});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(std::get<actions::ComposeDown>(*plain).steps.size(), 6u);
}

TEST_F(ComposeTools, WrongTypesAreRefused) {
  for (const auto& arguments :
       {json{{"path", 5}}, json{{"content", json::array()}},
        json{{"path", "shop"}, {"detach", "no"}}, json{{"path", "shop"}, {"services", "web"}},
        json{{"path", "shop"}, {"services", {1}}}}) {
    error("docker_compose_up", arguments);
  }
  error("docker_compose_down", {{"path", "shop"}, {"removeVolumes", "yes"}});
  error("docker_compose_down", {{"path", "shop"}, {"removeImages", "some"}});
}

TEST_F(ComposeTools, MissingOrBothSourcesAreRefused) {
  EXPECT_NE(error("docker_compose_up", json::object()).find("give either path"), std::string::npos);
  EXPECT_NE(error("docker_compose_down", {{"path", "shop"}, {"content", "services: {}"}})
                .find("not both"),
            std::string::npos);
  EXPECT_NE(error("docker_compose_up", {{"path", "nowhere"}}).find("no such file"),
            std::string::npos);
}

TEST_F(ComposeTools, OversizedArgumentsAreRefused) {
  error("docker_compose_up", {{"content", std::string((1 << 20) + 1, 'a')}});
  error("docker_compose_up", {{"path", std::string(5000, 'a')}});
  error("docker_compose_up",
        {{"path", "shop"}, {"services", json(std::vector<std::string>(65, "web"))}});
}

TEST_F(ComposeTools, HostileArgumentsAreRefused) {
  // Out of the workspace roots, by "..", by an absolute path, and by a symlink.
  EXPECT_NE(error("docker_compose_up", {{"path", "../../../etc"}}).find("outside the workspace"),
            std::string::npos);
  EXPECT_NE(error("docker_compose_up", {{"path", "/etc"}}).find("outside the workspace"),
            std::string::npos);
  fs::create_directory_symlink("/etc", root_ / "link");
  EXPECT_NE(error("docker_compose_up", {{"path", "link"}}).find("outside the workspace"),
            std::string::npos);
  error("docker_compose_up", {{"path", std::string("shop\0x", 6)}});
  // A build context or env_file that climbs out of the roots.
  EXPECT_NE(error("docker_compose_up",
                  {{"content", "name: x\nservices:\n  a:\n    build: ../../../../etc\n"}})
                .find("outside the workspace"),
            std::string::npos);
  EXPECT_NE(
      error("docker_compose_up",
            {{"content", "name: x\nservices:\n  a:\n    image: x:1\n    env_file: /etc/passwd\n"}})
          .find("outside the workspace"),
      std::string::npos);
  // dockgate's and Compose's own labels cannot be set by the file.
  error("docker_compose_up", {{"content",
                               "services:\n  a:\n    image: x:1\n    labels:\n      "
                               "com.docker.compose.project: other\n"}});
}

TEST_F(ComposeTools, InlineContentMustNameItsProject) {
  EXPECT_NE(error("docker_compose_up", {{"content", "services:\n  a:\n    image: x:1\n"}})
                .find("top-level `name:`"),
            std::string::npos);
  EXPECT_TRUE(
      plan("docker_compose_up", {{"content", "name: p\nservices:\n  a:\n    image: x:1\n"}}).ok());
}

TEST(ComposeToolsUnconfigured, RefusedWithoutAWorkspaceRoot) {
  const auto registry = ToolRegistry::with_builtin_tools();
  auto planned = plan_call(*registry.find("docker_compose_up"), {{"content", "services: {}"}});
  ASSERT_FALSE(planned.ok());
  EXPECT_NE(planned.error().message.find("--workspace-root"), std::string::npos);
}

}  // namespace
}  // namespace dockgate::tools
