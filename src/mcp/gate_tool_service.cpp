#include "mcp/gate_tool_service.hpp"

namespace dockgate::mcp {

using nlohmann::json;

json GateToolService::list_tools(const SessionContext& session) {
  const bool modern = supports_structured_content(session.protocol_version);
  json list = json::array();
  for (const auto& tool : gate_.tools().all()) {
    const auto& d = tool->definition();
    json entry = {
        {"name", d.name}, {"description", d.description}, {"inputSchema", d.input_schema}};
    // Annotations exist since 2025-03-26; title and outputSchema since 2025-06-18.
    if (session.protocol_version >= "2025-03-26") {
      entry["annotations"] = {{"title", d.title},
                              {"readOnlyHint", d.read_only},
                              {"destructiveHint", d.destructive},
                              {"idempotentHint", d.idempotent},
                              {"openWorldHint", false}};
    }
    if (modern) {
      entry["title"] = d.title;
      if (!d.output_schema.is_null()) entry["outputSchema"] = d.output_schema;
    }
    list.push_back(std::move(entry));
  }
  return list;
}

json GateToolService::call_tool(const ToolCall& call) {
  gate::CallContext context{auth::Principal{call.session.principal, call.session.roles},
                            call.session.session_id,
                            call.session.client_name,
                            call.session.client_version,
                            call.session.remote_address,
                            nullptr};
  if (call.progress_token && call.notify) {
    // notifications/progress for the token the client sent (the gate keeps it growing).
    context.progress = [&call](double progress, std::string message) {
      call.notify("notifications/progress", json{{"progressToken", *call.progress_token},
                                                 {"progress", progress},
                                                 {"message", std::move(message)}});
    };
  }
  const auto outcome = gate_.call(context, call.name, call.arguments);
  json result = {{"content", json::array({{{"type", "text"}, {"text", outcome.text}}})},
                 {"isError", outcome.is_error}};
  if (!outcome.is_error && outcome.structured.is_object() &&
      supports_structured_content(call.session.protocol_version)) {
    result["structuredContent"] = outcome.structured;
  }
  return result;
}

}  // namespace dockgate::mcp
