#include "gate/audit_records.hpp"

#include "audit/audit_writer.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

std::string_view decision_name(CallStage stage) {
  switch (stage) {
    case CallStage::UnknownTool:
      return "unknown_tool";
    case CallStage::Invalid:
      return "invalid";
    case CallStage::Denied:
      return "deny";
    case CallStage::Allowed:
      return "allow";
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

json intent_record(const IntentRecord& intent) {
  json record = common_fields("intent", intent.call_id, intent.time, intent.context, intent.tool);
  record["arguments"] = intent.arguments;
  record["decision"] = decision_name(intent.stage);
  if (intent.action != nullptr) record["action"] = actions::to_json(*intent.action);
  if (intent.decision != nullptr) {
    const auto& d = *intent.decision;
    record["policy_sha256"] = d.policy_sha256;
    record["violations"] = violations_json(d.violations);
    if (!d.warnings.empty()) record["warnings"] = violations_json(d.warnings);
    if (!d.audit_only.empty()) record["audit_findings"] = violations_json(d.audit_only);
    record["allowed_by"] = d.allowed_by;
    if (!d.exceptions_applied.empty()) record["exceptions_applied"] = d.exceptions_applied;
  }
  if (!intent.error.empty()) record["error"] = intent.error;
  return record;
}

json outcome_record(const std::string& call_id, std::chrono::system_clock::time_point time,
                    const CallContext& context, std::string_view tool, std::string_view result,
                    const std::string& error, std::chrono::milliseconds duration) {
  json record = common_fields("outcome", call_id, time, context, tool);
  record["result"] = result;
  if (!error.empty()) record["error"] = error;
  record["duration_ms"] = duration.count();
  return record;
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
