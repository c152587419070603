// The command line: `dockgate serve`, `dockgate policy validate`, `dockgate version`.
#pragma once

namespace dockgate::cli {

// Returns the process exit code. Prints usage errors to stderr; never writes to stdout
// while serving MCP over stdio.
int run(int argc, char** argv);

}  // namespace dockgate::cli
