// Internal to the engine component: Engine API version arithmetic. Versions are "major.minor"
// and compare numerically ("1.9" < "1.41"), never as strings.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace dockgate::engine {

// The highest API we speak (Docker 20.10) and the oldest engine we accept.
inline constexpr std::string_view kHighestApiVersion = "1.41";
inline constexpr std::string_view kLowestApiVersion = "1.24";

struct ApiVersion {
  int major = 0;
  int minor = 0;
  auto operator<=>(const ApiVersion&) const = default;
  std::string to_string() const;
};

std::optional<ApiVersion> parse_api_version(std::string_view text);

// The version we will use with an engine that reports `engine_api_version` (and, since API
// 1.25, `engine_min_api_version`, empty if absent): the engine's, capped at ours. Engines
// older than kLowestApiVersion, or that no longer speak ours, are refused.
Result<std::string> choose_api_version(std::string_view engine_api_version,
                                       std::string_view engine_min_api_version);

}  // namespace dockgate::engine
