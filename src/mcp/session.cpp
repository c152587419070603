#include "mcp/session.hpp"

#include <array>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "mcp/call_params.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/worker_pool.hpp"

namespace dockgate::mcp {

using nlohmann::json;
namespace rpc = jsonrpc;

namespace {

// Newest first: an unknown requested version is answered with the first.
constexpr std::array<const char*, 4> kSupportedVersions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                           "2024-11-05"};
static_assert(std::string_view(kSupportedVersions[0]) == kLatestProtocolVersion);

// The only revision whose spec requires accepting JSON-RPC batches (removed in 2025-06-18).
constexpr std::string_view kBatchVersion = "2025-03-26";

std::string negotiate_version(const std::string& requested) {
  for (const char* v : kSupportedVersions) {
    if (requested == v) return requested;
  }
  return kLatestProtocolVersion;
}

std::string string_member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json too_large_error(std::size_t size, std::size_t limit) {
  return rpc::make_error(nullptr, rpc::kInvalidRequest,
                         "message too large: " + std::to_string(size) + " bytes (limit " +
                             std::to_string(limit) + ")");
}

}  // namespace

bool supports_structured_content(const std::string& protocol_version) {
  // The known versions are ISO dates, so string order is date order.
  return protocol_version.size() == 10 && protocol_version >= "2025-06-18";
}

// Replies to the elements of one batch are collected and sent together as one array once
// the last element (possibly a tools/call on a worker) has been answered.
struct Batch {
  std::mutex mutex;
  json replies = json::array();
  std::size_t outstanding = 0;
};

struct Session::Impl {
  // What handling one message produced: a reply now, nothing, or a reply later (async).
  struct Outcome {
    std::optional<json> reply;
    bool async = false;
  };

  Impl(ToolService& t, ServerIdentity i, SessionContext c, SessionLimits l, SendFunction s)
      : tools(t),
        identity(std::move(i)),
        context(std::move(c)),
        limits(l),
        send(std::move(s)),
        pool(l.worker_threads) {}

  void receive(std::string_view message);
  Outcome dispatch(const json& message, const std::shared_ptr<Batch>& batch);
  void handle_notification(const rpc::Envelope& env);
  json initialize(const rpc::Envelope& env);
  json list_tools(const rpc::Envelope& env);
  Outcome start_call(const rpc::Envelope& env, const std::shared_ptr<Batch>& batch);
  void run_call(const json& id, const std::string& name, json arguments,
                std::optional<json> progress, std::stop_source stop,
                const std::shared_ptr<Batch>& batch);
  void deliver(const std::shared_ptr<Batch>& batch, std::optional<json> reply);
  void send_now(const json& reply);
  void receive_batch(const json& batch);

  ToolService& tools;
  const ServerIdentity identity;
  SessionContext context;
  const SessionLimits limits;
  const SendFunction send;

  std::mutex state_mutex;  // guards initialized and the writes to context
  bool initialized = false;

  std::mutex send_mutex;  // send is never called concurrently

  std::mutex in_flight_mutex;
  std::map<std::string, std::stop_source> in_flight;  // keyed by id.dump(): 7 != "7"

  // Last: destroyed first, so its workers finish while everything above still exists.
  WorkerPool pool;
};

void Session::Impl::send_now(const json& reply) {
  std::string text = rpc::serialize(reply);
  std::lock_guard lock(send_mutex);
  try {
    send(std::move(text));
  } catch (const std::exception& e) {
    spdlog::error("mcp: sending a reply failed: {}", e.what());
  }
}

void Session::Impl::deliver(const std::shared_ptr<Batch>& batch, std::optional<json> reply) {
  if (!batch) {
    if (reply) send_now(*reply);
    return;
  }
  json complete;
  {
    std::lock_guard lock(batch->mutex);
    if (reply) batch->replies.push_back(std::move(*reply));
    if (--batch->outstanding > 0 || batch->replies.empty()) return;
    complete = std::move(batch->replies);
  }
  send_now(complete);
}

void Session::Impl::receive(std::string_view message) {
  if (message.size() > limits.max_message_bytes) {
    send_now(too_large_error(message.size(), limits.max_message_bytes));
    return;
  }
  if (rpc::nesting_exceeds(message, limits.max_json_depth)) {
    send_now(rpc::make_error(nullptr, rpc::kInvalidRequest,
                             "message nests arrays/objects deeper than the limit of " +
                                 std::to_string(limits.max_json_depth) + " levels"));
    return;
  }
  auto parsed = rpc::parse(message);
  if (!parsed.value) {
    send_now(rpc::make_error(nullptr, rpc::kParseError, parsed.error));
    return;
  }
  if (parsed.value->is_array()) {
    receive_batch(*parsed.value);
    return;
  }
  auto outcome = dispatch(*parsed.value, nullptr);
  if (!outcome.async) deliver(nullptr, std::move(outcome.reply));
}

void Session::Impl::receive_batch(const json& batch) {
  bool accepted = false;
  {
    std::lock_guard lock(state_mutex);
    accepted = initialized && context.protocol_version == kBatchVersion;
  }
  std::string refusal;
  if (!accepted) {
    refusal = "batches are only accepted for protocol 2025-03-26; send one message per line";
  } else if (batch.empty()) {
    refusal = "an empty batch is not a valid request; send at least one message";
  } else if (batch.size() > limits.max_batch_size) {
    refusal = "batch of " + std::to_string(batch.size()) +
              " messages is larger than the limit of " + std::to_string(limits.max_batch_size);
  }
  if (!refusal.empty()) {
    send_now(rpc::make_error(nullptr, rpc::kInvalidRequest, "Invalid Request: " + refusal));
    return;
  }
  auto collected = std::make_shared<Batch>();
  // One extra count held while dispatching, so a fast worker cannot send a partial array.
  collected->outstanding = batch.size() + 1;
  for (const auto& element : batch) {
    auto outcome = dispatch(element, collected);
    if (!outcome.async) deliver(collected, std::move(outcome.reply));
  }
  deliver(collected, std::nullopt);
}

Session::Impl::Outcome Session::Impl::dispatch(const json& message,
                                               const std::shared_ptr<Batch>& batch) {
  const auto env = rpc::classify(message);
  switch (env.kind) {
    case rpc::Envelope::Kind::kResponse:
      return {};
    case rpc::Envelope::Kind::kInvalid:
      return {env.error_reply};
    case rpc::Envelope::Kind::kNotification:
      handle_notification(env);
      return {};
    case rpc::Envelope::Kind::kRequest:
      break;
  }
  const std::string& method = env.method;
  if (method == "ping") return {rpc::make_result(env.id, json::object())};
  if (method == "initialize") {
    if (batch) {
      return {rpc::make_error(env.id, rpc::kInvalidRequest,
                              "Invalid Request: initialize must not be sent inside a batch")};
    }
    return {initialize(env)};
  }
  if (method != "tools/list" && method != "tools/call") {
    return {rpc::make_error(env.id, rpc::kMethodNotFound,
                            "Method not found: " + method +
                                " (this server offers initialize, ping, tools/list and "
                                "tools/call)")};
  }
  {
    std::lock_guard lock(state_mutex);
    if (!initialized) {
      return {rpc::make_error(env.id, rpc::kInvalidRequest,
                              "session not initialized: send initialize first")};
    }
  }
  if (method == "tools/list") return {list_tools(env)};
  return start_call(env, batch);
}

void Session::Impl::handle_notification(const rpc::Envelope& env) {
  if (env.method == "notifications/initialized") {
    spdlog::debug("mcp: client sent notifications/initialized");
    return;
  }
  if (env.method != "notifications/cancelled") return;  // unknown notifications are ignored
  if (!env.params || !env.params->is_object()) return;
  const auto request_id = env.params->find("requestId");
  if (request_id == env.params->end() || !rpc::is_valid_id(*request_id)) return;
  std::lock_guard lock(in_flight_mutex);
  // Unknown or already answered ids are fine: the race with completion is expected.
  if (auto it = in_flight.find(request_id->dump()); it != in_flight.end()) {
    spdlog::info("mcp: cancelling request {}", request_id->dump());
    it->second.request_stop();
  }
}

json Session::Impl::initialize(const rpc::Envelope& env) {
  std::lock_guard lock(state_mutex);
  if (initialized) {
    return rpc::make_error(env.id, rpc::kInvalidRequest,
                           "Invalid Request: already initialized; initialize may be sent only "
                           "once per session");
  }
  const json* params = env.params;
  if (!params || !params->is_object() || !params->contains("protocolVersion") ||
      !(*params)["protocolVersion"].is_string()) {
    return rpc::make_error(env.id, rpc::kInvalidParams,
                           "params.protocolVersion must be a string such as \"2025-03-26\"");
  }
  const std::string requested = (*params)["protocolVersion"].get<std::string>();
  context.protocol_version = negotiate_version(requested);
  if (const auto info = params->find("clientInfo"); info != params->end() && info->is_object()) {
    context.client_name = string_member(*info, "name");
    context.client_version = string_member(*info, "version");
  }
  initialized = true;
  spdlog::info("mcp: session initialized: client '{}' {} protocol {}", context.client_name,
               context.client_version, context.protocol_version);

  json result{{"protocolVersion", context.protocol_version},
              {"capabilities", {{"tools", {{"listChanged", false}}}}},
              {"serverInfo", {{"name", identity.name}, {"version", identity.version}}}};
  if (!identity.instructions.empty()) result["instructions"] = identity.instructions;
  return rpc::make_result(env.id, std::move(result));
}

json Session::Impl::list_tools(const rpc::Envelope& env) {
  if (env.params && env.params->is_object()) {
    // One page holds every tool, so any string cursor simply gets that page again.
    const auto cursor = env.params->find("cursor");
    if (cursor != env.params->end() && !cursor->is_string()) {
      return rpc::make_error(env.id, rpc::kInvalidParams,
                             "params.cursor must be a string from a previous tools/list, got " +
                                 rpc::describe_type(*cursor));
    }
  }
  try {
    return rpc::make_result(env.id, json{{"tools", tools.list_tools(context)}});
  } catch (const std::exception& e) {
    spdlog::error("mcp: listing tools failed: {}", e.what());
    return rpc::make_error(env.id, rpc::kInternalError,
                           "Internal error: the tool list could not be built");
  }
}

Session::Impl::Outcome Session::Impl::start_call(const rpc::Envelope& env,
                                                 const std::shared_ptr<Batch>& batch) {
  auto parsed = parse_call_params(env.params);
  if (auto* why = std::get_if<std::string>(&parsed)) {
    return {rpc::make_error(env.id, rpc::kInvalidParams, std::move(*why))};
  }
  auto& call = std::get<CallParams>(parsed);
  std::stop_source stop;
  {
    std::lock_guard lock(in_flight_mutex);
    if (!in_flight.emplace(env.id.dump(), stop).second) {
      return {rpc::make_error(env.id, rpc::kInvalidRequest,
                              "Invalid Request: id " + env.id.dump() +
                                  " is already used by a call in flight; use a new id")};
    }
  }
  pool.post([this, id = env.id, tool = std::move(call.name), args = std::move(call.arguments),
             progress = std::move(call.progress_token), stop, batch]() mutable {
    run_call(id, tool, std::move(args), std::move(progress), stop, batch);
  });
  return {std::nullopt, true};
}

void Session::Impl::run_call(const json& id, const std::string& name, json arguments,
                             std::optional<json> progress, std::stop_source stop,
                             const std::shared_ptr<Batch>& batch) {
  std::optional<json> reply;
  // A call cancelled while still queued is never started.
  if (!stop.stop_requested()) {
    try {
      // Notifications pass while the call runs; closing takes the same lock, so none is
      // still on its way when the reply is sent.
      struct NotifyGate {
        std::mutex mutex;
        bool open = true;
      };
      auto notify_gate = std::make_shared<NotifyGate>();
      auto notify = [this, notify_gate](const std::string& method, json params) {
        std::lock_guard lock(notify_gate->mutex);
        if (!notify_gate->open) return;
        send_now(json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
      };
      const ToolCall call{context,          name,  std::move(arguments), std::move(progress),
                          stop.get_token(), notify};
      json result;
      try {
        result = tools.call_tool(call);
      } catch (...) {
        std::lock_guard lock(notify_gate->mutex);
        notify_gate->open = false;
        throw;
      }
      {
        std::lock_guard lock(notify_gate->mutex);
        notify_gate->open = false;
      }
      if (result.is_object()) {
        reply = rpc::make_result(id, std::move(result));
      } else {
        spdlog::error("mcp: tool '{}' returned {} instead of a result object", name,
                      rpc::describe_type(result));
      }
    } catch (const std::exception& e) {
      spdlog::error("mcp: tool '{}' threw: {}", name, e.what());
    } catch (...) {
      spdlog::error("mcp: tool '{}' threw a non-standard exception", name);
    }
    if (!reply) {
      reply = rpc::make_error(id, rpc::kInternalError,
                              "Internal error: the tool '" + name +
                                  "' failed unexpectedly; the server log has the details");
    }
  }
  bool cancelled = false;
  {
    // Erase and check under the lock that cancellation takes, so a cancel either lands
    // before this point (no reply) or finds nothing (reply sent).
    std::lock_guard lock(in_flight_mutex);
    in_flight.erase(id.dump());
    cancelled = stop.stop_requested();
  }
  deliver(batch, cancelled ? std::nullopt : std::move(reply));
}

Session::Session(ToolService& tools, ServerIdentity identity, SessionContext context,
                 SessionLimits limits, SendFunction send)
    : impl_(std::make_unique<Impl>(tools, std::move(identity), std::move(context), limits,
                                   std::move(send))) {}

Session::~Session() {
  drain();
}

void Session::receive(std::string_view message) {
  try {
    impl_->receive(message);
  } catch (const std::exception& e) {
    // Only allocation failures and the like get here; answer rather than take the server down.
    spdlog::error("mcp: handling a message failed: {}", e.what());
    impl_->send_now(
        rpc::make_error(nullptr, rpc::kInternalError, "Internal error while handling the message"));
  }
}

void Session::receive_oversized(std::size_t size) {
  impl_->send_now(too_large_error(size, impl_->limits.max_message_bytes));
}

void Session::drain() {
  impl_->pool.wait_idle();
}

const SessionContext& Session::context() const {
  return impl_->context;
}

}  // namespace dockgate::mcp
