#include "compose/compose_file.hpp"

namespace dockgate::compose {

// Compose's NormalizeProjectName: lower-case, keep [a-z0-9_-], and the first character must be
// a letter or a digit (leading '_' and '-' are dropped with the rest).
std::string normalize_project_name(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum || ((c == '_' || c == '-') && !out.empty())) out += c;
  }
  return out;
}

}  // namespace dockgate::compose
