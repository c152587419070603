// Factories of the built-in tools, one per file (internal to the tools component).
#pragma once

#include <memory>

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

}  // namespace dockgate::tools
