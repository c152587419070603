// `dockgate policy check|validate FILE|DIR...` and `dockgate policy explain ...`.
#pragma once

#include <string>
#include <vector>

namespace dockgate::cli {

// Prints every error of every file (file:line:col: DGnnn message); 0 when all load, else 1.
int check_policies(const std::vector<std::string>& args);

// Prints the decision for one call (no engine); 0 allowed, 1 denied or refused, 2 usage.
int explain_policy_call(const std::vector<std::string>& args);

}  // namespace dockgate::cli
