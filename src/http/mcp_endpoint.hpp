// The request handler of the team server: Host/Origin checks, authentication and its rate
// limit, the OAuth protected-resource metadata, and MCP Streamable HTTP at /mcp (POST, DELETE;
// GET is 405: there is no server-initiated stream). Runs on the one I/O thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asio/asio.hpp"

// After asio.hpp, which must come first (see there).
#include <boost/asio/thread_pool.hpp>

#include "http/auth_rate_limiter.hpp"
#include "http/http_responses.hpp"
#include "http/http_session.hpp"
#include "http/team_server.hpp"

namespace dockgate::team_server {

class McpEndpoint {
 public:
  // Sessions are destroyed on `reaper` (their destructor waits for calls in flight).
  McpEndpoint(const TeamServerConfig& config, std::vector<std::string> allowed_hosts,
              std::string scheme, TeamServerServices& services, net::thread_pool& reaper);

  net::awaitable<Response> handle(const Request& request, const std::string& remote_address);

  // Ends sessions idle for longer than the configured timeout; returns after stop().
  net::awaitable<void> expire_idle_sessions();

  // SIGTERM: no more expiry (sessions of calls in flight stay usable until they finish).
  void stop_expiry();
  // After the last connection closed: hands every session to the reaper.
  void close_sessions();

 private:
  net::awaitable<Response> post(const Request& request, const auth::Principal& principal,
                                const std::string& remote_address);
  Response end_session(const Request& request, const auth::Principal& principal,
                       const std::string& remote_address);
  std::optional<auth::Principal> authenticate(const Request& request,
                                              const std::string& remote_address,
                                              std::string& reason);
  Response unauthorized(const Request& request, bool token_presented, const std::string& reason);
  Response resource_metadata(const Request& request) const;
  std::string base_url(const Request& request) const;
  // The session named by the request's Mcp-Session-Id, if it exists and is this principal's.
  std::shared_ptr<HttpSession> find_session(const Request& request,
                                            const auth::Principal& principal,
                                            const std::string& remote_address);
  // A request refused for who or where it came from (not for its content): audited.
  void report_refusal(const std::string& remote_address, std::string reason);
  void retire(std::shared_ptr<HttpSession> session);

  const TeamServerConfig& config_;
  const std::vector<std::string> allowed_hosts_;
  const std::string scheme_;
  TeamServerServices& services_;
  net::thread_pool& reaper_;
  AuthRateLimiter limiter_;
  std::map<std::string, std::shared_ptr<HttpSession>> sessions_;
  std::unique_ptr<net::steady_timer> expiry_timer_;
  bool stopping_ = false;
};

}  // namespace dockgate::team_server
