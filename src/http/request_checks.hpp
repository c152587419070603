// Pure checks of a Streamable HTTP request's headers: what the team server accepts, without
// any I/O, so they are unit-tested and fuzzed apart from the server.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockgate::team_server {

// Accept must admit both application/json and text/event-stream (the spec's POST rule;
// both SDK versions send "application/json, text/event-stream"). Wildcards count.
bool accepts_json_and_event_stream(std::string_view accept);

// Content-Type is application/json (parameters such as charset allowed).
bool is_json_content_type(std::string_view content_type);

// Host is one of `allowed` ("name:port", or "name" for any port), compared without case.
// Guards against DNS rebinding: a browser page on evil.example resolving to 127.0.0.1
// still sends "Host: evil.example".
bool host_allowed(std::string_view host, const std::vector<std::string>& allowed);

// An absent Origin (non-browser clients) is fine; a present one must be listed exactly.
bool origin_allowed(std::optional<std::string_view> origin,
                    const std::vector<std::string>& allowed);

// MCP-Protocol-Version values the endpoint accepts; a missing header means 2025-03-26.
bool supported_protocol_header(std::string_view version);

// The token of "Authorization: Bearer <token>" (RFC 6750 b64token; scheme without case),
// or nullopt when the header is not a well-formed bearer credential.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// Default Host allowlist for a listening address: the address itself and, on loopback,
// localhost, 127.0.0.1 and [::1], each with the port.
std::vector<std::string> default_allowed_hosts(const std::string& bind_host, unsigned short port);

}  // namespace dockgate::team_server
