// Sizes, CPU counts and durations, computed exactly in integers (docker goes through float64
// or big.Rat; for every input accepted here the results agree).
//   memory:   docker's units.RAMInBytes: number[.fraction] with an optional case-insensitive
//             unit b, k, m, g, t or p (binary multiples), optionally followed by "b" or "ib".
//   cpus:     docker's --cpus (opts.NanoCPUs): a decimal with at most 9 fractional digits.
//   duration: Go's time.ParseDuration: one or more number[.fraction]unit, units ns, us (µs,
//             μs), ms, s, m, h; no sign, and a bare number (even "0") is refused.
// Stricter than docker, never looser: no spaces, signs, exponents or rationals ("1/2"), and a
// zero memory or CPU value (docker's "no limit") is refused: the caller omits it instead.
#include <cstdint>
#include <limits>
#include <string>

#include "actions/normalize.hpp"
#include "actions/normalize_text.hpp"

namespace dockgate::actions {
namespace {

using text::quoted;
using Wide = unsigned __int128;

constexpr std::size_t kMaxNumberText = 64;
constexpr std::size_t kMaxFractionDigits = 18;
constexpr Wide kInt64Max = static_cast<Wide>(std::numeric_limits<std::int64_t>::max());

// "12.345" -> whole 12, fraction 345 over 10^3. Only digits with an optional '.' between
// digit runs; fraction digits beyond 18 are dropped (they cannot change the result).
struct Decimal {
  std::uint64_t whole = 0;
  std::uint64_t fraction = 0;
  std::uint64_t scale = 1;  // 10^(kept fraction digits)
  std::size_t fraction_digits = 0;
};

std::optional<Decimal> parse_decimal(std::string_view number) {
  std::size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  Decimal out;
  auto value = text::parse_uint(whole, std::numeric_limits<std::int64_t>::max());
  if (!value) return std::nullopt;
  out.whole = *value;
  if (dot != std::string_view::npos) {
    std::string_view fraction = number.substr(dot + 1);
    if (!text::all_digits(fraction)) return std::nullopt;
    out.fraction_digits = fraction.size();
    for (std::size_t i = 0; i < fraction.size() && i < kMaxFractionDigits; ++i) {
      out.fraction = out.fraction * 10 + static_cast<std::uint64_t>(fraction[i] - '0');
      out.scale *= 10;
    }
  }
  return out;
}

// digits, optionally '.' and more digits: the text parse_decimal reads, whatever its size.
bool is_decimal_text(std::string_view s) {
  std::size_t dot = s.find('.');
  if (!text::all_digits(s.substr(0, dot))) return false;
  return dot == std::string_view::npos || text::all_digits(s.substr(dot + 1));
}

// floor(decimal * multiplier), or nullopt above INT64_MAX.
std::optional<std::int64_t> scaled(const Decimal& d, std::uint64_t multiplier) {
  Wide total = static_cast<Wide>(d.whole) * multiplier;
  total += static_cast<Wide>(d.fraction) * multiplier / d.scale;
  if (total > kInt64Max) return std::nullopt;
  return static_cast<std::int64_t>(total);
}

std::size_t number_prefix_length(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (text::is_digit(s[i]) || s[i] == '.')) ++i;
  return i;
}

}  // namespace

Result<std::int64_t> parse_memory_bytes(std::string_view input) {
  const std::string how =
      "use a number with an optional unit b, k, m or g (also t, p; binary multiples), e.g. 512m";
  if (input.empty()) return make_error("memory size is empty: " + how);
  if (input.size() > kMaxNumberText) {
    return make_error("memory size " + quoted(input) + " is too long: " + how);
  }
  std::size_t split = number_prefix_length(input);
  std::string_view number = input.substr(0, split);
  std::string suffix = text::lower(input.substr(split));
  auto decimal = parse_decimal(number);
  if (!decimal) {
    if (is_decimal_text(number))
      return make_error("memory size " + quoted(input) + " is too large");
    return make_error("memory " + quoted(input) + " is not a size: " + how);
  }
  int shift = -1;
  if (suffix.empty() || suffix == "b") shift = 0;
  if (suffix.size() >= 1 && suffix.size() <= 3 && suffix != "b") {
    std::string_view units = "kmgtp";
    std::size_t index = units.find(suffix[0]);
    std::string_view rest = std::string_view(suffix).substr(1);
    if (index != std::string_view::npos && (rest.empty() || rest == "b" || rest == "ib")) {
      shift = 10 * static_cast<int>(index + 1);
    }
  }
  if (shift < 0) {
    return make_error("memory " + quoted(input) + " is not a size: unit " + quoted(suffix) +
                      " is not known; " + how);
  }
  auto bytes = scaled(*decimal, std::uint64_t{1} << shift);
  if (!bytes) return make_error("memory size " + quoted(input) + " is too large");
  if (*bytes == 0) {
    return make_error("memory " + quoted(input) +
                      " is zero bytes: a limit must be at least 1 byte (leave the field out for "
                      "no limit)");
  }
  return *bytes;
}

Result<std::int64_t> parse_nano_cpus(std::string_view input) {
  const std::string how = "use a positive decimal number of CPUs, e.g. 0.5 or 2";
  if (input.empty()) return make_error("cpus is empty: " + how);
  if (input.size() > kMaxNumberText) return make_error("cpus " + quoted(input) + " is too long");
  if (number_prefix_length(input) != input.size()) {
    return make_error("cpus " + quoted(input) + " is not a number: " + how);
  }
  auto decimal = parse_decimal(input);
  if (!decimal) {
    if (is_decimal_text(input)) return make_error("cpus " + quoted(input) + " is too large");
    return make_error("cpus " + quoted(input) + " is not a number: " + how);
  }
  if (decimal->fraction_digits > 9) {
    return make_error("cpus " + quoted(input) +
                      " is too precise: at most 9 digits after the decimal point");
  }
  auto nano = scaled(*decimal, 1'000'000'000);
  if (!nano) return make_error("cpus " + quoted(input) + " is too large");
  if (*nano == 0) {
    return make_error("cpus " + quoted(input) +
                      " must be more than 0 (leave the field out for no limit)");
  }
  return *nano;
}

Result<std::int64_t> parse_duration_ns(std::string_view input) {
  const std::string how = "use a number with a unit ns, us, ms, s, m or h, e.g. 30s or 1m30s";
  if (input.empty()) return make_error("duration is empty: " + how);
  if (input.size() > kMaxNumberText) {
    return make_error("duration " + quoted(input) + " is too long: " + how);
  }
  if (input.front() == '-' || input.front() == '+') {
    return make_error("duration " + quoted(input) + " must not have a sign: " + how);
  }
  if (number_prefix_length(input) == input.size()) {
    return make_error("duration " + quoted(input) + ": missing unit: use e.g. " +
                      std::string(input) + "s");
  }
  Wide total = 0;
  std::string_view rest = input;
  while (!rest.empty()) {
    std::size_t number_length = number_prefix_length(rest);
    std::string_view number = rest.substr(0, number_length);
    rest = rest.substr(number_length);
    // Go accepts ".5s" and "5.s"; so do we, but a unit needs some digit before it.
    if (number.find_first_of("0123456789") == std::string_view::npos) {
      return make_error("duration " + quoted(input) + " is not a duration: " + how);
    }
    std::string normalized(number);
    if (!normalized.empty() && normalized.front() == '.') normalized.insert(0, "0");
    if (!normalized.empty() && normalized.back() == '.') normalized.pop_back();
    auto decimal = parse_decimal(normalized);
    if (!decimal) {
      if (is_decimal_text(normalized)) {
        return make_error("duration " + quoted(input) + " is too large");
      }
      return make_error("duration " + quoted(input) + " is not a duration: " + how);
    }
    std::size_t unit_length = 0;
    while (unit_length < rest.size() && !text::is_digit(rest[unit_length]) &&
           rest[unit_length] != '.') {
      ++unit_length;
    }
    std::string_view unit = rest.substr(0, unit_length);
    rest = rest.substr(unit_length);
    std::uint64_t unit_ns = 0;
    if (unit == "ns") unit_ns = 1;
    if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") unit_ns = 1'000;
    if (unit == "ms") unit_ns = 1'000'000;
    if (unit == "s") unit_ns = 1'000'000'000;
    if (unit == "m") unit_ns = 60'000'000'000;
    if (unit == "h") unit_ns = 3'600'000'000'000;
    if (unit.empty()) {
      return make_error("duration " + quoted(input) + ": missing unit after " + quoted(number) +
                        ": " + how);
    }
    if (unit_ns == 0) {
      return make_error("duration " + quoted(input) + " has an unknown unit " + quoted(unit) +
                        ": " + how);
    }
    auto part = scaled(*decimal, unit_ns);
    if (!part) return make_error("duration " + quoted(input) + " is too large");
    total += static_cast<Wide>(*part);
    if (total > kInt64Max) return make_error("duration " + quoted(input) + " is too large");
  }
  return static_cast<std::int64_t>(total);
}

}  // namespace dockgate::actions
