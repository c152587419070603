// Evaluation: deny by default. A call is allowed when at least one allow rule matches it and
// no enforce-mode deny rule does. Every matching deny rule is reported, not just the first,
// so a model can fix everything in one retry.
#include <algorithm>

#include "policy/policy.hpp"

namespace dockgate::policy {
namespace {

bool list_matches(const std::vector<std::string>& patterns, std::string_view value) {
  if (patterns.empty()) return true;
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return p == "*" || p == value; });
}

bool roles_match(const std::vector<std::string>& patterns, const std::vector<std::string>& roles) {
  if (patterns.empty()) return true;
  return std::any_of(roles.begin(), roles.end(),
                     [&](const std::string& role) { return list_matches(patterns, role); }) ||
         std::find(patterns.begin(), patterns.end(), "*") != patterns.end();
}

bool rule_matches(const Rule& rule, const DecisionInput& input, const std::string& operation) {
  const auto& m = rule.match;
  return list_matches(m.tools, input.tool) && list_matches(m.operations, operation) &&
         list_matches(m.principals, input.principal.name) &&
         roles_match(m.roles, input.principal.roles);
}

Violation violation_of(const Rule& rule) {
  return Violation{rule.id,
                   rule.file + ":" + std::to_string(rule.line),
                   rule.title,
                   rule.message,
                   rule.how_to_comply,
                   rule.mode};
}

std::string describe_principal(const auth::Principal& principal) {
  std::string text = "principal '" + principal.name + "'";
  if (!principal.roles.empty()) {
    text += " (roles:";
    for (const auto& r : principal.roles) text += " " + r;
    text += ")";
  }
  return text;
}

}  // namespace

std::string_view mode_name(RuleMode mode) {
  switch (mode) {
    case RuleMode::Enforce:
      return "enforce";
    case RuleMode::Warn:
      return "warn";
    case RuleMode::Audit:
      return "audit";
  }
  return "enforce";
}

Decision PolicySet::decide(const DecisionInput& input) const {
  Decision decision;
  decision.policy_sha256 = sha256_;
  const std::string operation = actions::operation_name(input.action);
  for (const auto& rule : rules_) {
    if (!rule_matches(rule, input, operation)) continue;
    if (rule.effect == RuleEffect::Allow) {
      decision.allowed_by.push_back(rule.id);
      continue;
    }
    switch (rule.mode) {
      case RuleMode::Enforce:
        decision.violations.push_back(violation_of(rule));
        break;
      case RuleMode::Warn:
        decision.warnings.push_back(violation_of(rule));
        break;
      case RuleMode::Audit:
        decision.audit_only.push_back(violation_of(rule));
        break;
    }
  }
  if (decision.allowed_by.empty()) {
    decision.violations.insert(
        decision.violations.begin(),
        Violation{kDefaultDenyRuleId, "(built in)", "Calls no rule allows are denied",
                  "no allow rule of the policy matches " + std::string(input.tool) + " for " +
                      describe_principal(input.principal),
                  "ask the policy owners to add an allow rule for this tool, or use a tool "
                  "that is allowed (see tools/list and the active policy)",
                  RuleMode::Enforce});
  }
  decision.allowed = decision.violations.empty();
  return decision;
}

}  // namespace dockgate::policy
