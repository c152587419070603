// The gate: the one path every tool call takes.
//   plan (tool) -> facts -> decide (policy) -> record intent (audit, on disk) -> execute
//   (engine) -> record outcome -> result
// Sessions hand every tools/call to it, and nothing else calls the engine.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "audit/audit_writer.hpp"
#include "auth/principal.hpp"
#include "common/result.hpp"
#include "policy/policy.hpp"
#include "tools/tool.hpp"

namespace dockgate::gate {

// Who calls, from where: what the session knows, for policy and audit.
struct CallContext {
  auth::Principal principal;
  std::string session_id;
  std::string client_name;
  std::string client_version;
  std::string remote_address;  // HTTP only
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
  virtual Result<nlohmann::json> execute(const actions::Action& action) = 0;
};

using Clock = std::function<std::chrono::system_clock::time_point()>;

class Gate {
 public:
  Gate(const tools::ToolRegistry& tools, std::shared_ptr<const policy::PolicySet> policy,
       audit::AuditWriter& audit, ActionExecutor& executor, Clock clock = nullptr);

  const tools::ToolRegistry& tools() const { return tools_; }

  // Never throws: every failure is an outcome with is_error and a message for the model,
  // and every call leaves an intent and an outcome record (or is refused when it cannot).
  CallOutcome call(const CallContext& context, std::string_view tool_name,
                   const nlohmann::json& arguments);

 private:
  const tools::ToolRegistry& tools_;
  std::shared_ptr<const policy::PolicySet> policy_;
  audit::AuditWriter& audit_;
  ActionExecutor& executor_;
  Clock clock_;
};

}  // namespace dockgate::gate
