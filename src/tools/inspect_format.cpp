#include "tools/inspect_format.hpp"

#include <regex>

namespace dockgate::tools {
namespace {

using nlohmann::json;

const char* kSupported =
    "supported forms are {{.Field.Sub}} and {{json .Field.Sub}}, with any text around them";

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  const auto end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

// ".A.B" -> the value, or nullptr when a key is missing (Go prints "<no value>").
const json* lookup(const json& object, const std::string& path) {
  const json* current = &object;
  if (path == ".") return current;
  static const std::regex kSegment(R"(\.([A-Za-z0-9_]+))");
  std::size_t consumed = 0;
  for (auto it = std::sregex_iterator(path.begin(), path.end(), kSegment);
       it != std::sregex_iterator(); ++it) {
    if (static_cast<std::size_t>(it->position()) != consumed) return nullptr;
    consumed += static_cast<std::size_t>(it->length());
    if (!current->is_object()) return nullptr;
    const auto found = current->find((*it)[1].str());
    if (found == current->end()) return nullptr;
    current = &*found;
  }
  return consumed == path.size() ? current : nullptr;
}

bool is_path(const std::string& text) {
  static const std::regex kPath(R"(\.|(\.[A-Za-z0-9_]+)+)");
  return std::regex_match(text, kPath);
}

std::string plain(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "<nil>";
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

Result<std::string> apply_inspect_format(std::string_view format, const json& object) {
  std::string out;
  std::size_t position = 0;
  while (position < format.size()) {
    const auto open = format.find("{{", position);
    if (open == std::string_view::npos) {
      out.append(format.substr(position));
      break;
    }
    out.append(format.substr(position, open - position));
    const auto close = format.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return make_error("format: '{{' at offset " + std::to_string(open) + " is never closed");
    }
    std::string action = trim(format.substr(open + 2, close - open - 2));
    bool as_json = false;
    if (action.rfind("json ", 0) == 0) {
      as_json = true;
      action = trim(action.substr(5));
    }
    if (!is_path(action)) {
      return make_error("format: '{{" + std::string(format.substr(open + 2, close - open - 2)) +
                        "}}' is not supported; " + kSupported);
    }
    const json* value = lookup(object, action);
    if (value == nullptr) {
      out += as_json ? "null" : "<no value>";
    } else {
      out += as_json ? value->dump(-1, ' ', false, json::error_handler_t::replace) : plain(*value);
    }
    position = close + 2;
  }
  return out;
}

}  // namespace dockgate::tools
