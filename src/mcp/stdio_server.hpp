// MCP over stdio: one JSON object per line in and out; nothing but MCP messages on stdout.
#pragma once

#include <istream>
#include <ostream>

#include "mcp/session.hpp"

namespace dockgate::mcp {

// Reads lines from `in` until EOF, hands each to a Session and writes its replies to `out`,
// one per line, flushed. A line longer than limits.max_message_bytes is discarded up to its
// newline and answered with an error. Returns when `in` ends and every call has finished.
void serve_stdio(std::istream& in, std::ostream& out, ToolService& tools, ServerIdentity identity,
                 SessionContext context, SessionLimits limits = {});

}  // namespace dockgate::mcp
