// Test-side check of the hash chain (audit_chain.hpp), written independently of the writer:
// every line parses, seq counts up by one, prev is the SHA-256 of the line before.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_chain.hpp"

namespace dockgate::audit::testing {

inline std::vector<std::string> file_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline std::vector<nlohmann::json> file_records(const std::string& path) {
  std::vector<nlohmann::json> records;
  for (const auto& line : file_lines(path)) records.push_back(nlohmann::json::parse(line));
  return records;
}

// The files of one chain, oldest first. Returns "" when the chain holds, else what breaks it.
inline std::string chain_problem(const std::vector<std::string>& files) {
  std::uint64_t expected_seq = 1;
  std::string expected_prev(kGenesisHash);
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!text.empty() && text.back() != '\n') return file + ": does not end with a newline";
    std::size_t start = 0;
    while (start < text.size()) {
      const auto end = text.find('\n', start);
      const std::string line = text.substr(start, end - start);
      start = end + 1;
      const auto record = nlohmann::json::parse(line, nullptr, false);
      if (record.is_discarded()) return file + ": not JSON: " + line;
      if (record.value("seq", std::uint64_t{0}) != expected_seq)
        return file + ": seq " + record.value("seq", nlohmann::json()).dump() + ", expected " +
               std::to_string(expected_seq);
      if (record.value("prev", std::string()) != expected_prev)
        return file + ": seq " + std::to_string(expected_seq) + " has a wrong prev";
      if (canonical_line(record) != line)
        return file + ": seq " + std::to_string(expected_seq) + " is not canonical";
      expected_prev = line_hash(line);
      ++expected_seq;
    }
  }
  return "";
}

}  // namespace dockgate::audit::testing
