#include "tools/argument_schema.hpp"

#include <string>

namespace dockgate::tools {
namespace {

using nlohmann::json;

std::string type_of(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "a list";
    case json::value_t::object:
      return "an object";
    default:
      return "an unsupported value";
  }
}

std::string wanted(const std::string& type) {
  if (type == "object") return "an object";
  if (type == "array") return "a list";
  if (type == "integer") return "an integer";
  return "a " + type;
}

// Shows a short, safe excerpt of a bad value: enough for a model to recognise it.
std::string excerpt(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

bool has_type(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  return false;
}

Status check(const json& schema, const json& value, const std::string& name);

Status check_object(const json& schema, const json& value, const std::string& name) {
  const json properties = schema.value("properties", json::object());
  for (const auto& required : schema.value("required", json::array())) {
    if (!value.contains(required.get<std::string>())) {
      const std::string key = required.get<std::string>();
      return make_error("missing required argument '" + (name.empty() ? key : name + "." + key) +
                        "'");
    }
  }
  for (const auto& [key, item] : value.items()) {
    const std::string path = name.empty() ? key : name + "." + key;
    if (!properties.contains(key)) {
      const auto extra = schema.find("additionalProperties");
      if (extra != schema.end() && extra->is_object()) {
        if (auto status = check(*extra, item, path); !status) return status;
        continue;
      }
      if (extra != schema.end() && *extra == false) {
        std::string accepted;
        for (const auto& [known, _] : properties.items())
          accepted += (accepted.empty() ? "" : ", ") + known;
        return make_error("unknown argument '" + path + "'" +
                          (accepted.empty() ? " (this tool takes no arguments)"
                                            : " (accepted: " + accepted + ")"));
      }
      continue;
    }
    if (auto status = check(properties[key], item, path); !status) return status;
  }
  return Ok{};
}

Status check(const json& schema, const json& value, const std::string& name) {
  const std::string label = "argument '" + name + "'";
  if (schema.contains("anyOf")) {
    std::string options;
    for (const auto& option : schema["anyOf"]) {
      if (auto status = check(option, value, name)) return Ok{};
      options += (options.empty() ? "" : " or ") + wanted(option.value("type", "value"));
    }
    // Report the first alternative's own complaint when the type fits it, else the types.
    for (const auto& option : schema["anyOf"]) {
      if (has_type(value, option.value("type", ""))) return check(option, value, name);
    }
    return make_error(label + " must be " + options + ", got " + type_of(value) + " " +
                      excerpt(value));
  }
  const std::string type = schema.value("type", "");
  if (!type.empty() && !has_type(value, type)) {
    // A schema's first example shows the model the shape it should have sent.
    const auto examples = schema.find("examples");
    const std::string hint = examples != schema.end() && examples->is_array() && !examples->empty()
                                 ? "; for example " + examples->front().dump()
                                 : "";
    return make_error((name.empty() ? std::string("arguments") : label) + " must be " +
                      wanted(type) + ", got " + type_of(value) + " " + excerpt(value) + hint);
  }
  if (schema.contains("enum")) {
    bool found = false;
    std::string allowed;
    for (const auto& option : schema["enum"]) {
      found = found || option == value;
      allowed += (allowed.empty() ? "" : ", ") + option.dump();
    }
    if (!found) return make_error(label + " must be one of " + allowed + ", got " + excerpt(value));
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (schema.contains("maxLength") && text.size() > schema["maxLength"].get<std::size_t>()) {
      return make_error(label + " is too long: " + std::to_string(text.size()) +
                        " characters (at most " + schema["maxLength"].dump() + ")");
    }
    if (schema.contains("minLength") && text.size() < schema["minLength"].get<std::size_t>()) {
      const auto minimum = schema["minLength"].get<std::size_t>();
      return make_error(
          label + (minimum == 1 ? std::string(" must not be empty")
                                : " must be at least " + std::to_string(minimum) + " characters"));
    }
    if (text.find('\0') != std::string::npos) {
      return make_error(label + " must not contain a NUL character");
    }
  }
  if (value.is_number()) {
    if (schema.contains("minimum") && value.get<double>() < schema["minimum"].get<double>()) {
      return make_error(label + " must be at least " + schema["minimum"].dump());
    }
    if (schema.contains("maximum") && value.get<double>() > schema["maximum"].get<double>()) {
      return make_error(label + " must be at most " + schema["maximum"].dump());
    }
  }
  if (value.is_array()) {
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<std::size_t>()) {
      return make_error(label + " has " + std::to_string(value.size()) + " entries (at most " +
                        schema["maxItems"].dump() + ")");
    }
    if (schema.contains("items")) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto status = check(schema["items"], value[i], name + "[" + std::to_string(i) + "]");
            !status) {
          return status;
        }
      }
    }
  }
  if (value.is_object()) return check_object(schema, value, name);
  return Ok{};
}

}  // namespace

Status validate_arguments(const nlohmann::json& schema, const nlohmann::json& arguments) {
  return check(schema, arguments, "");
}

}  // namespace dockgate::tools
