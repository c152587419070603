// The team server: MCP over Streamable HTTP (one endpoint, /mcp) behind TLS and per-user
// bearer tokens, for a dockgate shared by a team. Each HTTP session owns one mcp::Session
// bound to the user that opened it; POSTs get application/json replies (no SSE streams).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "auth/bearer_tokens.hpp"
#include "common/result.hpp"
#include "mcp/session.hpp"

namespace dockgate::team_server {

struct TeamServerConfig {
  std::string bind_host = "127.0.0.1";
  unsigned short port = 8443;  // 0: any free port (tests); the URL is reported on listening
  // Plain HTTP is allowed only on a loopback address and only when asked for by name
  // (--http-insecure-loopback): tokens would otherwise cross the network in clear.
  bool insecure_loopback = false;
  // --http-test-no-auth: no bearer tokens at all; every request is the principal
  // kTestNoAuthPrincipal with no roles. Only for the MCP conformance suite, which cannot send
  // a token: refused unless the listen address is loopback.
  bool test_no_auth = false;
  std::string tls_cert_file;  // PEM chain
  std::string tls_key_file;
  std::vector<std::string> allowed_hosts;    // empty: default_allowed_hosts(bind, port)
  std::vector<std::string> allowed_origins;  // empty: any request carrying Origin is refused
  std::chrono::seconds session_idle_timeout{30 * 60};  // Roo never sends DELETE
  std::size_t max_sessions = 64;
  std::size_t max_connections = 128;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds request_read_timeout{30};  // headers + body of one request
  std::chrono::seconds idle_connection_timeout{120};
  std::chrono::seconds call_timeout{3600};  // Roo's longest tools/call timeout
  unsigned auth_failures_per_minute = 10;   // per remote address; then 429
  std::chrono::seconds shutdown_grace{60};  // SIGTERM: calls in flight get this long
  std::size_t worker_threads_per_session = 2;
};

// The principal of every request in the --http-test-no-auth mode.
inline constexpr const char* kTestNoAuthPrincipal = "conformance-test";

// A failed authentication, for the audit log (never the token itself).
struct AuthFailure {
  std::chrono::system_clock::time_point time;
  std::string remote_address;
  std::string reason;
};

struct TeamServerServices {
  mcp::ToolService& tools;
  mcp::ServerIdentity identity;
  const auth::UserDirectory& users;
  std::function<void(const AuthFailure&)> on_auth_failure;
  std::function<void(const std::string& url)> on_listening;  // e.g. "https://127.0.0.1:8443/mcp"
};

// Why a configuration cannot be served (empty when it can): plain HTTP off loopback, a TLS
// file missing, and the like. serve() checks it too.
std::string check_config(const TeamServerConfig& config);

// Listens and serves until SIGTERM or SIGINT, then stops accepting, lets requests in flight
// finish (up to shutdown_grace) and returns. An error when it cannot start.
Status serve(const TeamServerConfig& config, TeamServerServices& services);

}  // namespace dockgate::team_server
