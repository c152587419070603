// Policy: a pure function (tool, action, facts, principal, time) -> decision. No I/O, no clock
// reads inside rules. Policy files are YAML owned by security reviewers; loading reports
// every problem with file:line:col and dockgate refuses to start on any of them.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actions/action.hpp"
#include "auth/principal.hpp"
#include "common/result.hpp"
#include "policy/controls.hpp"

namespace dockgate::policy {

// enforce: a match denies the call. warn: the call proceeds, the client is told and the
// warning is audited. audit: only the audit log records it. (Modes apply to deny rules.)
enum class RuleMode { Enforce, Warn, Audit };
// mutate: the rule changes the call (defaults, labels) before any rule judges it.
enum class RuleEffect { Allow, Deny, Mutate };

struct MutationSpec;  // policy/mutations.hpp

// Which calls a rule applies to. Every list given must match (AND); within a list any entry
// matches (OR); "*" matches everything; an absent list matches everything.
struct RuleMatch {
  std::vector<std::string> tools;       // "docker_ps"
  std::vector<std::string> operations;  // "container.list"
  std::vector<std::string> principals;  // principal names
  std::vector<std::string> roles;       // any role of the principal
  std::vector<std::string> images;      // image globs ("docker.io/library/*"); docker_run only
};

struct Rule {
  std::string id;
  std::string title;
  std::vector<std::string> references;  // "CIS-5.4", "PSS-restricted"
  RuleEffect effect = RuleEffect::Deny;
  RuleMode mode = RuleMode::Enforce;
  RuleMatch match;
  // Calls the rule does not apply to although `match` selects them (Kyverno's exclude).
  std::optional<RuleMatch> exclude;
  // Mutate rules only: what they change.
  std::shared_ptr<const MutationSpec> mutate;
  // Deny rules only. Absent: the rule denies every call it matches. Present: it denies a
  // matching call once per unmet requirement (see controls.hpp).
  std::shared_ptr<const Controls> require;
  std::string message;        // why the call is refused
  std::string how_to_comply;  // what to change so it is not
  std::string file;           // where the rule was written, for people
  int line = 0;
  std::string location;  // "file:line", computed once at load
};

// One change a mutate rule made to the call, for the audit log and the caller.
struct Mutation {
  std::string rule_id;
  std::string policy_file;  // "policies/default.yaml:40"
  std::string field;        // "cap_drop", "security_opt", "memory_bytes", "labels.x"
  std::string before;       // "(unset)" when the call did not give it
  std::string after;
};

struct Violation {
  std::string rule_id;
  std::string policy_file;  // "policies/default.yaml:12"
  std::string title;
  std::string message;
  std::string how_to_comply;
  RuleMode mode = RuleMode::Enforce;
  std::string field;    // for a `require` finding: "cap_add[1]"; else empty
  std::string found;    // the value found there
  std::string allowed;  // what the rule allows there
};

// Lifts one deny rule for the calls it matches until it expires (end of that day, UTC).
struct RuleException {
  std::string rule_id;
  RuleMatch match;
  std::string expires;                               // YYYY-MM-DD
  std::chrono::system_clock::time_point expires_at;  // the first instant it no longer applies
  std::string ticket;
  std::string reason;
  std::string file;
  int line = 0;
};

struct Decision {
  bool allowed = false;
  std::vector<Violation> violations;            // enforce-mode: why it is denied (every one)
  std::vector<Violation> warnings;              // warn-mode: told to the client, audited
  std::vector<Violation> audit_only;            // audit-mode: audited only
  std::vector<std::string> allowed_by;          // ids of the allow rules that matched
  std::vector<std::string> exceptions_applied;  // "rule x: ticket SEC-1 (until 2027-01-31)"
  std::vector<Mutation> mutations;              // what mutate rules changed before judging
  std::string policy_sha256;                    // which policy version decided
};

struct DecisionInput {
  std::string_view tool;
  const actions::Action& action;
  const actions::Facts& facts;
  const auth::Principal& principal;
  std::chrono::system_clock::time_point now;
};

// What judge() takes: as DecisionInput, but the action is the caller's to be mutated.
struct JudgeInput {
  std::string_view tool;
  actions::Action& action;
  const actions::Facts& facts;
  const auth::Principal& principal;
  std::chrono::system_clock::time_point now;
};

// The id a denial carries when no allow rule matched the call.
inline constexpr const char* kDefaultDenyRuleId = "default-deny";

class PolicySet {
 public:
  // Loads and composes policy files in the given order. Every error names file:line:col.
  static Result<std::shared_ptr<const PolicySet>> load(const std::vector<std::string>& paths);
  // The same from text already in memory (tests, `policy check`): name is used in messages.
  static Result<std::shared_ptr<const PolicySet>> parse(const std::string& name,
                                                        const std::string& yaml_text);

  // Judges the action as given; mutate rules are not applied (see judge).
  Decision decide(const DecisionInput& input) const;
  // Applies the matching mutate rules to input.action, then decides on the result: the
  // action the caller executes afterwards is exactly the one that was judged.
  Decision judge(const JudgeInput& input) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const std::string& sha256() const { return sha256_; }  // over every file, in load order
  const std::vector<std::string>& files() const { return files_; }

  const std::vector<RuleException>& exceptions() const { return exceptions_; }

  PolicySet(std::vector<Rule> rules, std::string sha256, std::vector<std::string> files,
            std::vector<RuleException> exceptions = {})
      : rules_(std::move(rules)),
        sha256_(std::move(sha256)),
        files_(std::move(files)),
        exceptions_(std::move(exceptions)) {}

 private:
  // decide() with the action's operation name already known (judge names it once).
  Decision decide(const DecisionInput& input, std::string_view operation) const;

  std::vector<Rule> rules_;
  std::string sha256_;
  std::vector<std::string> files_;
  std::vector<RuleException> exceptions_;
};

std::string_view mode_name(RuleMode mode);

}  // namespace dockgate::policy
