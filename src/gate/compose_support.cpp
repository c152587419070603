#include "gate/compose_support.hpp"

#include <algorithm>

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

Status stop_and_remove(engine::EngineClient& engine, const std::string& id, bool remove_volumes,
                       std::chrono::milliseconds budget) {
  // The engine waits t seconds before SIGKILL: the container's own stop timeout (compose's
  // stop_grace_period, else 10 s), kept inside the call's budget.
  long long grace = 10;
  if (auto inspect = json_body(engine.get("/containers/" + url_encode(id) + "/json"))) {
    const auto timeout = inspect->value("/Config/StopTimeout"_json_pointer, json());
    if (timeout.is_number_integer()) grace = timeout.get<long long>();
  }
  const long long room = std::chrono::duration_cast<std::chrono::seconds>(budget).count() - 1;
  const auto seconds = std::max<long long>(0, std::min(grace, room));
  auto stopped = status_only(
      engine.post("/containers/" + url_encode(id) + "/stop?t=" + std::to_string(seconds)),
      json::object());
  if (!stopped) return stopped.error();
  auto removed = status_only(
      engine.del("/containers/" + url_encode(id) + "?force=1" + (remove_volumes ? "&v=1" : "")),
      json::object());
  if (!removed) return removed.error();
  return Ok{};
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
