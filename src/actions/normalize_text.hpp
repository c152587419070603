// Small text helpers shared by the normalizer files (not part of the public interface).
// All are linear in the input and allocate at most one bounded copy, so fuzzing stays cheap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockgate::actions::text {

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_lower_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z');
}
inline bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}
inline bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}
inline char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
inline char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}
inline std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_upper(c);
  return out;
}
// Any ASCII control character, space or DEL: never part of a docker value we accept
// unless a parser says otherwise.
inline bool has_space_or_control(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return true;
  return false;
}

// The input as it may appear in an error message: quoted, control bytes escaped, long
// inputs cut, so a hostile value cannot forge log lines or flood the reply.
inline std::string quoted(std::string_view s, std::size_t max_chars = 80) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "'";
  std::size_t shown = 0;
  for (unsigned char c : s) {
    if (shown == max_chars) {
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
    ++shown;
  }
  out += "'";
  return out;
}

// Splits on every occurrence of sep (like Go's strings.Split): "a::b" -> {"a", "", "b"}.
inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// Decimal digits to an unsigned value; nullopt when empty, not all digits or above max.
inline std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
  if (!all_digits(s)) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : s) {
    std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace dockgate::actions::text
