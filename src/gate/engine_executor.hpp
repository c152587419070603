// The real ActionExecutor: serializes each judged action into Engine API requests. The
// request is built from the action alone, never from the client's JSON (DESIGN.md: forwarding
// a client's JSON is how authorization plugins get bypassed).
#pragma once

#include "engine/engine_client.hpp"
#include "gate/gate.hpp"

namespace dockgate::gate {

class EngineActionExecutor final : public ActionExecutor {
 public:
  explicit EngineActionExecutor(engine::EngineClient& engine) : engine_(engine) {}
  Result<actions::Facts> gather_facts(const actions::Action& action) override;
  Result<nlohmann::json> execute(const actions::Action& action) override;

 private:
  engine::EngineClient& engine_;
};

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string url_encode(std::string_view text);

}  // namespace dockgate::gate
