// The audit log's files as the writer finds them at open and leaves them at rotation: the
// tail of a file (its last complete line, a torn line after a crash), the chain head a line
// holds, rotated names and the newest rotated sibling. Internal to the audit component.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "audit/audit_writer.hpp"
#include "common/result.hpp"

namespace dockgate::audit::detail {

struct LogTail {
  std::uint64_t complete_bytes = 0;  // where the last complete line ends
  std::uint64_t total_bytes = 0;     // more than complete_bytes: a torn last line
  std::string last_line;             // the last complete line without '\n' (empty: none)
  std::string torn;                  // the bytes after the last '\n' (up to 1 MiB of them)
};

// Reads backwards from the end of an open regular file.
Result<LogTail> read_tail(int fd, const std::string& path);

// The chain head a record line carries: its "seq" and the hash of the line itself.
// nullopt: the line is a JSON object without "seq" (a schema 1 log, not chained).
Result<std::optional<ChainHead>> head_of_line(const std::string& line, const std::string& path);

// The "time" of the file's first record, when it has one that parses.
std::optional<std::chrono::system_clock::time_point> first_record_time(int fd);

// "<folder>/<stem>-<yyyymmddThhmmssZ>[-n]<ext>" for `when`, the first such name not taken.
std::string rotated_name(const std::string& path, std::chrono::system_clock::time_point when);

// The newest "<stem>-<timestamp>[-n]<ext>" beside path, if any.
std::optional<std::string> newest_rotated_sibling(const std::string& path);

// fsync of the folder holding path, so a create or rename survives a crash.
void sync_folder_of(const std::string& path);

}  // namespace dockgate::audit::detail
