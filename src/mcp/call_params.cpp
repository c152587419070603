#include "mcp/call_params.hpp"

#include "mcp/jsonrpc.hpp"

namespace dockgate::mcp {

using nlohmann::json;

std::variant<CallParams, std::string> parse_call_params(const json* params) {
  if (params == nullptr || !params->is_object()) {
    return std::string("tools/call needs params {\"name\": <tool>, \"arguments\": {...}}");
  }
  CallParams call;
  const auto name = params->find("name");
  if (name == params->end() || !name->is_string()) {
    return std::string("params.name must be a string naming a tool; see tools/list");
  }
  call.name = name->get<std::string>();
  call.arguments = json::object();
  if (const auto args = params->find("arguments"); args != params->end()) {
    if (!args->is_object()) {
      return "params.arguments must be an object of the tool's arguments, got " +
             jsonrpc::describe_type(*args);
    }
    call.arguments = *args;
  }
  if (const auto meta = params->find("_meta"); meta != params->end()) {
    if (!meta->is_object()) return std::string("params._meta must be an object");
    if (const auto token = meta->find("progressToken"); token != meta->end()) {
      // Same rule as a request id: the progress notification must echo it exactly.
      if (!jsonrpc::is_valid_id(*token)) {
        return std::string("params._meta.progressToken must be a string or an integer");
      }
      call.progress_token = *token;
    }
  }
  return call;
}

}  // namespace dockgate::mcp
