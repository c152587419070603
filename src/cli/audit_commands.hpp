// `dockgate audit verify|query|stats`: the auditor's side of the audit log.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "engine/engine_config.hpp"

namespace dockgate::cli {

// args: what follows "audit". Exit codes: 0 success (verify: the chain is intact), 1 verify
// found problems, 2 usage error, missing or unreadable file.
int run_audit_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      const engine::EnvironmentLookup& environment);

}  // namespace dockgate::cli
