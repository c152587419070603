// docker_policy_check and docker_policy_show: let a model ask the policy before it acts, and
// read the rules (Roo ignores MCP resources, so the policy is offered as a tool).
//
// Why ordinary tools planning CheckPolicy / ShowPolicy actions rather than names the gate
// intercepts: so that they take the one path every call takes (schema validation, a policy
// decision on the check call itself, intent and outcome audit records) with no special case
// but the last step, where the gate answers from the policy instead of calling the executor
// (Gate::answer_from_policy). The executor refuses both actions, so neither can reach the
// engine even by mistake.
#include "tools/builtin_tools.hpp"
#include "tools/schema_builders.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

// The checked call's arguments are planned by that tool, which bounds each field; this bounds
// the whole so that a check cannot be used to make the server chew on megabytes.
constexpr std::size_t kMaxCheckedArgumentsBytes = 64 * 1024;

json violations_schema() {
  json item = {{"type", "object"},
               {"properties",
                {{"rule", {{"type", "string"}}},
                 {"title", {{"type", "string"}}},
                 {"message", {{"type", "string"}}},
                 {"how_to_comply", {{"type", "string"}}},
                 {"field", {{"type", "string"}}},
                 {"found", {{"type", "string"}}},
                 {"allowed", {{"type", "string"}}}}}};
  return {{"type", "array"}, {"items", item}};
}

std::string text_of(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string violation_lines(const json& list, bool numbered) {
  std::string text;
  std::size_t n = 0;
  for (const auto& v : list.is_array() ? list : json::array()) {
    text += "\n" + (numbered ? std::to_string(++n) + ". " : std::string("- ")) + "[" +
            text_of(v, "rule") + "] " + text_of(v, "title") + "\n   why: " + text_of(v, "message");
    if (!text_of(v, "field").empty()) {
      text += "\n   field: " + text_of(v, "field") + " = " + text_of(v, "found") +
              "; allowed: " + text_of(v, "allowed");
    }
    if (!text_of(v, "how_to_comply").empty())
      text += "\n   to comply: " + text_of(v, "how_to_comply");
  }
  return text;
}

class PolicyCheckTool final : public Tool {
 public:
  PolicyCheckTool() {
    definition_.name = "docker_policy_check";
    definition_.title = "Check a call against the policy";
    definition_.description =
        "Ask whether a dockgate tool call would be allowed, without running it: give the tool "
        "name and the arguments you would pass. Answers 'would be allowed' or 'would be "
        "denied' with every violated rule (id, field, value found, what is allowed, how to "
        "comply). Nothing is created or changed.";
    definition_.input_schema = schema::object(
        {{"tool", schema::string("The tool to check, e.g. \"docker_run\".", 64)},
         {"arguments",
          {{"type", "object"},
           {"description", "The arguments you would pass to that tool, as an object."}}}},
        {"tool", "arguments"});
    definition_.output_schema = {{"type", "object"},
                                 {"properties",
                                  {{"allowed", {{"type", "boolean"}}},
                                   {"violations", violations_schema()},
                                   {"warnings", violations_schema()}}},
                                 {"required", {"allowed", "violations", "warnings"}}};
    definition_.read_only = true;
    definition_.idempotent = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    const auto& checked = arguments.at("arguments");
    if (checked.dump().size() > kMaxCheckedArgumentsBytes) {
      return make_error("argument 'arguments' is too large: at most " +
                        std::to_string(kMaxCheckedArgumentsBytes) + " bytes of JSON");
    }
    return actions::Action{actions::CheckPolicy{arguments.at("tool").get<std::string>(), checked}};
  }

  ToolOutput render(const actions::Action&, const json& report,
                    std::chrono::system_clock::time_point) const override {
    const std::string tool = text_of(report, "tool");
    const std::string sha = text_of(report, "policy_sha256").substr(0, 12);
    std::string text;
    if (!text_of(report, "error").empty()) {
      text = tool + " would be refused before the policy is asked (policy " + sha +
             "): " + text_of(report, "error");
    } else if (report.value("allowed", false)) {
      text =
          tool + " (" + text_of(report, "operation") + ") would be allowed by policy " + sha + ".";
    } else {
      const auto& violations = report.at("violations");
      text = tool + " (" + text_of(report, "operation") + ") would be denied by policy " + sha +
             ". Violations (" + std::to_string(violations.size()) +
             "):" + violation_lines(violations, true);
    }
    if (report.contains("warnings") && !report["warnings"].empty())
      text += "\nWarnings (the call would run):" + violation_lines(report["warnings"], false);
    text += "\nNothing was run.";
    return ToolOutput{std::move(text), report};
  }

 private:
  ToolDefinition definition_;
};

class PolicyShowTool final : public Tool {
 public:
  PolicyShowTool() {
    definition_.name = "docker_policy_show";
    definition_.title = "Show the active policy";
    definition_.description =
        "Show the rules of the active dockgate policy: each rule's id, whether it allows or "
        "denies, which tools and operations it applies to, its message and how to comply. "
        "Give tool to see only the rules that can apply to that tool.";
    definition_.input_schema = schema::object(
        {{"tool",
          schema::string("Only the rules that can apply to this tool, e.g. docker_run.", 64)}});
    json rule = {{"type", "object"},
                 {"properties",
                  {{"id", {{"type", "string"}}},
                   {"title", {{"type", "string"}}},
                   {"effect", {{"type", "string"}}},
                   {"message", {{"type", "string"}}},
                   {"how_to_comply", {{"type", "string"}}}}}};
    definition_.output_schema = {{"type", "object"},
                                 {"properties",
                                  {{"policy_sha256", {{"type", "string"}}},
                                   {"rules", {{"type", "array"}, {"items", rule}}}}},
                                 {"required", {"policy_sha256", "rules"}}};
    definition_.read_only = true;
    definition_.idempotent = true;
  }

  const ToolDefinition& definition() const override { return definition_; }

  Result<actions::Action> plan(const json& arguments) const override {
    return actions::Action{actions::ShowPolicy{arguments.value("tool", std::string())}};
  }

  ToolOutput render(const actions::Action&, const json& summary,
                    std::chrono::system_clock::time_point) const override {
    std::string text = "Policy " + text_of(summary, "policy_sha256").substr(0, 12);
    if (!text_of(summary, "tool").empty()) text += ", rules for " + text_of(summary, "tool");
    text += " (calls no allow rule matches are denied):";
    for (const auto& rule : summary.value("rules", json::array())) {
      text += "\n[" + text_of(rule, "id") + "] " + text_of(rule, "effect");
      if (!text_of(rule, "mode").empty() && text_of(rule, "mode") != "enforce")
        text += " (" + text_of(rule, "mode") + ")";
      const auto& match = rule.value("match", json::object());
      for (const auto& [key, values] : match.items()) {
        std::string list;
        for (const auto& v : values) list += (list.empty() ? "" : ",") + v.get<std::string>();
        text += " " + key + "=" + list;
      }
      text += ": " + text_of(rule, "title");
      if (!text_of(rule, "message").empty()) text += ". Why: " + text_of(rule, "message");
      if (!text_of(rule, "how_to_comply").empty())
        text += ". To comply: " + text_of(rule, "how_to_comply");
    }
    for (const auto& e : summary.value("exceptions", json::array())) {
      text += "\nexception to [" + text_of(e, "rule") + "] until " + text_of(e, "expires") +
              " (ticket " + text_of(e, "ticket") + ")";
    }
    return ToolOutput{std::move(text), summary};
  }

 private:
  ToolDefinition definition_;
};

}  // namespace

std::unique_ptr<Tool> make_policy_check_tool() {
  return std::make_unique<PolicyCheckTool>();
}
std::unique_ptr<Tool> make_policy_show_tool() {
  return std::make_unique<PolicyShowTool>();
}

}  // namespace dockgate::tools
