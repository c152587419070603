#include "audit/audit_time.hpp"

#include <cctype>

namespace dockgate::audit {
namespace {

// Digits at [at, at + count) as a number, or -1.
int digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool is(std::string_view text, std::size_t at, char expected) {
  return at < text.size() && text[at] == expected;
}

}  // namespace

Result<ParsedTime> parse_audit_time(std::string_view text) {
  using namespace std::chrono;
  const auto wrong = [&](const std::string& why) -> Error {
    return make_error("'" + std::string(text.substr(0, 64)) + (text.size() > 64 ? "..." : "") +
                      "' is not a time: " + why +
                      " (expected YYYY-MM-DD or RFC 3339 such as 2026-11-27T18:30:00Z)");
  };
  const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  if (y < 0 || mo < 0 || d < 0 || !is(text, 4, '-') || !is(text, 7, '-'))
    return wrong("no YYYY-MM-DD date");
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) return wrong("no such day");
  const sys_days midnight{date};
  if (text.size() == 10) return ParsedTime{AuditTime{midnight}, true};
  if (!(is(text, 10, 'T') || is(text, 10, 't') || is(text, 10, ' ')))
    return wrong("expected 'T' after the date");
  const int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (h < 0 || mi < 0 || s < 0 || !is(text, 13, ':') || !is(text, 16, ':'))
    return wrong("no hh:mm:ss time");
  if (h > 23 || mi > 59 || s > 60) return wrong("no such time of day");
  std::size_t at = 19;
  int millis = 0;
  if (is(text, at, '.')) {
    std::size_t count = 0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]));
         ++at, ++count) {
      if (count < 3) millis = millis * 10 + (text[at] - '0');
    }
    if (count == 0) return wrong("no digits after '.'");
    for (; count < 3; ++count) millis *= 10;
  }
  minutes offset{0};
  if (is(text, at, 'Z') || is(text, at, 'z')) {
    ++at;
  } else if (is(text, at, '+') || is(text, at, '-')) {
    const int oh = digits(text, at + 1, 2), om = digits(text, at + 4, 2);
    if (oh < 0 || om < 0 || !is(text, at + 3, ':') || oh > 23 || om > 59)
      return wrong("the zone offset must be +hh:mm or -hh:mm");
    offset = hours{oh} + minutes{om};
    if (text[at] == '-') offset = -offset;
    at += 6;
  } else {
    return wrong("no time zone ('Z' or +hh:mm)");
  }
  if (at != text.size()) return wrong("unexpected text after the time");
  const auto local = midnight + hours{h} + minutes{mi} + seconds{s} + milliseconds{millis};
  return ParsedTime{AuditTime{local - offset}, false};
}

std::string utc_day(AuditTime time) {
  using namespace std::chrono;
  const year_month_day date{floor<days>(time)};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return out;
}

}  // namespace dockgate::audit
