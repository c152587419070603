// docker_exec: run a command in a running container, like `docker exec [-u U] [-w D] [-e K=V]
// C CMD...`, without a terminal: MCP carries one request and one answer, not a session.
#include "actions/normalize.hpp"
#include "tools/builtin_tools.hpp"
#include "tools/json_fields.hpp"
#include "tools/object_arguments.hpp"
#include "tools/output_sections.hpp"
#include "tools/schema_builders.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxArgvItems = 128;
constexpr std::size_t kMaxArgLength = 8192;
constexpr std::size_t kMaxEnvEntries = 64;
constexpr std::size_t kMaxEnvLength = 4096;

Result<std::vector<std::string>> command_argument(const json& command) {
  if (command.is_string()) {
    return make_error(
        "argument 'command' must be a list of strings, run as given without a shell, e.g. "
        "[\"ls\", \"-la\", \"/app\"]; to use shell syntax (pipes, &&, redirections) pass "
        "[\"sh\", \"-c\", " +
        json(command.get<std::string>()).dump(-1, ' ', false, json::error_handler_t::replace) +
        "]");
  }
  std::vector<std::string> argv;
  for (const auto& item : command) argv.push_back(item.get<std::string>());
  if (argv.empty()) {
    return make_error("argument 'command' must name a program to run, e.g. [\"ls\", \"-la\"]");
  }
  return argv;
}

Result<std::string> env_entry(const std::string& name, const std::string& entry) {
  auto parsed = actions::parse_env_entry(entry);
  if (!parsed) return make_error("argument '" + name + "': " + parsed.error().message);
  return *parsed;
}

// env: ["KEY=value", ...] or {"KEY": "value", ...}.
Result<std::vector<std::string>> env_argument(const json& env) {
  std::vector<std::string> entries;
  if (env.is_array()) {
    for (std::size_t i = 0; i < env.size(); ++i) {
      auto entry = env_entry("env[" + std::to_string(i) + "]", env[i].get<std::string>());
      if (!entry) return entry.error();
      entries.push_back(*entry);
    }
    return entries;
  }
  if (env.size() > kMaxEnvEntries) {
    return make_error("argument 'env' has " + std::to_string(env.size()) + " entries (at most " +
                      std::to_string(kMaxEnvEntries) + ")");
  }
  for (const auto& [key, value] : env.items()) {
    if (!value.is_string()) {
      return make_error("argument 'env." + key + "' must be a string, e.g. {\"" + key +
                        "\": \"value\"}");
    }
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxEnvLength || text.find('\0') != std::string::npos) {
      return make_error("argument 'env." + key + "' must be at most " +
                        std::to_string(kMaxEnvLength) + " characters, without NUL");
    }
    auto entry = env_entry("env." + key, key + "=" + text);
    if (!entry) return entry.error();
    entries.push_back(*entry);
  }
  return entries;
}

class ExecTool final : public Tool {
 public:
  ExecTool() {
    definition_.name = "docker_exec";
    definition_.title = "Run a command in a container";
    definition_.description =
        "Run a command in a running container and return its output and exit code, like "
        "`docker exec`. command is a list run as given, with no shell: [\"ls\", \"-la\"]; for "
        "shell syntax use [\"sh\", \"-c\", \"cat /etc/os-release | head -3\"]. Interactive "
        "sessions are not possible over MCP. A non-zero exit code is reported, not an error.";
    json argv_item = {{"type", "string"}, {"maxLength", kMaxArgLength}};
    json env_item = {{"type", "string"}, {"minLength", 1}, {"maxLength", kMaxEnvLength}};
    definition_.input_schema = schema::object(
        {{"container", schema::string("Name or id of a running container, e.g. \"app-web\".")},
         {"command",
          {{"description",
            "The program and its arguments as a list, e.g. [\"ls\", \"-la\", \"/app\"]. No "
            "shell is added: use [\"sh\", \"-c\", \"...\"] for pipes or &&. A plain string "
            "is refused."},
           {"anyOf",
            json::array({{{"type", "array"}, {"items", argv_item}, {"maxItems", kMaxArgvItems}},
                         {{"type", "string"}, {"maxLength", kMaxArgLength}}})}}},
         {"interactive",
          schema::boolean("Must be false or absent: MCP cannot carry an interactive session.")},
         {"user", schema::string("User to run as, \"uid\", \"uid:gid\" or a name, e.g. "
                                 "\"1000:1000\". Default: the container's user.",
                                 64)},
         {"workdir", schema::string("Absolute working directory in the container, e.g. "
                                    "\"/app\". Default: the container's.",
                                    1024)},
         {"env",
          {{"description",
            "Extra environment: a list of \"KEY=value\" or an object {\"KEY\": \"value\"}."},
           {"anyOf",
            json::array({{{"type", "array"}, {"items", env_item}, {"maxItems", kMaxEnvEntries}},
                         {{"type", "object"}}})}}}},
        {"container", "command"});
    definition_.output_schema = output_schema_with({{"container", {{"type", "string"}}},
                                                    {"exit_code", {{"type", {"integer", "null"}}}},
                                                    {"still_running", {{"type", "boolean"}}}});
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    if (arguments.value("interactive", false)) {
      return make_error(
          "argument 'interactive': MCP cannot carry an interactive session; run a "
          "non-interactive command instead (e.g. [\"sh\", \"-c\", \"...\"]) and read its "
          "output");
    }
    actions::ExecCommand exec;
    exec.container = arguments.at("container").get<std::string>();
    if (auto valid = check_object_name("container", exec.container, "container"); !valid) {
      return valid.error();
    }
    auto argv = command_argument(arguments.at("command"));
    if (!argv) return argv.error();
    exec.argv = std::move(*argv);
    exec.user = arguments.value("user", std::string());
    if (!exec.user.empty()) {
      if (auto user = actions::parse_user_spec(exec.user); !user) {
        return make_error("argument 'user': " + user.error().message);
      }
    }
    exec.workdir = arguments.value("workdir", std::string());
    if (!exec.workdir.empty() && exec.workdir.front() != '/') {
      return make_error("argument 'workdir' must be an absolute path like \"/app\", got '" +
                        exec.workdir + "'");
    }
    if (arguments.contains("env")) {
      auto env = env_argument(arguments["env"]);
      if (!env) return env.error();
      exec.env = std::move(*env);
    }
    return actions::Action{std::move(exec)};
  }

  // engine_result: the output sections plus {"exit_code": N or null, "still_running": bool,
  // "waited_seconds": s}.
  ToolOutput render(const actions::Action& action, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    const auto& exec = std::get<actions::ExecCommand>(action);
    auto output = render_output_sections(engine_result);
    const auto code = engine_result.find("exit_code");
    const bool running = engine_result.value("still_running", false);
    std::string header;
    if (running || code == engine_result.end() || !code->is_number_integer()) {
      header = "The command was still running after " +
               seconds_text(engine_result.value("waited_seconds", 0.0)) +
               " and was left running in the container; its output so far:\n";
    } else if (code->get<int>() == 0) {
      header = "exit code: 0\n";
    } else {
      header = "exit code: " + std::to_string(code->get<int>()) + " (the command failed)\n";
    }
    output.text = header + output.text;
    output.structured["container"] = exec.container;
    output.structured["exit_code"] =
        code != engine_result.end() && code->is_number_integer() ? *code : json();
    output.structured["still_running"] = running;
    return output;
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_exec_tool() {
  return std::make_unique<ExecTool>();
}

}  // namespace dockgate::tools
