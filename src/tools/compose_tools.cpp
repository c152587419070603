// docker_compose_up and docker_compose_down: dockgate reads the compose file itself (never a
// compose CLI), so the policy judges every service as the docker_run it becomes. The file is
// read on the dockgate host inside the workspace roots, or given inline as `content` (then
// relative paths resolve in the first workspace root).
#include <filesystem>
#include <fstream>

#include "tools/builtin_tools.hpp"
#include "tools/compose_plan.hpp"
#include "tools/schema_builders.hpp"
#include "tools/workspace_paths.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxComposeBytes = 1 << 20;
constexpr std::size_t kMaxDotenvBytes = 64 * 1024;
constexpr const char* kInlineSource = "(inline content)";
constexpr const char* kFileNames[] = {"compose.yaml", "compose.yml", "docker-compose.yaml",
                                      "docker-compose.yml"};

Result<std::string> read_limited(const std::string& path, std::size_t limit,
                                 const std::string& what) {
  if (!std::filesystem::is_regular_file(path)) return make_error(what + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(what + ": cannot be read");
  std::string text(limit + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > limit)
    return make_error(what + ": larger than " + std::to_string(limit / 1024) + " KiB");
  return text;
}

struct LoadedFile {
  std::string source;  // canonical path, or kInlineSource
  compose::ComposeFile file;
  std::map<std::string, std::string> variables;  // the .env values (may be secrets)
};

// What the gate scrubs from the call's records: every .env value, every service's environment
// values (env_file's included) and every build arg value.
std::vector<std::string> sensitive_values(const LoadedFile& loaded) {
  std::vector<std::string> values;
  for (const auto& [key, value] : loaded.variables) values.push_back(value);
  for (const auto& service : loaded.file.services) {
    for (const auto& entry : service.spec.env) {
      const auto equals = entry.find('=');
      if (equals != std::string::npos) values.push_back(entry.substr(equals + 1));
    }
    if (service.build)
      for (const auto& [key, value] : service.build->args) values.push_back(value);
  }
  return values;
}

// Whether the text has a `name:` key at the top level (block style: a line starting with it).
bool has_top_level_name(const std::string& text) {
  std::size_t at = 0;
  while (at < text.size()) {
    if (text.compare(at, 5, "name:") == 0) return true;
    at = text.find('\n', at);
    if (at == std::string::npos) break;
    ++at;
  }
  return false;
}

json source_schema() {
  return {
      {"path", schema::string("The compose file on the dockgate server, or its folder (then "
                              "compose.yaml, compose.yml, docker-compose.yaml or "
                              "docker-compose.yml in it), absolute or relative to the first "
                              "workspace root, e.g. \"/srv/work/shop/docker-compose.yml\". "
                              "Give path or content.",
                              4096)},
      {"content", schema::string("The compose file's text, when the file is not on the dockgate "
                                 "server (relative paths then resolve in its first workspace "
                                 "root; a .env is not read). Give path or content.",
                                 kMaxComposeBytes)},
  };
}

// Reads and parses the file a call names: the one entry point of both tools.
class ComposeLoader {
 public:
  explicit ComposeLoader(std::vector<std::string> roots) : roots_(std::move(roots)) {}

  Result<LoadedFile> load(const json& arguments, const std::string& tool) const {
    if (roots_.empty())
      return make_error(tool +
                        " is not configured on this server: start dockgate with --workspace-root");
    const bool has_path = arguments.contains("path");
    const bool has_content = arguments.contains("content");
    if (has_path == has_content)
      return make_error(
          "give either path (a compose file on the dockgate server) or content "
          "(the file's text), not both and not neither");
    compose::ParseOptions options;
    options.read_file = [this](const std::string& path) -> Result<std::string> {
      auto resolved = resolve_in_roots("env_file", path, roots_);
      if (!resolved) return resolved.error();
      return read_limited(*resolved, kMaxComposeBytes, "env_file \"" + path + "\"");
    };
    std::string text;
    LoadedFile loaded;
    if (has_content) {
      text = arguments["content"].get<std::string>();
      auto root = real_path(roots_.front());
      if (!root)
        return make_error("the first workspace root " + roots_.front() + " does not exist");
      options.project_dir = *root;
      options.file_name = "content";
      loaded.source = kInlineSource;
    } else {
      auto file = compose_file(arguments["path"].get<std::string>());
      if (!file) return file.error();
      auto read = read_limited(*file, kMaxComposeBytes, "path \"" + *file + "\"");
      if (!read) return read.error();
      text = std::move(*read);
      const std::filesystem::path canonical(*file);
      options.project_dir = canonical.parent_path().string();
      options.file_name = canonical.filename().string();
      auto variables = dotenv(options.project_dir);
      if (!variables) return variables.error();
      options.variables = std::move(*variables);
      loaded.variables = options.variables;
      loaded.source = *file;
    }
    auto parsed = compose::parse_compose(text, options);
    if (!parsed) return parsed.error();
    // Inline files would all share the first root's folder name as project: on a shared
    // server, two people's stacks would be one. The file must name its project.
    if (has_content && !has_top_level_name(text))
      return make_error(
          "content: give the project a name with a top-level `name:` key (an "
          "inline file has no folder to take it from)");
    loaded.file = std::move(*parsed);
    return loaded;
  }

  const std::vector<std::string>& roots() const { return roots_; }

 private:
  Result<std::string> compose_file(const std::string& path) const {
    auto resolved = resolve_in_roots("path", path, roots_);
    if (!resolved) return resolved.error();
    if (!std::filesystem::is_directory(*resolved)) return resolved;
    for (const char* name : kFileNames) {
      const std::string candidate = *resolved + "/" + name;
      if (std::filesystem::is_regular_file(candidate))
        return resolve_in_roots("path", candidate, roots_);
    }
    return make_error("path \"" + path +
                      "\": no compose.yaml, compose.yml, docker-compose.yaml or "
                      "docker-compose.yml in that folder");
  }

  // The .env beside the file: interpolation variables (never dockgate's own environment).
  Result<std::map<std::string, std::string>> dotenv(const std::string& folder) const {
    const std::string path = folder + "/.env";
    if (!std::filesystem::exists(path)) return std::map<std::string, std::string>{};
    auto resolved = resolve_in_roots(".env", path, roots_);
    if (!resolved) return resolved.error();
    auto text = read_limited(*resolved, kMaxDotenvBytes, ".env");
    if (!text) return text.error();
    return compose::parse_dotenv(*text, ".env");
  }

  std::vector<std::string> roots_;
};

std::string steps_text(const json& result) {
  std::string text;
  for (const auto& step : result.value("steps", json::array())) {
    const std::string outcome = step.value("outcome", "");
    text += (outcome == "failed" ? " x " : " - ") + step.value("subject", std::string()) + ": " +
            outcome;
    if (step.contains("object")) text += " " + step.value("object", std::string());
    if (step.contains("error")) text += ": " + step.value("error", std::string());
    text += "\n";
  }
  return text;
}

const json kResultSchema = {{"type", "object"},
                            {"properties",
                             {{"project", {{"type", "string"}}},
                              {"steps", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                              {"error", {{"type", "string"}}}}},
                            {"required", {"project", "steps"}}};

class ComposeUpTool final : public Tool {
 public:
  explicit ComposeUpTool(std::vector<std::string> roots)
      : loader_(roots), build_tool_(make_build_tool(roots)) {
    definition_.name = "docker_compose_up";
    definition_.title = "Start a compose project";
    definition_.description =
        "Start the services of a Docker Compose file, like `docker compose up -d`. dockgate "
        "reads the file itself and judges every service as a docker_run call: all violations "
        "of all services are reported together, and if anything is denied nothing is "
        "created. Networks, volumes and images (built, or pulled when missing) come first, "
        "then containers in depends_on order. Running it again with the same file changes "
        "nothing; a changed service is recreated. Returns each step's outcome.";
    json properties = source_schema();
    properties["detach"] = schema::boolean(
        "true (default): start and return. false: wait (bounded) for the services to exit "
        "and return their logs.");
    properties["services"] = {{"type", "array"},
                              {"description",
                               "Only these services (and what they depend "
                               "on), e.g. [\"web\", \"db\"]. Default: all."},
                              {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 128}}},
                              {"maxItems", schema::kMaxListItems}};
    definition_.input_schema = schema::object(std::move(properties));
    definition_.output_schema = kResultSchema;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto loaded = loader_.load(arguments, definition_.name);
    if (!loaded) return loaded.error();
    std::vector<std::string> services;
    for (const auto& s : arguments.value("services", json::array())) {
      if (!s.is_string()) return make_error("services: each entry must be a service name");
      services.push_back(s.get<std::string>());
    }
    auto up = plan_compose_up(loaded->file, loaded->source, services,
                              arguments.value("detach", true), *build_tool_);
    if (!up) return up.error();
    up->sensitive_values = sensitive_values(*loaded);
    return actions::Action{std::move(*up)};
  }

  ToolOutput render(const actions::Action& action, const json& result,
                    std::chrono::system_clock::time_point) const override {
    const auto& up = std::get<actions::ComposeUp>(action);
    std::string text;
    if (result.contains("error"))
      text = "docker_compose_up stopped: " + result.value("error", std::string()) +
             "\nSteps (those before the failure ran; nothing after it):\n";
    else
      text = "Project " + up.project + " is up (" + std::to_string(up.services.size()) +
             " services):\n";
    text += steps_text(result);
    for (const auto& [name, entry] : result.value("logs", json::object()).items()) {
      text += "--- " + name;
      if (entry.contains("exit_code"))
        text += " exited with code " + std::to_string(entry.value("exit_code", 0));
      if (entry.value("still_running", false)) text += " is still running";
      text += " ---\n" + entry.value("output", std::string());
    }
    return ToolOutput{text, result};
  }

 private:
  ComposeLoader loader_;
  std::unique_ptr<Tool> build_tool_;
  ToolDefinition definition_;
};

class ComposeDownTool final : public Tool {
 public:
  explicit ComposeDownTool(std::vector<std::string> roots) : loader_(std::move(roots)) {
    definition_.name = "docker_compose_down";
    definition_.title = "Stop and remove a compose project";
    definition_.description =
        "Stop and remove the containers and networks of a Docker Compose file's project, like "
        "`docker compose down`. Only objects labelled with that project are touched. "
        "removeVolumes also removes the named volumes the file declares (their data is lost); "
        "removeImages removes images: \"local\" those compose built without an image name, "
        "\"all\" every image the services use.";
    json properties = source_schema();
    properties["removeVolumes"] =
        schema::boolean("Also remove the named volumes the file declares. Default false.");
    properties["removeImages"] =
        schema::string_enum("Remove images: \"none\" (default), \"local\" or \"all\".",
                            json::array({"none", "local", "all"}));
    definition_.input_schema = schema::object(std::move(properties));
    definition_.output_schema = kResultSchema;
    definition_.destructive = true;
    definition_.idempotent = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto loaded = loader_.load(arguments, definition_.name);
    if (!loaded) return loaded.error();
    auto down =
        plan_compose_down(loaded->file, loaded->source, arguments.value("removeVolumes", false),
                          arguments.value("removeImages", "none"));
    if (!down) return down.error();
    down->sensitive_values = sensitive_values(*loaded);
    return actions::Action{std::move(*down)};
  }

  ToolOutput render(const actions::Action& action, const json& result,
                    std::chrono::system_clock::time_point) const override {
    const auto& down = std::get<actions::ComposeDown>(action);
    std::string text = result.contains("error") ? "docker_compose_down finished with errors: " +
                                                      result.value("error", std::string()) + "\n"
                                                : "Project " + down.project + " is down:\n";
    return ToolOutput{text + steps_text(result), result};
  }

 private:
  ComposeLoader loader_;
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_compose_up_tool(std::vector<std::string> workspace_roots) {
  return std::make_unique<ComposeUpTool>(std::move(workspace_roots));
}

std::unique_ptr<Tool> make_compose_down_tool(std::vector<std::string> workspace_roots) {
  return std::make_unique<ComposeDownTool>(std::move(workspace_roots));
}

}  // namespace dockgate::tools
