#include "gate/gate.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>

#include "gate/audit_records.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

std::string new_call_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // Not a secret, only unique: fall back to the clock rather than fail the call.
    const auto now = system_clock::now().time_since_epoch().count();
    std::memcpy(bytes, &now, sizeof now);
  }
  char hex[33];
  for (std::size_t i = 0; i < sizeof bytes; ++i) std::snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
  return hex;
}

CallOutcome error_outcome(std::string text) {
  return CallOutcome{std::move(text), nullptr, true};
}

std::string denial_text(std::string_view tool, const policy::Decision& decision) {
  std::string text = "Denied by policy (version " + decision.policy_sha256.substr(0, 12) +
                     "): " + std::string(tool) + " was not run. Violations (" +
                     std::to_string(decision.violations.size()) + "):";
  std::size_t n = 0;
  for (const auto& v : decision.violations) {
    text += "\n" + std::to_string(++n) + ". [" + v.rule_id + "] " + v.title + " (" + v.policy_file +
            ")\n   why: " + v.message;
    if (!v.field.empty()) {
      text += "\n   field: " + v.field + " = " + v.found + "; allowed: " + v.allowed;
    }
    if (!v.how_to_comply.empty()) text += "\n   to comply: " + v.how_to_comply;
  }
  for (const auto& w : decision.warnings) {
    text += "\nPolicy warning [" + w.rule_id + "]: " + w.message;
    if (!w.field.empty()) text += " (" + w.field + " = " + w.found + ")";
  }
  return text;
}

std::string warnings_text(const policy::Decision& decision) {
  std::string text;
  for (const auto& w : decision.warnings) {
    text += "\nPolicy warning [" + w.rule_id + "]: " + w.message;
    if (!w.field.empty())
      text += " (" + w.field + " = " + w.found + "; allowed: " + w.allowed + ")";
    if (!w.how_to_comply.empty()) text += " To comply: " + w.how_to_comply;
  }
  return text;
}

std::string tool_names(const tools::ToolRegistry& registry) {
  std::string names;
  for (const auto& t : registry.all()) names += (names.empty() ? "" : ", ") + t->definition().name;
  return names;
}

}  // namespace

Gate::Gate(const tools::ToolRegistry& tools, std::shared_ptr<const policy::PolicySet> policy,
           audit::AuditWriter& audit, ActionExecutor& executor, Clock clock)
    : tools_(tools),
      policy_(std::move(policy)),
      audit_(audit),
      executor_(executor),
      clock_(clock ? std::move(clock) : Clock([] { return system_clock::now(); })) {}

CallOutcome Gate::call(const CallContext& context, std::string_view tool_name,
                       const json& arguments) {
  const std::string call_id = new_call_id();
  const auto started = clock_();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_() - started);
  };
  auto record_outcome = [&](std::string_view result, const std::string& error) {
    auto written = audit_.append(
        outcome_record(call_id, clock_(), context, tool_name, result, error, elapsed()));
    if (!written)
      spdlog::error("audit outcome of call {} lost: {}", call_id, written.error().message);
  };
  // Calls that end before the engine: one intent record, one outcome record, an error.
  auto refuse = [&](CallStage stage, std::string_view result, const std::string& message,
                    const actions::Action* action, const policy::Decision* decision) {
    IntentRecord intent{call_id,   started,   context,
                        tool_name, arguments, stage,
                        action,    decision,  stage == CallStage::Denied ? "" : message};
    if (auto written = audit_.append(intent_record(intent)); !written) {
      spdlog::error("audit intent of call {} lost: {}", call_id, written.error().message);
    }
    record_outcome(result, stage == CallStage::Denied ? "" : message);
    return error_outcome(message);
  };

  const tools::Tool* tool = tools_.find(tool_name);
  if (tool == nullptr) {
    return refuse(
        CallStage::UnknownTool, "unknown_tool",
        "unknown tool '" + std::string(tool_name) + "'; available tools: " + tool_names(tools_),
        nullptr, nullptr);
  }
  auto action = tools::plan_call(*tool, arguments);
  if (!action)
    return refuse(CallStage::Invalid, "invalid", action.error().message, nullptr, nullptr);

  auto facts = executor_.gather_facts(*action);
  if (!facts) {
    // Fail closed: without the facts the decision needs, nothing is judged or run.
    return refuse(
        CallStage::Invalid, "engine_error",
        "cannot gather what the policy needs to judge this call: " + facts.error().message,
        &*action, nullptr);
  }
  const policy::Decision decision = policy_->decide(
      policy::DecisionInput{tool_name, *action, *facts, context.principal, started});
  if (!decision.allowed) {
    return refuse(CallStage::Denied, "denied", denial_text(tool_name, decision), &*action,
                  &decision);
  }

  IntentRecord intent{call_id,  started,   context, tool_name, arguments, CallStage::Allowed,
                      &*action, &decision, ""};
  if (auto written = audit_.append(intent_record(intent)); !written) {
    spdlog::error("refusing call {}: {}", call_id, written.error().message);
    return error_outcome("dockgate refused the call: its audit log cannot be written (" +
                         written.error().message + "); nothing was sent to the engine");
  }

  auto result = executor_.execute(*action);
  if (!result) {
    record_outcome("engine_error", result.error().message);
    return error_outcome(result.error().message);
  }
  record_outcome("ok", "");
  auto output = tool->render(*action, *result, clock_());
  output.text += warnings_text(decision);
  return CallOutcome{std::move(output.text), std::move(output.structured), false};
}

}  // namespace dockgate::gate
