#include "http/http_session.hpp"

#include <spdlog/spdlog.h>

#include "auth/bearer_tokens.hpp"
#include "mcp/jsonrpc.hpp"

namespace dockgate::team_server {
namespace {

using nlohmann::json;

// The POST whose body this thread is handing to a session right now: replies the session
// sends synchronously, from inside receive(), belong to it (even those with id null, such
// as a parse error). Replies from worker threads find their POST by request id instead.
thread_local PendingReply* t_receiving = nullptr;

class ReceivingScope {
 public:
  explicit ReceivingScope(PendingReply* pending) : previous_(t_receiving) { t_receiving = pending; }
  ~ReceivingScope() { t_receiving = previous_; }
  ReceivingScope(const ReceivingScope&) = delete;
  ReceivingScope& operator=(const ReceivingScope&) = delete;

 private:
  PendingReply* previous_;
};

std::vector<std::string> reply_ids(const std::string& text) {
  std::vector<std::string> ids;
  const auto reply = json::parse(text, nullptr, false);
  auto add = [&ids](const json& message) {
    if (message.is_object() && message.contains("id") && !message["id"].is_null()) {
      ids.push_back(message["id"].dump());
    }
  };
  if (reply.is_array()) {
    for (const auto& element : reply) add(element);
  } else {
    add(reply);
  }
  return ids;
}

}  // namespace

std::string new_session_id() {
  return auth::random_base64url(32);
}

std::string audit_session_id(const std::string& session_id) {
  return "http-" + auth::to_hex(auth::sha256(session_id)).substr(0, 16);
}

HttpSession::HttpSession(std::string id, auth::Principal principal, std::string remote_address,
                         mcp::ToolService& tools, mcp::ServerIdentity identity,
                         mcp::SessionLimits limits)
    : id_(std::move(id)),
      principal_(std::move(principal)),
      last_used_(std::chrono::steady_clock::now()) {
  mcp::SessionContext context;
  context.session_id = audit_session_id(id_);
  context.principal = principal_.name;
  context.roles = principal_.roles;
  context.remote_address = std::move(remote_address);
  session_ = std::make_unique<mcp::Session>(tools, std::move(identity), std::move(context), limits,
                                            [this](std::string text) { route(std::move(text)); });
}

HttpSession::~HttpSession() {
  session_.reset();
}

bool HttpSession::initialized() const {
  return !session_->context().protocol_version.empty();
}

void HttpSession::route(std::string text) {
  if (t_receiving != nullptr) {
    std::lock_guard lock(t_receiving->mutex);
    if (!t_receiving->reply) t_receiving->reply = std::move(text);
    return;
  }
  std::shared_ptr<PendingReply> target;
  {
    std::lock_guard lock(routes_mutex_);
    for (const auto& id : reply_ids(text)) {
      if (auto it = waiting_.find(id); it != waiting_.end()) {
        target = it->second;
        break;
      }
    }
  }
  if (!target) {
    // A notification (progress has no place in a JSON reply), or a reply whose POST gave up.
    spdlog::debug("team server: session {}: dropped a message no POST waits for",
                  audit_session_id(id_));
    return;
  }
  {
    std::lock_guard lock(target->mutex);
    if (!target->reply) target->reply = std::move(text);
  }
  net::post(target->wake.get_executor(), [target] { target->wake.cancel(); });
}

void HttpSession::abandon(const json& request_id) {
  std::shared_ptr<PendingReply> target;
  {
    std::lock_guard lock(routes_mutex_);
    if (auto it = waiting_.find(request_id.dump()); it != waiting_.end()) target = it->second;
  }
  if (!target) return;
  {
    std::lock_guard lock(target->mutex);
    if (!target->reply) {
      target->reply = mcp::jsonrpc::serialize(mcp::jsonrpc::make_error(
          request_id, mcp::jsonrpc::kInternalError, "Request cancelled by the client"));
    }
  }
  net::post(target->wake.get_executor(), [target] { target->wake.cancel(); });
}

net::awaitable<std::optional<std::string>> HttpSession::exchange(
    std::string_view body, const std::vector<json>& request_ids,
    std::chrono::steady_clock::time_point deadline) {
  ++exchanges_;
  last_used_ = std::chrono::steady_clock::now();
  auto pending = std::make_shared<PendingReply>(co_await net::this_coro::executor);
  std::vector<std::string> registered;
  {
    std::lock_guard lock(routes_mutex_);
    for (const auto& id : request_ids) {
      // An id already awaited belongs to another POST; the session answers this one at once
      // ("id already in flight"), so it needs no route.
      if (waiting_.emplace(id.dump(), pending).second) registered.push_back(id.dump());
    }
  }
  {
    ReceivingScope scope(pending.get());
    session_->receive(body);
  }
  // One I/O thread: the wake-up posted by a worker runs only while we wait below, so a reply
  // that arrives between the check and the wait still cancels the wait.
  for (;;) {
    {
      std::lock_guard lock(pending->mutex);
      if (pending->reply || request_ids.empty()) break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    pending->wake.expires_at(deadline);
    boost::system::error_code ignored;
    co_await pending->wake.async_wait(net::redirect_error(net::use_awaitable, ignored));
  }
  {
    std::lock_guard lock(routes_mutex_);
    for (const auto& id : registered) waiting_.erase(id);
  }
  --exchanges_;
  last_used_ = std::chrono::steady_clock::now();
  std::lock_guard lock(pending->mutex);
  co_return std::move(pending->reply);
}

}  // namespace dockgate::team_server
