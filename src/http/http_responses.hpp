// Building the team server's HTTP responses: status, JSON-RPC error bodies, keep-alive.
#pragma once

#include <string>
#include <string_view>

#include "asio/asio.hpp"

namespace dockgate::team_server {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Beast 1.74's string_view is boost::string_view; our checks take std::string_view.
inline std::string_view to_std(beast::string_view text) {
  return {text.data(), text.size()};
}

// A response to `request` (same HTTP version and keep-alive) with `body` of `content_type`;
// an empty body sends no Content-Type. Never cached: replies carry tool output.
Response make_response(const Request& request, http::status status, std::string body = {},
                       const char* content_type = "application/json");

// A JSON-RPC error with id null as the body: what both SDK versions read from an HTTP error.
Response json_rpc_error(const Request& request, http::status status, int code,
                        const std::string& message);

}  // namespace dockgate::team_server
