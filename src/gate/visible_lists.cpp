#include "gate/visible_lists.hpp"

#include <set>

namespace dockgate::gate {

using nlohmann::json;

Result<json> visible_list(const actions::ListFilters& filters,
                          const std::optional<actions::VisibleLabels>& visible,
                          std::string_view key,
                          const std::function<Result<json>(const actions::ListFilters&)>& query) {
  if (!visible) return query(filters);
  json merged = json::array();
  std::set<std::string> seen;
  for (const auto& label : *visible) {
    actions::ListFilters narrowed = filters;
    narrowed["label"].push_back(label);
    auto items = query(narrowed);
    if (!items) return items.error();
    if (!items->is_array()) return make_error("the engine answered a list with something else");
    for (auto& item : *items) {
      const auto id = item.value(std::string(key), std::string());
      if (seen.insert(id).second) merged.push_back(std::move(item));
    }
  }
  return merged;
}

}  // namespace dockgate::gate
