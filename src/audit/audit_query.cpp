#include "audit/audit_query.hpp"

#include <iomanip>

#include "audit/audit_chain.hpp"

namespace dockgate::audit {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string or_dash(const std::string& text) {
  return text.empty() ? "-" : text;
}

// Records without a call (policy reloads, recoveries) show their stage as the tool.
std::string tool_column(const AuditCall& call) {
  if (!call.tool().empty()) return call.tool();
  const auto stage = call.records.front().find("stage");
  return stage != call.records.front().end() && stage->is_string()
             ? "(" + stage->get<std::string>() + ")"
             : "-";
}

}  // namespace

std::string csv_cell(const std::string& value) {
  std::string cell = value;
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r'))
    cell.insert(0, "'");
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

AuditQuery::AuditQuery(CallFilter filter, QueryFormat format, std::ostream& out)
    : filter_(std::move(filter)),
      format_(format),
      out_(out),
      joiner_([this](const AuditCall& call) { print(call); }) {
  if (format_ == QueryFormat::table) {
    out_ << std::left << std::setw(25) << "TIME" << std::setw(13) << "PRINCIPAL" << std::setw(21)
         << "TOOL" << std::setw(13) << "DECISION" << std::setw(13) << "RESULT"
         << "RULES\n";
  } else if (format_ == QueryFormat::csv) {
    out_ << "time,call_id,principal,tool,decision,result,rules\r\n";
  }
}

void AuditQuery::add_file(std::istream& in) {
  summary_.lines_skipped += read_records(
      in, [this](nlohmann::json r, std::size_t bytes) { joiner_.add(std::move(r), bytes); });
}

QuerySummary AuditQuery::finish() {
  joiner_.finish();
  out_.flush();
  return summary_;
}

void AuditQuery::print(const AuditCall& call) {
  if (!filter_.matches(call)) return;
  ++summary_.calls_matched;
  switch (format_) {
    case QueryFormat::jsonl:
      for (const auto& record : call.records) out_ << canonical_line(record) << "\n";
      break;
    case QueryFormat::csv:
      out_ << csv_cell(call.time()) << ',' << csv_cell(call.call_id()) << ','
           << csv_cell(call.principal()) << ',' << csv_cell(tool_column(call)) << ','
           << csv_cell(call.decision()) << ',' << csv_cell(call.result()) << ','
           << csv_cell(joined(call.rules())) << "\r\n";
      break;
    case QueryFormat::table:
      // Every cell is client-influenced text: escaped so it cannot drive the terminal.
      out_ << std::left << std::setw(24) << printable(or_dash(call.time())) << ' ' << std::setw(12)
           << printable(or_dash(call.principal())) << ' ' << std::setw(20)
           << printable(tool_column(call)) << ' ' << std::setw(12)
           << printable(or_dash(call.decision())) << ' ' << std::setw(12)
           << printable(or_dash(call.result())) << ' ' << printable(or_dash(joined(call.rules())))
           << "\n";
      break;
  }
}

}  // namespace dockgate::audit
