// docker_run: create and start a container, like `docker run [-d] ...`. The arguments are
// translated in run_arguments.cpp; this file holds the schema the model sees and the rendering.
#include "tools/builtin_tools.hpp"
#include "tools/json_fields.hpp"
#include "tools/run_arguments.hpp"
#include "tools/schema_builders.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

json string_list(std::string description, std::size_t max_length, std::size_t max_items) {
  return {{"type", "array"},
          {"description", std::move(description)},
          {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", max_length}}},
          {"maxItems", max_items}};
}

json string_map(std::string description, std::size_t max_value_length) {
  return schema::string_map(std::move(description), max_value_length);
}

json integer(std::string description, std::int64_t minimum, std::int64_t maximum) {
  return {{"type", "integer"},
          {"description", std::move(description)},
          {"minimum", minimum},
          {"maximum", maximum}};
}

json healthcheck_schema() {
  json test_item = {{"type", "string"}, {"minLength", 1}, {"maxLength", 4096}};
  json test = {
      {"description",
       "The check: a shell command string (run with /bin/sh -c), or a list "
       "[\"CMD\", \"wget\", \"-q\", \"-O-\", \"http://localhost/\"]; [\"NONE\"] disables "
       "the image's check."},
      {"anyOf",
       json::array({test_item, {{"type", "array"}, {"items", test_item}, {"maxItems", 64}}})}};
  json health =
      schema::object({{"test", std::move(test)},
                      {"interval", schema::string("Time between checks, e.g. \"10s\".", 32)},
                      {"timeout", schema::string("How long one check may take, e.g. \"3s\".", 32)},
                      {"start_period", schema::string("Grace time after start, e.g. \"30s\".", 32)},
                      {"retries", integer("Failures in a row before unhealthy, e.g. 3.", 0, 100)}},
                     {"test"});
  health["description"] = "A health check like docker run --health-cmd and friends.";
  return health;
}

json run_input_schema() {
  json argv_item = {{"type", "string"}, {"maxLength", 4096}};
  auto argv = [&](std::string description) {
    return json{
        {"type", "array"},    {"description", std::move(description)},
        {"items", argv_item}, {"minItems", 1},
        {"maxItems", 128},    {"examples", json::array({json::array({"sh", "-c", "echo hello"})})}};
  };
  json env_item = {{"type", "string"}, {"minLength", 2}, {"maxLength", 8192}};
  return schema::object(
      {
          {"image", schema::string("Image to run, with a pinned tag: \"nginx:1.25\", "
                                   "\"postgres:13\", \"registry:5000/team/app@sha256:...\". "
                                   "It must already be pulled (docker_pull).")},
          {"name", schema::string("Container name, e.g. \"web\" (letters, digits, _ . -). "
                                  "Always give one.",
                                  128)},
          {"detach", schema::boolean("true (default): start it and return at once. false: wait "
                                     "up to 30 s for it to exit and return its exit code and "
                                     "output (for one-off commands).")},
          {"ports", string_list("Published ports \"host:container\": [\"8080:80\"], "
                                "[\"127.0.0.1:5432:5432\"], [\"53:53/udp\"].",
                                64, schema::kMaxListItems)},
          {"env",
           {{"description",
             "Environment variables: [\"KEY=value\", ...] or "
             "{\"KEY\": \"value\"}."},
            {"anyOf", json::array({{{"type", "array"}, {"items", env_item}, {"maxItems", 128}},
                                   schema::string_map("", 8192)})}}},
          {"volumes", string_list("Mounts: named volume \"db-data:/var/lib/postgresql/data\", "
                                  "host folder \"/srv/site:/usr/share/nginx/html:ro\" "
                                  "(absolute host path).",
                                  1024, schema::kMaxListItems)},
          {"network", schema::string("Network to join: a network name such as \"app-network\" "
                                     "(containers on it reach each other by name), or "
                                     "\"bridge\", \"none\", \"host\".",
                                     128)},
          {"memory", schema::string("Memory limit like \"512m\" or \"1g\".", 32)},
          {"cpus",
           {{"description", "CPU limit like \"0.5\" or \"2\"."},
            {"anyOf", json::array({{{"type", "string"}, {"minLength", 1}, {"maxLength", 16}},
                                   {{"type", "number"}}})}}},
          {"healthcheck", healthcheck_schema()},
          {"secrets", string_list("Names of secrets configured on the dockgate server; each is "
                                  "readable in the container at /run/secrets/<name>.",
                                  128, schema::kMaxListItems)},
          {"user",
           schema::string("User to run as, \"uid:gid\" like \"1000:1000\" or a name.", 128)},
          {"cap_drop",
           string_list("Linux capabilities to drop, e.g. [\"ALL\"].", 64, schema::kMaxListItems)},
          {"cap_add", string_list("Capabilities to add back, e.g. [\"NET_BIND_SERVICE\"].", 64,
                                  schema::kMaxListItems)},
          {"command", argv("Command and its arguments as a LIST, replacing the image's CMD: "
                           "[\"nginx\", \"-g\", \"daemon off;\"]; for a shell line use "
                           "[\"sh\", \"-c\", \"...\"]. A single string is refused.")},
          {"entrypoint", argv("Replaces the image's ENTRYPOINT, as a list: [\"/bin/sh\"].")},
          {"workdir",
           schema::string("Working directory inside the container, e.g. \"/app\".", 1024)},
          {"labels", string_map("Labels {\"key\": \"value\"} (keys starting with \"dockgate.\" "
                                "are reserved).",
                                4096)},
          {"restart", schema::string("Restart policy: \"no\", \"always\", \"unless-stopped\", "
                                     "\"on-failure\" or \"on-failure:3\".",
                                     32)},
          {"read_only", schema::boolean("Mount the container's root filesystem read-only.")},
          {"privileged", schema::boolean("Give the container full host privileges (usually "
                                         "denied by policy).")},
          {"security_opt", string_list("Security options like \"no-new-privileges\".", 256, 16)},
          {"remove", schema::boolean("Remove the container when it exits (docker run --rm).")},
          {"publish_all", schema::boolean("Publish every exposed port on a random host port "
                                          "(docker run -P).")},
          {"pids_limit", integer("Maximum number of processes, e.g. 100.", 1, 4194304)},
          {"devices",
           string_list("Host devices like \"/dev/fuse\" (usually denied by policy).", 512, 16)},
          {"sysctls", string_map("Kernel parameters {\"net.core.somaxconn\": \"1024\"}.", 1024)},
          {"pid", schema::string("PID namespace: \"host\" or \"container:<name>\".", 256)},
          {"ipc", schema::string("IPC namespace: \"private\", \"shareable\", \"host\", "
                                 "\"none\" or \"container:<name>\".",
                                 256)},
      },
      {"image"});
}

std::string short_id(const std::string& id) {
  return id.substr(0, 12);
}

class RunTool final : public Tool {
 public:
  RunTool() {
    definition_.name = "docker_run";
    definition_.title = "Run a container";
    definition_.description =
        "Create and start a container from an image, like `docker run -d`. Name it, pin the "
        "image tag, publish ports as \"host:container\". Example: \"start an nginx container "
        "on port 8080\" -> {\"image\": \"nginx:1.25\", \"name\": \"web\", \"ports\": "
        "[\"8080:80\"]}. With detach: false it waits (up to 30 s) and returns the exit code "
        "and the last lines of output. The image must be present (docker_pull first).";
    definition_.input_schema = run_input_schema();
    definition_.output_schema = {
        {"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"name", {{"type", "string"}}},
          {"warnings", {{"type", "array"}, {"items", {{"type", "string"}}}}},
          {"exit_code", {{"type", "integer"}}},
          {"output", {{"type", "string"}}},
          {"output_truncated", {{"type", "boolean"}}},
          {"still_running", {{"type", "boolean"}}}}},
        {"required", {"id", "name", "warnings"}}};
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto run = plan_run_arguments(arguments);
    if (!run) return run.error();
    return actions::Action{std::move(*run)};
  }

  // engine_result (from gate::run_container): {id, name, warnings} and, for detach:false,
  // {exit_code, output, output_truncated} or {still_running: true, waited_seconds}.
  ToolOutput render(const actions::Action&, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    const std::string id = text_field(engine_result, "id");
    const std::string name = text_field(engine_result, "name");
    json warnings = json::array();
    for (const auto& w : list_field(engine_result, "warnings")) {
      if (w.is_string()) warnings.push_back(w);
    }
    json structured = {{"id", id}, {"name", name}, {"warnings", warnings}};
    std::string text;
    const auto still_running = engine_result.find("still_running");
    if (still_running != engine_result.end() && still_running->is_boolean() && *still_running) {
      structured["still_running"] = true;
      text = "Container " + name + " (id " + short_id(id) + ") is still running after " +
             std::to_string(integer_field(engine_result, "waited_seconds")) +
             "s; see docker_logs for its output\n";
    } else if (engine_result.contains("exit_code")) {
      const auto code = integer_field(engine_result, "exit_code");
      const std::string output = text_field(engine_result, "output");
      structured["exit_code"] = code;
      structured["output"] = output;
      const bool truncated = engine_result.value("output_truncated", false);
      structured["output_truncated"] = truncated;
      text = "Container " + name + " exited with code " + std::to_string(code) + "\n";
      text += output.empty()
                  ? "(no output)\n"
                  : "--- output (last 50 lines" + std::string(truncated ? ", truncated" : "") +
                        ") ---\n" + output + (output.back() == '\n' ? "" : "\n");
    } else {
      text = "Started container " + name + " (id " + short_id(id) + ")\n";
    }
    for (const auto& w : warnings) text += "Warning: " + w.get<std::string>() + "\n";
    return ToolOutput{text, structured};
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_run_tool() {
  return std::make_unique<RunTool>();
}

}  // namespace dockgate::tools
