#include "audit/audit_stats.hpp"

#include <iomanip>
#include <sstream>

namespace dockgate::audit {
namespace {

using nlohmann::json;

template <typename Tally>
Tally& entry(std::map<std::string, Tally>& table, const std::string& key) {
  const std::string name = key.empty() ? "-" : key;
  if (table.size() >= kMaxStatsKeys && !table.contains(name)) return table["(other)"];
  return table[name];
}

void add(CallTally& tally, const std::string& decision) {
  ++tally.calls;
  if (decision == "deny") ++tally.denied;
  if (decision == "warn") ++tally.warned;
  if (decision == "invalid" || decision == "unknown_tool") ++tally.refused;
}

void print_table(std::ostringstream& out, const char* title,
                 const std::map<std::string, CallTally>& table) {
  out << "\n"
      << std::left << std::setw(32) << title << std::right << std::setw(10) << "calls"
      << std::setw(10) << "denied" << std::setw(10) << "warned" << std::setw(10) << "refused"
      << "\n";
  for (const auto& [key, t] : table) {
    out << std::left << std::setw(32) << printable(key) << std::right << std::setw(10) << t.calls
        << std::setw(10) << t.denied << std::setw(10) << t.warned << std::setw(10) << t.refused
        << "\n";
  }
}

json tally_json(const CallTally& t) {
  return {{"calls", t.calls}, {"denied", t.denied}, {"warned", t.warned}, {"refused", t.refused}};
}

json table_json(const std::map<std::string, CallTally>& table) {
  json out = json::object();
  for (const auto& [key, t] : table) out[key] = tally_json(t);
  return out;
}

}  // namespace

AuditStats::AuditStats(CallFilter filter)
    : filter_(std::move(filter)), joiner_([this](const AuditCall& call) { count(call); }) {}

void AuditStats::add_file(std::istream& in) {
  report_.lines_skipped +=
      read_records(in, [this](json r, std::size_t bytes) { joiner_.add(std::move(r), bytes); });
}

AuditStatsReport AuditStats::finish() {
  joiner_.finish();
  return std::move(report_);
}

void AuditStats::count(const AuditCall& call) {
  // A call is what has a call_id; reload and recovery records are not calls.
  if (call.call_id().empty() || !filter_.matches(call)) return;
  const std::string decision = call.decision();
  add(report_.total, decision);
  add(entry(report_.by_principal, call.principal()), decision);
  add(entry(report_.by_tool, call.tool()), decision);
  const auto when = parse_audit_time(call.time());
  add(entry(report_.by_day, when ? utc_day(when->at) : "(no time)"), decision);
  for (const auto& rule : call.violated_rules()) ++entry(report_.by_rule, rule).violations;
  for (const auto& rule : call.warned_rules()) ++entry(report_.by_rule, rule).warnings;
}

std::string stats_text(const AuditStatsReport& report) {
  std::ostringstream out;
  const auto& t = report.total;
  out << t.calls << " calls: " << t.denied << " denied, " << t.warned << " warned, " << t.refused
      << " refused (invalid arguments or unknown tool)\n";
  if (report.lines_skipped > 0)
    out << report.lines_skipped << " damaged line(s) skipped: see dockgate audit verify\n";
  print_table(out, "by principal", report.by_principal);
  print_table(out, "by tool", report.by_tool);
  print_table(out, "by day (UTC)", report.by_day);
  out << "\n"
      << std::left << std::setw(32) << "by rule" << std::right << std::setw(12) << "violations"
      << std::setw(10) << "warnings"
      << "\n";
  for (const auto& [rule, r] : report.by_rule) {
    out << std::left << std::setw(32) << printable(rule) << std::right << std::setw(12)
        << r.violations << std::setw(10) << r.warnings << "\n";
  }
  return out.str();
}

json stats_json(const AuditStatsReport& report) {
  json rules = json::object();
  for (const auto& [rule, r] : report.by_rule)
    rules[rule] = {{"violations", r.violations}, {"warnings", r.warnings}};
  return {{"total", tally_json(report.total)},
          {"by_principal", table_json(report.by_principal)},
          {"by_tool", table_json(report.by_tool)},
          {"by_day", table_json(report.by_day)},
          {"by_rule", rules},
          {"lines_skipped", report.lines_skipped}};
}

}  // namespace dockgate::audit
