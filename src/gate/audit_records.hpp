// The audit records of a call (schema version audit::kAuditSchemaVersion; docs/audit.md).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "gate/gate.hpp"
#include "policy/policy.hpp"

namespace dockgate::gate {

// What became of a call. "invalid" and "unknown_tool" never reach the policy.
enum class CallStage { UnknownTool, Invalid, Denied, Allowed };

struct IntentRecord {
  std::string call_id;
  std::chrono::system_clock::time_point time;
  const CallContext& context;
  std::string_view tool;
  const nlohmann::json& arguments;
  CallStage stage;
  const actions::Action* action = nullptr;     // when planned
  const policy::Decision* decision = nullptr;  // when judged
  std::string error;                           // invalid / unknown tool
};

nlohmann::json intent_record(const IntentRecord& intent);

// result: "ok", "denied", "invalid", "unknown_tool", "engine_error", "refused".
nlohmann::json outcome_record(const std::string& call_id,
                              std::chrono::system_clock::time_point time,
                              const CallContext& context, std::string_view tool,
                              std::string_view result, const std::string& error,
                              std::chrono::milliseconds duration);

// A policy reload (SIGHUP or a changed file), not a call. result "ok": policy_sha256 is the new
// policy, previous the one it replaced; "rejected": error says why (file:line:col), and
// policy_sha256 is the policy still enforced.
nlohmann::json policy_reload_record(std::chrono::system_clock::time_point time,
                                    std::string_view trigger, const std::string& error,
                                    const std::string& active_sha256,
                                    const std::string& previous_sha256);

}  // namespace dockgate::gate
