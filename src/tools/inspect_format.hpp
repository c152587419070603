// The part of docker's Go-template --format that people use with inspect: text with
// {{.A.B}}, {{json .A.B}}, {{index .A "key"}}, {{json (index .A "key")}} and
// {{(index .A "key").B}} actions. Anything else is refused with a clear error rather than
// guessed at.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace dockgate::tools {

Result<std::string> apply_inspect_format(std::string_view format, const nlohmann::json& object);

// What replaces the value of a secret-like environment variable in inspect output.
inline constexpr std::string_view kRedactedValue = "<redacted>";

// The inspected object with the values of secret-like environment variables (names containing
// PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, APIKEY, PRIVATE_KEY, CREDENTIAL, ACCESS_KEY or
// AUTH, any case) in Config.Env and ContainerConfig.Env replaced by kRedactedValue.
nlohmann::json redact_secret_environment(nlohmann::json object);

}  // namespace dockgate::tools
