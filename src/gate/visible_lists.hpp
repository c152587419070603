// Lists narrowed by the policy to what the caller owns (mutate list_owned_only). The engine's
// label filters are ANDed, so "mine or my team's" is one query per visible label, each with
// the caller's own filters plus that label, merged without duplicates. The engine does the
// filtering: nothing another tenant owns is ever read into dockgate for such a list.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "common/result.hpp"

namespace dockgate::gate {

// query: the engine's list (a JSON array) for one set of filters. key: the field that
// identifies an item ("Id", "Name"). Without visible labels: query(filters) as it is.
Result<nlohmann::json> visible_list(
    const actions::ListFilters& filters, const std::optional<actions::VisibleLabels>& visible,
    std::string_view key,
    const std::function<Result<nlohmann::json>(const actions::ListFilters&)>& query);

}  // namespace dockgate::gate
