// Internal to the gate: what compose_up.cpp and compose_down.cpp share.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "common/result.hpp"
#include "engine/engine_client.hpp"

namespace dockgate::gate {

// Docker Compose's labels (also what `docker-compose ps` and `down` look for).
inline constexpr std::string_view kProjectLabel = "com.docker.compose.project";
inline constexpr std::string_view kConfigHashLabel = "com.docker.compose.config-hash";

// The labels of the object at `path` ("/networks/x", "/volumes/x", "/containers/x/json"), or
// nullopt when it does not exist.
Result<std::optional<nlohmann::json>> labels_of(engine::EngineClient& engine,
                                                const std::string& path);

Result<bool> image_present(engine::EngineClient& engine, const std::string& reference);

// Stops a container (SIGTERM, then SIGKILL after its own stop timeout, within `budget`), then
// removes it: a database gets the chance to shut down cleanly, as with `docker compose down`.
Status stop_and_remove(engine::EngineClient& engine, const std::string& id, bool remove_volumes,
                       std::chrono::milliseconds budget);

// Each step's outcome, in order, for the tool's answer and the audit outcome record.
class StepLog {
 public:
  explicit StepLog(std::string project) : project_(std::move(project)) {}
  bool done(const actions::ComposeStep& step, std::string_view what, const std::string& object,
            const std::string& id = "");
  bool failed(const actions::ComposeStep& step, const std::string& message);
  bool ok() const { return error_.empty(); }
  // {"project", "steps": [{"subject", "tool", "outcome", "object", "id"?, "error"?}],
  //  "error"?: the first failure}
  nlohmann::json result() const;

 private:
  std::string project_;
  nlohmann::json steps_ = nlohmann::json::array();
  std::string error_;
};

}  // namespace dockgate::gate
