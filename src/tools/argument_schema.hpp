// Validation of tool arguments against the subset of JSON Schema our tools declare: type
// (object, string, boolean, integer, number, array), properties, required,
// additionalProperties: false, items, enum, minimum/maximum, minLength/maxLength, maxItems,
// and anyOf of those. Messages name the argument and say what is allowed, so a model can
// correct its call.
#pragma once

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace dockgate::tools {

Status validate_arguments(const nlohmann::json& schema, const nlohmann::json& arguments);

}  // namespace dockgate::tools
