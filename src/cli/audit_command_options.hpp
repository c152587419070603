// Options of `dockgate audit verify|query|stats`, parsed into values the audit component
// takes. Every value is checked here, so that a mistake is a usage error (exit 2) that names
// the option and what it accepts, not a silently empty answer.
#pragma once

#include <string>
#include <vector>

#include "audit/audit_calls.hpp"
#include "audit/audit_query.hpp"
#include "audit/audit_verify.hpp"
#include "common/result.hpp"
#include "engine/engine_config.hpp"

namespace dockgate::cli {

// Longest accepted option value or file name: far beyond any real one, small enough that a
// hostile argument cannot make the filters expensive.
inline constexpr std::size_t kMaxAuditOptionBytes = 4096;

struct AuditVerifyOptions {
  std::vector<std::string> files;
  audit::VerifyOptions verify;
  bool json = false;
  bool show_help = false;
};

struct AuditQueryOptions {
  std::vector<std::string> files;
  audit::CallFilter filter;
  audit::QueryFormat format = audit::QueryFormat::table;
  bool show_help = false;
};

struct AuditStatsOptions {
  std::vector<std::string> files;
  audit::CallFilter filter;
  bool json = false;
  bool show_help = false;
};

// args: what follows "audit verify" (or query, stats). Without FILE, the default audit log
// ($XDG_STATE_HOME/dockgate/audit.jsonl) and its rotated siblings.
Result<AuditVerifyOptions> parse_audit_verify_options(const std::vector<std::string>& args,
                                                      const engine::EnvironmentLookup& environment);
Result<AuditQueryOptions> parse_audit_query_options(const std::vector<std::string>& args,
                                                    const engine::EnvironmentLookup& environment);
Result<AuditStatsOptions> parse_audit_stats_options(const std::vector<std::string>& args,
                                                    const engine::EnvironmentLookup& environment);

std::string audit_verify_usage();
std::string audit_query_usage();
std::string audit_stats_usage();

// The files of a log: `path` and its rotated siblings <stem>-<yyyymmddThhmmssZ>[-n]<ext>.
std::vector<std::string> audit_log_with_rotated_files(const std::string& path);

}  // namespace dockgate::cli
