#include "tools/argument_schema.hpp"
#include "tools/builtin_tools.hpp"

namespace dockgate::tools {

ToolRegistry ToolRegistry::with_builtin_tools(const std::vector<std::string>& workspace_roots) {
  ToolRegistry registry;
  registry.add(make_ps_tool());
  registry.add(make_images_tool());
  registry.add(make_inspect_tool());
  registry.add(make_run_tool());
  registry.add(make_stop_tool());
  registry.add(make_rm_tool());
  registry.add(make_logs_tool());
  registry.add(make_exec_tool());
  registry.add(make_volume_ls_tool());
  registry.add(make_volume_create_tool());
  registry.add(make_volume_rm_tool());
  registry.add(make_network_ls_tool());
  registry.add(make_network_create_tool());
  registry.add(make_network_rm_tool());
  registry.add(make_pull_tool());
  registry.add(make_rmi_tool());
  registry.add(make_build_tool(workspace_roots));
  registry.add(make_compose_up_tool(workspace_roots));
  registry.add(make_compose_down_tool(workspace_roots));
  registry.add(make_policy_check_tool());
  registry.add(make_policy_show_tool());
  return registry;
}

void ToolRegistry::add(std::unique_ptr<Tool> tool) {
  tools_.push_back(std::move(tool));
}

const Tool* ToolRegistry::find(std::string_view name) const {
  for (const auto& tool : tools_) {
    if (tool->definition().name == name) return tool.get();
  }
  return nullptr;
}

Result<actions::Action> plan_call(const Tool& tool, const nlohmann::json& arguments) {
  if (auto valid = validate_arguments(tool.definition().input_schema, arguments); !valid) {
    return make_error(tool.definition().name + ": " + valid.error().message);
  }
  return tool.plan(arguments);
}

}  // namespace dockgate::tools
