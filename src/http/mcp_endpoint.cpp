#include "http/mcp_endpoint.hpp"

#include <spdlog/spdlog.h>

#include "http/request_checks.hpp"
#include "mcp/jsonrpc.hpp"

namespace dockgate::team_server {
namespace {

using nlohmann::json;
namespace rpc = mcp::jsonrpc;

constexpr int kUnauthorizedCode = -32001;  // what the SDKs' servers use for HTTP 401
constexpr const char* kSessionHeader = "Mcp-Session-Id";
constexpr const char* kProtocolHeader = "MCP-Protocol-Version";
constexpr std::string_view kMetadataPath = "/.well-known/oauth-protected-resource";

std::string_view header(const Request& request, const char* name) {
  const auto it = request.find(name);
  return it == request.end() ? std::string_view() : to_std(it->value());
}

// What a POST body asks for: the ids to wait for, and whether it opens a session.
struct BodyShape {
  std::vector<json> request_ids;
  bool initialize = false;
  bool invalid_only = false;              // one message that is not JSON-RPC: answered with 400
  std::optional<json> cancelled_request;  // notifications/cancelled: its params.requestId
};

BodyShape shape_of(const json& body) {
  BodyShape shape;
  auto look = [&shape](const json& message) {
    const auto envelope = rpc::classify(message);
    if (envelope.kind == rpc::Envelope::Kind::kRequest) shape.request_ids.push_back(envelope.id);
    return envelope;
  };
  if (body.is_array()) {
    for (const auto& element : body) look(element);
  } else {
    const auto envelope = look(body);
    shape.initialize =
        envelope.kind == rpc::Envelope::Kind::kRequest && envelope.method == "initialize";
    shape.invalid_only = envelope.kind == rpc::Envelope::Kind::kInvalid;
    if (envelope.kind == rpc::Envelope::Kind::kNotification &&
        envelope.method == "notifications/cancelled" && envelope.params != nullptr &&
        envelope.params->is_object()) {
      const auto id = envelope.params->find("requestId");
      if (id != envelope.params->end() && rpc::is_valid_id(*id)) shape.cancelled_request = *id;
    }
  }
  return shape;
}

}  // namespace

McpEndpoint::McpEndpoint(const TeamServerConfig& config, std::vector<std::string> allowed_hosts,
                         std::string scheme, TeamServerServices& services, net::thread_pool& reaper)
    : config_(config),
      allowed_hosts_(std::move(allowed_hosts)),
      scheme_(std::move(scheme)),
      services_(services),
      reaper_(reaper),
      limiter_(config.auth_failures_per_minute, std::chrono::seconds(60)) {}

net::awaitable<Response> McpEndpoint::handle(const Request& request,
                                             const std::string& remote_address) {
  const std::string_view target = to_std(request.target());
  const auto path = target.substr(0, target.find('?'));
  // Exactly one Host (RFC 9112 §3.2): with two, a proxy and we might each read another.
  if (request.count(http::field::host) != 1 ||
      !host_allowed(header(request, "Host"), allowed_hosts_)) {
    spdlog::warn("team server: {}: refused Host '{}'", remote_address,
                 header(request, "Host").substr(0, 100));
    report_refusal(remote_address, "forbidden Host '" +
                                       std::string(header(request, "Host").substr(0, 100)) +
                                       "' (not in --allowed-host)");
    co_return json_rpc_error(request, http::status::forbidden, rpc::kInvalidRequest,
                             "Forbidden: this Host is not served here (see --allowed-host)");
  }
  const auto origin = request.find(http::field::origin);
  if (!origin_allowed(origin == request.end()
                          ? std::nullopt
                          : std::optional<std::string_view>(to_std(origin->value())),
                      config_.allowed_origins)) {
    spdlog::warn("team server: {}: refused Origin '{}'", remote_address,
                 to_std(origin->value()).substr(0, 100));
    report_refusal(remote_address, "forbidden Origin '" +
                                       std::string(to_std(origin->value()).substr(0, 100)) +
                                       "' (not in --allowed-origin)");
    co_return json_rpc_error(request, http::status::forbidden, rpc::kInvalidRequest,
                             "Forbidden: this Origin may not call the server (see "
                             "--allowed-origin)");
  }
  if (path == kMetadataPath || path == std::string(kMetadataPath) + "/mcp") {
    if (request.method() != http::verb::get) {
      auto response = make_response(request, http::status::method_not_allowed);
      response.set(http::field::allow, "GET");
      co_return response;
    }
    co_return resource_metadata(request);
  }
  if (path != "/mcp") {
    co_return json_rpc_error(request, http::status::not_found, rpc::kInvalidRequest,
                             "Not found: the MCP endpoint is /mcp");
  }
  const auto now = AuthRateLimiter::Clock::now();
  if (const auto wait = limiter_.blocked_for(remote_address, now)) {
    auto response = json_rpc_error(request, http::status::too_many_requests, kUnauthorizedCode,
                                   "Too many failed authentications from this address; retry in " +
                                       std::to_string(wait->count()) + " s");
    response.set(http::field::retry_after, std::to_string(wait->count()));
    co_return response;
  }
  std::string reason;
  const auto principal = authenticate(request, remote_address, reason);
  if (!principal) {
    co_return unauthorized(request, request.find(http::field::authorization) != request.end(),
                           reason);
  }
  if (const auto version = header(request, kProtocolHeader);
      !version.empty() && !supported_protocol_header(version)) {
    co_return json_rpc_error(request, http::status::bad_request, rpc::kInvalidRequest,
                             "Bad Request: unsupported MCP-Protocol-Version '" +
                                 std::string(version.substr(0, 40)) +
                                 "' (supported: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05)");
  }
  switch (request.method()) {
    case http::verb::post:
      co_return co_await post(request, *principal, remote_address);
    case http::verb::delete_:
      co_return end_session(request, *principal, remote_address);
    default: {
      // GET would open a server-initiated SSE stream; this server sends none.
      auto response =
          json_rpc_error(request, http::status::method_not_allowed, rpc::kInvalidRequest,
                         "Method not allowed: use POST to send messages, DELETE to end a session");
      response.set(http::field::allow, "POST, DELETE");
      co_return response;
    }
  }
}

net::awaitable<Response> McpEndpoint::post(const Request& request, const auth::Principal& principal,
                                           const std::string& remote_address) {
  if (!accepts_json_and_event_stream(header(request, "Accept"))) {
    co_return json_rpc_error(request, http::status::not_acceptable, rpc::kInvalidRequest,
                             "Not Acceptable: the client must accept both application/json and "
                             "text/event-stream");
  }
  if (!is_json_content_type(header(request, "Content-Type"))) {
    co_return json_rpc_error(request, http::status::unsupported_media_type, rpc::kInvalidRequest,
                             "Unsupported Media Type: Content-Type must be application/json");
  }
  const std::string& body = request.body();
  if (rpc::nesting_exceeds(body, 64)) {
    co_return json_rpc_error(request, http::status::bad_request, rpc::kInvalidRequest,
                             "Bad Request: the body nests deeper than 64 levels");
  }
  const auto parsed = rpc::parse(body);
  if (!parsed.value) {
    co_return json_rpc_error(request, http::status::bad_request, rpc::kParseError,
                             "Parse error: " + parsed.error);
  }
  const auto shape = shape_of(*parsed.value);
  std::shared_ptr<HttpSession> session;
  bool created = false;
  if (header(request, kSessionHeader).empty()) {
    if (!shape.initialize) {
      co_return json_rpc_error(request, http::status::bad_request, rpc::kInvalidRequest,
                               "Bad Request: Mcp-Session-Id header is required (send "
                               "initialize first to get one)");
    }
    if (sessions_.size() >= config_.max_sessions) {
      auto response =
          json_rpc_error(request, http::status::service_unavailable, rpc::kInternalError,
                         "Service Unavailable: too many open sessions; retry later");
      response.set(http::field::retry_after, "60");
      co_return response;
    }
    mcp::SessionLimits limits;
    limits.max_message_bytes = config_.max_body_bytes;
    limits.worker_threads = config_.worker_threads_per_session;
    session = std::make_shared<HttpSession>(new_session_id(), principal, remote_address,
                                            services_.tools, services_.identity, limits);
    created = true;
  } else {
    session = find_session(request, principal, remote_address);
    if (!session) {
      co_return json_rpc_error(request, http::status::not_found, rpc::kInvalidRequest,
                               "Not Found: no such session (it ended or expired): initialize a "
                               "new one");
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + config_.call_timeout;
  auto reply = co_await session->exchange(body, shape.request_ids, deadline);
  if (shape.cancelled_request) session->abandon(*shape.cancelled_request);
  const bool opened = created && session->initialized();
  if (opened) {
    sessions_.emplace(session->id(), session);
    spdlog::info("team server: {} opened session {} from {}", principal.name,
                 audit_session_id(session->id()), remote_address);
  }
  Response response;
  if (!reply) {
    response = shape.request_ids.empty()
                   ? make_response(request, http::status::accepted)
                   : json_rpc_error(request, http::status::gateway_timeout, rpc::kInternalError,
                                    "the call did not finish within " +
                                        std::to_string(config_.call_timeout.count()) + " s");
  } else {
    response =
        make_response(request, shape.invalid_only ? http::status::bad_request : http::status::ok,
                      std::move(*reply));
  }
  if (opened) response.set(kSessionHeader, session->id());
  retire(std::move(session));  // our reference; the table may still hold it
  co_return response;
}

Response McpEndpoint::end_session(const Request& request, const auth::Principal& principal,
                                  const std::string& remote_address) {
  if (header(request, kSessionHeader).empty()) {
    return json_rpc_error(request, http::status::bad_request, rpc::kInvalidRequest,
                          "Bad Request: Mcp-Session-Id header is required");
  }
  auto session = find_session(request, principal, remote_address);
  if (!session) {
    return json_rpc_error(request, http::status::not_found, rpc::kInvalidRequest,
                          "Not Found: no such session");
  }
  sessions_.erase(session->id());
  spdlog::info("team server: {} ended session {}", principal.name, audit_session_id(session->id()));
  retire(std::move(session));
  return make_response(request, http::status::no_content);
}

std::shared_ptr<HttpSession> McpEndpoint::find_session(const Request& request,
                                                       const auth::Principal& principal,
                                                       const std::string& remote_address) {
  const auto it = sessions_.find(std::string(header(request, kSessionHeader)));
  if (it == sessions_.end()) return nullptr;
  if (it->second->principal().name != principal.name) {
    // Same answer as an unknown id: a session id leaks nothing to another user.
    spdlog::warn("team server: {} presented session {} of {}: refused", principal.name,
                 audit_session_id(it->first), it->second->principal().name);
    report_refusal(remote_address, "'" + principal.name + "' presented session " +
                                       audit_session_id(it->first) + ", which belongs to '" +
                                       it->second->principal().name + "'");
    return nullptr;
  }
  return it->second;
}

void McpEndpoint::report_refusal(const std::string& remote_address, std::string reason) {
  if (services_.on_auth_failure) {
    services_.on_auth_failure(
        AuthFailure{std::chrono::system_clock::now(), remote_address, std::move(reason)});
  }
}

void McpEndpoint::retire(std::shared_ptr<HttpSession> session) {
  if (session) net::post(reaper_, [session = std::move(session)] {});
}

net::awaitable<void> McpEndpoint::expire_idle_sessions() {
  expiry_timer_ = std::make_unique<net::steady_timer>(co_await net::this_coro::executor);
  const auto period =
      std::min<std::chrono::seconds>(config_.session_idle_timeout, std::chrono::seconds(30));
  while (!stopping_) {
    expiry_timer_->expires_after(std::max<std::chrono::seconds>(period, std::chrono::seconds(1)));
    boost::system::error_code ignored;
    co_await expiry_timer_->async_wait(net::redirect_error(net::use_awaitable, ignored));
    const auto now = std::chrono::steady_clock::now();
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (!it->second->busy() && now - it->second->last_used() >= config_.session_idle_timeout) {
        spdlog::info("team server: session {} of {} expired after {} s idle",
                     audit_session_id(it->first), it->second->principal().name,
                     config_.session_idle_timeout.count());
        retire(std::move(it->second));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
}

void McpEndpoint::stop_expiry() {
  stopping_ = true;
  if (expiry_timer_) expiry_timer_->cancel();
}

void McpEndpoint::close_sessions() {
  for (auto& [id, session] : sessions_) retire(std::move(session));
  sessions_.clear();
}

}  // namespace dockgate::team_server
