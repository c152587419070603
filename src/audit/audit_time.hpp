// Times in the audit log and in `dockgate audit query --since/--until`: RFC 3339 timestamps
// ("2026-11-27T18:30:23.165Z", "2026-11-27T19:30:23+01:00") and plain dates (UTC days).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace dockgate::audit {

using AuditTime = std::chrono::sys_time<std::chrono::milliseconds>;

struct ParsedTime {
  AuditTime at;            // a date alone is its midnight, UTC
  bool date_only = false;  // "2026-11-27": --until then means to the end of that day
};

// Strict: a wrong date ("2026-02-30"), a missing zone or trailing text is an error.
Result<ParsedTime> parse_audit_time(std::string_view text);

// "2026-11-27": the UTC day of a time.
std::string utc_day(AuditTime time);

}  // namespace dockgate::audit
