#include "tools/object_arguments.hpp"

#include <cctype>
#include <cstdint>
#include <regex>

#include "actions/normalize.hpp"

namespace dockgate::tools {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

Result<std::string> rfc3339_to_unix(const std::smatch& m) {
  const auto year = std::stoll(m[1]);
  const auto month = static_cast<unsigned>(std::stoul(m[2]));
  const auto day = static_cast<unsigned>(std::stoul(m[3]));
  const auto hour = std::stoi(m[4]), minute = std::stoi(m[5]), second = std::stoi(m[6]);
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const unsigned month_days =
      month >= 1 && month <= 12 ? kDays[month - 1] + (month == 2 && is_leap(year)) : 0;
  if (month_days == 0 || day < 1 || day > month_days || hour > 23 || minute > 59 || second > 60) {
    return make_error("is not a valid date and time");
  }
  std::int64_t seconds =
      days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + std::min(second, 59);
  const std::string zone = m[8];
  if (zone != "Z" && zone != "z") {
    const int offset = std::stoi(zone.substr(1, 2)) * 3600 + std::stoi(zone.substr(4, 2)) * 60;
    if (std::stoi(zone.substr(1, 2)) > 23 || std::stoi(zone.substr(4, 2)) > 59) {
      return make_error("has an invalid UTC offset");
    }
    seconds -= zone[0] == '+' ? offset : -offset;
  }
  if (seconds < 0) return make_error("is before 1970");
  std::string out = std::to_string(seconds);
  const std::string fraction = m[7];
  if (!fraction.empty()) out += fraction;  // ".5": the API takes seconds.fraction
  return out;
}

}  // namespace

Status check_object_name(std::string_view argument, std::string_view value, std::string_view what) {
  static const std::regex kName(R"([A-Za-z0-9][A-Za-z0-9_.-]*)");
  const std::string text(value);
  if (!std::regex_match(text, kName) || text.find("..") != std::string::npos) {
    return make_error("argument '" + std::string(argument) + "' must be a " + std::string(what) +
                      " name or id (letters, digits and _ . -, starting with a letter or digit, "
                      "no \"..\"), got '" +
                      text + "'");
  }
  return Ok{};
}

Status check_driver_name(std::string_view driver) {
  static const std::regex kDriver(R"([A-Za-z0-9][A-Za-z0-9_.:/-]*)");
  const std::string text(driver);
  if (!std::regex_match(text, kDriver) || text.find("..") != std::string::npos) {
    return make_error(
        "argument 'driver' must be a driver name like \"local\" or \"bridge\" (letters, "
        "digits and _ . : / -), got '" +
        text + "'");
  }
  return Ok{};
}

Result<std::map<std::string, std::string>> string_map_argument(std::string_view argument,
                                                               const nlohmann::json& value,
                                                               bool refuse_dockgate_prefix) {
  constexpr std::size_t kMaxEntries = 64, kMaxKey = 256, kMaxValue = 4096;
  std::map<std::string, std::string> entries;
  const std::string name(argument);
  if (value.is_null()) return entries;
  if (!value.is_object()) return make_error("argument '" + name + "' must be an object");
  if (value.size() > kMaxEntries) {
    return make_error("argument '" + name + "' has " + std::to_string(value.size()) +
                      " entries (at most " + std::to_string(kMaxEntries) + ")");
  }
  static const std::regex kKey(R"([A-Za-z0-9_.:/-]{1,256})");
  for (const auto& [key, item] : value.items()) {
    if (key.size() > kMaxKey || !std::regex_match(key, kKey)) {
      return make_error("argument '" + name + "' has a key '" + key.substr(0, 80) +
                        "' that is not 1..256 letters, digits or _ . : / -");
    }
    if (!item.is_string()) {
      return make_error("argument '" + name + "." + key + "' must be a string, e.g. {\"" + key +
                        "\": \"value\"} (numbers and booleans must be quoted)");
    }
    const auto& text = item.get_ref<const std::string&>();
    if (text.size() > kMaxValue || text.find('\0') != std::string::npos) {
      return make_error("argument '" + name + "." + key + "' must be at most " +
                        std::to_string(kMaxValue) + " characters, without NUL");
    }
    std::string lowered = key;
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (refuse_dockgate_prefix && lowered.rfind(kDockgateLabelPrefix, 0) == 0) {
      return make_error("argument '" + name + "." + key + "': keys starting with \"" +
                        std::string(kDockgateLabelPrefix) +
                        "\" are reserved for dockgate's own bookkeeping; choose another key");
    }
    entries[key] = text;
  }
  return entries;
}

nlohmann::json string_map_schema(std::string description) {
  // Values are checked by string_map_argument, with messages that name the key.
  return {{"type", "object"}, {"description", std::move(description)}};
}

Result<std::string> logs_since_to_unix(std::string_view since,
                                       std::chrono::system_clock::time_point now) {
  const std::string text(since);
  const std::string accepted =
      " (accepted: an RFC 3339 time like \"2026-11-27T18:00:00Z\", Unix seconds like "
      "\"1795802400\", or a duration back from now like \"10m\" or \"1h30m\")";
  static const std::regex kUnix(R"(\d{1,12}(\.\d{1,9})?)");
  if (std::regex_match(text, kUnix)) return text;
  static const std::regex kRfc3339(
      R"((\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))");
  std::smatch match;
  if (std::regex_match(text, match, kRfc3339)) {
    auto unix_seconds = rfc3339_to_unix(match);
    if (!unix_seconds)
      return make_error("argument 'since' " + unix_seconds.error().message + ": '" + text + "'");
    return unix_seconds;
  }
  if (!text.empty() && text.front() != '-' && text.front() != '+') {
    if (auto duration = actions::parse_duration_ns(text)) {
      const auto back = std::chrono::nanoseconds(*duration);
      const auto when =
          std::chrono::duration_cast<std::chrono::seconds>((now - back).time_since_epoch());
      return std::to_string(std::max<std::int64_t>(when.count(), 0));
    }
  }
  return make_error("argument 'since' must be a time, got '" + text + "'" + accepted);
}

}  // namespace dockgate::tools
