#pragma once

#include <string>
#include <vector>

namespace dockgate::cli {

// `dockgate token add NAME [--role ROLE]... --users-file FILE`: prints a new token once and
// appends its SHA-256 to the users file. args: what follows "token".
int run_token_command(const std::vector<std::string>& args);

}  // namespace dockgate::cli
