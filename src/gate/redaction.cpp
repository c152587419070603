#include "gate/redaction.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace dockgate::gate {
namespace {

using nlohmann::json;

bool is_credential_key(std::string_view key) {
  static constexpr std::array<std::string_view, 10> kMarkers = {
      "password", "passwd",     "secret", "token",       "auth",
      "api_key",  "credential", "apikey", "private_key", "access_key"};
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kMarkers.begin(), kMarkers.end(), [&](std::string_view marker) {
    return lower.find(marker) != std::string::npos;
  });
}

// Walks one call's arguments and collects what it replaced.
class Redactor {
 public:
  Redactor(std::vector<std::string>& paths, std::vector<std::string>& values)
      : paths_(paths), values_(values) {}

  void call(std::string_view tool, json& arguments, const std::string& path) {
    if (!arguments.is_object()) return;
    for (auto& [key, value] : arguments.items()) {
      const std::string at = path + "." + key;
      if ((tool == "docker_run" || tool == "docker_exec") &&
          (key == "env" || key == "environment")) {
        environment(value, at);
      } else if (tool == "docker_build" && key == "build_args") {
        all_values(value, at);
      } else if ((tool == "docker_compose_up" || tool == "docker_compose_down") &&
                 key == "content") {
        // An inline compose file holds environment values; the intent's plan records every
        // service with its env keys only.
        replace(value, at);
      } else if (tool == "docker_policy_check" && key == "arguments" &&
                 arguments.contains("tool") && arguments["tool"].is_string()) {
        call(arguments["tool"].get<std::string>(), value, at);
      } else if (tool == "docker_run" && key == "secrets") {
        // secret names only: the contents are files on the server, never arguments
      } else if (is_credential_key(key)) {
        replace(value, at);
      } else {
        credential_keys(value, at);
      }
    }
  }

 private:
  void replace(json& value, const std::string& path) {
    if (value.is_string())
      remember(value.get<std::string>());
    else if (!value.is_null())
      remember(value.dump());
    value = kRedacted;
    paths_.push_back(path);
  }

  void remember(const std::string& value) {
    if (value.size() >= kMinScrubLength) values_.push_back(value);
  }

  // ["KEY=VALUE", ...] keeps each KEY; {"KEY": "VALUE"} keeps its keys; anything else goes.
  void environment(json& env, const std::string& path) {
    if (env.is_object()) return all_values(env, path);
    if (!env.is_array()) return replace(env, path);
    for (std::size_t i = 0; i < env.size(); ++i) {
      const std::string at = path + "[" + std::to_string(i) + "]";
      if (!env[i].is_string()) {
        replace(env[i], at);
        continue;
      }
      const std::string entry = env[i].get<std::string>();
      const auto equals = entry.find('=');
      if (equals == std::string::npos) continue;  // "KEY" alone names a variable, no value
      remember(entry.substr(equals + 1));
      remember(entry);
      env[i] = entry.substr(0, equals + 1) + std::string(kRedacted);
      paths_.push_back(at);
    }
  }

  void all_values(json& map, const std::string& path) {
    if (!map.is_object()) return replace(map, path);
    for (auto& [key, value] : map.items()) replace(value, path + "." + key);
  }

  void credential_keys(json& value, const std::string& path) {
    if (value.is_object()) {
      for (auto& [key, item] : value.items()) {
        if (is_credential_key(key))
          replace(item, path + "." + key);
        else
          credential_keys(item, path + "." + key);
      }
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i)
        credential_keys(value[i], path + "[" + std::to_string(i) + "]");
    }
  }

  std::vector<std::string>& paths_;
  std::vector<std::string>& values_;
};

}  // namespace

namespace {
// Longest first, so "KEY=VALUE" goes whole before its VALUE is looked for.
void sort_longest_first(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  values.erase(std::unique(values.begin(), values.end()), values.end());
}
}  // namespace

void Redaction::also_scrub(const std::vector<std::string>& values) {
  for (const auto& value : values)
    if (value.size() >= kMinScrubLength) values_.push_back(value);
  sort_longest_first(values_);
}

Redaction redact_arguments(std::string_view tool, const json& arguments) {
  Redaction redaction;
  redaction.arguments_ = arguments;
  Redactor(redaction.paths_, redaction.values_).call(tool, redaction.arguments_, "arguments");
  sort_longest_first(redaction.values_);
  // A secret value copied into another argument (a label, a command) goes there too.
  redaction.scrub_copies(redaction.arguments_, "arguments");
  return redaction;
}

void Redaction::scrub_copies(json& value, const std::string& path) {
  if (value.is_string()) {
    std::string scrubbed = scrub(value.get<std::string>());
    if (scrubbed != value.get_ref<const std::string&>()) {
      value = std::move(scrubbed);
      paths_.push_back(path);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      scrub_copies(value[i], path + "[" + std::to_string(i) + "]");
  } else if (value.is_object()) {
    for (auto& [key, item] : value.items()) scrub_copies(item, path + "." + key);
  }
}

std::string Redaction::scrub(std::string text) const {
  for (const auto& value : values_) {
    for (auto at = text.find(value); at != std::string::npos;
         at = text.find(value, at + kRedacted.size())) {
      text.replace(at, value.size(), kRedacted);
    }
  }
  return text;
}

json Redaction::scrub_json(const json& value) const {
  if (values_.empty()) return value;
  if (value.is_string()) return scrub(value.get<std::string>());
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(scrub_json(item));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, item] : value.items()) out[scrub(key)] = scrub_json(item);
    return out;
  }
  return value;
}

}  // namespace dockgate::gate
