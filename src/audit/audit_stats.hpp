// `dockgate audit stats`: how many calls, and how many were refused, by principal, rule, tool
// and UTC day: the numbers an auditor starts from.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "audit/audit_calls.hpp"

namespace dockgate::audit {

struct CallTally {
  std::uint64_t calls = 0;
  std::uint64_t denied = 0;   // decision deny
  std::uint64_t warned = 0;   // decision warn
  std::uint64_t refused = 0;  // decision invalid or unknown_tool: never judged
};

struct RuleTally {
  std::uint64_t violations = 0;  // calls that violated the rule
  std::uint64_t warnings = 0;
};

struct AuditStatsReport {
  CallTally total;
  std::map<std::string, CallTally> by_principal, by_tool, by_day;
  std::map<std::string, RuleTally> by_rule;
  std::uint64_t lines_skipped = 0;
};

// Distinct keys kept per table; a hostile client could name a million tools, so the rest
// are counted under "(other)".
inline constexpr std::size_t kMaxStatsKeys = 10000;

class AuditStats {
 public:
  explicit AuditStats(CallFilter filter);
  void add_file(std::istream& in);
  AuditStatsReport finish();

 private:
  void count(const AuditCall& call);
  CallFilter filter_;
  AuditStatsReport report_;
  CallJoiner joiner_;
};

std::string stats_text(const AuditStatsReport& report);
nlohmann::json stats_json(const AuditStatsReport& report);

}  // namespace dockgate::audit
