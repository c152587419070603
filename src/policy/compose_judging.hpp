// Internal to the policy component: how a compose call's steps are judged (see the .cpp).
#pragma once

#include "policy/policy.hpp"

namespace dockgate::policy {

// input.action is the compose action whose `steps` these are; facts.steps[i] are step i's.
Decision judge_compose(const PolicySet& policy, const JudgeInput& input,
                       std::vector<actions::ComposeStep>& steps);

}  // namespace dockgate::policy
