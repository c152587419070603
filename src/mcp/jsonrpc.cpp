#include "mcp/jsonrpc.hpp"

#include <utility>

namespace dockgate::mcp::jsonrpc {

using nlohmann::json;

json make_result(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json make_error(const json& id, int code, std::string message) {
  return json{{"jsonrpc", "2.0"},
              {"id", id},
              {"error", json{{"code", code}, {"message", std::move(message)}}}};
}

std::string serialize(const json& message) {
  return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool nesting_exceeds(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character can be a quote; it never ends the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return true;
        break;
      case ']':
      case '}':
        // Unbalanced closers are the parser's business; only depth matters here.
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] " and may quote the whole
// offending token, which can be megabytes long; keep the readable part, bounded.
std::string short_parse_reason(const std::string& what) {
  std::string reason = what;
  if (!reason.empty() && reason.front() == '[') {
    if (auto end = reason.find("] "); end != std::string::npos) reason.erase(0, end + 2);
  }
  constexpr std::size_t kMaxReason = 200;
  if (reason.size() > kMaxReason) {
    reason.resize(kMaxReason);
    reason += "...";
  }
  return reason;
}

}  // namespace

ParseOutcome parse(std::string_view text) {
  try {
    return {json::parse(text.begin(), text.end()), {}};
  } catch (const json::parse_error& e) {
    return {std::nullopt,
            "Parse error: the message is not valid JSON (" + short_parse_reason(e.what()) + ")"};
  }
}

bool is_valid_id(const json& id) {
  return id.is_string() || id.is_number_integer();
}

std::string describe_type(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_float:
      return "a fractional number";
    default:
      return "a number";
  }
}

Envelope classify(const json& message) {
  Envelope env;
  auto invalid = [&env](const json& id, std::string why) {
    env.kind = Envelope::Kind::kInvalid;
    env.id = nullptr;
    env.error_reply = make_error(id, kInvalidRequest, "Invalid Request: " + std::move(why));
    return env;
  };
  if (!message.is_object()) {
    return invalid(nullptr, "a JSON-RPC message must be an object, got " + describe_type(message));
  }
  const auto method = message.find("method");
  // A response to a request we never send; nothing to answer.
  if (method == message.end() && (message.contains("result") || message.contains("error"))) {
    env.kind = Envelope::Kind::kResponse;
    return env;
  }
  const auto id = message.find("id");
  const bool has_id = id != message.end();
  if (has_id && !is_valid_id(*id)) {
    return invalid(nullptr, "id must be a string or an integer, got " + describe_type(*id));
  }
  const json reply_id = has_id ? *id : json(nullptr);
  const auto version = message.find("jsonrpc");
  if (version == message.end() || *version != "2.0") {
    return invalid(reply_id, "the member \"jsonrpc\" must be the string \"2.0\"");
  }
  if (method == message.end() || !method->is_string()) {
    return invalid(reply_id, "method must be a string naming the method to call");
  }
  if (const auto params = message.find("params"); params != message.end()) {
    if (!params->is_object() && !params->is_array()) {
      return invalid(reply_id,
                     "params must be an object or an array, got " + describe_type(*params));
    }
    env.params = &*params;
  }
  env.kind = has_id ? Envelope::Kind::kRequest : Envelope::Kind::kNotification;
  env.id = reply_id;
  env.method = method->get<std::string>();
  return env;
}

}  // namespace dockgate::mcp::jsonrpc
