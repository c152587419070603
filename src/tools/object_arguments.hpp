// Arguments that name engine objects or times, shared by the container, volume and network
// tools (internal to the tools component). Names end up in request paths, so anything beyond
// docker's own name grammar is refused rather than encoded and hoped for.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace dockgate::tools {

// Labels under this prefix are dockgate's own bookkeeping; a model may not set them.
inline constexpr std::string_view kDockgateLabelPrefix = "dockgate.";

// A container, volume or network name or id, as docker names them: [A-Za-z0-9][A-Za-z0-9_.-]*
// with no "..". argument is the argument's name, for the message.
Status check_object_name(std::string_view argument, std::string_view value, std::string_view what);

// Volume and network drivers: "local", "bridge" or a plugin like "vieux/sshfs:latest".
Status check_driver_name(std::string_view driver);

// labels / driver_opts: an object of strings (absent: empty). Keys are 1..256 characters of
// [A-Za-z0-9_.:/-]; values at most 4096 characters; at most 64 entries. With
// refuse_dockgate_prefix, keys starting "dockgate." are refused: they are dockgate's own.
Result<std::map<std::string, std::string>> string_map_argument(std::string_view argument,
                                                               const nlohmann::json& value,
                                                               bool refuse_dockgate_prefix);

// The schema of such an argument.
nlohmann::json string_map_schema(std::string description);

// docker logs --since: an RFC 3339 time ("2026-11-27T18:00:00Z", fraction and offset
// allowed), Unix seconds ("1764266400" or "1764266400.5") or a Go duration back from now
// ("10m", "1h30m"). Returns the Unix time the Engine API takes ("1764266400" or with a
// fraction). Errors say which forms are accepted.
Result<std::string> logs_since_to_unix(std::string_view since,
                                       std::chrono::system_clock::time_point now);

}  // namespace dockgate::tools
