// Internal to the tools component: compose files -> compose actions (see compose_plan.cpp).
#pragma once

#include <string>
#include <vector>

#include "actions/action.hpp"
#include "compose/compose_file.hpp"
#include "tools/tool.hpp"

namespace dockgate::tools {

// services: the ones asked for ("" = all); their dependencies are added. build_tool plans each
// build step exactly as docker_build plans a call (context inside the workspace roots, FROM
// images read).
Result<actions::ComposeUp> plan_compose_up(const compose::ComposeFile& file,
                                           const std::string& source,
                                           const std::vector<std::string>& services, bool detach,
                                           const Tool& build_tool);

// Every service's container, the project's networks; with remove_volumes its named volumes;
// remove_images "local" or "all" as Docker Compose defines them.
Result<actions::ComposeDown> plan_compose_down(const compose::ComposeFile& file,
                                               const std::string& source, bool remove_volumes,
                                               const std::string& remove_images);

}  // namespace dockgate::tools
