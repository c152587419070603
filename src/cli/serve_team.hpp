#pragma once

#include "audit/audit_writer.hpp"
#include "cli/serve_options.hpp"
#include "mcp/session.hpp"

namespace dockgate::cli {

// `dockgate serve --http`: loads the users file and serves the team server until SIGTERM or
// SIGINT. Failed authentications go to the audit log. Exit code 2 when it cannot start.
int serve_team(const ServeOptions& options, mcp::ToolService& tools,
               const mcp::ServerIdentity& identity, audit::AuditWriter& audit);

}  // namespace dockgate::cli
