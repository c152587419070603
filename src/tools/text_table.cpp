#include "tools/text_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace dockgate::tools {

TextTable::TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::render() const {
  std::vector<std::size_t> widths(headers_.size());
  for (std::size_t c = 0; c < headers_.size(); ++c) widths[c] = headers_[c].size();
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      line += cells[c];
      if (c + 1 < cells.size()) line += std::string(widths[c] - cells[c].size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(headers_);
  for (const auto& row : rows_) emit(row);
  return out;
}

std::string human_age(std::int64_t unix_seconds, std::chrono::system_clock::time_point now) {
  const auto now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const double seconds = static_cast<double>(std::max<std::int64_t>(0, now_seconds - unix_seconds));
  auto plural = [](long n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (seconds < 1) return "Less than a second ago";
  if (seconds < 60) return plural(static_cast<long>(seconds), "second");
  const double minutes = seconds / 60, hours = minutes / 60, days = hours / 24;
  if (minutes < 60)
    return minutes < 2 ? "About a minute ago" : plural(static_cast<long>(minutes), "minute");
  if (hours < 48)
    return hours < 2 ? "About an hour ago" : plural(static_cast<long>(std::round(hours)), "hour");
  if (days < 14) return plural(static_cast<long>(days), "day");
  if (days < 60) return plural(static_cast<long>(days / 7), "week");
  if (days < 730) return plural(static_cast<long>(days / 30), "month");
  return plural(static_cast<long>(days / 365), "year");
}

std::string human_size(std::int64_t bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double size = static_cast<double>(bytes);
  int unit = 0;
  while (size >= 1000 && unit < 5) {
    size /= 1000;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g%s", size, kUnits[unit]);
  return buffer;
}

std::string rfc3339_utc(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace dockgate::tools
