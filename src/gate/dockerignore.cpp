#include "gate/dockerignore.hpp"

namespace dockgate::gate {
namespace {

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// patternmatcher's compile: '*' within a segment, '**' across segments (also none), '?' one
// character, '\' escapes the next character, [...] kept as a class, the rest literal.
std::string to_regex(std::string_view pattern) {
  std::string out = "^";
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '*') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
        ++i;
        if (i + 1 < pattern.size() && pattern[i + 1] == '/') ++i;
        out += i + 1 == pattern.size() ? ".*" : "(.*/)?";
      } else {
        out += "[^/]*";
      }
    } else if (c == '?') {
      out += "[^/]";
    } else if (c == '\\' && i + 1 < pattern.size()) {
      out += '\\';
      out += pattern[++i];
    } else if (c == '[') {
      const auto close = pattern.find(']', i + 1);
      if (close == std::string_view::npos) {
        out += "\\[";
      } else {
        std::string inside(pattern.substr(i + 1, close - i - 1));
        if (!inside.empty() && inside[0] == '!') inside[0] = '^';
        out += "[" + inside + "]";
        i = close;
      }
    } else if (std::string_view(".+()|{}$^]").find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out + "$";
}

}  // namespace

std::string clean_path(std::string_view path) {
  const bool rooted = !path.empty() && path[0] == '/';
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const auto part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.emplace_back("..");
      }
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    start = end + 1;
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out.empty() ? "." : out;
}

Result<DockerIgnore> DockerIgnore::parse(std::string_view text) {
  DockerIgnore ignore;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 BOM
  std::size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line[0] == '#') continue;
    line = trim(line);
    if (line.empty()) continue;
    bool exception = false;
    if (line[0] == '!') {
      exception = true;
      line = trim(line.substr(1));
    }
    if (line.empty()) continue;
    std::string pattern = clean_path(line);
    if (pattern.size() > 1 && pattern[0] == '/') pattern.erase(0, 1);
    try {
      ignore.patterns_.push_back({pattern, std::regex(to_regex(pattern)), exception});
    } catch (const std::regex_error&) {
      return make_error(".dockerignore line " + std::to_string(line_number) + ": the pattern \"" +
                        std::string(line) + "\" cannot be read");
    }
    ignore.has_exceptions_ = ignore.has_exceptions_ || exception;
  }
  return ignore;
}

bool DockerIgnore::excluded(std::string_view path) const {
  const std::string file = clean_path(path);
  std::vector<std::string> parents;  // "a", "a/b" for "a/b/c"
  for (auto slash = file.find('/'); slash != std::string::npos; slash = file.find('/', slash + 1))
    parents.push_back(file.substr(0, slash));
  bool matched = false;
  for (const auto& pattern : patterns_) {
    // An exception can only undo a match; a pattern can only add one.
    if (pattern.exception != matched) continue;
    bool match = std::regex_match(file, pattern.regex);
    for (std::size_t i = 0; !match && i < parents.size(); ++i)
      match = std::regex_match(parents[i], pattern.regex);
    if (match) matched = !pattern.exception;
  }
  return matched;
}

}  // namespace dockgate::gate
