// docker's --filter syntax: "key=value" strings ("status=exited", "label=app=web"), as one
// string or a list, turned into the Engine API's filters map.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "common/result.hpp"

namespace dockgate::tools {

// filter: absent (null), a string, or a list of strings. Keys outside known_keys are an
// error that lists the known ones (the engine would refuse them less clearly).
Result<actions::ListFilters> parse_list_filters(const nlohmann::json& filter,
                                                const std::vector<std::string>& known_keys);

}  // namespace dockgate::tools
