// Compose's variable substitution (compose-go template package) and .env files (its dotenv
// reader), both over the variables the caller gives: never the server's own environment.
#include <optional>

#include "compose/compose_file.hpp"

namespace dockgate::compose {
namespace {

// Nested defaults ("${A:-${B:-x}}") recurse; a hostile file could nest thousands deep.
constexpr int kMaxNesting = 16;

bool is_name_start(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

Result<std::string> substitute(std::string_view text,
                               const std::map<std::string, std::string>& variables, int depth);

// The inside of "${...}": NAME, then nothing or one of :- - :? ? :+ + and a word.
Result<std::string> braced(std::string_view inside,
                           const std::map<std::string, std::string>& variables, int depth) {
  std::size_t end = 0;
  while (end < inside.size() && is_name_char(inside[end])) ++end;
  const std::string name(inside.substr(0, end));
  if (name.empty() || !is_name_start(name[0])) {
    return make_error("malformed variable reference '${" + std::string(inside) +
                      "}': a name is letters, digits and '_', not starting with a digit");
  }
  const auto found = variables.find(name);
  const bool set = found != variables.end();
  const bool non_empty = set && !found->second.empty();
  if (end == inside.size()) return set ? found->second : std::string();
  std::string_view rest = inside.substr(end);
  const bool colon = rest[0] == ':';
  if (colon) rest.remove_prefix(1);
  if (rest.empty() || (rest[0] != '-' && rest[0] != '?' && rest[0] != '+')) {
    return make_error("malformed variable reference '${" + std::string(inside) +
                      "}': use ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, "
                      "${VAR?error}, ${VAR:+other} or ${VAR+other}");
  }
  const char op = rest[0];
  const std::string_view word = rest.substr(1);
  const bool present = colon ? non_empty : set;
  if (op == '-') {
    if (present) return found->second;
    return substitute(word, variables, depth + 1);
  }
  if (op == '+') {
    if (!present) return std::string();
    return substitute(word, variables, depth + 1);
  }
  if (present) return found->second;
  auto message = substitute(word, variables, depth + 1);
  if (!message) return message;
  return make_error("variable " + name + ": " +
                    (message->empty()
                         ? std::string(colon ? "is required and must not be empty" : "is required")
                         : *message));
}

Result<std::string> substitute(std::string_view text,
                               const std::map<std::string, std::string>& variables, int depth) {
  if (depth > kMaxNesting) {
    return make_error("variable references are nested more than " + std::to_string(kMaxNesting) +
                      " deep");
  }
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] != '$') {
      out += text[i++];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      // The matching '}', counting nested "${".
      std::size_t j = i + 2;
      int open = 1;
      while (j < text.size() && open > 0) {
        if (text[j] == '$' && j + 1 < text.size() && text[j + 1] == '{') {
          ++open;
          j += 2;
          continue;
        }
        if (text[j] == '}') --open;
        if (open > 0) ++j;
      }
      if (open > 0) {
        return make_error("malformed variable reference: '${' without a closing '}' in '" +
                          std::string(text.substr(i, 40)) + "'");
      }
      auto value = braced(text.substr(i + 2, j - i - 2), variables, depth);
      if (!value) return value;
      out += *value;
      i = j + 1;
      continue;
    }
    std::size_t end = i + 1;
    if (end < text.size() && is_name_start(text[end])) {
      while (end < text.size() && is_name_char(text[end])) ++end;
      const auto found = variables.find(std::string(text.substr(i + 1, end - i - 1)));
      if (found != variables.end()) out += found->second;
      i = end;
      continue;
    }
    return make_error("a '$' not followed by a variable name: write '$$' for a literal '$'");
  }
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_env_key(std::string_view key) {
  if (key.empty() || !is_name_start(key[0])) return false;
  for (char c : key)
    if (!is_name_char(c) && c != '.' && c != '-') return false;
  return true;
}

}  // namespace

Result<std::string> interpolate(std::string_view text,
                                const std::map<std::string, std::string>& variables) {
  return substitute(text, variables, 0);
}

Result<std::map<std::string, std::string>> parse_dotenv(std::string_view text,
                                                        const std::string& file_name) {
  if (text.size() > (1u << 20)) {
    return make_error(file_name + ": is larger than 1 MiB");
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::map<std::string, std::string> values;
  int line = 0;
  std::size_t position = 0;
  auto next_line = [&]() -> std::optional<std::string_view> {
    if (position > text.size()) return std::nullopt;
    const auto end = std::min(text.find('\n', position), text.size());
    std::string_view current = text.substr(position, end - position);
    position = end + 1;
    ++line;
    return current;
  };
  while (auto raw = next_line()) {
    const int at = line;
    auto error = [&](const std::string& message) {
      return make_error(file_name + ":" + std::to_string(at) + ": " + message);
    };
    std::string_view current = trim(*raw);
    if (current.empty() || current[0] == '#') continue;
    if (current.substr(0, 7) == "export " || current.substr(0, 7) == "export\t") {
      current = trim(current.substr(7));
    }
    const auto equals = current.find('=');
    if (equals == std::string_view::npos) {
      return error("expected KEY=value, got '" + std::string(current.substr(0, 80)) + "'");
    }
    const std::string key(trim(current.substr(0, equals)));
    if (!is_env_key(key)) {
      return error("'" + key.substr(0, 80) +
                   "' is not a variable name (letters, digits, '_', '.', '-', not starting "
                   "with a digit)");
    }
    std::string_view value = trim(current.substr(equals + 1));
    std::string parsed;
    if (!value.empty() && (value[0] == '\'' || value[0] == '"')) {
      const char quote = value[0];
      // A quoted value may span lines: read on until its closing quote.
      std::string_view rest = value.substr(1);
      std::string body;
      for (;;) {
        bool closed = false;
        std::size_t i = 0;
        for (; i < rest.size(); ++i) {
          const char c = rest[i];
          if (c == quote) {
            closed = true;
            break;
          }
          if (quote == '"' && c == '\\' && i + 1 < rest.size()) {
            const char escaped = rest[++i];
            body += escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped == 'r' ? '\r' : escaped;
            continue;
          }
          body += c;
        }
        if (closed) {
          std::string_view after = trim(rest.substr(i + 1));
          if (!after.empty() && after[0] != '#') {
            return error("unexpected text after the closing quote of " + key);
          }
          break;
        }
        auto more = next_line();
        if (!more) return error("the value of " + key + " has no closing " + std::string(1, quote));
        body += '\n';
        rest = *more;
      }
      parsed = std::move(body);
    } else {
      // An unquoted value ends at " #" (an inline comment).
      const auto comment = value.find(" #");
      parsed = std::string(trim(value.substr(0, comment)));
    }
    if (parsed.find('\0') != std::string::npos) return error(key + ": NUL characters are refused");
    values[key] = std::move(parsed);
  }
  return values;
}

}  // namespace dockgate::compose
