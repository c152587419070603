// docker_policy_check and docker_policy_show: the two tools the gate answers itself from the
// active policy. They are planned into actions (CheckPolicy, ShowPolicy) by ordinary tools, so
// they are validated, judged by the policy and audited like every call; only the last step
// differs: instead of the executor, answer_from_policy() produces the result, so neither can
// reach the engine (the checked call's facts are looked up read-only, as for a real call).
#include <algorithm>

#include "gate/audit_records.hpp"
#include "gate/gate.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

json violations_json(const std::vector<policy::Violation>& violations) {
  json list = json::array();
  for (const auto& v : violations) {
    json item = {{"rule", v.rule_id},
                 {"title", v.title},
                 {"policy_file", v.policy_file},
                 {"message", v.message},
                 {"how_to_comply", v.how_to_comply}};
    if (!v.field.empty()) {
      item["field"] = v.field;
      item["found"] = v.found;
      item["allowed"] = v.allowed;
    }
    list.push_back(std::move(item));
  }
  return list;
}

std::string_view stage_name(Judgement::Stage stage) {
  switch (stage) {
    case Judgement::Stage::UnknownTool:
      return "unknown_tool";
    case Judgement::Stage::Invalid:
      return "invalid";
    case Judgement::Stage::FactsUnavailable:
      return "facts_unavailable";
    case Judgement::Stage::Judged:
      return "judged";
  }
  return "invalid";
}

// A call refused before the policy (unknown tool, invalid arguments, facts unavailable) would
// not run either: allowed is false and error says why.
json check_report(const Judgement& judgement) {
  json report = {{"tool", judgement.tool},
                 {"allowed", false},
                 {"stage", stage_name(judgement.stage)},
                 {"violations", json::array()},
                 {"warnings", json::array()},
                 {"policy_sha256", judgement.policy_sha256}};
  if (judgement.action) report["operation"] = actions::operation_name(*judgement.action);
  if (!judgement.error.empty()) report["error"] = judgement.error;
  if (judgement.decision) {
    const auto& d = *judgement.decision;
    report["allowed"] = d.allowed;
    report["violations"] = violations_json(d.violations);
    report["warnings"] = violations_json(d.warnings);
    report["allowed_by"] = d.allowed_by;
    if (!d.exceptions_applied.empty()) report["exceptions_applied"] = d.exceptions_applied;
    if (!d.mutations.empty()) report["mutations"] = mutations_json(d.mutations);
  }
  return report;
}

bool names(const std::vector<std::string>& list, std::string_view value) {
  return list.empty() || std::find(list.begin(), list.end(), "*") != list.end() ||
         std::find(list.begin(), list.end(), value) != list.end();
}

// Compact on purpose: ids, titles, messages and how to comply, with what each rule matches.
json policy_summary(const policy::PolicySet& policy, const std::string& tool) {
  json rules = json::array();
  for (const auto& rule : policy.rules()) {
    if (!tool.empty() && !names(rule.match.tools, tool)) continue;
    json item = {{"id", rule.id},
                 {"title", rule.title},
                 {"effect", rule.effect == policy::RuleEffect::Allow    ? "allow"
                            : rule.effect == policy::RuleEffect::Mutate ? "mutate"
                                                                        : "deny"}};
    if (rule.effect == policy::RuleEffect::Deny) item["mode"] = policy::mode_name(rule.mode);
    json match = json::object();
    if (!rule.match.tools.empty()) match["tools"] = rule.match.tools;
    if (!rule.match.operations.empty()) match["operations"] = rule.match.operations;
    if (!rule.match.principals.empty()) match["principals"] = rule.match.principals;
    if (!rule.match.roles.empty()) match["roles"] = rule.match.roles;
    if (!rule.match.images.empty()) match["images"] = rule.match.images;
    item["match"] = std::move(match);
    if (!rule.message.empty()) item["message"] = rule.message;
    if (!rule.how_to_comply.empty()) item["how_to_comply"] = rule.how_to_comply;
    rules.push_back(std::move(item));
  }
  json exceptions = json::array();
  for (const auto& e : policy.exceptions()) {
    exceptions.push_back({{"rule", e.rule_id}, {"expires", e.expires}, {"ticket", e.ticket}});
  }
  json summary = {{"policy_sha256", policy.sha256()},
                  {"files", policy.files()},
                  {"rules", std::move(rules)},
                  {"exceptions", std::move(exceptions)}};
  if (!tool.empty()) summary["tool"] = tool;
  return summary;
}

}  // namespace

std::optional<json> Gate::answer_from_policy(
    const CallContext& context, const actions::Action& action,
    std::chrono::system_clock::time_point now,
    const std::shared_ptr<const policy::PolicySet>& policy) {
  if (const auto* check = std::get_if<actions::CheckPolicy>(&action)) {
    // The same snapshot and clock as the checking call: the answer is what this policy says.
    return check_report(judge(context, check->tool, check->arguments, now, policy));
  }
  if (const auto* show = std::get_if<actions::ShowPolicy>(&action)) {
    return policy_summary(*policy, show->tool);
  }
  return std::nullopt;
}

}  // namespace dockgate::gate
