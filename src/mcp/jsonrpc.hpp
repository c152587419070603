// JSON-RPC 2.0 framing shared by the MCP transports: parsing with limits, envelope checks and
// reply construction. No MCP semantics here (no methods, no lifecycle).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dockgate::mcp::jsonrpc {

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

nlohmann::json make_result(const nlohmann::json& id, nlohmann::json result);
nlohmann::json make_error(const nlohmann::json& id, int code, std::string message);

// One line of JSON text. Invalid UTF-8 in strings is replaced (U+FFFD) instead of throwing:
// tool output and engine messages are not ours to trust.
std::string serialize(const nlohmann::json& message);

// True when arrays/objects in `text` nest deeper than `max_depth`. A linear scan of the raw
// text (strings and escapes skipped), done before parsing so hostile input such as 100000
// '[' never reaches a parser or a recursive destructor.
bool nesting_exceeds(std::string_view text, int max_depth);

// The parsed value, or a one-sentence reason why the text is not JSON.
struct ParseOutcome {
  std::optional<nlohmann::json> value;
  std::string error;
};
ParseOutcome parse(std::string_view text);

// A request id is a string or an integer; null, fractions, booleans and containers are not.
bool is_valid_id(const nlohmann::json& id);

// What one message (an object, or one batch element) is.
struct Envelope {
  enum class Kind { kRequest, kNotification, kResponse, kInvalid };
  Kind kind = Kind::kInvalid;
  nlohmann::json id;  // the request's id; null for notifications and invalid messages
  std::string method;
  const nlohmann::json* params = nullptr;  // points into the message; null when absent
  nlohmann::json error_reply;              // set for kInvalid: the -32600 reply to send
};
Envelope classify(const nlohmann::json& message);

// "a string", "a number", ... for error messages that say what was received.
std::string describe_type(const nlohmann::json& value);

}  // namespace dockgate::mcp::jsonrpc
