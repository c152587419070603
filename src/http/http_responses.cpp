#include "http/http_responses.hpp"

#include <nlohmann/json.hpp>

namespace dockgate::team_server {

Response make_response(const Request& request, http::status status, std::string body,
                       const char* content_type) {
  Response response{status, request.version()};
  response.keep_alive(request.keep_alive());
  response.set(http::field::cache_control, "no-store");
  if (!body.empty()) response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_rpc_error(const Request& request, http::status status, int code,
                        const std::string& message) {
  const nlohmann::json body = {
      {"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", code}, {"message", message}}}};
  return make_response(request, status,
                       body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace dockgate::team_server
