// docker_inspect: low-level information on a container, image, volume or network, like
// `docker inspect [--type T] [--format F] OBJECT`.
#include <regex>

#include "tools/builtin_tools.hpp"
#include "tools/inspect_format.hpp"
#include "tools/json_fields.hpp"
#include "tools/schema_builders.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

class InspectTool final : public Tool {
 public:
  InspectTool() {
    definition_.name = "docker_inspect";
    definition_.title = "Inspect a Docker object";
    definition_.description =
        "Show detailed information on a container, image, volume or network, like `docker "
        "inspect`. Without type, the object is looked up in that order. format takes a Go "
        "template such as \"{{json .NetworkSettings.Networks}}\", \"{{.State.Status}}\" or "
        "{{index .Config.Labels \"com.example.app\"}}. Values of environment "
        "variables with secret-like names (containing PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, "
        "APIKEY, PRIVATE_KEY, CREDENTIAL, ACCESS_KEY or AUTH) are shown as \"<redacted>\", in "
        "formatted output too.";
    definition_.input_schema = schema::object(
        {
            {"object", schema::string("Name or id of the object, e.g. \"app-web\".")},
            {"type", schema::string_enum("What kind of object it is. Optional.",
                                         {"container", "image", "volume", "network"})},
            {"format",
             schema::string("Go template applied to the object, as docker inspect "
                            "--format: {{.Path}}, {{json .Path}}, {{index .Path \"key\"}}, "
                            "{{json (index .Path \"key\")}} or "
                            "{{(index .Path \"key\").Sub}}.",
                            1024)},
        },
        {"object"});
    definition_.output_schema = {{"type", "object"},
                                 {"properties",
                                  {{"type", {{"type", "string"}}},
                                   {"object", {{"type", "object"}}},
                                   {"formatted", {{"type", "string"}}}}},
                                 {"required", {"type", "object"}}};
    definition_.read_only = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    actions::InspectObject inspect;
    inspect.object = arguments.at("object").get<std::string>();
    // Names, ids and image references only: anything else could steer the request path.
    static const std::regex kObjectPattern(R"([A-Za-z0-9][A-Za-z0-9_.:/@+-]*)");
    if (!std::regex_match(inspect.object, kObjectPattern) ||
        inspect.object.find("..") != std::string::npos) {
      return make_error(
          "argument 'object' must be a name, id or image reference (letters, "
          "digits and _ . : / @ + -), got '" +
          inspect.object + "'");
    }
    if (arguments.contains("type")) {
      inspect.kind = actions::parse_kind(arguments["type"].get<std::string>());
    }
    inspect.format = arguments.value("format", std::string());
    if (!inspect.format.empty()) {
      // Refuse a bad template before the engine is asked anything.
      if (auto checked = apply_inspect_format(inspect.format, json::object()); !checked) {
        return checked.error();
      }
    }
    return actions::Action{std::move(inspect)};
  }

  // engine_result: {"type": "container", "object": {...}} from the executor's lookup.
  ToolOutput render(const actions::Action& action, const json& engine_result,
                    std::chrono::system_clock::time_point) const override {
    const auto& inspect = std::get<actions::InspectObject>(action);
    // Redacted before anything is shown or formatted, so no template can reach the values.
    const json object = redact_secret_environment(map_field(engine_result, "object"));
    json structured = {{"type", text_field(engine_result, "type")}, {"object", object}};
    if (inspect.format.empty()) {
      return ToolOutput{json::array({object}).dump(4, ' ', false, json::error_handler_t::replace),
                        structured};
    }
    auto formatted = apply_inspect_format(inspect.format, object);
    std::string text = formatted ? *formatted : formatted.error().message;
    structured["formatted"] = text;
    return ToolOutput{text, structured};
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_inspect_tool() {
  return std::make_unique<InspectTool>();
}

}  // namespace dockgate::tools
