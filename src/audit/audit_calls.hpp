// Calls as auditors think of them: the intent and outcome records of one call joined by
// call_id, and the filters of `dockgate audit query` and `stats`. Streaming, with a bounded
// window, so that any log size reads in bounded memory.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_lines.hpp"
#include "audit/audit_time.hpp"

namespace dockgate::audit {

// One call (intent and/or outcome, sharing a call_id), or one record without a call_id
// (policy_reload, recovery).
struct AuditCall {
  std::vector<nlohmann::json> records;  // in log order
  bool has_intent = false, has_outcome = false;
  std::size_t bytes = 0;  // of its lines, as read

  std::string call_id() const;
  std::string time() const;       // of the first record
  std::string principal() const;  // principal.name
  std::string tool() const;
  std::string decision() const;  // the intent's
  std::string result() const;    // the outcome's, or a reload's
  // Rule ids of violations, warnings and audit findings, each once, in record order.
  std::vector<std::string> rules() const;
  std::vector<std::string> violated_rules() const;
  std::vector<std::string> warned_rules() const;
  // Every value naming a container: arguments.container/name, action.container/object.
  std::vector<std::string> containers() const;
};

struct CallFilter {
  std::optional<std::string> principal, tool, decision, rule, container, call_id;
  std::optional<AuditTime> since;            // inclusive
  std::optional<AuditTime> until_exclusive;  // a time T as --until is T + 1 ms

  bool matches(const AuditCall& call) const;
};

// Joins records into calls and hands each call on once complete, in the order of its first
// record. A call whose outcome does not come within `window` records (the server stopped)
// is handed on without it.
class CallJoiner {
 public:
  using Sink = std::function<void(const AuditCall&)>;
  explicit CallJoiner(Sink sink, std::size_t window = 10000,
                      std::size_t max_pending_bytes = 64u << 20)
      : sink_(std::move(sink)), window_(window), max_pending_bytes_(max_pending_bytes) {}
  // bytes: the record's line length, so that large records shorten the window.
  void add(nlohmann::json record, std::size_t bytes = 0);
  void finish();

 private:
  void emit_ready();
  Sink sink_;
  std::size_t window_;
  std::size_t max_pending_bytes_;
  std::size_t pending_bytes_ = 0;
  std::deque<AuditCall> pending_;
  std::uint64_t popped_ = 0;  // calls handed on: a pending call's index is its number - popped_
  std::unordered_map<std::string, std::uint64_t> open_;  // call_id -> number of the call
};

// Feeds every record of a log to `add`; returns how many lines were not records (damaged,
// oversized): query and stats read what they can, verify is the place for damage.
std::uint64_t read_records(std::istream& in,
                           const std::function<void(nlohmann::json, std::size_t bytes)>& add,
                           std::size_t max_line_bytes = kDefaultMaxLineBytes);

}  // namespace dockgate::audit
