// One MCP session over HTTP: an mcp::Session bound to the user who opened it, and the routing
// that hands each reply to the POST that carried its request (replies to tools/call come
// later, from the session's worker threads).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "asio/asio.hpp"

// After asio.hpp, which must come first (see there).
#include <boost/asio/post.hpp>

#include "auth/principal.hpp"
#include "mcp/session.hpp"

namespace dockgate::team_server {

// The reply a POST waits for; written by whichever thread the session sends it from.
struct PendingReply {
  explicit PendingReply(net::any_io_executor executor) : wake(std::move(executor)) {}
  net::steady_timer wake;  // cancelled on the I/O thread when the reply arrives
  std::mutex mutex;
  std::optional<std::string> reply;
};

class HttpSession {
 public:
  HttpSession(std::string id, auth::Principal principal, std::string remote_address,
              mcp::ToolService& tools, mcp::ServerIdentity identity, mcp::SessionLimits limits);
  ~HttpSession();  // waits for calls in flight: destroy it off the I/O thread

  // Hands one POST body to the MCP session and waits (on `executor`, the I/O thread) until
  // its reply is there or `deadline` passes. request_ids: the ids of the requests in the body
  // (already parsed); none means the body holds only notifications or responses (202), and
  // nothing is awaited beyond what the session answers at once (an invalid message).
  net::awaitable<std::optional<std::string>> exchange(
      std::string_view body, const std::vector<nlohmann::json>& request_ids,
      std::chrono::steady_clock::time_point deadline);

  // notifications/cancelled for `request_id`: the session sends no reply to a cancelled call,
  // so the POST still waiting for one is answered now (with an error) instead of at its
  // deadline, and its connection is free again.
  void abandon(const nlohmann::json& request_id);

  const std::string& id() const { return id_; }
  const auth::Principal& principal() const { return principal_; }
  std::chrono::steady_clock::time_point last_used() const { return last_used_; }
  bool busy() const { return exchanges_ > 0; }
  bool initialized() const;

 private:
  void route(std::string text);  // the mcp::Session's SendFunction

  const std::string id_;
  const auth::Principal principal_;
  std::chrono::steady_clock::time_point last_used_;
  int exchanges_ = 0;  // POSTs waiting on this session (I/O thread only)

  std::mutex routes_mutex_;
  std::map<std::string, std::shared_ptr<PendingReply>> waiting_;  // request id.dump() -> POST

  // Last: destroyed first, so its workers stop sending before the routing goes away.
  std::unique_ptr<mcp::Session> session_;
};

// A new session id: 256 bits from OpenSSL's CSPRNG, base64url (visible ASCII, per the spec).
std::string new_session_id();

// The session id as the audit log and the policy see it: a short digest, because the id
// itself is a credential half (whoever has it and the token may use the session).
std::string audit_session_id(const std::string& session_id);

}  // namespace dockgate::team_server
