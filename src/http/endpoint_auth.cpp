// The authentication half of McpEndpoint: bearer tokens, 401 answers that point at the
// protected-resource metadata (RFC 9728), and reporting failures (for the audit log).
#include <spdlog/spdlog.h>

#include "http/mcp_endpoint.hpp"
#include "http/request_checks.hpp"

namespace dockgate::team_server {

std::optional<auth::Principal> McpEndpoint::authenticate(const Request& request,
                                                         const std::string& remote_address,
                                                         std::string& reason) {
  // --http-test-no-auth (loopback only, checked at start): one fixed principal, no roles.
  if (config_.test_no_auth) return auth::Principal{kTestNoAuthPrincipal, {}};
  const auto field = request.find(http::field::authorization);
  if (field == request.end()) {
    reason = "no Authorization header";
  } else if (const auto token = bearer_token(to_std(field->value())); !token) {
    reason = "the Authorization header is not a well-formed Bearer credential";
  } else if (token->size() > auth::kMaxTokenLength) {
    reason =
        "the bearer token is longer than " + std::to_string(auth::kMaxTokenLength) + " characters";
  } else if (auto principal = services_.users.authenticate(*token)) {
    return principal;
  } else {
    reason = "unknown or revoked bearer token";
  }
  limiter_.record_failure(remote_address, AuthRateLimiter::Clock::now());
  spdlog::warn("team server: {}: authentication failed: {}", remote_address, reason);
  report_refusal(remote_address, reason);
  return std::nullopt;
}

std::string McpEndpoint::base_url(const Request& request) const {
  // The Host header was checked against the allowlist before we get here.
  return scheme_ + "://" + std::string(to_std(request[http::field::host]));
}

Response McpEndpoint::unauthorized(const Request& request, bool token_presented,
                                   const std::string& reason) {
  auto response = json_rpc_error(
      request, http::status::unauthorized, -32001,
      "Unauthorized: " + reason + " (send Authorization: Bearer <token from dockgate token add>)");
  std::string challenge = "Bearer realm=\"dockgate\", resource_metadata=\"" + base_url(request) +
                          "/.well-known/oauth-protected-resource/mcp\"";
  if (token_presented) challenge += ", error=\"invalid_token\"";
  response.set(http::field::www_authenticate, challenge);
  return response;
}

Response McpEndpoint::resource_metadata(const Request& request) const {
  // RFC 9728. No authorization_servers: tokens come from `dockgate token add`, not from OAuth.
  const nlohmann::json metadata = {{"resource", base_url(request) + "/mcp"},
                                   {"bearer_methods_supported", {"header"}},
                                   {"resource_name", "dockgate team server"}};
  return make_response(request, http::status::ok, metadata.dump());
}

}  // namespace dockgate::team_server
