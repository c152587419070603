#pragma once

#include "cli/serve_options.hpp"

namespace dockgate::cli {

// Loads the policy, opens the audit log, prepares the engine client and serves MCP on stdio
// until stdin ends. Refuses to start (exit 2) on a bad policy, audit log or engine config.
int serve(const ServeOptions& options);

}  // namespace dockgate::cli
