// docker_run's arguments -> the RunContainer action (internal to the tools component). Every
// value goes through the shared normalizers (actions/normalize.hpp), and every error names the
// argument it is about ("argument 'ports[0]': ...") so that a model can correct its call.
#pragma once

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "common/result.hpp"

namespace dockgate::tools {

// Label keys under this prefix are dockgate's own (owner, project); users may not set them.
inline constexpr const char* kReservedLabelPrefix = "dockgate.";

// arguments: already checked against docker_run's input schema (types, lengths, counts).
Result<actions::RunContainer> plan_run_arguments(const nlohmann::json& arguments);

}  // namespace dockgate::tools
