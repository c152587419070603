// Building the texts of findings, violations and mutations with one allocation each: the
// parts are measured first, then appended to a string reserved to their total length.
#pragma once

#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

namespace dockgate::policy::text {

inline std::string concat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (const auto part : parts) size += part.size();
  std::string out(size, '\0');
  char* at = out.data();
  for (const auto part : parts) {
    if (part.empty()) continue;
    std::memcpy(at, part.data(), part.size());
    at += part.size();
  }
  return out;
}

// "\"" + text + "\""
inline std::string quote(std::string_view value) {
  return concat({"\"", value, "\""});
}

// Whether text, read as ASCII case-insensitively, equals lower (given in lower case): what
// comparing a lower-cased copy with it says, without the copy.
inline bool iequals(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

inline bool istarts_with(std::string_view text, std::string_view lower) {
  return text.size() >= lower.size() && iequals(text.substr(0, lower.size()), lower);
}

}  // namespace dockgate::policy::text
