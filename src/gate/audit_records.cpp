#include "gate/audit_records.hpp"

#include "audit/audit_writer.hpp"

#include <algorithm>

namespace dockgate::gate {
namespace {

using nlohmann::json;

std::string_view decision_name(CallStage stage, const policy::Decision* decision) {
  switch (stage) {
    case CallStage::UnknownTool:
      return "unknown_tool";
    case CallStage::Invalid:
      return "invalid";
    case CallStage::Denied:
      return "deny";
    case CallStage::Allowed:
      // Allowed, but warn-mode rules were violated: an auditor can select these calls.
      return decision != nullptr && !decision->warnings.empty() ? "warn" : "allow";
  }
  return "invalid";
}

json violations_json(const std::vector<policy::Violation>& violations) {
  json list = json::array();
  for (const auto& v : violations) {
    json item = {{"rule", v.rule_id},
                 {"policy_file", v.policy_file},
                 {"mode", std::string(policy::mode_name(v.mode))},
                 {"message", v.message}};
    if (!v.field.empty()) {
      item["field"] = v.field;
      item["found"] = v.found;
      item["allowed"] = v.allowed;
    }
    list.push_back(std::move(item));
  }
  return list;
}

json common_fields(std::string_view stage, const std::string& call_id,
                   std::chrono::system_clock::time_point time, const CallContext& context,
                   std::string_view tool) {
  json record = {
      {"schema", audit::kAuditSchemaVersion},
      {"stage", stage},
      {"call_id", call_id},
      {"time", audit::rfc3339_utc_ms(time)},
      {"principal", {{"name", context.principal.name}, {"roles", context.principal.roles}}},
      {"session", context.session_id},
      {"tool", tool}};
  if (!context.client_name.empty()) {
    record["client"] = {{"name", context.client_name}, {"version", context.client_version}};
  }
  if (!context.remote_address.empty()) record["remote_address"] = context.remote_address;
  return record;
}

}  // namespace

json mutations_json(const std::vector<policy::Mutation>& mutations) {
  json list = json::array();
  for (const auto& m : mutations) {
    list.push_back({{"rule", m.rule_id},
                    {"policy_file", m.policy_file},
                    {"field", m.field},
                    {"before", m.before},
                    {"after", m.after}});
  }
  return list;
}

json intent_record(const IntentRecord& intent) {
  const Redaction& redaction = intent.redaction;
  json record = common_fields("intent", intent.call_id, intent.time, intent.context, intent.tool);
  record["arguments"] = redaction.arguments();
  if (!redaction.paths().empty()) record["redacted"] = redaction.paths();
  record["decision"] = decision_name(intent.stage, intent.decision);
  // The action in brief leaves env and build-arg values out by design; scrubbed all the same,
  // in case a value also appears in a field that is recorded (a label, a command).
  if (intent.action != nullptr)
    record["action"] = redaction.scrub_json(actions::to_json(*intent.action));
  if (intent.decision != nullptr) {
    const auto& d = *intent.decision;
    record["policy_sha256"] = d.policy_sha256;
    record["violations"] = redaction.scrub_json(violations_json(d.violations));
    if (!d.warnings.empty()) record["warnings"] = redaction.scrub_json(violations_json(d.warnings));
    if (!d.audit_only.empty())
      record["audit_findings"] = redaction.scrub_json(violations_json(d.audit_only));
    record["allowed_by"] = d.allowed_by;
    if (!d.exceptions_applied.empty()) record["exceptions_applied"] = d.exceptions_applied;
    if (!d.mutations.empty())
      record["mutations"] = redaction.scrub_json(mutations_json(d.mutations));
  }
  if (!intent.error.empty()) record["error"] = redaction.scrub(intent.error);
  return record;
}

json outcome_record(const OutcomeRecord& outcome) {
  json record =
      common_fields("outcome", outcome.call_id, outcome.time, outcome.context, outcome.tool);
  record["result"] = outcome.result;
  if (!outcome.error.empty()) record["error"] = outcome.error;
  if (outcome.engine_status) record["engine_status"] = *outcome.engine_status;
  if (outcome.created.is_array() && !outcome.created.empty()) record["created"] = outcome.created;
  if (outcome.steps.is_array()) record["steps"] = outcome.steps;
  record["duration_ms"] = outcome.duration.count();
  return record;
}

std::string_view engine_failure_result(const std::string& error) {
  return error.find("no answer within") != std::string::npos ? "timeout" : "engine_error";
}

std::optional<int> engine_status_of(const std::string& error) {
  static constexpr std::string_view kMarker = "engine error (";
  const auto at = error.find(kMarker);
  if (at == std::string::npos || error.size() < at + kMarker.size() + 4) return std::nullopt;
  const std::string digits = error.substr(at + kMarker.size(), 3);
  if (error[at + kMarker.size() + 3] != ')' ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoi(digits);
}

json created_objects(const actions::Action& action, const json& result) {
  auto text = [&](const char* key) {
    const auto found = result.is_object() ? result.find(key) : result.end();
    return found != result.end() && found->is_string() ? found->get<std::string>() : "";
  };
  std::string id;
  if (std::holds_alternative<actions::RunContainer>(action))
    id = text("id");
  else if (std::holds_alternative<actions::CreateVolume>(action))
    id = text("Name");
  else if (std::holds_alternative<actions::CreateNetwork>(action))
    id = text("Id");
  else if (std::holds_alternative<actions::BuildImage>(action))
    id = text("image_id");
  if (std::holds_alternative<actions::ComposeUp>(action)) {
    // What this call created: containers (and networks, volumes) its steps report "created".
    json ids = json::array();
    for (const auto& step : result.value("steps", json::array())) {
      const std::string outcome = step.value("outcome", "");
      if (outcome == "created" || outcome == "recreated")
        ids.push_back(step.value("id", step.value("object", "")));
    }
    return ids.empty() ? json(nullptr) : ids;
  }
  return id.empty() ? json(nullptr) : json::array({id});
}

json policy_reload_record(std::chrono::system_clock::time_point time, std::string_view trigger,
                          const std::string& error, const std::string& active_sha256,
                          const std::string& previous_sha256) {
  json record = {{"schema", audit::kAuditSchemaVersion},        {"stage", "policy_reload"},
                 {"time", audit::rfc3339_utc_ms(time)},         {"trigger", trigger},
                 {"result", error.empty() ? "ok" : "rejected"}, {"policy_sha256", active_sha256}};
  if (!error.empty()) record["error"] = error;
  if (!previous_sha256.empty()) record["previous"] = previous_sha256;
  return record;
}

}  // namespace dockgate::gate
