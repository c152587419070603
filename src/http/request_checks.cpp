#include "http/request_checks.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace dockgate::team_server {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The media type of one Accept or Content-Type element, without parameters.
std::string_view media_type(std::string_view element) {
  return trim(element.substr(0, element.find(';')));
}

bool is_loopback_name(std::string_view host) {
  return host == "127.0.0.1" || host == "::1" || host == "[::1]" || iequals(host, "localhost") ||
         host.starts_with("127.");
}

}  // namespace

bool accepts_json_and_event_stream(std::string_view accept) {
  bool json = false;
  bool event_stream = false;
  while (!accept.empty()) {
    const auto comma = accept.find(',');
    const auto type = media_type(accept.substr(0, comma));
    if (iequals(type, "*/*")) json = event_stream = true;
    if (iequals(type, "application/json") || iequals(type, "application/*")) json = true;
    if (iequals(type, "text/event-stream") || iequals(type, "text/*")) event_stream = true;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return json && event_stream;
}

bool is_json_content_type(std::string_view content_type) {
  return iequals(media_type(content_type), "application/json");
}

bool host_allowed(std::string_view host, const std::vector<std::string>& allowed) {
  host = trim(host);
  if (host.empty()) return false;
  // The name without the port: "[::1]:8443" -> "[::1]", "example:8443" -> "example".
  std::string_view name = host;
  if (const auto colon = host.rfind(':');
      colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) {
    name = host.substr(0, colon);
  }
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& entry) {
    return iequals(host, entry) || iequals(name, entry);
  });
}

bool origin_allowed(std::optional<std::string_view> origin,
                    const std::vector<std::string>& allowed) {
  if (!origin) return true;
  const auto value = trim(*origin);
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& entry) { return iequals(value, entry); });
}

bool supported_protocol_header(std::string_view version) {
  // The versions the MCP session negotiates (2024-11-05 included: a client that asked for it
  // and got it then names it here).
  static constexpr std::array<std::string_view, 4> kSupported = {"2025-11-25", "2025-06-18",
                                                                 "2025-03-26", "2024-11-05"};
  return std::find(kSupported.begin(), kSupported.end(), version) != kSupported.end();
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  authorization = trim(authorization);
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "Bearer")) {
    return std::nullopt;
  }
  const auto token = trim(authorization.substr(space + 1));
  if (token.empty()) return std::nullopt;
  // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  const auto body_end = token.find_first_of('=');
  for (std::size_t i = 0; i < token.size(); ++i) {
    const char c = token[i];
    const bool ok = i >= body_end ? c == '='
                                  : std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' ||
                                        c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) return std::nullopt;
  }
  if (body_end == 0) return std::nullopt;
  return token;
}

std::vector<std::string> default_allowed_hosts(const std::string& bind_host, unsigned short port) {
  const std::string suffix = ":" + std::to_string(port);
  const bool v6 = bind_host.find(':') != std::string::npos;
  std::vector<std::string> hosts = {(v6 ? "[" + bind_host + "]" : bind_host) + suffix};
  if (is_loopback_name(bind_host)) {
    for (const char* name : {"localhost", "127.0.0.1", "[::1]"}) hosts.push_back(name + suffix);
  }
  return hosts;
}

}  // namespace dockgate::team_server
