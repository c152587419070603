#include "engine/api_version.hpp"

#include <algorithm>
#include <charconv>

namespace dockgate::engine {

namespace {

std::optional<int> parse_number(std::string_view digits) {
  if (digits.empty() || digits.size() > 6) return std::nullopt;
  int value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string ApiVersion::to_string() const {
  return std::to_string(major) + "." + std::to_string(minor);
}

std::optional<ApiVersion> parse_api_version(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto major = parse_number(text.substr(0, dot));
  const auto minor = parse_number(text.substr(dot + 1));
  if (!major || !minor) return std::nullopt;
  return ApiVersion{*major, *minor};
}

Result<std::string> choose_api_version(std::string_view engine_api_version,
                                       std::string_view engine_min_api_version) {
  const auto engine = parse_api_version(engine_api_version);
  if (!engine) {
    return make_error("the engine reported an API version we cannot read (\"" +
                      std::string(engine_api_version) + "\")");
  }
  const auto highest = *parse_api_version(kHighestApiVersion);
  const auto lowest = *parse_api_version(kLowestApiVersion);
  if (*engine < lowest) {
    return make_error("the engine speaks Engine API " + engine->to_string() +
                      ", older than the oldest dockgate supports (" +
                      std::string(kLowestApiVersion) + "); upgrade Docker");
  }
  const ApiVersion chosen = std::min(*engine, highest);
  if (const auto engine_min = parse_api_version(engine_min_api_version);
      engine_min && chosen < *engine_min) {
    return make_error("the engine no longer speaks Engine API " + chosen.to_string() +
                      " (its oldest is " + engine_min->to_string() + ")");
  }
  return chosen.to_string();
}

}  // namespace dockgate::engine
