// Builds audit logs for tests exactly as audit_chain.hpp defines them: canonical lines with
// seq and prev, so that a test can then damage one and see verify point at it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "audit/audit_chain.hpp"

namespace dockgate::audit::testing {

class ChainedLog {
 public:
  // Appends a record with the next seq and prev; returns its line.
  const std::string& add(nlohmann::json record) {
    record["seq"] = next_seq_++;
    record["prev"] = prev_;
    lines.push_back(canonical_line(record));
    prev_ = line_hash(lines.back());
    return lines.back();
  }
  // A call: intent then outcome, sharing a call_id.
  void add_call(const std::string& call_id, const std::string& time, const std::string& principal,
                const std::string& tool, const std::string& decision, const std::string& result,
                nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json intent = {
        {"schema", 2},
        {"stage", "intent"},
        {"call_id", call_id},
        {"time", time},
        {"principal", {{"name", principal}, {"roles", nlohmann::json::array()}}},
        {"tool", tool},
        {"decision", decision},
        {"arguments", nlohmann::json::object()}};
    intent.update(extra);
    add(intent);
    add({{"schema", 2},
         {"stage", "outcome"},
         {"call_id", call_id},
         {"time", time},
         {"principal", {{"name", principal}, {"roles", nlohmann::json::array()}}},
         {"tool", tool},
         {"result", result}});
  }
  std::string hash_of_line(std::size_t index) const { return line_hash(lines.at(index)); }

  // All lines, each with its '\n'.
  std::string text(std::size_t from = 0, std::size_t to = SIZE_MAX) const {
    std::string out;
    for (std::size_t i = from; i < lines.size() && i < to; ++i) out += lines[i] + "\n";
    return out;
  }

  std::vector<std::string> lines;

 private:
  std::uint64_t next_seq_ = 1;
  std::string prev_ = std::string(kGenesisHash);
};

// A folder removed at the end of the test.
class TempFolder {
 public:
  TempFolder()
      : path_(std::filesystem::temp_directory_path() /
              ("dockgate-audit-test-" + std::to_string(::getpid()) + "-" +
               std::to_string(counter()++))) {
    std::filesystem::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  static int& counter() {
    static int value = 0;
    return value;
  }
  std::filesystem::path path_;
};

}  // namespace dockgate::audit::testing
