// Factories of the built-in tools, one per file (internal to the tools component).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tools/tool.hpp"

namespace dockgate::tools {

std::unique_ptr<Tool> make_ps_tool();
std::unique_ptr<Tool> make_images_tool();
std::unique_ptr<Tool> make_inspect_tool();
std::unique_ptr<Tool> make_run_tool();
std::unique_ptr<Tool> make_stop_tool();
std::unique_ptr<Tool> make_rm_tool();
std::unique_ptr<Tool> make_logs_tool();
std::unique_ptr<Tool> make_exec_tool();
std::unique_ptr<Tool> make_volume_ls_tool();
std::unique_ptr<Tool> make_volume_create_tool();
std::unique_ptr<Tool> make_volume_rm_tool();
std::unique_ptr<Tool> make_network_ls_tool();
std::unique_ptr<Tool> make_network_create_tool();
std::unique_ptr<Tool> make_network_rm_tool();
std::unique_ptr<Tool> make_policy_check_tool();
std::unique_ptr<Tool> make_policy_show_tool();
std::unique_ptr<Tool> make_pull_tool();
std::unique_ptr<Tool> make_rmi_tool();
// workspace_roots: folders docker_build may read contexts from (none: it refuses).
std::unique_ptr<Tool> make_build_tool(std::vector<std::string> workspace_roots);
// The same roots: where compose files (and their build contexts, env files) may be read.
std::unique_ptr<Tool> make_compose_up_tool(std::vector<std::string> workspace_roots);
std::unique_ptr<Tool> make_compose_down_tool(std::vector<std::string> workspace_roots);

}  // namespace dockgate::tools
