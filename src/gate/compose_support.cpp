#include "gate/compose_support.hpp"

#include "gate/engine_requests.hpp"

namespace dockgate::gate {

using nlohmann::json;

Result<std::optional<json>> labels_of(engine::EngineClient& engine, const std::string& path) {
  auto response = engine.get(path);
  if (response && response->status == 404) return std::optional<json>();
  auto body = json_body(response);
  if (!body) return body.error();
  // Containers keep their labels under Config; volumes and networks at the top.
  const auto pointer =
      body->contains("Config") ? "/Config/Labels"_json_pointer : "/Labels"_json_pointer;
  auto labels = body->value(pointer, json::object());
  return std::optional<json>(labels.is_object() ? std::move(labels) : json::object());
}

Result<bool> image_present(engine::EngineClient& engine, const std::string& reference) {
  auto response = engine.get("/images/" + url_encode(reference) + "/json");
  if (response && response->status == 404) return false;
  if (auto body = json_body(response); !body) return body.error();
  return true;
}

bool StepLog::done(const actions::ComposeStep& step, std::string_view what,
                   const std::string& object, const std::string& id) {
  json entry = {
      {"subject", step.subject}, {"tool", step.tool}, {"outcome", what}, {"object", object}};
  if (!id.empty()) entry["id"] = id;
  steps_.push_back(std::move(entry));
  return true;
}

bool StepLog::failed(const actions::ComposeStep& step, const std::string& message) {
  steps_.push_back(
      {{"subject", step.subject}, {"tool", step.tool}, {"outcome", "failed"}, {"error", message}});
  if (error_.empty()) error_ = step.subject + ": " + message;
  return false;
}

json StepLog::result() const {
  json out = {{"project", project_}, {"steps", steps_}};
  if (!error_.empty()) out["error"] = error_;
  return out;
}

}  // namespace dockgate::gate
