// What the MCP layer needs from the rest of dockgate: the tool list and a way to call one.
// The gate implements it (through GateToolService); tests use a fake.
#pragma once

#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dockgate::mcp {

inline constexpr const char* kLatestProtocolVersion = "2025-11-25";

// What the session knows about its peer, negotiated at initialize.
struct SessionContext {
  std::string session_id;
  std::string protocol_version;  // negotiated, e.g. "2025-03-26"
  std::string client_name;       // from initialize's clientInfo
  std::string client_version;
  std::string principal;  // who is calling: on stdio a configured name or the OS user
  std::vector<std::string> roles;
  std::string remote_address;  // HTTP only
};

// structuredContent and outputSchema exist from this protocol version on.
bool supports_structured_content(const std::string& protocol_version);

struct ToolCall {
  const SessionContext& session;
  std::string name;
  nlohmann::json arguments;                      // an object (missing arguments: {})
  std::optional<nlohmann::json> progress_token;  // params._meta.progressToken, if sent
  std::stop_token cancelled;                     // set on notifications/cancelled
  // Sends a notification (method, params) to the client while the call runs, e.g.
  // notifications/progress. The session sends it between its other messages and drops it
  // once the call returned, so none follows the call's reply. Empty: nobody listens.
  std::function<void(const std::string& method, nlohmann::json params)> notify;
};

class ToolService {
 public:
  virtual ~ToolService() = default;
  // The MCP Tool objects for tools/list, shaped for the session's protocol version.
  virtual nlohmann::json list_tools(const SessionContext& session) = 0;
  // A CallToolResult object: {"content": [...], "isError": bool, "structuredContent"?}.
  // Unknown tools and bad arguments are answered here with isError, never thrown.
  virtual nlohmann::json call_tool(const ToolCall& call) = 0;
};

}  // namespace dockgate::mcp
