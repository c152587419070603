// Paths on the dockgate host that tools read (build contexts, compose files): always canonical
// (symlinks resolved) and inside a configured workspace root (--workspace-root).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace dockgate::tools {

// realpath(3): nullopt when the path does not exist.
std::optional<std::string> real_path(const std::string& path);
// Whether a canonical path is the root or below it (whole path components).
bool path_inside(const std::string& path, const std::string& root);
// "a, b": for messages.
std::string roots_text(const std::vector<std::string>& roots);
// path (absolute, or relative to the first root) resolved, if it lies inside one of the roots;
// else an error that names `argument` and the roots.
Result<std::string> resolve_in_roots(const std::string& argument, const std::string& path,
                                     const std::vector<std::string>& roots);

}  // namespace dockgate::tools
