// The part of docker's Go-template --format that people use with inspect: text with
// {{.A.B}} and {{json .A.B}} actions. Anything else is refused with a clear error rather than
// guessed at.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace dockgate::tools {

Result<std::string> apply_inspect_format(std::string_view format, const nlohmann::json& object);

}  // namespace dockgate::tools
