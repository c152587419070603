#include "cli/cli.hpp"

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/audit_commands.hpp"
#include "cli/policy_check_commands.hpp"
#include "cli/policy_test_cases.hpp"
#include "cli/serve.hpp"
#include "cli/serve_options.hpp"
#include "cli/token_command.hpp"
#include "policy/policy.hpp"

namespace dockgate::cli {
namespace {

const char* kUsage =
    "usage: dockgate <command> [options]\n"
    "  serve [options]              serve MCP on stdio, or HTTPS with --http (dockgate serve "
    "--help)\n"
    "  token add NAME [--role R]... --users-file FILE\n"
    "                               print a new team-server token; store only its hash\n"
    "  policy check FILE|DIR...     check policy files: every error as file:line:col: DGnnn ...\n"
    "                               (alias: policy validate)\n"
    "  policy explain --tool T --arguments JSON --policy FILE [--principal P] [--role R]\n"
    "                 [--image-user U]  the decision for one call, without an engine\n"
    "  policy test DIR|FILE...      run policy test cases (*.yaml); print \"N passed, M failed\"\n"
    "  audit verify [FILE...]       check the audit log's hash chain (and --checkpoint SEQ:HEAD)\n"
    "  audit query [FILE...]        calls matching --principal, --tool, --decision, --rule,\n"
    "                               --since, --until, --container, --call-id\n"
    "                               (--format table|jsonl|csv)\n"
    "  audit stats [FILE...]        calls and denials by principal, tool, day and rule\n"
    "  version                      print the version\n";

std::optional<std::string> from_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

int run(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cerr << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "version" || command == "--version") {
    std::cout << "dockgate " << DOCKGATE_VERSION << "\n";
    return 0;
  }
  if (command == "policy" && !rest.empty() && (rest[0] == "check" || rest[0] == "validate")) {
    return check_policies({rest.begin() + 1, rest.end()});
  }
  if (command == "policy" && !rest.empty() && rest[0] == "explain") {
    return explain_policy_call({rest.begin() + 1, rest.end()});
  }
  if (command == "policy" && !rest.empty() && rest[0] == "test") {
    return run_policy_tests({rest.begin() + 1, rest.end()});
  }
  if (command == "audit") return run_audit_command(rest, std::cout, std::cerr, from_environment);
  if (command == "token") return run_token_command(rest);
  if (command == "serve") {
    auto options = parse_serve_options(rest, from_environment);
    if (!options) {
      std::cerr << "dockgate serve: " << options.error().message << "\n";
      return 2;
    }
    if (options->show_help) {
      std::cerr << serve_usage();
      return 0;
    }
    return serve(*options);
  }
  std::cerr << "dockgate: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

}  // namespace dockgate::cli
