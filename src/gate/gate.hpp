// The gate: the one path every tool call takes.
//   plan (tool) -> facts -> decide (policy) -> record intent (audit, on disk) -> execute
//   (engine) -> record outcome -> result
// Sessions hand every tools/call to it, and nothing else calls the engine.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "audit/audit_writer.hpp"
#include "auth/principal.hpp"
#include "common/result.hpp"
#include "policy/policy.hpp"
#include "tools/tool.hpp"

namespace dockgate::gate {

// How far a long call (docker_pull) got: `progress` grows with each report (the gate drops any
// report that does not), `message` is a line for a person ("a1b2c3: Downloading").
using ProgressCallback = std::function<void(double progress, std::string message)>;

// Who calls, from where: what the session knows, for policy and audit.
struct CallContext {
  auth::Principal principal;
  std::string session_id;
  std::string client_name;
  std::string client_version;
  std::string remote_address;  // HTTP only
  ProgressCallback progress;   // empty: the client asked for no progress notifications
};

struct CallOutcome {
  std::string text;           // for the model: the tool's output, or why it failed
  nlohmann::json structured;  // the tool's structured result (null on errors)
  bool is_error = false;
};

// Turns judged actions into engine calls. The real one speaks the Engine API; tests count.
class ActionExecutor {
 public:
  virtual ~ActionExecutor() = default;
  virtual Result<actions::Facts> gather_facts(const actions::Action& action) = 0;
  // The engine's answer, shaped for the tool's render(). Errors read like "engine error
  // (404): No such container: web" or "cannot reach engine at ...".
  // progress may be empty; executors of long calls report through it when it is not.
  virtual Result<nlohmann::json> execute(const actions::Action& action,
                                         const ProgressCallback& progress) = 0;
};

using Clock = std::function<std::chrono::system_clock::time_point()>;

// How far a call got through plan -> facts -> decide, without running anything: what
// Gate::call records and executes, and what docker_policy_check reports.
struct Judgement {
  enum class Stage { UnknownTool, Invalid, FactsUnavailable, Judged };
  Stage stage = Stage::Invalid;
  std::string tool;
  std::string error;  // why it stopped before the decision (every stage but Judged)
  const tools::Tool* planner = nullptr;
  std::optional<actions::Action> action;     // from Invalid on, when planned
  std::optional<policy::Decision> decision;  // Judged only
  std::string policy_sha256;                 // the policy that judged (or would have)
};

class Gate {
 public:
  Gate(const tools::ToolRegistry& tools, std::shared_ptr<const policy::PolicySet> policy,
       audit::AuditWriter& audit, ActionExecutor& executor, Clock clock = nullptr);

  const tools::ToolRegistry& tools() const { return tools_; }

  // Never throws: every failure is an outcome with is_error and a message for the model,
  // and every call leaves an intent and an outcome record (or is refused when it cannot).
  CallOutcome call(const CallContext& context, std::string_view tool_name,
                   const nlohmann::json& arguments);

  // What call() would decide, without recording or executing anything: plan with the tool's
  // own validation, read-only facts, decision. (docker_policy_check is call() of this.)
  Judgement check(const CallContext& context, std::string_view tool_name,
                  const nlohmann::json& arguments);

  // The active policy. Calls take a snapshot when they start and keep it to the end, so a
  // reload never changes the rules under a call in flight.
  std::shared_ptr<const policy::PolicySet> policy() const;
  // Swaps in a reloaded policy, or keeps the active one when loading failed; either way
  // logs it and writes a policy_reload audit record. trigger: "sighup", "file_changed".
  // Returns whether the new policy is now active.
  bool install_policy(const Result<std::shared_ptr<const policy::PolicySet>>& loaded,
                      std::string_view trigger);

 private:
  Judgement judge(const CallContext& context, std::string_view tool_name,
                  const nlohmann::json& arguments, std::chrono::system_clock::time_point now,
                  const std::shared_ptr<const policy::PolicySet>& policy);
  // docker_policy_check / docker_policy_show: answered here, never by the engine.
  std::optional<nlohmann::json> answer_from_policy(
      const CallContext& context, const actions::Action& action,
      std::chrono::system_clock::time_point now,
      const std::shared_ptr<const policy::PolicySet>& policy);

  const tools::ToolRegistry& tools_;
  mutable std::mutex policy_mutex_;  // guards policy_ (the pointer, not the set: it is const)
  std::shared_ptr<const policy::PolicySet> policy_;
  audit::AuditWriter& audit_;
  ActionExecutor& executor_;
  Clock clock_;
};

}  // namespace dockgate::gate
