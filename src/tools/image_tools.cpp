// docker_pull and docker_rmi, like `docker pull IMAGE` and `docker rmi [-f] IMAGE`. A pull
// is bounded in time (the gate's pull budget): a pull still running then is reported as such.
#include <regex>

#include "actions/normalize.hpp"
#include "tools/builtin_tools.hpp"
#include "tools/json_fields.hpp"
#include "tools/schema_builders.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

Error argument_error(const std::string& argument, const std::string& why) {
  return make_error("argument '" + argument + "' " + why);
}

class PullTool final : public Tool {
 public:
  PullTool() {
    definition_.name = "docker_pull";
    definition_.title = "Pull an image";
    definition_.description =
        "Pull an image from a registry, like `docker pull`. Use it for \"pull postgres:13\". "
        "Give a tag (\"postgres:13\", \"node:16.14.2-alpine\") or a digest "
        "(\"busybox@sha256:...\"); without one docker pulls :latest, which the policy may "
        "refuse. A pull still running after the server's time budget (50 s by default) is "
        "reported as unfinished: call docker_pull again to continue it.";
    definition_.input_schema =
        schema::object({{"image", schema::string("Image reference, e.g. \"postgres:13\", "
                                                 "\"registry.example.com/team/app:1.2\" or "
                                                 "\"busybox@sha256:<64 hex>\".")}},
                       {"image"});
    definition_.output_schema = {{"type", "object"},
                                 {"properties",
                                  {{"image", {{"type", "string"}}},
                                   {"reference", {{"type", "string"}}},
                                   {"complete", {{"type", "boolean"}}},
                                   {"digest", {{"type", "string"}}},
                                   {"status", {{"type", "string"}}}}},
                                 {"required", {"image", "complete"}}};
    definition_.idempotent = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    if (!arguments.contains("image") || !arguments["image"].is_string())
      return argument_error("image", "is required: an image reference like \"postgres:13\"");
    auto image = actions::parse_image_reference(arguments["image"].get<std::string>());
    if (!image) return argument_error("image", image.error().message);
    return actions::Action{actions::PullImage{std::move(*image)}};
  }

  ToolOutput render(const actions::Action& action, const json& result,
                    std::chrono::system_clock::time_point) const override {
    const auto& pull = std::get<actions::PullImage>(action);
    const bool complete = result.value("complete", false);
    std::string text;
    for (const auto& line : list_field(result, "status_lines"))
      if (line.is_string()) text += line.get<std::string>() + "\n";
    if (!complete) {
      text += "The pull of " + pull.image.familiar() + " was still running after " +
              std::to_string(static_cast<int>(result.value("budget_seconds", 0.0))) +
              " s and this call stopped waiting. Layers already downloaded are kept: call "
              "docker_pull again to continue it, or docker_images to see whether it is there.\n";
    } else {
      text += pull.image.full() + "\n";
    }
    json structured = {{"image", pull.image.familiar()},
                       {"reference", pull.image.full()},
                       {"complete", complete},
                       {"digest", text_field(result, "digest")},
                       {"status", text_field(result, "status")}};
    return ToolOutput{text, structured};
  }

 private:
  ToolDefinition definition_;
};

// An image id ("sha256:<64 hex>" or a prefix of the hex, at least 4 characters) or a
// reference docker's grammar accepts. What the engine gets is the text as given.
Status check_image_name(const std::string& text) {
  static const std::regex kId(R"((sha256:)?[0-9a-f]{4,64})");
  if (std::regex_match(text, kId)) return Ok{};
  auto parsed = actions::parse_image_reference(text);
  if (!parsed) {
    return argument_error("image", parsed.error().message +
                                       " (give an image reference like \"postgres:13\" or an "
                                       "image id like \"sha256:1a2b...\")");
  }
  return Ok{};
}

class RmiTool final : public Tool {
 public:
  RmiTool() {
    definition_.name = "docker_rmi";
    definition_.title = "Remove an image";
    definition_.description =
        "Remove an image, like `docker rmi`. image is a reference (\"postgres:13\") or an id. "
        "Removing a reference untags it; the image's layers are deleted when no other tag "
        "and no container uses them. An image used by a container is refused unless force is "
        "true.";
    definition_.input_schema = schema::object(
        {{"image",
          schema::string("Image reference or id, e.g. \"postgres:13\" or \"sha256:1a2b...\".")},
         {"force", schema::boolean("Remove even when containers use it or it has several tags "
                                   "(docker rmi -f). Default false.")}},
        {"image"});
    definition_.output_schema = {{"type", "object"},
                                 {"properties",
                                  {{"image", {{"type", "string"}}},
                                   {"untagged", {{"type", "array"}}},
                                   {"deleted", {{"type", "array"}}}}},
                                 {"required", {"image", "untagged", "deleted"}}};
    definition_.destructive = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    if (!arguments.contains("image") || !arguments["image"].is_string())
      return argument_error("image", "is required: an image reference or id");
    actions::RemoveImage remove;
    remove.image = arguments["image"].get<std::string>();
    if (auto valid = check_image_name(remove.image); !valid) return valid.error();
    remove.force = arguments.value("force", false);
    return actions::Action{std::move(remove)};
  }

  ToolOutput render(const actions::Action& action, const json& result,
                    std::chrono::system_clock::time_point) const override {
    const auto& remove = std::get<actions::RemoveImage>(action);
    json untagged = json::array();
    json deleted = json::array();
    std::string text;
    for (const auto& item : list_field(result, "removed")) {
      if (const auto tag = text_field(item, "Untagged"); !tag.empty()) {
        untagged.push_back(tag);
        text += "Untagged: " + tag + "\n";
      }
      if (const auto id = text_field(item, "Deleted"); !id.empty()) {
        deleted.push_back(id);
        text += "Deleted: " + id + "\n";
      }
    }
    if (text.empty()) text = "Nothing was removed.\n";
    return ToolOutput{text,
                      {{"image", remove.image}, {"untagged", untagged}, {"deleted", deleted}}};
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_pull_tool() {
  return std::make_unique<PullTool>();
}
std::unique_ptr<Tool> make_rmi_tool() {
  return std::make_unique<RmiTool>();
}

}  // namespace dockgate::tools
