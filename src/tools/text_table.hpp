// Column-aligned text like the docker CLI's tables (tabwriter with 3 spaces of padding).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace dockgate::tools {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  std::string render() const;
  std::size_t row_count() const { return rows_.size(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "5 minutes ago", "About an hour ago", "2 days ago": docker's units.ToHumanSize/HumanDuration.
std::string human_age(std::int64_t unix_seconds, std::chrono::system_clock::time_point now);
// "7.5MB", "1.23GB": docker's units.HumanSize (decimal, 3 significant digits).
std::string human_size(std::int64_t bytes);
// "2026-11-27T18:19:36Z".
std::string rfc3339_utc(std::int64_t unix_seconds);

}  // namespace dockgate::tools
