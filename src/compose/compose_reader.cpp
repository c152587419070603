#include "compose/compose_reader.hpp"

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>

namespace dockgate::compose::detail {

void Reader::fail(const YAML::Node& node, const std::string& message) const {
  const int at = line(node);
  throw Failure{options_.file_name + (at > 0 ? ":" + std::to_string(at) : "") + ": " + message};
}

void Reader::fail_field(const YAML::Node& node, const std::string& context,
                        const std::string& field, const std::string& what) const {
  fail(node, (context.empty() ? "" : context + ": ") + "'" + field + "' " + what);
}

int Reader::line(const YAML::Node& node) const {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string Reader::text(const YAML::Node& node, const std::string& context,
                         const std::string& field, const std::string& expected) const {
  if (!node.IsScalar()) fail_field(node, context, field, expected);
  const std::string& raw = node.Scalar();
  if (raw.find('\0') != std::string::npos) {
    fail_field(node, context, field, "must not contain NUL characters");
  }
  auto value = interpolate(raw, options_.variables);
  if (!value) fail(node, value.error().message);
  return std::move(*value);
}

bool Reader::boolean(const YAML::Node& node, const std::string& context,
                     const std::string& field) const {
  const std::string value = text(node, context, field, "must be true or false");
  if (value == "true" || value == "True" || value == "TRUE") return true;
  if (value == "false" || value == "False" || value == "FALSE") return false;
  fail_field(node, context, field, "must be true or false, got '" + value + "'");
}

std::int64_t Reader::integer(const YAML::Node& node, const std::string& context,
                             const std::string& field, std::int64_t min, std::int64_t max) const {
  const std::string value = text(node, context, field, "must be a whole number");
  std::int64_t number = 0;
  const char* end = value.data() + value.size();
  const auto [stop, error] = std::from_chars(value.data(), end, number);
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (value.empty() || error != std::errc() || stop != end) {
    fail_field(node, context, field, "must be a whole number (" + range + "), got '" + value + "'");
  }
  if (number < min || number > max) {
    fail_field(node, context, field, "must be in " + range + ", got " + value);
  }
  return number;
}

std::vector<Entry> Reader::entries(const YAML::Node& node, const std::string& context,
                                   const std::string& field) const {
  if (!node.IsMap()) fail_field(node, context, field, "must be a map");
  std::vector<Entry> own;
  std::vector<Entry> merged;
  std::set<std::string> seen;
  for (const auto& item : node) {
    if (!item.first.IsScalar())
      fail(item.first, context + ": keys of '" + field + "' must be strings");
    const std::string& key = item.first.Scalar();
    if (key == "<<" && item.first.Tag() != "!") {
      // YAML merge keys, as Compose reads them: a map or a list of maps.
      std::vector<YAML::Node> sources;
      if (item.second.IsSequence()) {
        for (const auto& source : item.second) sources.push_back(source);
      } else {
        sources.push_back(item.second);
      }
      for (const auto& source : sources) {
        for (auto& entry : entries(source, context, field + ".<<")) merged.push_back(entry);
      }
      continue;
    }
    if (!seen.insert(key).second) {
      fail(item.first, context + ": key '" + key + "' appears twice in '" + field + "'");
    }
    if (key.rfind("x-", 0) == 0) continue;
    own.push_back({key, item.first, item.second});
  }
  for (auto& entry : merged) {
    if (seen.insert(entry.key).second) own.push_back(std::move(entry));
  }
  return own;
}

void Reader::only_keys(const std::vector<Entry>& entries, const std::string& context,
                       const std::vector<std::string>& supported) const {
  for (const auto& entry : entries) {
    if (std::find(supported.begin(), supported.end(), entry.key) != supported.end()) continue;
    std::string list;
    for (const auto& key : supported) list += (list.empty() ? "" : ", ") + key;
    fail(entry.key_node, context + ": key '" + entry.key +
                             "' is not supported by dockgate (supported: " + list + ")");
  }
}

std::vector<std::string> Reader::strings(const YAML::Node& node, const std::string& context,
                                         const std::string& field) const {
  if (node.IsScalar()) return {text(node, context, field)};
  if (!node.IsSequence()) fail_field(node, context, field, "must be a string or a list of strings");
  std::vector<std::string> items;
  for (std::size_t i = 0; i < node.size(); ++i) {
    items.push_back(text(node[i], context, indexed(field, i)));
  }
  return items;
}

std::vector<std::pair<std::string, std::string>> Reader::key_values(const YAML::Node& node,
                                                                    const std::string& context,
                                                                    const std::string& field,
                                                                    std::size_t max_entries,
                                                                    bool from_variables) const {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const YAML::Node& at, std::string key, std::optional<std::string> value) {
    if (key.empty()) fail(at, context + ": '" + field + "' has an empty key");
    if (key.find('\0') != std::string::npos) {
      fail(at, context + ": '" + field + "' keys must not contain NUL characters");
    }
    if (!value && from_variables) {
      // "KEY" alone takes the variable's value, as Compose takes it from its environment;
      // here only the file's variables (.env) count, and an unset one drops the key.
      if (auto found = options_.variables.find(key); found != options_.variables.end()) {
        value = found->second;
      }
    }
    if (!value && from_variables) return;
    if (!value) value = std::string();  // a label or option without a value is ""
    for (auto& [existing, old] : out) {
      if (existing == key) {
        old = *value;
        return;
      }
    }
    out.emplace_back(std::move(key), std::move(*value));
    if (out.size() > max_entries) {
      fail(at,
           context + ": '" + field + "' has more than " + std::to_string(max_entries) + " entries");
    }
  };
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string item = text(node[i], context, indexed(field, i), "must be a \"KEY=value\"");
      const auto equals = item.find('=');
      if (equals == std::string::npos) {
        add(node[i], item, std::nullopt);
      } else {
        add(node[i], item.substr(0, equals), item.substr(equals + 1));
      }
    }
    return out;
  }
  if (!node.IsMap()) {
    fail_field(node, context, field, "must be a map or a list of \"KEY=value\"");
  }
  for (const auto& entry : entries(node, context, field)) {
    if (entry.value.IsNull()) {
      add(entry.key_node, entry.key, std::nullopt);
    } else {
      add(entry.key_node, entry.key,
          text(entry.value, context, field + "." + entry.key, "must be a string or a number"));
    }
  }
  return out;
}

std::string clean_path(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const std::string segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& segment : segments) out += "/" + segment;
  return out.empty() ? "/" : out;
}

std::string resolve_path(const std::string& base, const std::string& path) {
  if (!path.empty() && path[0] == '/') return clean_path(path);
  return clean_path(base + "/" + path);
}

bool is_docker_name(const std::string& text) {
  static const std::regex kName(R"([A-Za-z0-9][A-Za-z0-9_.-]+)");
  return text.size() <= 255 && std::regex_match(text, kName);
}

void check_label_keys(const Reader& reader, const YAML::Node& node, const std::string& context,
                      const std::vector<std::pair<std::string, std::string>>& labels) {
  for (const auto& [key, value] : labels) {
    std::string lower = key;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* reserved : {"dockgate.", "com.docker.compose."}) {
      if (lower.rfind(reserved, 0) == 0) {
        reader.fail(node, context + ": label '" + key + "': labels starting with '" + reserved +
                              "' are reserved for " +
                              (reserved[0] == 'd' ? "dockgate" : "Compose") +
                              "; choose another key");
      }
    }
    if (value.size() > 4096) {
      reader.fail(node, context + ": label '" + key + "': value is too long: " +
                            std::to_string(value.size()) + " characters (at most 4096)");
    }
  }
}

}  // namespace dockgate::compose::detail
