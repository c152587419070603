// Volumes and networks as Engine API requests, built from the judged action alone.
#include "gate/engine_requests.hpp"
#include "gate/visible_lists.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

std::string filters_query(const actions::ListFilters& filters) {
  return filters.empty() ? std::string() : "?filters=" + url_encode(json(filters).dump());
}

}  // namespace

Result<json> list_volumes(engine::EngineClient& engine, const actions::ListVolumes& list) {
  if (!list.visible_labels) return json_body(engine.get("/volumes" + filters_query(list.filters)));
  // The engine answers {"Volumes": [...], "Warnings": [...]}; merge the Volumes of each query.
  json warnings = json::array();
  auto volumes = visible_list(
      list.filters, list.visible_labels, "Name", [&](const actions::ListFilters& filters) {
        auto answer = json_body(engine.get("/volumes" + filters_query(filters)));
        if (!answer) return answer;
        if (const auto w = answer->find("Warnings"); w != answer->end() && w->is_array())
          warnings.insert(warnings.end(), w->begin(), w->end());
        const auto v = answer->find("Volumes");
        return Result<json>(v != answer->end() && v->is_array() ? *v : json::array());
      });
  if (!volumes) return volumes.error();
  return json{{"Volumes", std::move(*volumes)}, {"Warnings", std::move(warnings)}};
}

Result<json> create_volume(engine::EngineClient& engine, const actions::CreateVolume& create) {
  const json body = {{"Name", create.name},
                     {"Driver", create.driver},
                     {"DriverOpts", create.driver_opts},
                     {"Labels", create.labels}};
  return json_body(engine.post("/volumes/create", body));
}

Result<json> remove_volume(engine::EngineClient& engine, const actions::RemoveVolume& remove) {
  return status_only(
      engine.del("/volumes/" + url_encode(remove.name) + (remove.force ? "?force=1" : "")),
      json{{"removed", true}});
}

Result<json> list_networks(engine::EngineClient& engine, const actions::ListNetworks& list) {
  return visible_list(list.filters, list.visible_labels, "Id",
                      [&](const actions::ListFilters& filters) {
                        return json_body(engine.get("/networks" + filters_query(filters)));
                      });
}

Result<json> create_network(engine::EngineClient& engine, const actions::CreateNetwork& create) {
  json body = {{"Name", create.name},
               {"Driver", create.driver},
               {"Internal", create.internal},
               {"CheckDuplicate", true},  // a second network of the same name is refused
               {"Labels", create.labels}};
  if (!create.subnet.empty()) {
    body["IPAM"] = {{"Driver", "default"}, {"Config", json::array({{{"Subnet", create.subnet}}})}};
  }
  return json_body(engine.post("/networks/create", body));
}

Result<json> remove_network(engine::EngineClient& engine, const actions::RemoveNetwork& remove) {
  return status_only(engine.del("/networks/" + url_encode(remove.name)), json{{"removed", true}});
}

}  // namespace dockgate::gate
