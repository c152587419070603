// Any bytes as an audit log: verify, query (every format) and stats must answer without a
// crash, a hang or unbounded memory. The first bytes also pick a filter, so that the filters'
// paths (times, container names, rules) run on hostile records too.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "audit/audit_query.hpp"
#include "audit/audit_stats.hpp"
#include "audit/audit_verify.hpp"

using namespace dockgate::audit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string log(reinterpret_cast<const char*>(data), size);
  VerifyOptions options;
  options.max_line_bytes = 4096;  // small, so that the oversized path is reached too
  options.checkpoints.push_back({2, std::string(64, '0'), std::string(64, '1')});
  options.hmac_key = "key";
  {
    ChainVerifier verifier(options);
    std::istringstream in(log);
    verifier.add_file("fuzz.jsonl", in);
    const auto report = verifier.finish();
    (void)report_text(report);
    (void)report_json(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  CallFilter filter;
  const std::uint8_t pick = size > 0 ? data[0] : 0;
  if (pick & 1) filter.since = parse_audit_time("2026-11-27T00:00:00Z")->at;
  if (pick & 2) filter.container = "0123456789ab";
  if (pick & 4) filter.rule = "r";
  if (pick & 8) filter.decision = "deny";
  for (auto format : {QueryFormat::table, QueryFormat::jsonl, QueryFormat::csv}) {
    std::ostringstream out;
    AuditQuery query(filter, format, out);
    std::istringstream in(log);
    query.add_file(in);
    (void)query.finish();
  }
  AuditStats stats(filter);
  std::istringstream in(log);
  stats.add_file(in);
  const auto report = stats.finish();
  (void)stats_text(report);
  (void)stats_json(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Times from the log take the same parser as --since.
  (void)parse_audit_time(log);
  return 0;
}
