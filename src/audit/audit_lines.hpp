// Reading an audit log line by line with a bound on memory: a log may be larger than memory
// and a hostile or damaged file may hold one enormous line, so no line is ever kept whole
// beyond a limit, yet every line is still hashed so that the chain after it can be checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace dockgate::audit {

inline constexpr std::size_t kDefaultMaxLineBytes = 16u << 20;  // 16 MiB

struct LogLine {
  std::uint64_t number = 0;  // 1-based, within its file
  std::string text;          // without '\n'; empty when oversized
  std::string hash;          // lowercase hex SHA-256 of the whole line as written
  std::uint64_t length = 0;  // bytes of the whole line, without '\n'
  bool oversized = false;    // longer than the limit: text was not kept
  bool terminated = false;   // ended with '\n' (a torn last write has none)
};

class LogLineReader {
 public:
  LogLineReader(std::istream& in, std::size_t max_line_bytes = kDefaultMaxLineBytes)
      : in_(in), max_line_bytes_(max_line_bytes) {}

  // The next line, or false at the end of the stream.
  bool next(LogLine& line);

 private:
  std::istream& in_;
  std::size_t max_line_bytes_;
  std::uint64_t number_ = 0;
};

// Records may nest (a call's arguments are the client's), but dumping is recursive: beyond
// this depth a line is reported, not parsed, so a hostile line cannot exhaust the stack.
inline constexpr int kMaxRecordDepth = 512;

// The record on a line: a JSON object, or an error such as "not JSON (syntax error at byte 12)".
Result<nlohmann::json> parse_record_line(std::string_view text);

// A value from the log made safe for a terminal: control characters (C0, DEL, C1) escaped as
// \xNN, so that a client-chosen string cannot move the cursor or recolour an auditor's screen.
std::string printable(std::string_view text);

}  // namespace dockgate::audit
