// dockgate: an MCP server that lets AI agents drive Docker through a policy. main only wires.
#include "cli/cli.hpp"

int main(int argc, char** argv) {
  return dockgate::cli::run(argc, argv);
}
