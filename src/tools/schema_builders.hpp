// Small builders for the JSON Schemas tools declare, so every schema has the same shape:
// plain objects, additionalProperties: false, bounded strings and lists (Roo flattens
// anything fancier, and unbounded inputs are a way to hurt the server).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace dockgate::tools::schema {

using nlohmann::json;

inline constexpr std::size_t kMaxNameLength = 256;  // names, ids, references
inline constexpr std::size_t kMaxListItems = 64;

inline json object(json properties, json required = json::array()) {
  json schema = {
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

inline json boolean(std::string description) {
  return {{"type", "boolean"}, {"description", std::move(description)}};
}

inline json string(std::string description, std::size_t max_length = kMaxNameLength) {
  return {{"type", "string"},
          {"description", std::move(description)},
          {"minLength", 1},
          {"maxLength", max_length}};
}

inline json string_enum(std::string description, json values) {
  return {{"type", "string"}, {"description", std::move(description)}, {"enum", std::move(values)}};
}

// An object of string values ({"app": "shop"}): labels, driver options, env as a map.
inline json string_map(std::string description, std::size_t max_value_length = 4096) {
  return {{"type", "object"},
          {"description", std::move(description)},
          {"additionalProperties", {{"type", "string"}, {"maxLength", max_value_length}}},
          {"maxProperties", kMaxListItems}};
}

// docker's --filter: one "key=value" string or a list of them.
inline json filter(std::string description) {
  json item = {{"type", "string"}, {"minLength", 3}, {"maxLength", kMaxNameLength}};
  return {{"description", std::move(description)},
          {"anyOf",
           json::array({item, {{"type", "array"}, {"items", item}, {"maxItems", kMaxListItems}}})}};
}

}  // namespace dockgate::tools::schema
