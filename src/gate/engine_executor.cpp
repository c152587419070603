#include "gate/engine_executor.hpp"

#include <cctype>
#include <cstdio>

namespace dockgate::gate {
namespace {

using nlohmann::json;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

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

Result<actions::Facts> EngineActionExecutor::gather_facts(const actions::Action&) {
  // The read-only actions need nothing beyond the call; later actions add lookups here.
  return actions::Facts{};
}

Result<json> EngineActionExecutor::execute(const actions::Action& action) {
  return std::visit(
      Overloaded{
          [&](const actions::ListContainers& a) {
            return json_body(engine_.get("/containers/json" + list_query(a.all, a.filters)));
          },
          [&](const actions::ListImages& a) {
            return json_body(engine_.get("/images/json" + list_query(a.all, a.filters)));
          },
          [&](const actions::InspectObject& a) { return inspect(engine_, a); },
      },
      action);
}

}  // namespace dockgate::gate
