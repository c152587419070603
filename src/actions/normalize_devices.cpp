// "--device SRC[:DST][:PERMS]" as docker's parseDevice reads it, shared by docker_run and
// compose services' `devices`.
#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "actions/normalize.hpp"

namespace dockgate::actions {
namespace {

bool is_absolute_clean_path(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  // Whole segments only: "/a/..b" is a name, "/a/../b" is a climb.
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    if (path.compare(start, end - start, "..") == 0) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

Result<std::string> parse_device_spec(std::string_view input) {
  const std::string text(input);
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  static const std::regex kPermissions("r?w?m?");
  std::string source = parts[0], target = parts[0], permissions = "rwm";
  if (parts.size() == 2 && std::regex_match(parts[1], kPermissions) && !parts[1].empty()) {
    permissions = parts[1];
  } else if (parts.size() == 2) {
    target = parts[1];
  } else if (parts.size() == 3) {
    target = parts[1];
    permissions = parts[2];
  } else if (parts.size() > 3) {
    return make_error("must be \"/dev/host[:/dev/container][:rwm]\"");
  }
  if (!is_absolute_clean_path(source) || !is_absolute_clean_path(target)) {
    return make_error("device paths must be absolute, without '..', like /dev/fuse");
  }
  if (permissions.empty() || !std::regex_match(permissions, kPermissions)) {
    return make_error("permissions must be letters of \"rwm\" in that order");
  }
  return source + ":" + target + ":" + permissions;
}

}  // namespace dockgate::actions
