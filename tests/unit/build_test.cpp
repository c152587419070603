// docker_build: the Dockerfile FROM parser, the .dockerignore matcher, the context tar, the
// tool's planning (bad types, missing, oversized and hostile paths) and the policy controls.
#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "actions/normalize.hpp"
#include "gate/build_context.hpp"
#include "gate/dockerignore.hpp"
#include "policy/controls.hpp"
#include "tools/dockerfile_from.hpp"
#include "tools/tool.hpp"

namespace dockgate {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> images_of(const std::string& dockerfile,
                                   const std::map<std::string, std::string>& args = {}) {
  auto parsed = tools::parse_dockerfile_images(dockerfile, args);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  std::vector<std::string> out;
  if (parsed.ok())
    for (const auto& image : parsed->images) out.push_back(image.full());
  return out;
}

std::string from_error(const std::string& dockerfile,
                       const std::map<std::string, std::string>& args = {}) {
  auto parsed = tools::parse_dockerfile_images(dockerfile, args);
  EXPECT_FALSE(parsed.ok()) << dockerfile;
  return parsed.ok() ? "" : parsed.error().message;
}

TEST(DockerfileFrom, SingleAndMultiStage) {
  EXPECT_EQ(images_of("FROM busybox:1.36\nRUN true\n"),
            std::vector<std::string>{"docker.io/library/busybox:1.36"});
  EXPECT_EQ(
      images_of("FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.19\n"
                "COPY --from=build /app /app\n"),
      (std::vector<std::string>{"docker.io/library/golang:1.22", "docker.io/library/alpine:3.19"}));
}

TEST(DockerfileFrom, StageNamesScratchPlatformAndCase) {
  EXPECT_EQ(images_of("from --platform=linux/amd64 busybox:1 as Base\nfrom base\nFROM scratch\n"
                      "FROM SCRATCH AS final\n"),
            std::vector<std::string>{"docker.io/library/busybox:1"});
  auto parsed = tools::parse_dockerfile_images("FROM busybox:1 AS Builder\n", {});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->stages, std::vector<std::string>{"builder"});
}

TEST(DockerfileFrom, ArgSubstitution) {
  const std::string text =
      "ARG REGISTRY=127.0.0.1:5000\nARG TAG=1\nFROM ${REGISTRY}/team/app:$TAG\n"
      "FROM busybox:${MISSING:-1.36}\n";
  EXPECT_EQ(images_of(text), (std::vector<std::string>{"127.0.0.1:5000/team/app:1",
                                                       "docker.io/library/busybox:1.36"}));
  EXPECT_EQ(images_of(text, {{"TAG", "2"}})[0], "127.0.0.1:5000/team/app:2");
  // A build arg without an ARG before FROM does not reach FROM (as docker).
  EXPECT_TRUE(has(from_error("FROM busybox:${TAG}\n", {{"TAG", "1"}}), "not declared"));
  // Declared without default and not given: empty, then an unreadable reference.
  EXPECT_FALSE(from_error("ARG BASE\nFROM ${BASE}\n").empty());
  EXPECT_TRUE(has(from_error("FROM busybox:${TAG/x/y}\n"), "unsupported substitution"));
}

TEST(DockerfileFrom, ContinuationsCommentsAndEscapeDirective) {
  EXPECT_EQ(images_of("# a comment\nFROM \\\n  busybox:1.36 \\\n# inside\n  AS base\n"),
            std::vector<std::string>{"docker.io/library/busybox:1.36"});
  EXPECT_EQ(images_of("# escape=`\nFROM `\n busybox:2\r\n"),
            std::vector<std::string>{"docker.io/library/busybox:2"});
}

TEST(DockerfileFrom, CopyFromAnImageIsAnImage) {
  EXPECT_EQ(
      images_of("FROM busybox:1 AS a\nCOPY --from=a /x /x\nCOPY --from=0 /x /y\n"
                "COPY --chown=1 --from=nginx:1.25 /etc/nginx /n\n"),
      (std::vector<std::string>{"docker.io/library/busybox:1", "docker.io/library/nginx:1.25"}));
}

TEST(DockerfileFrom, HostileAndEmpty) {
  EXPECT_FALSE(from_error("FROM ../../x\n").empty());
  EXPECT_FALSE(from_error("FROM /etc/passwd\n").empty());
  EXPECT_TRUE(has(from_error(""), "no FROM"));
  EXPECT_TRUE(has(from_error("# only a comment\nRUN true\n"), "no FROM"));
  EXPECT_TRUE(has(from_error("FROM --network=host busybox:1\n"), "unknown FROM flag"));
  EXPECT_FALSE(from_error("FROM busybox:1 AS\n").empty());
  EXPECT_FALSE(from_error("FROM busybox:1 extra words here\n").empty());
  EXPECT_FALSE(from_error("FROM\n").empty());
  EXPECT_FALSE(from_error("FROM UPPER/Case:1\n").empty());
}

bool excluded(const std::string& ignore, const std::string& path) {
  auto parsed = gate::DockerIgnore::parse(ignore);
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() && parsed->excluded(path);
}

TEST(DockerIgnore, PatternsAsDocker) {
  const std::string rules = "# comment\nsecret.txt\n*.log\n!keep.log\nbuild/\n**/*.tmp\n/abs\n";
  EXPECT_TRUE(excluded(rules, "secret.txt"));
  EXPECT_FALSE(excluded(rules, "sub/secret.txt"));  // no ** : only at the top
  EXPECT_TRUE(excluded(rules, "app.log"));
  EXPECT_FALSE(excluded(rules, "keep.log"));
  EXPECT_FALSE(excluded(rules, "sub/app.log"));   // '*' stays within a segment
  EXPECT_TRUE(excluded(rules, "build/out/a.o"));  // a parent folder matches
  EXPECT_TRUE(excluded(rules, "a/b/c.tmp"));
  EXPECT_TRUE(excluded(rules, "c.tmp"));  // ** matches no folder too
  EXPECT_TRUE(excluded(rules, "abs"));
  EXPECT_FALSE(excluded(rules, "# comment"));
  EXPECT_TRUE(excluded("a?c\n", "abc"));
  EXPECT_FALSE(excluded("a?c\n", "a/c"));
  EXPECT_TRUE(excluded("./x/../y\n", "y"));
  EXPECT_TRUE(excluded("[a-c].txt\n", "b.txt"));
  EXPECT_TRUE(excluded("*\n!src\n", "README"));
  EXPECT_FALSE(excluded("*\n!src\n", "src/main.c"));
  EXPECT_TRUE(excluded("docs\n!docs/keep.md\ndocs\n", "docs/keep.md"));  // later wins
}

TEST(DockerIgnore, CleanPath) {
  EXPECT_EQ(gate::clean_path("a//b/./c/../d/"), "a/b/d");
  EXPECT_EQ(gate::clean_path(""), ".");
  EXPECT_EQ(gate::clean_path("/../x"), "/x");
  EXPECT_EQ(gate::clean_path("../x"), "../x");
}

// A temporary folder, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device random;
    path = fs::temp_directory_path() / ("dockgate-build-test-" + std::to_string(random()));
    fs::create_directories(path);
    path = fs::canonical(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative) << text;
  }
};

std::map<std::string, std::string> tar_entries(const std::string& bytes) {
  std::map<std::string, std::string> out;  // path -> "file:<content>" / "link:<target>" / "dir"
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_open_memory(a, bytes.data(), bytes.size());
  archive_entry* entry;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    const std::string name = archive_entry_pathname(entry);
    if (archive_entry_filetype(entry) == AE_IFLNK) {
      out[name] = std::string("link:") + archive_entry_symlink(entry);
    } else if (archive_entry_filetype(entry) == AE_IFDIR) {
      out[name] = "dir";
    } else {
      std::string data(static_cast<std::size_t>(archive_entry_size(entry)), '\0');
      archive_read_data(a, data.data(), data.size());
      out[name] = "file:" + data;
    }
  }
  archive_read_free(a);
  return out;
}

TEST(BuildContext, HonoursDockerignoreAndKeepsLinksAsLinks) {
  TempDir dir;
  dir.write("Dockerfile", "FROM busybox:1\n");
  dir.write(".dockerignore", "secret.txt\n*.log\n!keep.log\nDockerfile\n.dockerignore\n");
  dir.write("secret.txt", "s3cret");
  dir.write("app.log", "x");
  dir.write("keep.log", "kept");
  dir.write("src/main.c", "int main;");
  fs::create_symlink("/etc/passwd", dir.path / "passwd-link");
  auto tar = gate::make_context_tar(dir.path.string(), "Dockerfile", 1 << 20);
  ASSERT_TRUE(tar.ok()) << tar.error().message;
  const auto entries = tar_entries(tar->bytes);
  EXPECT_EQ(entries.count("secret.txt"), 0u);
  EXPECT_EQ(entries.count("app.log"), 0u);
  EXPECT_EQ(entries.at("keep.log"), "file:kept");
  EXPECT_EQ(entries.at("src/main.c"), "file:int main;");
  EXPECT_EQ(entries.at("passwd-link"), "link:/etc/passwd");      // stored, never followed
  EXPECT_EQ(entries.at("Dockerfile"), "file:FROM busybox:1\n");  // always sent
  EXPECT_EQ(entries.count(".dockerignore"), 1u);                 // always sent
  EXPECT_EQ(tar->dockerfile, "FROM busybox:1\n");
  // Deterministic: the same folder gives the same bytes.
  auto again = gate::make_context_tar(dir.path.string(), "Dockerfile", 1 << 20);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->bytes, tar->bytes);
}

TEST(BuildContext, SizeLimitAndSymlinkedDockerfile) {
  TempDir dir;
  dir.write("Dockerfile", "FROM busybox:1\n");
  dir.write("big.bin", std::string(200000, 'x'));
  auto tar = gate::make_context_tar(dir.path.string(), "Dockerfile", 100000);
  ASSERT_FALSE(tar.ok());
  EXPECT_TRUE(has(tar.error().message, "larger than")) << tar.error().message;
  fs::create_symlink("/etc/hostname", dir.path / "Linked");
  auto linked = gate::make_context_tar(dir.path.string(), "Linked", 1 << 20);
  ASSERT_FALSE(linked.ok());
  EXPECT_TRUE(has(linked.error().message, "symlinks are not followed")) << linked.error().message;
}

// ---- the tool ----

class BuildToolTest : public ::testing::Test {
 protected:
  TempDir root;
  tools::ToolRegistry registry = tools::ToolRegistry::with_builtin_tools({root.path.string()});

  Result<actions::Action> plan(const json& arguments) {
    return tools::plan_call(*registry.find("docker_build"), arguments);
  }
  std::string error_of(const json& arguments) {
    auto action = plan(arguments);
    EXPECT_FALSE(action.ok()) << arguments.dump();
    return action.ok() ? "" : action.error().message;
  }
};

TEST_F(BuildToolTest, PlansAFullBuild) {
  root.write("app/Dockerfile", "ARG V=1\nFROM busybox:$V AS base\nFROM base\n");
  root.write("app/docker/alt.Dockerfile", "FROM alpine:3.19\n");
  auto action = plan({{"path", (root.path / "app").string()},
                      {"tag", json::array({"myapp:1", "127.0.0.1:5000/team/myapp:1"})},
                      {"build_args", {{"V", "2"}}},
                      {"target", "base"},
                      {"no_cache", true},
                      {"network", "none"}});
  ASSERT_TRUE(action.ok()) << action.error().message;
  const auto& build = std::get<actions::BuildImage>(*action);
  EXPECT_EQ(build.context_dir, (root.path / "app").string());
  EXPECT_EQ(build.dockerfile, "Dockerfile");
  EXPECT_EQ(build.tags,
            (std::vector<std::string>{"docker.io/library/myapp:1", "127.0.0.1:5000/team/myapp:1"}));
  ASSERT_EQ(build.from_images.size(), 1u);
  EXPECT_EQ(build.from_images[0].full(), "docker.io/library/busybox:2");
  EXPECT_TRUE(build.no_cache);
  EXPECT_EQ(build.network_mode, "none");
  const auto audit = actions::to_json(*action);
  EXPECT_EQ(audit["operation"], "image.build");
  EXPECT_EQ(audit["build_arg_keys"], json::array({"V"}));
  EXPECT_FALSE(has(audit.dump(), "\"2\""));  // values never recorded
  auto relative = plan({{"path", "app"}, {"dockerfile", "docker/alt.Dockerfile"}, {"tag", "x:1"}});
  ASSERT_TRUE(relative.ok()) << relative.error().message;
  EXPECT_EQ(std::get<actions::BuildImage>(*relative).from_images[0].full(),
            "docker.io/library/alpine:3.19");
}

TEST_F(BuildToolTest, RefusesBadArguments) {
  root.write("app/Dockerfile", "FROM busybox:1\n");
  const std::string app = (root.path / "app").string();
  EXPECT_FALSE(error_of(json::object()).empty());                               // missing path
  EXPECT_FALSE(error_of({{"path", 42}}).empty());                               // wrong type
  EXPECT_FALSE(error_of({{"path", app}, {"tag", 1}}).empty());                  // wrong type
  EXPECT_FALSE(error_of({{"path", app}, {"build_args", {{"A", 1}}}}).empty());  // wrong type
  EXPECT_FALSE(error_of({{"path", app}, {"no_cache", "yes"}}).empty());
  EXPECT_FALSE(error_of({{"path", std::string(5000, 'a')}}).empty());  // oversized
  EXPECT_FALSE(error_of({{"path", app}, {"tag", std::string(300, 'a')}}).empty());
  EXPECT_TRUE(has(error_of({{"path", app}, {"tag", "Upper:1"}}), "tag"));
  EXPECT_TRUE(has(error_of({{"path", app}, {"build_args", {{"A-B", "1"}}}}), "build_args"));
  EXPECT_TRUE(has(error_of({{"path", app}, {"target", "nope"}}), "no stage"));
  EXPECT_FALSE(error_of({{"path", app}, {"network", "container:x"}}).empty());
}

TEST_F(BuildToolTest, RefusesHostilePaths) {
  root.write("app/Dockerfile", "FROM busybox:1\n");
  const std::string app = (root.path / "app").string();
  EXPECT_TRUE(has(error_of({{"path", "../../etc"}}), "outside the workspace roots"));
  EXPECT_TRUE(has(error_of({{"path", "/etc"}}), "outside the workspace roots"));
  EXPECT_TRUE(has(error_of({{"path", app + "/../.."}}), "outside the workspace roots"));
  EXPECT_TRUE(has(error_of({{"path", app + "/missing"}}), "no such folder"));
  fs::create_directory_symlink("/etc", root.path / "escape");
  EXPECT_TRUE(has(error_of({{"path", (root.path / "escape").string()}}), "outside"));
  EXPECT_TRUE(has(error_of({{"path", app}, {"dockerfile", "../Dockerfile"}}), "inside the build"));
  EXPECT_TRUE(has(error_of({{"path", app}, {"dockerfile", "/etc/passwd"}}), "inside the build"));
  fs::create_symlink(root.path / "app" / "Dockerfile", root.path / "app" / "Linked");
  EXPECT_TRUE(has(error_of({{"path", app}, {"dockerfile", "Linked"}}), "symlink"));
  root.write("app/bad/Dockerfile", "FROM ../../x\n");
  EXPECT_TRUE(has(error_of({{"path", app}, {"dockerfile", "bad/Dockerfile"}}), "line 1"));
}

TEST(BuildTool, NotConfiguredWithoutRoots) {
  const auto registry = tools::ToolRegistry::with_builtin_tools();
  auto action = tools::plan_call(*registry.find("docker_build"), {{"path", "/tmp"}});
  ASSERT_FALSE(action.ok());
  EXPECT_TRUE(has(action.error().message, "--workspace-root"));
}

// ---- policy ----

TEST(BuildControls, ImagesOnEveryFromAndNetwork) {
  actions::BuildImage build;
  for (const auto* text : {"busybox:1.36", "alpine", "nginx:latest"})
    build.from_images.push_back(*actions::parse_image_reference(text));
  build.network_mode = "host";
  policy::Controls controls;
  controls.images = policy::ImageControl{};
  controls.images->forbid_latest = true;
  controls.build = policy::BuildControl{};
  const auto findings = policy::check_controls(controls, actions::Action{build}, {});
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].field, "from[1].tag");
  EXPECT_EQ(findings[1].field, "from[2].tag");
  EXPECT_EQ(findings[2].control, "build");
  build.network_mode = "";
  build.from_images.resize(1);
  EXPECT_TRUE(policy::check_controls(controls, actions::Action{build}, {}).empty());
}

}  // namespace
}  // namespace dockgate
