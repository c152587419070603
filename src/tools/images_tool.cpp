// docker_images: list images, like `docker images [-a] [--filter k=v]...`.
#include "tools/builtin_tools.hpp"
#include "tools/json_fields.hpp"
#include "tools/list_filters.hpp"
#include "tools/schema_builders.hpp"
#include "tools/text_table.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

const std::vector<std::string> kImageFilterKeys = {"before", "dangling", "label", "reference",
                                                   "since"};

// "sha256:abc..." -> "abc..." (12 characters), as the CLI shows it.
std::string short_image_id(const std::string& id) {
  const auto colon = id.find(':');
  return id.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

// "registry:5000/team/app:1.2" -> {"registry:5000/team/app", "1.2"}: the tag follows the
// last colon after the last slash (a registry port is not a tag).
std::pair<std::string, std::string> split_tag(const std::string& reference) {
  const auto slash = reference.rfind('/');
  const auto colon = reference.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) {
    return {reference, "<none>"};
  }
  return {reference.substr(0, colon), reference.substr(colon + 1)};
}

class ImagesTool final : public Tool {
 public:
  ImagesTool() {
    definition_.name = "docker_images";
    definition_.title = "List images";
    definition_.description =
        "List the Docker images present on the engine, like `docker images`: repository, tag, "
        "id, age and size.";
    definition_.input_schema = schema::object({
        {"all", schema::boolean("Include intermediate images (docker images -a). Default false.")},
        {"filter", schema::filter("Docker filter syntax key=value, one string or a list: "
                                  "\"dangling=true\", \"reference=nginx*\", \"label=team=web\".")},
    });
    json image = {{"type", "object"},
                  {"properties",
                   {{"id", {{"type", "string"}}},
                    {"repository", {{"type", "string"}}},
                    {"tag", {{"type", "string"}}},
                    {"repo_tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                    {"created", {{"type", "string"}}},
                    {"size", {{"type", "integer"}}}}}};
    definition_.output_schema = {
        {"type", "object"},
        {"properties", {{"images", {{"type", "array"}, {"items", image}}}}},
        {"required", {"images"}}};
    definition_.read_only = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    auto filters = parse_list_filters(arguments.value("filter", json()), kImageFilterKeys);
    if (!filters) return filters.error();
    return actions::Action{actions::ListImages{arguments.value("all", false), *filters}};
  }

  ToolOutput render(const actions::Action&, const json& engine_result,
                    std::chrono::system_clock::time_point now) const override {
    TextTable table({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
    json images = json::array();
    for (const auto& image : engine_result.is_array() ? engine_result : json::array()) {
      const auto id = text_field(image, "Id");
      const auto created = integer_field(image, "Created");
      const auto size = integer_field(image, "Size");
      json tags = json::array();
      for (const auto& t : list_field(image, "RepoTags")) {
        if (t.is_string() && t.get<std::string>() != "<none>:<none>") tags.push_back(t);
      }
      // One row per tag, as the CLI does; an untagged image is one <none> row.
      std::vector<std::pair<std::string, std::string>> rows;
      for (const auto& t : tags) rows.push_back(split_tag(t.get<std::string>()));
      if (rows.empty()) rows.emplace_back("<none>", "<none>");
      for (const auto& [repository, tag] : rows) {
        table.add_row(
            {repository, tag, short_image_id(id), human_age(created, now), human_size(size)});
      }
      images.push_back({{"id", id},
                        {"repository", rows.front().first},
                        {"tag", rows.front().second},
                        {"repo_tags", tags},
                        {"created", rfc3339_utc(created)},
                        {"size", size}});
    }
    std::string text = table.render();
    if (table.row_count() == 0) text += "(no images match)\n";
    return ToolOutput{text, {{"images", images}}};
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_images_tool() {
  return std::make_unique<ImagesTool>();
}

}  // namespace dockgate::tools
