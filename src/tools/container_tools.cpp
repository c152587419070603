// docker_stop, docker_rm and docker_logs: a running container's lifecycle and output, like
// `docker stop [-t N] C`, `docker rm [-f] [-v] C` and `docker logs [--tail N] [-f] [--since T]
// [-t] C`. docker_exec is in exec_tool.cpp.
#include "tools/builtin_tools.hpp"
#include "tools/json_fields.hpp"
#include "tools/object_arguments.hpp"
#include "tools/output_sections.hpp"
#include "tools/schema_builders.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

constexpr int kMaxStopTimeoutSeconds = 600;
constexpr int kMaxTailLines = 10000;

json container_argument_schema() {
  return schema::string("Name or id of the container, e.g. \"app-web\" or \"3f2a9c1b7d4e\".");
}

Result<std::string> container_argument(const json& arguments) {
  const auto container = arguments.at("container").get<std::string>();
  if (auto valid = check_object_name("container", container, "container"); !valid) {
    return valid.error();
  }
  return container;
}

class StopTool final : public Tool {
 public:
  StopTool() {
    definition_.name = "docker_stop";
    definition_.title = "Stop a container";
    definition_.description =
        "Stop a running container, like `docker stop`: the main process gets SIGTERM, then "
        "SIGKILL after timeout seconds. Use it for \"stop container mon-nginx\". Stopping a "
        "container that is already stopped is not an error.";
    definition_.input_schema = schema::object(
        {{"container", container_argument_schema()},
         {"timeout",
          {{"type", "integer"},
           {"minimum", 0},
           {"maximum", kMaxStopTimeoutSeconds},
           {"description",
            "Seconds to wait for the process to exit before killing it (docker stop -t). "
            "Default: the container's own stop timeout (10 s unless set)."}}}},
        {"container"});
    definition_.output_schema = {
        {"type", "object"},
        {"properties",
         {{"container", {{"type", "string"}}}, {"already_stopped", {{"type", "boolean"}}}}},
        {"required", {"container", "already_stopped"}}};
    definition_.destructive = true;
    definition_.idempotent = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto container = container_argument(arguments);
    if (!container) return container.error();
    actions::StopContainer stop{*container, std::nullopt};
    if (arguments.contains("timeout")) stop.timeout_seconds = arguments["timeout"].get<int>();
    return actions::Action{std::move(stop)};
  }

  ToolOutput render(const actions::Action& action, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    const auto& stop = std::get<actions::StopContainer>(action);
    const bool already = engine_result.value("already_stopped", false);
    std::string text =
        already ? stop.container + " was already stopped (nothing to do)\n" : stop.container + "\n";
    return ToolOutput{text, {{"container", stop.container}, {"already_stopped", already}}};
  }

 private:
  ToolDefinition definition_;
};

class RmTool final : public Tool {
 public:
  RmTool() {
    definition_.name = "docker_rm";
    definition_.title = "Remove a container";
    definition_.description =
        "Remove a container, like `docker rm`. A running container is refused unless force is "
        "true (then it is killed first). volumes: true also removes its anonymous volumes "
        "(named volumes are kept). Use it to clean up exited containers.";
    definition_.input_schema = schema::object(
        {{"container", container_argument_schema()},
         {"force", schema::boolean("Kill the container first if it is running (docker rm -f). "
                                   "Default false.")},
         {"volumes", schema::boolean("Also remove the container's anonymous volumes (docker rm "
                                     "-v). Default false.")}},
        {"container"});
    definition_.output_schema = {
        {"type", "object"},
        {"properties", {{"container", {{"type", "string"}}}, {"removed", {{"type", "boolean"}}}}},
        {"required", {"container", "removed"}}};
    definition_.destructive = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto container = container_argument(arguments);
    if (!container) return container.error();
    return actions::Action{actions::RemoveContainer{*container, arguments.value("force", false),
                                                    arguments.value("volumes", false)}};
  }

  ToolOutput render(const actions::Action& action, const json&,
                    std::chrono::system_clock::time_point) const override {
    const auto& remove = std::get<actions::RemoveContainer>(action);
    return ToolOutput{remove.container + "\n",
                      {{"container", remove.container}, {"removed", true}}};
  }

 private:
  ToolDefinition definition_;
};

class LogsTool final : public Tool {
 public:
  LogsTool() {
    definition_.name = "docker_logs";
    definition_.title = "Show a container's logs";
    definition_.description =
        "Show a container's output (stdout and stderr), like `docker logs`. Use it for \"show "
        "me the logs of app-web\" (tail: 50 for the last 50 lines). follow: true keeps reading "
        "for a few seconds, then returns what arrived. stderr lines are shown in their own "
        "section after stdout. Long output is cut to its last part.";
    json tail = {
        {"description",
         "Number of lines from the end of the logs (docker logs --tail), or \"all\". Default: "
         "all (long output is cut to its last part)."},
        {"anyOf", json::array({{{"type", "integer"}, {"minimum", 0}, {"maximum", kMaxTailLines}},
                               {{"type", "string"}, {"enum", {"all"}}}})}};
    definition_.input_schema = schema::object(
        {{"container", container_argument_schema()},
         {"tail", tail},
         {"follow", schema::boolean("Keep reading new output for a few seconds, then return "
                                    "what arrived (docker logs -f, bounded). Default false.")},
         {"since", schema::string("Only output after this time: an RFC 3339 time "
                                  "(\"2026-11-27T18:00:00Z\"), Unix seconds, or a duration back "
                                  "from now (\"10m\", \"1h30m\").",
                                  64)},
         {"timestamps",
          schema::boolean("Prefix each line with its RFC 3339 time (docker logs -t). Default "
                          "false.")}},
        {"container"});
    definition_.output_schema = output_schema_with(
        {{"container", {{"type", "string"}}}, {"followed_seconds", {{"type", "number"}}}});
    definition_.read_only = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto container = container_argument(arguments);
    if (!container) return container.error();
    actions::ReadLogs logs;
    logs.container = *container;
    if (const auto tail = arguments.find("tail"); tail != arguments.end() && tail->is_number()) {
      logs.tail = tail->get<int>();
    }
    logs.follow = arguments.value("follow", false);
    logs.timestamps = arguments.value("timestamps", false);
    logs.since = arguments.value("since", std::string());
    if (!logs.since.empty()) {
      // Checked now so a bad value is refused before anything is judged or sent; converted
      // again when the request is made, since a duration counts back from that moment.
      if (auto since = logs_since_to_unix(logs.since, std::chrono::system_clock::now()); !since) {
        return since.error();
      }
    }
    return actions::Action{std::move(logs)};
  }

  ToolOutput render(const actions::Action& action, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    const auto& logs = std::get<actions::ReadLogs>(action);
    auto output = render_output_sections(engine_result);
    std::string header;
    if (logs.follow) {
      header = "(followed for " + seconds_text(engine_result.value("followed_seconds", 0.0)) +
               ", then stopped reading)\n";
    } else if (engine_result.value("deadline_reached", false)) {
      header = "(stopped reading after " + seconds_text(engine_result.value("read_seconds", 0.0)) +
               ": the logs are longer than can be read in one call; use tail or since)\n";
    }
    if (output.text.empty()) output.text = "(no log output)\n";
    output.text = header + output.text;
    output.structured["container"] = logs.container;
    if (logs.follow)
      output.structured["followed_seconds"] = engine_result.value("followed_seconds", 0.0);
    return output;
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_stop_tool() {
  return std::make_unique<StopTool>();
}
std::unique_ptr<Tool> make_rm_tool() {
  return std::make_unique<RmTool>();
}
std::unique_ptr<Tool> make_logs_tool() {
  return std::make_unique<LogsTool>();
}

}  // namespace dockgate::tools
