// The params of tools/call, checked: what a JSON-RPC -32602 reply must name when they are wrong.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace dockgate::mcp {

struct CallParams {
  std::string name;
  nlohmann::json arguments;                      // always an object
  std::optional<nlohmann::json> progress_token;  // params._meta.progressToken
};

// `params` is null when the request had none. On failure: a sentence naming the bad field.
std::variant<CallParams, std::string> parse_call_params(const nlohmann::json* params);

}  // namespace dockgate::mcp
