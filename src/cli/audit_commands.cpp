#include "cli/audit_commands.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "audit/audit_stats.hpp"
#include "cli/audit_command_options.hpp"

namespace dockgate::cli {
namespace {

const char* kAuditUsage =
    "usage: dockgate audit <command> [options] [FILE...]\n"
    "  verify   check the hash chain: every problem as FILE:LINE, then OK or FAILED\n"
    "  query    the calls that match filters, as a table, JSON lines or CSV\n"
    "  stats    calls and denials by principal, tool, day and rule\n"
    "See dockgate audit <command> --help. Without FILE: the default audit log and its\n"
    "rotated files.\n";

constexpr int kUsageError = 2;

int usage_error(std::ostream& err, const std::string& command, const std::string& message) {
  err << "dockgate audit " << command << ": " << message << "\n";
  return kUsageError;
}

// Hands each file, opened, to `add`; an unreadable file is a usage-level error (exit 2).
template <typename Add>
int for_each_file(const std::vector<std::string>& files, std::ostream& err,
                  const std::string& command, Add add) {
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
      return usage_error(err, command,
                         "cannot read " + audit::printable(file) + ": " + std::strerror(errno));
    add(in);
    if (in.bad()) return usage_error(err, command, "read error in " + audit::printable(file));
  }
  return 0;
}

std::string dump(const nlohmann::json& value) {
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

int verify(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const engine::EnvironmentLookup& environment) {
  auto options = parse_audit_verify_options(args, environment);
  if (!options) return usage_error(err, "verify", options.error().message);
  if (options->show_help) {
    out << audit_verify_usage();
    return 0;
  }
  auto report = audit::verify_files(options->files, options->verify);
  if (!report) return usage_error(err, "verify", report.error().message);
  out << (options->json ? dump(audit::report_json(*report)) + "\n" : audit::report_text(*report));
  return report->ok() ? 0 : 1;
}

int query(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
          const engine::EnvironmentLookup& environment) {
  auto options = parse_audit_query_options(args, environment);
  if (!options) return usage_error(err, "query", options.error().message);
  if (options->show_help) {
    out << audit_query_usage();
    return 0;
  }
  audit::AuditQuery query(options->filter, options->format, out);
  if (int failed = for_each_file(options->files, err, "query",
                                 [&](std::istream& in) { query.add_file(in); }))
    return failed;
  const auto summary = query.finish();
  if (summary.lines_skipped > 0)
    err << "dockgate audit query: " << summary.lines_skipped
        << " damaged line(s) skipped; dockgate audit verify says where\n";
  return 0;
}

int stats(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
          const engine::EnvironmentLookup& environment) {
  auto options = parse_audit_stats_options(args, environment);
  if (!options) return usage_error(err, "stats", options.error().message);
  if (options->show_help) {
    out << audit_stats_usage();
    return 0;
  }
  audit::AuditStats stats(options->filter);
  if (int failed = for_each_file(options->files, err, "stats",
                                 [&](std::istream& in) { stats.add_file(in); }))
    return failed;
  const auto report = stats.finish();
  out << (options->json ? dump(audit::stats_json(report)) + "\n" : audit::stats_text(report));
  return 0;
}

}  // namespace

int run_audit_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      const engine::EnvironmentLookup& environment) {
  if (args.empty()) {
    err << kAuditUsage;
    return kUsageError;
  }
  const std::string& command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-h" || command == "help") {
    out << kAuditUsage;
    return 0;
  }
  if (command == "verify") return verify(rest, out, err, environment);
  if (command == "query") return query(rest, out, err, environment);
  if (command == "stats") return stats(rest, out, err, environment);
  err << "dockgate audit: unknown command '" << audit::printable(command.substr(0, 64)) << "'\n"
      << kAuditUsage;
  return kUsageError;
}

}  // namespace dockgate::cli
