// A service's process: command and entrypoint (a string is split as a shell would, as Compose
// does), environment and env_file, healthcheck.
#include <algorithm>

#include "actions/normalize.hpp"
#include "compose/compose_reader.hpp"

namespace dockgate::compose::detail {
namespace {

constexpr std::size_t kMaxEnvEntries = 128;
constexpr std::size_t kMaxEnvValueLength = 8192;
constexpr std::size_t kMaxArgs = 1024;

}  // namespace

// Shell-like words (go-shellwords, as compose-go splits): blanks separate, '...' is literal,
// "..." keeps \" \\ \$ \` escapes, a backslash outside quotes escapes the next character.
// No expansion of any kind.
std::vector<std::string> shell_split(const Reader& reader, const YAML::Node& node,
                                     const std::string& context, const std::string& field,
                                     const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
    } else if (c == '\'') {
      const auto close = text.find('\'', i + 1);
      if (close == std::string::npos)
        reader.fail_field(node, context, field, "has an unclosed ' quote");
      word += text.substr(i + 1, close - i - 1);
      i = close;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size() &&
            (text[j + 1] == '"' || text[j + 1] == '\\' || text[j + 1] == '$' ||
             text[j + 1] == '`')) {
          ++j;
        }
        word += text[j];
      }
      if (j >= text.size()) reader.fail_field(node, context, field, "has an unclosed \" quote");
      i = j;
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::vector<std::string> read_argv(const Reader& reader, const YAML::Node& node,
                                   const std::string& context, const std::string& field) {
  std::vector<std::string> argv;
  if (node.IsScalar()) {
    argv = shell_split(reader, node, context, field, reader.text(node, context, field));
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      argv.push_back(
          reader.text(node[i], context, indexed(field, i), "must be a string or a number"));
    }
  } else {
    reader.fail_field(node, context, field, "must be a string or a list of strings");
  }
  // An empty list would mean "the image's default" to some readers and "nothing" to others.
  if (argv.empty()) reader.fail_field(node, context, field, "must not be empty");
  if (argv.size() > kMaxArgs) {
    reader.fail_field(node, context, field,
                      "has more than " + std::to_string(kMaxArgs) + " arguments");
  }
  return argv;
}

std::vector<std::string> read_environment(const Reader& reader, const YAML::Node& environment,
                                          const YAML::Node& env_file, const std::string& context) {
  std::vector<std::pair<std::string, std::string>> values;
  auto set = [&](const std::string& key, const std::string& value) {
    for (auto& [existing, old] : values) {
      if (existing == key) {
        old = value;
        return;
      }
    }
    values.emplace_back(key, value);
  };
  if (env_file.IsDefined()) {
    const ParseOptions& options = reader.options();
    std::vector<std::pair<YAML::Node, std::string>> paths;
    if (env_file.IsSequence()) {
      for (std::size_t i = 0; i < env_file.size(); ++i) {
        paths.emplace_back(env_file[i], reader.text(env_file[i], context, indexed("env_file", i)));
      }
    } else {
      paths.emplace_back(env_file, reader.text(env_file, context, "env_file",
                                               "must be a path or a list of paths"));
    }
    for (const auto& [node, path] : paths) {
      if (!options.read_file) {
        reader.fail_field(node, context, "env_file",
                          "cannot be read here: no folder to read it from");
      }
      if (path.empty()) reader.fail_field(node, context, "env_file", "must not be empty");
      const std::string absolute =
          resolve_path(options.project_dir.empty() ? "/" : options.project_dir, path);
      auto text = options.read_file(absolute);
      if (!text) reader.fail(node, context + ": env_file '" + path + "': " + text.error().message);
      auto parsed = parse_dotenv(*text, path);
      if (!parsed) reader.fail(node, context + ": env_file " + parsed.error().message);
      for (const auto& [key, value] : *parsed) set(key, value);
    }
  }
  if (environment.IsDefined()) {
    for (const auto& [key, value] :
         reader.key_values(environment, context, "environment", kMaxEnvEntries, true)) {
      if (key.find('=') != std::string::npos) {
        reader.fail_field(environment, context, "environment." + key,
                          "a variable name must not contain '='");
      }
      set(key, value);
    }
  }
  if (values.size() > kMaxEnvEntries) {
    reader.fail(environment.IsDefined() ? environment : env_file,
                context + ": has " + std::to_string(values.size()) +
                    " environment variables (at most " + std::to_string(kMaxEnvEntries) + ")");
  }
  std::vector<std::string> env;
  for (const auto& [key, value] : values) {
    const YAML::Node& at = environment.IsDefined() ? environment : env_file;
    if (value.size() > kMaxEnvValueLength) {
      reader.fail_field(at, context, "environment." + key,
                        "value is too long: " + std::to_string(value.size()) +
                            " characters (at most " + std::to_string(kMaxEnvValueLength) + ")");
    }
    auto entry = actions::parse_env_entry(key + "=" + value);
    if (!entry) reader.fail_field(at, context, "environment." + key, entry.error().message);
    env.push_back(std::move(*entry));
  }
  return env;
}

actions::HealthCheck read_healthcheck(const Reader& reader, const YAML::Node& node,
                                      const std::string& context) {
  actions::HealthCheck check;
  const auto entries = reader.entries(node, context, "healthcheck");
  reader.only_keys(entries, context + ": healthcheck",
                   {"test", "interval", "timeout", "start_period", "retries", "disable"});
  bool disabled = false;
  bool has_test = false;
  for (const auto& entry : entries) {
    const std::string field = "healthcheck." + entry.key;
    if (entry.key == "disable") disabled = reader.boolean(entry.value, context, field);
    if (entry.key == "retries")
      check.retries = static_cast<int>(reader.integer(entry.value, context, field, 0, 1000));
    if (entry.key == "interval" || entry.key == "timeout" || entry.key == "start_period") {
      auto ns = actions::parse_duration_ns(reader.text(entry.value, context, field));
      if (!ns) reader.fail_field(entry.value, context, field, ns.error().message);
      if (*ns < 0) reader.fail_field(entry.value, context, field, "must not be negative");
      (entry.key == "interval"  ? check.interval_ns
       : entry.key == "timeout" ? check.timeout_ns
                                : check.start_period_ns) = *ns;
    }
    if (entry.key != "test") continue;
    has_test = true;
    if (entry.value.IsScalar()) {
      check.test = {"CMD-SHELL", reader.text(entry.value, context, field)};
      continue;
    }
    if (!entry.value.IsSequence())
      reader.fail_field(entry.value, context, field, "must be a string or a list");
    for (std::size_t i = 0; i < entry.value.size(); ++i) {
      check.test.push_back(reader.text(entry.value[i], context, indexed(field, i)));
    }
    if (check.test.empty()) reader.fail_field(entry.value, context, field, "must not be empty");
    const std::string& kind = check.test.front();
    if (kind == "NONE" && check.test.size() != 1) {
      reader.fail_field(entry.value, context, field, "[\"NONE\"] takes no further items");
    }
    if (kind == "CMD-SHELL" && check.test.size() != 2) {
      reader.fail_field(entry.value, context, field,
                        "[\"CMD-SHELL\", \"<shell command>\"] takes exactly one command");
    }
    if (kind == "CMD" && check.test.size() < 2) {
      reader.fail_field(entry.value, context, field, "[\"CMD\", ...] needs a command after CMD");
    }
    if (kind != "NONE" && kind != "CMD" && kind != "CMD-SHELL") {
      reader.fail_field(entry.value, context, field,
                        "must start with \"CMD\", \"CMD-SHELL\" or \"NONE\", got '" + kind + "'");
    }
  }
  if (disabled) {
    if (has_test && check.test != std::vector<std::string>{"NONE"}) {
      reader.fail(node,
                  context + ": healthcheck: 'disable: true' and a 'test' contradict each other");
    }
    return actions::HealthCheck{{"NONE"}, 0, 0, 0, 0};
  }
  if (!has_test) {
    reader.fail(node, context +
                          ": healthcheck: 'test' is required, e.g. [\"CMD\", \"pg_isready\"] "
                          "or \"curl -f http://localhost/\" (or 'disable: true')");
  }
  return check;
}

}  // namespace dockgate::compose::detail
