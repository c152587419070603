// How docker_logs and docker_exec show a process's output (internal to the tools component):
// stdout as it is, then stderr in its own section headed "--- stderr ---", each with a note
// when only its last part is shown. The gate's executor supplies:
//   {"stdout": "...", "stderr": "...", "stdout_bytes": N, "stderr_bytes": N,
//    "stdout_cut": bool, "stderr_cut": bool, "incomplete": bool}
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tools/tool.hpp"

namespace dockgate::tools {

// text: the sections; structured: {stdout, stderr, stdout_bytes, stderr_bytes, cut}.
ToolOutput render_output_sections(const nlohmann::json& engine_result);

// The output schema of a tool that returns output sections, plus its own properties.
nlohmann::json output_schema_with(const nlohmann::json& extra_properties);

// 5 -> "5s", 2.5 -> "2.5s".
std::string seconds_text(double seconds);

}  // namespace dockgate::tools
