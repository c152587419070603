#include "tools/workspace_paths.hpp"

#include <climits>
#include <cstdlib>

namespace dockgate::tools {

std::optional<std::string> real_path(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return std::nullopt;
  return std::string(resolved);
}

bool path_inside(const std::string& path, const std::string& root) {
  return path == root || root == "/" ||
         (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
          path[root.size()] == '/');
}

std::string roots_text(const std::vector<std::string>& roots) {
  std::string text;
  for (const auto& root : roots) text += (text.empty() ? "" : ", ") + root;
  return text;
}

Result<std::string> resolve_in_roots(const std::string& argument, const std::string& path,
                                     const std::vector<std::string>& roots) {
  if (path.empty() || path.find('\0') != std::string::npos)
    return make_error(argument + ": give a path");
  if (roots.empty()) return make_error(argument + ": no workspace root is configured");
  const std::string joined = path[0] == '/' ? path : roots.front() + "/" + path;
  const auto canonical = real_path(joined);
  if (!canonical)
    return make_error(argument + " \"" + path +
                      "\": no such file or folder on the dockgate server");
  for (const auto& root : roots) {
    if (const auto real_root = real_path(root); real_root && path_inside(*canonical, *real_root))
      return *canonical;
  }
  return make_error(argument + " \"" + path + "\" (" + *canonical +
                    ") is outside the workspace roots: " + roots_text(roots) +
                    "; give a path inside one of them");
}

}  // namespace dockgate::tools
