#include "tools/list_filters.hpp"

#include <algorithm>

namespace dockgate::tools {

Result<actions::ListFilters> parse_list_filters(const nlohmann::json& filter,
                                                const std::vector<std::string>& known_keys) {
  actions::ListFilters filters;
  if (filter.is_null()) return filters;
  std::vector<std::string> entries;
  if (filter.is_string()) {
    entries.push_back(filter.get<std::string>());
  } else {
    for (const auto& item : filter) entries.push_back(item.get<std::string>());
  }
  std::string known;
  for (const auto& k : known_keys) known += (known.empty() ? "" : ", ") + k;
  for (const auto& entry : entries) {
    const auto equals = entry.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == entry.size()) {
      return make_error("filter '" + entry +
                        "' must look like key=value, e.g. status=exited (keys: " + known + ")");
    }
    const std::string key = entry.substr(0, equals);
    if (std::find(known_keys.begin(), known_keys.end(), key) == known_keys.end()) {
      return make_error("filter key '" + key + "' is not supported here (keys: " + known + ")");
    }
    filters[key].push_back(entry.substr(equals + 1));
  }
  return filters;
}

}  // namespace dockgate::tools
