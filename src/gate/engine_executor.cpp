#include "gate/engine_executor.hpp"

#include "common/overloaded.hpp"
#include "gate/visible_lists.hpp"

#include <cctype>
#include <cstdio>

namespace dockgate::gate {
namespace {

using nlohmann::json;

std::string list_query(bool all, const actions::ListFilters& filters) {
  std::string query = all ? "?all=1" : "?all=0";
  if (!filters.empty()) query += "&filters=" + url_encode(json(filters).dump());
  return query;
}

std::string_view inspect_path_prefix(actions::ObjectKind kind) {
  switch (kind) {
    case actions::ObjectKind::Container:
      return "/containers/";
    case actions::ObjectKind::Image:
      return "/images/";
    case actions::ObjectKind::Volume:
      return "/volumes/";
    case actions::ObjectKind::Network:
      return "/networks/";
  }
  return "/containers/";
}

std::string_view inspect_path_suffix(actions::ObjectKind kind) {
  return kind == actions::ObjectKind::Container || kind == actions::ObjectKind::Image ? "/json"
                                                                                      : "";
}

// docker inspect without --type tries each kind in this order and takes the first found.
Result<json> inspect(engine::EngineClient& engine, const actions::InspectObject& request) {
  std::vector<actions::ObjectKind> kinds;
  if (request.kind) {
    kinds = {*request.kind};
  } else {
    kinds = {actions::ObjectKind::Container, actions::ObjectKind::Image,
             actions::ObjectKind::Volume, actions::ObjectKind::Network};
  }
  for (const auto kind : kinds) {
    const std::string target = std::string(inspect_path_prefix(kind)) + url_encode(request.object) +
                               std::string(inspect_path_suffix(kind));
    auto response = engine.get(target);
    if (response && response->status == 404) continue;
    auto body = json_body(response);
    if (!body) return body.error();
    return json{{"type", std::string(actions::kind_name(kind))}, {"object", std::move(*body)}};
  }
  const std::string what = request.kind ? std::string(actions::kind_name(*request.kind))
                                        : "container, image, volume or network";
  return make_error("no " + what + " named '" + request.object + "' exists on the engine");
}

}  // namespace

Result<json> json_body(const Result<engine::EngineResponse>& response) {
  if (!response) return response.error();
  if (!response->ok()) {
    return make_error("engine error (" + std::to_string(response->status) +
                      "): " + response->error_message());
  }
  json body = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return make_error("the engine answered with JSON we cannot read");
  return body;
}

Result<json> status_only(const Result<engine::EngineResponse>& response, json on_success) {
  if (!response) return response.error();
  if (!response->ok() && response->status != 304) {
    return make_error("engine error (" + std::to_string(response->status) +
                      "): " + response->error_message());
  }
  return on_success;
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

Result<json> EngineActionExecutor::execute(const actions::Action& action,
                                           const ProgressCallback& progress) {
  return std::visit(
      Overloaded{
          [&](const actions::ListContainers& a) {
            return visible_list(
                a.filters, a.visible_labels, "Id", [&](const actions::ListFilters& filters) {
                  return json_body(engine_.get("/containers/json" + list_query(a.all, filters)));
                });
          },
          [&](const actions::ListImages& a) {
            return json_body(engine_.get("/images/json" + list_query(a.all, a.filters)));
          },
          [&](const actions::InspectObject& a) { return inspect(engine_, a); },
          [&](const actions::RunContainer& a) { return run_container(engine_, a, settings_); },
          [&](const actions::StopContainer& a) { return stop_container(engine_, a); },
          [&](const actions::RemoveContainer& a) { return remove_container(engine_, a); },
          [&](const actions::ReadLogs& a) { return read_logs(engine_, a, settings_); },
          [&](const actions::ExecCommand& a) { return exec_command(engine_, a, settings_); },
          [&](const actions::ListVolumes& a) { return list_volumes(engine_, a); },
          [&](const actions::CreateVolume& a) { return create_volume(engine_, a); },
          [&](const actions::RemoveVolume& a) { return remove_volume(engine_, a); },
          [&](const actions::ListNetworks& a) { return list_networks(engine_, a); },
          [&](const actions::CreateNetwork& a) { return create_network(engine_, a); },
          [&](const actions::RemoveNetwork& a) { return remove_network(engine_, a); },
          [&](const actions::PullImage& a) { return pull_image(engine_, a, settings_, progress); },
          [&](const actions::RemoveImage& a) { return remove_image(engine_, a); },
          // The gate answers these from the policy (Gate::call); reaching here is a bug: refuse.
          [&](const actions::CheckPolicy&) -> Result<json> {
            return make_error("policy checks are answered by the gate, never by the engine");
          },
          [&](const actions::ShowPolicy&) -> Result<json> {
            return make_error("the policy is shown by the gate, never by the engine");
          },
          [&](const actions::BuildImage& a) { return build_image(engine_, a, settings_); },
          [&](const actions::ComposeUp& a) { return compose_up(engine_, a, settings_, progress); },
          [&](const actions::ComposeDown& a) { return compose_down(engine_, a); },
      },
      action);
}

}  // namespace dockgate::gate
