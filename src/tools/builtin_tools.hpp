// Factories of the built-in tools, one per file (internal to the tools component).
#pragma once

#include <memory>

#include "tools/tool.hpp"

namespace dockgate::tools {

std::unique_ptr<Tool> make_ps_tool();
std::unique_ptr<Tool> make_images_tool();
std::unique_ptr<Tool> make_inspect_tool();

}  // namespace dockgate::tools
