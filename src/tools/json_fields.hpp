// Tolerant reads of engine JSON: the Engine API omits fields or sends null where a list or
// map is empty, and nlohmann's value() throws on a type mismatch. Rendering must never throw.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace dockgate::tools {

inline std::string text_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline std::int64_t integer_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

inline nlohmann::json list_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : nlohmann::json::array();
}

inline nlohmann::json map_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : nlohmann::json::object();
}

}  // namespace dockgate::tools
