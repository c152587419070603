// Shared by the policy loaders (policy_loader.cpp, controls_loader.cpp): strict YAML reading
// with every problem reported as file:line:col, none fatal until the whole file is read.
#pragma once

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "policy/controls.hpp"

namespace dockgate::policy::loader {

// Stable codes of loader errors, printed after file:line:col so that tools and people can
// look them up (docs/policy.md) whatever the wording of the message.
namespace code {
inline constexpr const char* kUnknownKey = "DG001";
inline constexpr const char* kWrongType = "DG002";
inline constexpr const char* kMissingValue = "DG003";
inline constexpr const char* kBadValue = "DG004";
inline constexpr const char* kDuplicate = "DG005";
inline constexpr const char* kYamlSyntax = "DG006";
}  // namespace code

class ErrorList {
 public:
  explicit ErrorList(std::string file) : file_(std::move(file)) {}
  void add(const YAML::Mark& mark, const std::string& what, const char* code = code::kBadValue) {
    std::ostringstream out;
    out << file_;
    if (mark.line >= 0) out << ":" << mark.line + 1 << ":" << mark.column + 1;
    out << ": " << code << " " << what;
    errors_.push_back(out.str());
  }
  bool empty() const { return errors_.empty(); }
  std::string joined() const {
    std::string text;
    for (const auto& e : errors_) text += (text.empty() ? "" : "\n") + e;
    return text;
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

inline std::string join(const std::set<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

inline void check_keys(const YAML::Node& map, const std::set<std::string>& allowed,
                       const std::string& where, ErrorList& errors) {
  std::set<std::string> seen;
  for (const auto& entry : map) {
    const auto key = entry.first.Scalar();
    if (!seen.insert(key).second) {
      // yaml-cpp keeps one of two duplicate keys silently; a rule must say one thing.
      errors.add(entry.first.Mark(), where + ": key '" + key + "' is given twice",
                 code::kDuplicate);
    }
    if (!allowed.contains(key)) {
      errors.add(entry.first.Mark(),
                 where + ": unknown key '" + key + "' (expected one of: " + join(allowed) + ")",
                 code::kUnknownKey);
    }
  }
}

inline std::optional<std::string> read_string(const YAML::Node& map, const std::string& key,
                                              const std::string& where, ErrorList& errors,
                                              bool required) {
  const auto node = map[key];
  if (!node) {
    if (required)
      errors.add(map.Mark(), where + ": '" + key + "' is required", code::kMissingValue);
    return std::nullopt;
  }
  if (!node.IsScalar() || node.Scalar().empty()) {
    errors.add(node.Mark(), where + ": '" + key + "' must be a non-empty string", code::kWrongType);
    return std::nullopt;
  }
  return node.Scalar();
}

inline std::vector<std::string> read_string_list(const YAML::Node& map, const std::string& key,
                                                 const std::string& where, ErrorList& errors) {
  std::vector<std::string> values;
  const auto node = map[key];
  if (!node) return values;
  if (!node.IsSequence() || node.size() == 0) {
    errors.add(node.Mark(), where + ": '" + key + "' must be a non-empty list of strings",
               code::kWrongType);
    return values;
  }
  for (const auto& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      errors.add(item.Mark(), where + ": every entry of '" + key + "' must be a non-empty string",
                 code::kWrongType);
      continue;
    }
    values.push_back(item.Scalar());
  }
  return values;
}

inline std::optional<bool> read_bool(const YAML::Node& map, const std::string& key,
                                     const std::string& where, ErrorList& errors) {
  const auto node = map[key];
  if (!node) return std::nullopt;
  // Only the two YAML 1.2 words: "yes", "on" or "1" would be a reviewer's typo-prone guess.
  if (node.IsScalar() && node.Tag() != "!" && (node.Scalar() == "true" || node.Scalar() == "false"))
    return node.Scalar() == "true";
  errors.add(node.Mark(), where + ": '" + key + "' must be true or false", code::kWrongType);
  return std::nullopt;
}

inline std::optional<std::int64_t> read_int(const YAML::Node& map, const std::string& key,
                                            const std::string& where, ErrorList& errors,
                                            std::int64_t min, std::int64_t max) {
  const auto node = map[key];
  if (!node) return std::nullopt;
  std::int64_t value = 0;
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    errors.add(node.Mark(), where + ": '" + key + "' must be a whole number from " +
                                std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

// A label key (valid_label_key), with an error naming the rule when it is not one.
std::optional<std::string> read_label_key(const YAML::Node& map, const std::string& key,
                                          const std::string& where, ErrorList& errors,
                                          bool required);

// A `require:` block: nullptr (with errors added) when it is not valid.
std::shared_ptr<const Controls> read_controls(const YAML::Node& node, const std::string& where,
                                              ErrorList& errors);

}  // namespace dockgate::policy::loader
