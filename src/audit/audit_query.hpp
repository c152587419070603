// `dockgate audit query`: the calls that match a filter, as a table for a person, JSON lines
// for jq, or CSV for a spreadsheet.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include "audit/audit_calls.hpp"

namespace dockgate::audit {

enum class QueryFormat { table, jsonl, csv };

struct QuerySummary {
  std::uint64_t calls_matched = 0;
  std::uint64_t lines_skipped = 0;  // damaged or oversized lines: `audit verify` reports them
};

// Streams the matching calls to `out` as they complete, one file after another.
class AuditQuery {
 public:
  AuditQuery(CallFilter filter, QueryFormat format, std::ostream& out);
  void add_file(std::istream& in);
  QuerySummary finish();

 private:
  void print(const AuditCall& call);
  CallFilter filter_;
  QueryFormat format_;
  std::ostream& out_;
  QuerySummary summary_;
  CallJoiner joiner_;
};

// One CSV cell: quoted when it holds a comma, quote or line break (RFC 4180), and prefixed
// with ' when it starts with = + - @ (or tab, CR) so that a spreadsheet does not run it as a
// formula: log values are chosen by clients.
std::string csv_cell(const std::string& value);

}  // namespace dockgate::audit
