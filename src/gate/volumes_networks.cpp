// Volumes and networks as Engine API requests, built from the judged action alone.
#include "gate/engine_requests.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

std::string filters_query(const actions::ListFilters& filters) {
  return filters.empty() ? std::string() : "?filters=" + url_encode(json(filters).dump());
}

}  // namespace

Result<json> list_volumes(engine::EngineClient& engine, const actions::ListVolumes& list) {
  return json_body(engine.get("/volumes" + filters_query(list.filters)));
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
  return json_body(engine.get("/networks" + filters_query(list.filters)));
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
