#include "gate/gate.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "gate/audit_records.hpp"
#include "gate/redaction.hpp"

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

// Tells the model what the policy changed, so that it is not surprised by, say, a memory
// limit it never asked for, and knows which value to give to choose another.
std::string mutations_text(const policy::Decision& decision) {
  std::string text;
  for (const auto& m : decision.mutations) {
    text += "\nPolicy set [" + m.rule_id + "]: " + m.field + " = " + m.after + " (was " + m.before +
            ")";
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

std::shared_ptr<const policy::PolicySet> Gate::policy() const {
  std::lock_guard lock(policy_mutex_);
  return policy_;
}

// The part of the path call() and check() share: plan -> facts -> decide. Reads the engine
// only through gather_facts (read-only) and writes nothing.
Judgement Gate::judge(const CallContext& context, std::string_view tool_name, const json& arguments,
                      system_clock::time_point now,
                      const std::shared_ptr<const policy::PolicySet>& policy) {
  Judgement judgement;
  judgement.tool = std::string(tool_name);
  judgement.policy_sha256 = policy->sha256();
  judgement.planner = tools_.find(tool_name);
  if (judgement.planner == nullptr) {
    judgement.stage = Judgement::Stage::UnknownTool;
    judgement.error =
        "unknown tool '" + std::string(tool_name) + "'; available tools: " + tool_names(tools_);
    return judgement;
  }
  auto action = tools::plan_call(*judgement.planner, arguments);
  if (!action) {
    judgement.stage = Judgement::Stage::Invalid;
    judgement.error = action.error().message;
    return judgement;
  }
  judgement.action = std::move(*action);
  // The policy tools need nothing from the engine: their facts are empty, by construction.
  const bool answered_by_gate = std::holds_alternative<actions::CheckPolicy>(*judgement.action) ||
                                std::holds_alternative<actions::ShowPolicy>(*judgement.action);
  auto facts = answered_by_gate ? Result<actions::Facts>(actions::Facts{})
                                : executor_.gather_facts(*judgement.action);
  if (!facts) {
    // Fail closed: without the facts the decision needs, nothing is judged or run.
    judgement.stage = Judgement::Stage::FactsUnavailable;
    judgement.error =
        "cannot gather what the policy needs to judge this call: " + facts.error().message;
    return judgement;
  }
  // docker_inspect: look up the kind the facts resolved, so that the object shown is of the
  // kind that was judged (an image's name cannot stand in for another tenant's container).
  if (auto* inspect = std::get_if<actions::InspectObject>(&*judgement.action);
      inspect != nullptr && !inspect->kind && facts->inspected_kind)
    inspect->kind = facts->inspected_kind;
  // Compose: the executor acts only on the objects the decision saw (see ComposeStep).
  actions::record_judged_identities(*judgement.action, *facts);
  // Mutations change judgement.action itself: what runs next is what was judged.
  judgement.decision = policy->judge(
      policy::JudgeInput{tool_name, *judgement.action, *facts, context.principal, now});
  judgement.stage = Judgement::Stage::Judged;
  return judgement;
}

Judgement Gate::check(const CallContext& context, std::string_view tool_name,
                      const json& arguments) {
  return judge(context, tool_name, arguments, clock_(), policy());
}

CallOutcome Gate::call(const CallContext& context, std::string_view tool_name,
                       const json& arguments) {
  const std::string call_id = new_call_id();
  const auto started = clock_();
  const auto policy = this->policy();  // this call's snapshot, kept across a reload
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_() - started);
  };
  // Secrets are taken out once, before any record of this call is built.
  Redaction redaction = redact_arguments(tool_name, arguments);
  auto record_outcome = [&](std::string_view result, const std::string& error,
                            std::optional<int> engine_status, json created, json steps) {
    auto written = audit_.append(outcome_record(
        OutcomeRecord{call_id, clock_(), context, tool_name, result, redaction.scrub(error),
                      elapsed(), engine_status, std::move(created), std::move(steps)}));
    if (!written)
      spdlog::error("audit outcome of call {} lost: {}", call_id, written.error().message);
  };
  // Calls that end before the engine: one intent record, one outcome record, an error.
  auto refuse = [&](CallStage stage, std::string_view result, const std::string& message,
                    const actions::Action* action, const policy::Decision* decision) {
    IntentRecord intent{call_id,   started,   context,
                        tool_name, redaction, stage,
                        action,    decision,  stage == CallStage::Denied ? "" : message};
    if (auto written = audit_.append(intent_record(intent)); !written) {
      spdlog::error("audit intent of call {} lost: {}", call_id, written.error().message);
    }
    // Facts that could not be gathered: the engine's answer, when it gave one.
    const auto status = result == "engine_error" ? engine_status_of(message) : std::nullopt;
    record_outcome(result, stage == CallStage::Denied ? "" : message, status, nullptr, nullptr);
    return error_outcome(message);
  };

  const Judgement judgement = judge(context, tool_name, arguments, started, policy);
  const actions::Action* action = judgement.action ? &*judgement.action : nullptr;
  if (action != nullptr) {
    if (const auto* up = std::get_if<actions::ComposeUp>(action))
      redaction.also_scrub(up->sensitive_values);
    if (const auto* down = std::get_if<actions::ComposeDown>(action))
      redaction.also_scrub(down->sensitive_values);
  }
  switch (judgement.stage) {
    case Judgement::Stage::UnknownTool:
      return refuse(CallStage::UnknownTool, "unknown_tool", judgement.error, nullptr, nullptr);
    case Judgement::Stage::Invalid:
      return refuse(CallStage::Invalid, "invalid", judgement.error, nullptr, nullptr);
    case Judgement::Stage::FactsUnavailable:
      return refuse(CallStage::Invalid, "engine_error", judgement.error, action, nullptr);
    case Judgement::Stage::Judged:
      break;
  }
  const policy::Decision& decision = *judgement.decision;
  if (!decision.allowed) {
    return refuse(CallStage::Denied, "denied", denial_text(tool_name, decision), action, &decision);
  }

  IntentRecord intent{call_id, started,   context, tool_name, redaction, CallStage::Allowed,
                      action,  &decision, ""};
  if (auto written = audit_.append(intent_record(intent)); !written) {
    spdlog::error("refusing call {} ({}): {}; nothing was sent to the engine", call_id, tool_name,
                  written.error().message);
    return error_outcome("dockgate refused the call: its audit log cannot be written (" +
                         written.error().message + "); nothing was sent to the engine");
  }

  Result<json> result = make_error("not run");
  if (auto answer = answer_from_policy(context, *action, started, policy)) {
    result = std::move(*answer);
  } else {
    // Progress only grows: the gate drops any report that does not (MCP requires it), and
    // any report once the executor returned (one could keep the callback): the outcome is
    // the last word.
    struct ProgressState {
      std::mutex mutex;
      bool open = true;
      double last = -1.0;
    };
    auto state = std::make_shared<ProgressState>();
    ProgressCallback progress;
    if (context.progress) {
      progress = [&context, state](double value, std::string message) {
        std::lock_guard lock(state->mutex);
        if (!state->open || value <= state->last) return;
        state->last = value;
        context.progress(value, std::move(message));
      };
    }
    result = executor_.execute(*action, progress);
    std::lock_guard lock(state->mutex);
    state->open = false;
  }
  if (!result) {
    const std::string& error = result.error().message;
    record_outcome(engine_failure_result(error), error, engine_status_of(error), nullptr, nullptr);
    return error_outcome(error);
  }
  // Compose: every step's outcome is recorded; a failed step fails the call, after the steps
  // before it ran (the answer lists them, so the model knows what exists now).
  const json steps = actions::compose_steps(*action) != nullptr
                         ? redaction.scrub_json(result->value("steps", json::array()))
                         : json(nullptr);
  if (const auto failed = result->find("error");
      actions::compose_steps(*action) != nullptr && failed != result->end()) {
    const std::string error = failed->get<std::string>();
    record_outcome(engine_failure_result(error), error, engine_status_of(error), nullptr, steps);
    auto output = judgement.planner->render(*action, *result, clock_());
    return error_outcome(output.text);
  }
  record_outcome("ok", "", std::nullopt, created_objects(*action, *result), steps);
  auto output = judgement.planner->render(*action, *result, clock_());
  output.text += mutations_text(decision) + warnings_text(decision);
  return CallOutcome{std::move(output.text), std::move(output.structured), false};
}

bool Gate::install_policy(const Result<std::shared_ptr<const policy::PolicySet>>& loaded,
                          std::string_view trigger) {
  std::shared_ptr<const policy::PolicySet> previous;
  {
    std::lock_guard lock(policy_mutex_);
    previous = policy_;
    if (loaded) policy_ = *loaded;
  }
  json record;
  if (!loaded) {
    spdlog::error("policy reload ({}) rejected, still enforcing sha256 {}:\n{}", trigger,
                  previous->sha256().substr(0, 12), loaded.error().message);
    record =
        policy_reload_record(clock_(), trigger, loaded.error().message, previous->sha256(), "");
  } else {
    spdlog::info("policy reloaded ({}): sha256 {} replaces {}", trigger,
                 (*loaded)->sha256().substr(0, 12), previous->sha256().substr(0, 12));
    record = policy_reload_record(clock_(), trigger, "", (*loaded)->sha256(), previous->sha256());
  }
  if (auto written = audit_.append(record); !written)
    spdlog::error("audit record of the policy reload lost: {}", written.error().message);
  return static_cast<bool>(loaded);
}

}  // namespace dockgate::gate
