// The MCP face of the gate: tools/list from the tool registry, tools/call through Gate::call.
#pragma once

#include "gate/gate.hpp"
#include "mcp/tool_service.hpp"

namespace dockgate::mcp {

class GateToolService final : public ToolService {
 public:
  explicit GateToolService(gate::Gate& gate) : gate_(gate) {}
  nlohmann::json list_tools(const SessionContext& session) override;
  nlohmann::json call_tool(const ToolCall& call) override;

 private:
  gate::Gate& gate_;
};

}  // namespace dockgate::mcp
