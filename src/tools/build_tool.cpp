// docker_build: build an image from a context folder on the dockgate host, like
// `docker build -t tag -f Dockerfile --build-arg K=V --target stage path`. The folder must lie
// inside a configured workspace root (--workspace-root); planning resolves it (symlinks
// included) and reads the Dockerfile there, on the dockgate host, so the policy can judge
// every FROM image before anything reaches the engine.
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>

#include "actions/normalize.hpp"
#include "tools/builtin_tools.hpp"
#include "tools/dockerfile_from.hpp"
#include "tools/schema_builders.hpp"
#include "tools/workspace_paths.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxDockerfileBytes = 1 << 20;

class BuildTool final : public Tool {
 public:
  explicit BuildTool(std::vector<std::string> workspace_roots)
      : roots_(std::move(workspace_roots)) {
    definition_.name = "docker_build";
    definition_.title = "Build an image";
    definition_.description =
        "Build a Docker image from a Dockerfile, like `docker build -t TAG PATH`. `path` is the "
        "build context folder on the dockgate server (inside its workspace roots); .dockerignore "
        "is honoured. Every FROM image is checked by the policy. Returns the image id and the "
        "last lines of the build output.";
    const json tag = {{"type", "string"}, {"minLength", 1}, {"maxLength", schema::kMaxNameLength}};
    definition_.input_schema = schema::object(
        {
            {"path", schema::string("The build context folder on the dockgate server, absolute "
                                    "or relative to the first workspace root, e.g. "
                                    "\"/srv/work/app\".",
                                    4096)},
            {"tag",
             {{"description", "Name and tag of the image, one or a list: \"myapp:1.0\"."},
              {"anyOf",
               json::array({tag, {{"type", "array"}, {"items", tag}, {"maxItems", 16}}})}}},
            {"dockerfile", schema::string("Path of the Dockerfile inside the context. Default "
                                          "\"Dockerfile\".",
                                          1024)},
            {"build_args", schema::string_map("Build-time variables (--build-arg), e.g. "
                                              "{\"VERSION\": \"1.2\"}.")},
            {"target", schema::string("The build stage to stop at (FROM ... AS name).", 128)},
            {"no_cache", schema::boolean("Do not use the build cache. Default false.")},
            {"network", schema::string_enum("Network for RUN steps: default, none or host.",
                                            json::array({"default", "none", "host"}))},
        },
        json::array({"path"}));
    definition_.output_schema = {
        {"type", "object"},
        {"properties",
         {{"image_id", {{"type", "string"}}},
          {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
          {"output", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
        {"required", {"image_id"}}};
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    if (roots_.empty())
      return make_error(
          "docker_build is not configured on this server: start dockgate with --workspace-root");
    if (!arguments.contains("path") || !arguments["path"].is_string())
      return make_error("path: required, the build context folder (a string)");
    actions::BuildImage build;
    auto context = context_folder(arguments["path"].get<std::string>());
    if (!context) return context.error();
    build.context_dir = *context;
    if (arguments.contains("dockerfile"))
      build.dockerfile = arguments["dockerfile"].get<std::string>();
    auto dockerfile_text = read_dockerfile(build.context_dir, build.dockerfile);
    if (!dockerfile_text) return dockerfile_text.error();

    if (const auto tags = arguments.value("tag", json()); !tags.is_null()) {
      for (const auto& tag : tags.is_array() ? tags : json::array({tags})) {
        if (!tag.is_string()) return make_error("tag: each tag must be a string");
        auto image = actions::parse_image_reference(tag.get<std::string>());
        if (!image)
          return make_error("tag \"" + tag.get<std::string>() + "\": " + image.error().message);
        if (!image->digest.empty())
          return make_error("tag \"" + tag.get<std::string>() +
                            "\": a tag cannot carry a digest; give name:tag");
        build.tags.push_back(image->full());
      }
    }
    if (const auto args = arguments.value("build_args", json::object()); args.is_object()) {
      static const std::regex kName("[A-Za-z_][A-Za-z0-9_]*");
      for (const auto& [key, value] : args.items()) {
        if (!std::regex_match(key, kName) || key.size() > 128)
          return make_error("build_args: \"" + key +
                            "\" is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
        if (!value.is_string()) return make_error("build_args." + key + ": must be a string");
        build.build_args[key] = value.get<std::string>();
      }
    } else {
      return make_error("build_args: must be an object of strings");
    }
    auto images = parse_dockerfile_images(*dockerfile_text, build.build_args);
    if (!images) return make_error(build.dockerfile + ": " + images.error().message);
    build.from_images = images->images;
    if (arguments.contains("target")) {
      build.target = arguments["target"].get<std::string>();
      std::string lower = build.target;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (std::find(images->stages.begin(), images->stages.end(), lower) == images->stages.end())
        return make_error("target \"" + build.target +
                          "\": no stage of that name (stages: " + roots_text(images->stages) + ")");
    }
    build.no_cache = arguments.value("no_cache", false);
    const std::string network = arguments.value("network", "default");
    build.network_mode = network == "default" ? "" : network;
    return actions::Action{std::move(build)};
  }

  ToolOutput render(const actions::Action& action, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    const auto& build = std::get<actions::BuildImage>(action);
    const std::string id = engine_result.value("image_id", "");
    std::string text;
    json output = json::array();
    for (const auto& line : engine_result.value("output", json::array())) {
      if (!line.is_string()) continue;
      text += line.get<std::string>() + "\n";
      output.push_back(line);
    }
    const auto colon = id.find(':');
    text +=
        "Successfully built " + id.substr(colon == std::string::npos ? 0 : colon + 1, 12) + "\n";
    for (const auto& tag : build.tags) text += "Successfully tagged " + tag + "\n";
    return ToolOutput{text, {{"image_id", id}, {"tags", build.tags}, {"output", output}}};
  }

 private:
  // The canonical folder, inside a canonical root: "..", symlinks and missing folders refused.
  Result<std::string> context_folder(const std::string& path) const {
    if (path.empty() || path.find('\0') != std::string::npos)
      return make_error("path: give the build context folder");
    const std::string joined = path[0] == '/' ? path : roots_.front() + "/" + path;
    const auto canonical = real_path(joined);
    if (!canonical)
      return make_error("path \"" + path + "\": no such folder on the dockgate server");
    if (!std::filesystem::is_directory(*canonical))
      return make_error("path \"" + path + "\": not a folder");
    for (const auto& root : roots_) {
      if (const auto real_root = real_path(root); real_root && path_inside(*canonical, *real_root))
        return *canonical;
    }
    return make_error("path \"" + path + "\" (" + *canonical +
                      ") is outside the workspace roots: " + roots_text(roots_) +
                      "; give a folder inside one of them");
  }

  // The Dockerfile must be a regular file inside the context, reached without symlinks.
  static Result<std::string> read_dockerfile(const std::string& context,
                                             const std::string& dockerfile) {
    const std::filesystem::path relative(dockerfile);
    const std::string lexical = relative.lexically_normal().generic_string();
    if (dockerfile.empty() || relative.is_absolute() || lexical == "." ||
        lexical.rfind("..", 0) == 0 || dockerfile.find('\0') != std::string::npos)
      return make_error("dockerfile \"" + dockerfile +
                        "\": must be a path inside the build context, e.g. \"Dockerfile\" or "
                        "\"docker/app.Dockerfile\"");
    const std::string full = context + "/" + lexical;
    const auto canonical = real_path(full);
    if (!canonical) return make_error("dockerfile \"" + dockerfile + "\": not found in " + context);
    if (*canonical != full)
      return make_error("dockerfile \"" + dockerfile +
                        "\": is or goes through a symlink; give the file's own path inside "
                        "the context");
    if (!std::filesystem::is_regular_file(*canonical))
      return make_error("dockerfile \"" + dockerfile + "\": not a regular file");
    std::ifstream in(*canonical, std::ios::binary);
    std::string text(kMaxDockerfileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxDockerfileBytes)
      return make_error("dockerfile \"" + dockerfile + "\": larger than 1 MiB");
    return text;
  }

  std::vector<std::string> roots_;
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_build_tool(std::vector<std::string> workspace_roots) {
  return std::make_unique<BuildTool>(std::move(workspace_roots));
}

}  // namespace dockgate::tools
