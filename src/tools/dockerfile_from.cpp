#include "tools/dockerfile_from.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "actions/normalize.hpp"

namespace dockgate::tools {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const auto start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

struct Instruction {
  std::string keyword;  // lower-case
  std::string rest;
  int line = 0;
};

// Logical lines: comments dropped (also inside a continuation), continuations joined.
std::vector<Instruction> logical_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  // Parser directives come first: "# escape=`" changes the continuation character.
  char escape = '\\';
  for (const auto raw : lines) {
    const auto line = trim(raw);
    if (line.empty() || line[0] != '#') break;
    const auto body = lower(trim(line.substr(1)));
    if (body.rfind("escape", 0) != 0) continue;
    const auto value = trim(std::string_view(body).substr(body.find('=') + 1));
    if (body.find('=') != std::string::npos && value.size() == 1) escape = value[0];
  }
  std::vector<Instruction> out;
  std::string pending;
  int pending_line = 0;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const auto line = trim(lines[n]);
    if (line.empty() || line[0] == '#') continue;
    if (pending.empty()) pending_line = static_cast<int>(n) + 1;
    if (line.back() == escape) {
      pending.append(line.substr(0, line.size() - 1));
      pending.push_back(' ');
      continue;
    }
    pending.append(line);
    const auto words = trim(pending);
    const auto space = words.find_first_of(" \t");
    out.push_back({lower(words.substr(0, space)),
                   space == std::string_view::npos ? "" : std::string(trim(words.substr(space))),
                   pending_line});
    pending.clear();
  }
  if (!trim(pending).empty()) {
    const auto words = trim(pending);
    const auto space = words.find_first_of(" \t");
    out.push_back({lower(words.substr(0, space)),
                   space == std::string_view::npos ? "" : std::string(trim(words.substr(space))),
                   pending_line});
  }
  return out;
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// docker's shell-word substitution, limited to what a FROM line needs.
Result<std::string> substitute(const std::string& text,
                               const std::map<std::string, std::string>& variables,
                               const std::string& where) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (text[i] != '$') {
      out.push_back(text[i]);
      continue;
    }
    std::string name;
    std::optional<std::pair<std::string, std::string>> modifier;  // ":-" or ":+", word
    if (i + 1 < text.size() && text[i + 1] == '{') {
      const auto close = text.find('}', i + 2);
      if (close == std::string::npos)
        return make_error(where + ": unterminated ${ in \"" + text + "\"");
      const std::string inside = text.substr(i + 2, close - i - 2);
      std::size_t n = 0;
      while (n < inside.size() && is_name_char(inside[n])) ++n;
      name = inside.substr(0, n);
      if (n < inside.size()) {
        const auto op = inside.substr(n, 2);
        if (op != ":-" && op != ":+")
          return make_error(where + ": unsupported substitution \"${" + inside +
                            "}\" (allowed: ${NAME}, $NAME, ${NAME:-default}, ${NAME:+alt})");
        modifier = std::pair{op, inside.substr(n + 2)};
      }
      i = close;
    } else {
      std::size_t n = i + 1;
      while (n < text.size() && is_name_char(text[n])) ++n;
      name = text.substr(i + 1, n - i - 1);
      i = n - 1;
    }
    if (name.empty())
      return make_error(where + ": a '$' without a variable name in \"" + text + "\"");
    const auto found = variables.find(name);
    const bool set = found != variables.end() && !found->second.empty();
    if (modifier && modifier->first == ":-") {
      out += set ? found->second : modifier->second;
    } else if (modifier) {
      out += set ? modifier->second : "";
    } else if (found == variables.end()) {
      return make_error(where + ": the variable " + name +
                        " is not declared by an ARG before the first FROM; declare it "
                        "(ARG " +
                        name + "=default) or give the image literally");
    } else {
      out += found->second;
    }
  }
  return out;
}

void declare_args(const std::string& rest, const std::map<std::string, std::string>& build_args,
                  std::map<std::string, std::string>& variables) {
  for (const auto& word : split_words(rest)) {
    const auto equals = word.find('=');
    const auto name = word.substr(0, equals);
    std::string value = equals == std::string::npos ? "" : word.substr(equals + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    if (const auto given = build_args.find(name); given != build_args.end()) value = given->second;
    variables[name] = value;
  }
}

Result<std::optional<actions::ImageRef>> image_of(const std::string& text,
                                                  const std::vector<std::string>& stages,
                                                  const std::string& where) {
  const auto name = lower(text);
  if (name == "scratch" || std::find(stages.begin(), stages.end(), name) != stages.end())
    return std::optional<actions::ImageRef>{};
  auto image = actions::parse_image_reference(text);
  if (!image) return make_error(where + ": \"" + text + "\": " + image.error().message);
  return std::optional<actions::ImageRef>{*image};
}

}  // namespace

Result<DockerfileImages> parse_dockerfile_images(
    std::string_view dockerfile, const std::map<std::string, std::string>& build_args) {
  DockerfileImages out;
  std::map<std::string, std::string> variables;  // ARGs declared before the first FROM
  bool seen_from = false;
  for (const auto& instruction : logical_lines(dockerfile)) {
    const std::string where = "Dockerfile line " + std::to_string(instruction.line);
    if (instruction.keyword == "arg" && !seen_from) {
      declare_args(instruction.rest, build_args, variables);
    } else if (instruction.keyword == "from") {
      seen_from = true;
      auto words = split_words(instruction.rest);
      while (!words.empty() && words.front().rfind("--", 0) == 0) {
        if (words.front().rfind("--platform=", 0) != 0)
          return make_error(where + ": unknown FROM flag \"" + words.front() +
                            "\" (allowed: --platform=...)");
        words.erase(words.begin());
      }
      if (words.size() != 1 && !(words.size() == 3 && lower(words[1]) == "as"))
        return make_error(where + ": FROM takes \"[--platform=...] image [AS name]\", got \"" +
                          instruction.rest + "\"");
      auto text = substitute(words[0], variables, where);
      if (!text) return text.error();
      if (text->empty())
        return make_error(where + ": FROM \"" + words[0] + "\" is empty after substitution");
      auto image = image_of(*text, out.stages, where);
      if (!image) return image.error();
      if (*image) out.images.push_back(**image);
      if (words.size() == 3) out.stages.push_back(lower(words[2]));
    } else if (instruction.keyword == "copy" && seen_from) {
      // COPY --from=<image> pulls that image too (a stage name or index is not an image).
      for (const auto& word : split_words(instruction.rest)) {
        if (word.rfind("--", 0) != 0) break;
        if (word.rfind("--from=", 0) != 0) continue;
        const auto source = word.substr(7);
        if (!source.empty() && std::all_of(source.begin(), source.end(),
                                           [](unsigned char c) { return std::isdigit(c); }))
          continue;
        if (source.find('$') != std::string::npos)
          return make_error(where + ": COPY --from=\"" + source +
                            "\" uses a variable; give the stage or image literally");
        auto image = image_of(source, out.stages, where);
        if (!image) return image.error();
        if (*image) out.images.push_back(**image);
      }
    }
  }
  if (!seen_from) return make_error("the Dockerfile has no FROM instruction");
  return out;
}

}  // namespace dockgate::tools
