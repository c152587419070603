// docker_compose_up / docker_compose_down: the call is judged as a whole (an allow rule must
// match the compose tool) and then step by step, each step exactly as the single tool it stands
// for would be judged (docker_run for a service, docker_network_create for a network, ...), so
// that no rule written for those tools can be bypassed by writing a compose file. Every
// violation of every step is reported, its field prefixed with the step ("services.web.user").
#include <algorithm>

#include "policy/compose_judging.hpp"

namespace dockgate::policy {
namespace {

std::string prefixed(const std::string& subject, const std::string& field) {
  return field.empty() ? subject : subject + "." + field;
}

void merge_findings(const std::string& subject, std::vector<Violation>&& from,
                    std::vector<Violation>& into) {
  for (auto& v : from) {
    v.field = prefixed(subject, v.field);
    into.push_back(std::move(v));
  }
}

// A volume or network an earlier step of this plan creates does not exist yet when the facts
// are gathered; it will, with the labels that step (mutated) sets, before this container is
// created. Judging it as it will be keeps the owner control exact for a project's own objects.
void add_planned_objects(const std::vector<actions::ComposeStep>& steps, std::size_t before,
                         const actions::RunContainer& run, actions::Facts& facts) {
  for (std::size_t i = 0; i < before; ++i) {
    if (const auto* volume = std::get_if<actions::CreateVolume>(&steps[i].action)) {
      auto found = facts.mounted_volumes.find(volume->name);
      if (found != facts.mounted_volumes.end() && !found->second.exists) {
        found->second.exists = true;
        found->second.labels = volume->labels;
      }
    } else if (const auto* network = std::get_if<actions::CreateNetwork>(&steps[i].action)) {
      auto plan = [&](actions::ObjectFacts& seen) {
        if (seen.exists) return;
        seen.exists = true;
        seen.labels = network->labels;
      };
      if (facts.joined_network && network->name == run.spec.network) plan(*facts.joined_network);
      if (auto found = facts.extra_networks.find(network->name);
          found != facts.extra_networks.end())
        plan(found->second);
    }
  }
}

// down: a container, network or volume the facts say does not exist is skipped by the
// executor, so there is nothing to judge (the owner control would refuse it as "not yours or
// absent", and a second down would be denied). No facts at all is not absence: judged.
bool absent_target(const actions::Action& action, const actions::Facts& facts) {
  if (std::holds_alternative<actions::RemoveContainer>(action))
    return facts.container && !facts.container->exists;
  if (std::holds_alternative<actions::RemoveNetwork>(action) ||
      std::holds_alternative<actions::RemoveVolume>(action))
    return facts.object && !facts.object->exists;
  return false;
}

}  // namespace

Decision judge_compose(const PolicySet& policy, const JudgeInput& input,
                       std::vector<actions::ComposeStep>& steps) {
  // The compose call itself: its allow rule, and any rule on compose.up / compose.down.
  Decision decision = policy.decide(
      DecisionInput{input.tool, input.action, input.facts, input.principal, input.now});
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto& step = steps[i];
    // No facts for a step (a policy test case without them): judged on empty facts, which
    // every control reads as "unknown" and refuses where it matters (fail closed).
    actions::Facts facts = i < input.facts.steps.size() ? input.facts.steps[i] : actions::Facts{};
    // An image already on the engine is not pulled, so there is no pull to judge (the service
    // that runs it is judged with its image, by the image rules as well).
    if (std::holds_alternative<actions::PullImage>(step.action) && facts.image &&
        facts.image->present)
      continue;
    if (absent_target(step.action, facts)) continue;
    if (const auto* run = std::get_if<actions::RunContainer>(&step.action))
      add_planned_objects(steps, i, *run, facts);
    Decision part =
        policy.judge(JudgeInput{step.tool, step.action, facts, input.principal, input.now});
    merge_findings(step.subject, std::move(part.violations), decision.violations);
    merge_findings(step.subject, std::move(part.warnings), decision.warnings);
    merge_findings(step.subject, std::move(part.audit_only), decision.audit_only);
    for (auto& m : part.mutations) {
      m.field = prefixed(step.subject, m.field);
      decision.mutations.push_back(std::move(m));
    }
    for (auto& id : part.allowed_by) {
      if (std::find(decision.allowed_by.begin(), decision.allowed_by.end(), id) ==
          decision.allowed_by.end())
        decision.allowed_by.push_back(std::move(id));
    }
    for (auto& e : part.exceptions_applied) decision.exceptions_applied.push_back(std::move(e));
  }
  decision.allowed = decision.violations.empty();
  return decision;
}

}  // namespace dockgate::policy
