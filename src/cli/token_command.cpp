#include "cli/token_command.hpp"

#include <iostream>

#include "auth/bearer_tokens.hpp"

namespace dockgate::cli {
namespace {

constexpr const char* kUsage =
    "usage: dockgate token add NAME [--role ROLE]... --users-file FILE\n"
    "  prints a new bearer token for NAME once (only its SHA-256 is stored in FILE)\n";

int usage_error(const std::string& message) {
  std::cerr << "dockgate token: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int run_token_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cerr << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "add") return usage_error("unknown subcommand '" + args[0] + "'");
  auth::Principal principal;
  std::string users_file;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--role" || arg == "--users-file") {
      if (i + 1 >= args.size()) return usage_error(arg + " needs a value");
      (arg == "--role" ? principal.roles.emplace_back() : users_file) = args[++i];
    } else if (arg.starts_with("-")) {
      return usage_error("unknown option '" + arg + "'");
    } else if (principal.name.empty()) {
      principal.name = arg;
    } else {
      return usage_error("one NAME only (got '" + principal.name + "' and '" + arg + "')");
    }
  }
  if (principal.name.empty()) return usage_error("NAME is missing");
  if (users_file.empty()) return usage_error("--users-file is missing");
  auto token = auth::add_token(users_file, principal);
  if (!token) {
    std::cerr << "dockgate token add: " << token.error().message << "\n";
    return 1;
  }
  // The token on stdout alone, so scripts can capture it; the rest is for the person.
  std::cout << *token << "\n";
  std::cerr << "added a token for " << principal.name << " to " << users_file
            << "; it is shown only now. Roo: \"headers\": {\"Authorization\": \"Bearer "
               "${env:DOCKGATE_TOKEN}\"}\n";
  return 0;
}

}  // namespace dockgate::cli
