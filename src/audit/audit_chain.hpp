// The hash chain that makes the audit log tamper-evident. This is the one definition of the
// on-disk format that the writer produces and `dockgate audit verify` checks:
//   - every record is one line: its canonical JSON (keys sorted, no spaces, invalid UTF-8
//     replaced by U+FFFD), then '\n';
//   - every record carries "seq" (1, 2, 3, ... without gaps, continuing across rotated files)
//     and "prev": the lowercase hex SHA-256 of the previous record's line, without its '\n';
//   - the first record of a chain has seq 1 and prev = kGenesisHash.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dockgate::audit {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The line for a record (without '\n'): the only serialization used for hashing and writing.
std::string canonical_line(const nlohmann::json& record);

// Lowercase hex SHA-256 of a line as written, without its '\n'.
std::string line_hash(std::string_view line);

}  // namespace dockgate::audit
