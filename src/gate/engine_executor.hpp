// The real ActionExecutor: serializes each judged action into Engine API requests. The
// request is built from the action alone, never from the client's JSON (DESIGN.md: forwarding
// a client's JSON is how authorization plugins get bypassed).
#pragma once

#include "engine/engine_client.hpp"
#include "gate/engine_requests.hpp"
#include "gate/gate.hpp"

namespace dockgate::gate {

class EngineActionExecutor final : public ActionExecutor {
 public:
  explicit EngineActionExecutor(engine::EngineClient& engine, ExecutionSettings settings = {})
      : engine_(engine), settings_(std::move(settings)) {}
  Result<actions::Facts> gather_facts(const actions::Action& action) override;
  Result<nlohmann::json> execute(const actions::Action& action,
                                 const ProgressCallback& progress) override;

 private:
  Result<actions::Facts> compose_facts(const std::vector<actions::ComposeStep>& steps);

  engine::EngineClient& engine_;
  ExecutionSettings settings_;
};

}  // namespace dockgate::gate
