// The audit records of a call (schema version audit::kAuditSchemaVersion; docs/audit.md). The
// writer adds "seq" and "prev" (the hash chain) when it appends them.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "gate/gate.hpp"
#include "gate/redaction.hpp"
#include "policy/policy.hpp"

namespace dockgate::gate {

// What became of a call. "invalid" and "unknown_tool" never reach the policy.
enum class CallStage { UnknownTool, Invalid, Denied, Allowed };

struct IntentRecord {
  std::string call_id;
  std::chrono::system_clock::time_point time;
  const CallContext& context;
  std::string_view tool;
  // The arguments as received, secrets already replaced: the record never sees them raw.
  const Redaction& redaction;
  CallStage stage;
  const actions::Action* action = nullptr;     // when planned
  const policy::Decision* decision = nullptr;  // when judged
  std::string error;                           // invalid / unknown tool
};

// What mutate rules changed, as the audit log and docker_policy_check report it.
nlohmann::json mutations_json(const std::vector<policy::Mutation>& mutations);

nlohmann::json intent_record(const IntentRecord& intent);

struct OutcomeRecord {
  std::string call_id;
  std::chrono::system_clock::time_point time;
  const CallContext& context;
  std::string_view tool;
  // "ok", "denied", "invalid", "unknown_tool", "engine_error", "timeout".
  std::string_view result;
  std::string error;  // scrubbed by the caller (Redaction::scrub)
  std::chrono::milliseconds duration;
  std::optional<int> engine_status;  // the engine's HTTP status, when it answered with an error
  nlohmann::json created;            // ids of the objects the call created (array), or null
  nlohmann::json steps;              // compose: each step's outcome (array), or null
};

nlohmann::json outcome_record(const OutcomeRecord& outcome);

// A policy reload (SIGHUP or a changed file), not a call. result "ok": policy_sha256 is the new
// policy, previous the one it replaced; "rejected": error says why (file:line:col), and
// policy_sha256 is the policy still enforced.
nlohmann::json policy_reload_record(std::chrono::system_clock::time_point time,
                                    std::string_view trigger, const std::string& error,
                                    const std::string& active_sha256,
                                    const std::string& previous_sha256);

// What the outcome says of an engine failure: "timeout" when the engine did not answer in
// time, else "engine_error"; and the engine's HTTP status when the message carries one
// ("engine error (404): ...").
std::string_view engine_failure_result(const std::string& error);
std::optional<int> engine_status_of(const std::string& error);

// The ids of what a successful call created, from the executor's result: the container of
// docker_run, the volume or network of their create tools, the image of docker_build.
nlohmann::json created_objects(const actions::Action& action, const nlohmann::json& result);

}  // namespace dockgate::gate
