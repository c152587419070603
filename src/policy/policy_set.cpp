// Evaluation: deny by default. A call is allowed when at least one allow rule matches it and
// no enforce-mode deny rule does. Every matching deny rule is reported, not just the first,
// so a model can fix everything in one retry.
#include <algorithm>
#include <iterator>

#include "policy/compose_judging.hpp"
#include "policy/mutations.hpp"
#include "policy/policy.hpp"

namespace dockgate::policy {
namespace {

bool is_wildcard(const std::string& pattern) {
  return pattern.size() == 1 && pattern[0] == '*';
}

bool list_matches(const std::vector<std::string>& patterns, std::string_view value) {
  if (patterns.empty()) return true;
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return is_wildcard(p) || p == value; });
}

bool roles_match(const std::vector<std::string>& patterns, const std::vector<std::string>& roles) {
  if (patterns.empty()) return true;
  return std::any_of(roles.begin(), roles.end(),
                     [&](const std::string& role) { return list_matches(patterns, role); }) ||
         std::any_of(patterns.begin(), patterns.end(), is_wildcard);
}

// Image globs match the full normalized reference ("docker.io/library/busybox:1.36") or the
// repository alone ("docker.io/library/busybox"); docker_run and docker_pull have an image.
bool images_match(const std::vector<std::string>& patterns, const actions::Action& action) {
  if (patterns.empty()) return true;
  const actions::ImageRef* found = nullptr;
  if (const auto* run = std::get_if<actions::RunContainer>(&action)) found = &run->spec.image;
  if (const auto* pull = std::get_if<actions::PullImage>(&action)) found = &pull->image;
  if (found == nullptr) return false;
  const auto& image = *found;
  const std::string repository = image.registry + "/" + image.repository;
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
    return is_wildcard(p) || glob_matches(p, image.full()) || glob_matches(p, repository);
  });
}

bool match_matches(const RuleMatch& m, const DecisionInput& input, std::string_view operation) {
  return list_matches(m.tools, input.tool) && list_matches(m.operations, operation) &&
         list_matches(m.principals, input.principal.name) &&
         roles_match(m.roles, input.principal.roles) && images_match(m.images, input.action);
}

// A rule applies to the calls its match selects, minus those its exclude selects.
bool rule_applies(const Rule& rule, const DecisionInput& input, std::string_view operation) {
  return match_matches(rule.match, input, operation) &&
         !(rule.exclude && match_matches(*rule.exclude, input, operation));
}

Violation violation_of(const Rule& rule) {
  return Violation{
      rule.id, rule.location, rule.title, rule.message, rule.how_to_comply, rule.mode, "", "", ""};
}

// Whether an exception lifts the rule for this call. An expired exception does not, and says
// so as a warning, so that nobody mistakes it for still granted.
bool exempted(const std::vector<RuleException>& exceptions, const Rule& rule,
              const DecisionInput& input, std::string_view operation, Decision& decision) {
  bool lifted = false;
  for (const auto& e : exceptions) {
    if (e.rule_id != rule.id || !match_matches(e.match, input, operation)) continue;
    if (input.now < e.expires_at) {
      decision.exceptions_applied.push_back("rule " + rule.id + ": ticket " + e.ticket +
                                            " (until " + e.expires + ", " + e.file + ":" +
                                            std::to_string(e.line) + ")");
      lifted = true;
    } else {
      Violation expired = violation_of(rule);
      expired.mode = RuleMode::Warn;
      expired.policy_file = e.file + ":" + std::to_string(e.line);
      expired.message = "the exception for rule " + rule.id + " (ticket " + e.ticket +
                        ") expired on " + e.expires + " and no longer applies";
      expired.how_to_comply = "comply with rule " + rule.id +
                              ", or ask for the exception (ticket " + e.ticket + ") to be renewed";
      decision.warnings.push_back(std::move(expired));
    }
  }
  return lifted;
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
  return decide(input, actions::operation_name(input.action));
}

Decision PolicySet::decide(const DecisionInput& input, std::string_view operation) const {
  Decision decision;
  decision.policy_sha256 = sha256_;
  // First pass: which rules apply and what they find (cheap, usually nothing). The findings of
  // every rule go into one vector; hits remembers, in rule order, which rule found which.
  struct Hit {
    const Rule* rule;
    std::size_t begin;  // findings[begin, end) are the rule's; none for a rule without require
    std::size_t end;
  };
  // Scratch space kept by the thread from one decision to the next (decide never re-enters
  // itself): its capacity is allocated once, not once or more per decision.
  thread_local std::vector<Finding> findings;
  thread_local std::vector<Hit> hits;
  findings.clear();
  hits.clear();
  for (const auto& rule : rules_) {
    if (rule.effect == RuleEffect::Mutate || !rule_applies(rule, input, operation)) continue;
    if (rule.effect == RuleEffect::Allow) {
      decision.allowed_by.push_back(rule.id);
      continue;
    }
    const std::size_t begin = findings.size();
    if (rule.require) {
      check_controls(*rule.require, input.action, input.facts, input.principal, findings);
      if (findings.size() == begin) continue;
    }
    hits.push_back({&rule, begin, findings.size()});
  }
  const bool default_deny = decision.allowed_by.empty();
  // Second pass: the texts, built only for what is reported, into vectors sized once.
  std::size_t counts[3] = {default_deny ? 1u : 0u, 0, 0};
  for (const auto& hit : hits)
    counts[static_cast<int>(hit.rule->mode)] += std::max<std::size_t>(1, hit.end - hit.begin);
  // The enforce-mode violations are built in scratch space too and moved into the decision at
  // the end: its vector, the one large allocation of a denial, is then made after every text.
  thread_local std::vector<Violation> enforced;
  enforced.clear();
  enforced.reserve(counts[static_cast<int>(RuleMode::Enforce)]);
  decision.warnings.reserve(counts[static_cast<int>(RuleMode::Warn)]);
  decision.audit_only.reserve(counts[static_cast<int>(RuleMode::Audit)]);
  for (const auto& hit : hits) {
    const Rule& rule = *hit.rule;
    if (exempted(exceptions_, rule, input, operation, decision)) continue;
    auto& list = rule.mode == RuleMode::Enforce ? enforced
                 : rule.mode == RuleMode::Warn  ? decision.warnings
                                                : decision.audit_only;
    if (!rule.require) {
      list.push_back(Violation{rule.id, rule.location, rule.title, rule.message, rule.how_to_comply,
                               rule.mode, "", "", ""});
      continue;
    }
    for (std::size_t i = hit.begin; i < hit.end; ++i) {
      // Built in place: the finding's texts are moved, and the rule's how_to_comply is copied
      // only when the finding has none of its own.
      Finding& finding = findings[i];
      if (finding.how_to_comply.empty()) {
        list.push_back(Violation{rule.id, rule.location, rule.title, rule.message,
                                 rule.how_to_comply, rule.mode, std::move(finding.field),
                                 std::move(finding.found), std::move(finding.allowed)});
      } else {
        list.push_back(Violation{rule.id, rule.location, rule.title, rule.message,
                                 std::move(finding.how_to_comply), rule.mode,
                                 std::move(finding.field), std::move(finding.found),
                                 std::move(finding.allowed)});
      }
    }
  }
  decision.violations.reserve(enforced.size() + (default_deny ? 1 : 0));
  if (default_deny) {
    decision.violations.push_back(
        Violation{kDefaultDenyRuleId, "(built in)", "Calls no rule allows are denied",
                  "no allow rule of the policy matches " + std::string(input.tool) + " for " +
                      describe_principal(input.principal),
                  "ask the policy owners to add an allow rule for this tool, or use a tool "
                  "that is allowed (see tools/list and the active policy)",
                  RuleMode::Enforce, "", "", ""});
  }
  decision.violations.insert(decision.violations.end(), std::make_move_iterator(enforced.begin()),
                             std::make_move_iterator(enforced.end()));
  decision.allowed = decision.violations.empty();
  return decision;
}

Decision PolicySet::judge(const JudgeInput& input) const {
  if (auto* steps = actions::compose_steps(input.action))
    return judge_compose(*this, input, *steps);
  const DecisionInput view{input.tool, input.action, input.facts, input.principal, input.now};
  // A mutation never changes the kind of action, so its operation is named once.
  const std::string operation = actions::operation_name(input.action);
  std::vector<Mutation> mutations;
  for (const auto& rule : rules_) {
    if (rule.effect != RuleEffect::Mutate || !rule.mutate || !rule_applies(rule, view, operation))
      continue;
    apply_mutations(rule, *rule.mutate, input.principal, input.action, mutations);
  }
  Decision decision = decide(view, operation);
  decision.mutations = std::move(mutations);
  return decision;
}

}  // namespace dockgate::policy
