// What the container's process runs with: environment entries, the user (as runc resolves it)
// and the restart policy (as docker's CLI and dockerd's ValidateRestartPolicy read it).
#include <string>

#include "actions/normalize.hpp"
#include "actions/normalize_text.hpp"

namespace dockgate::actions {
namespace {

using text::quoted;

constexpr std::size_t kMaxEnvEntryLength = 32 * 1024;
constexpr std::size_t kMaxEnvKeyLength = 256;
constexpr std::size_t kMaxUserPartLength = 256;
constexpr std::int64_t kMaxId = 2147483647;  // runc: ids are 0..2^31-1
constexpr int kMaxRestartRetries = 1'000'000;

bool is_env_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxEnvKeyLength) return false;
  if (!text::is_alpha(key.front()) && key.front() != '_') return false;
  for (char c : key)
    if (!text::is_alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

// One side of "user:group". Numeric as Go's strconv.Atoi reads it (optional '+', leading
// zeros) gives an id; "root" gives 0; other names stay unresolved (the image's /etc/passwd
// decides, which only facts can tell).
Status parse_user_part(std::string_view part, std::string_view what, std::string_view input,
                       std::optional<std::int64_t>& id) {
  if (part.empty()) {
    return make_error("user " + quoted(input) + " has an empty " + std::string(what) +
                      ": use name or id, optionally :group, e.g. 1000:1000");
  }
  if (part.size() > kMaxUserPartLength) {
    return make_error("user " + quoted(input) + " has a " + std::string(what) +
                      " longer than 256 characters");
  }
  if (part.front() == '-') {
    return make_error("user " + quoted(input) + " has a negative " + std::string(what) +
                      ": ids are 0 to 2147483647");
  }
  std::string_view digits = part.front() == '+' ? part.substr(1) : part;
  if (text::all_digits(digits)) {
    auto value = text::parse_uint(digits, static_cast<std::uint64_t>(kMaxId));
    if (!value) {
      return make_error("user " + quoted(input) + " has a " + std::string(what) +
                        " id out of range: ids are 0 to 2147483647");
    }
    id = static_cast<std::int64_t>(*value);
    return Ok{};
  }
  // A name: POSIX portable characters, optionally ending in '$' (machine accounts).
  std::string_view body = part.back() == '$' ? part.substr(0, part.size() - 1) : part;
  bool valid = !body.empty() && (text::is_alnum(body.front()) || body.front() == '_');
  for (char c : body)
    if (!text::is_alnum(c) && c != '_' && c != '.' && c != '-') valid = false;
  if (!valid) {
    return make_error("user " + quoted(input) + " has an invalid " + std::string(what) + " name " +
                      quoted(part) +
                      ": use a number or a name of letters, digits, '_', '.' or '-'");
  }
  if (part == "root") id = 0;
  return Ok{};
}

}  // namespace

Result<std::string> parse_env_entry(std::string_view input) {
  if (input.empty()) return make_error("env entry is empty: env entries must be KEY=value");
  if (input.size() > kMaxEnvEntryLength) {
    return make_error("env entry starting " + quoted(input, 40) + " is longer than " +
                      std::to_string(kMaxEnvEntryLength) + " characters");
  }
  if (input.find('\0') != std::string_view::npos) {
    return make_error("env entry " + quoted(input.substr(0, input.find('=')), 40) +
                      " contains a NUL character, which cannot be passed to a process");
  }
  std::size_t eq = input.find('=');
  if (eq == std::string_view::npos) {
    // Echoed only when it looks like a key: a bare value may be a secret.
    std::string shown = is_env_key(input) ? " " + quoted(input, 40) : std::string();
    return make_error("env entry" + shown +
                      " has no '=': env entries must be KEY=value (the value may be empty)");
  }
  std::string_view key = input.substr(0, eq);
  if (!is_env_key(key)) {
    // Only the key is echoed: values may be secrets.
    return make_error("env key " + quoted(key, 40) +
                      " is not valid: start with a letter or '_', then letters, digits, '_', "
                      "'.' or '-' (at most 256)");
  }
  return std::string(input);
}

Result<UserSpec> parse_user_spec(std::string_view input) {
  if (input.empty()) {
    return make_error("user is empty: give a name or id, optionally :group, e.g. 1000:1000");
  }
  if (text::has_space_or_control(input)) {
    return make_error("user " + quoted(input) + " contains whitespace or control characters");
  }
  UserSpec out;
  std::size_t colon = input.find(':');
  std::string_view user = input.substr(0, colon);
  if (auto ok = parse_user_part(user, "user", input, out.uid); !ok) return ok.error();
  out.user = std::string(user);
  if (colon != std::string_view::npos) {
    std::string_view group = input.substr(colon + 1);
    if (group.find(':') != std::string_view::npos) {
      return make_error("user " + quoted(input) +
                        " has more than one ':': use user or user:group, e.g. 1000:1000");
    }
    if (auto ok = parse_user_part(group, "group", input, out.gid); !ok) return ok.error();
    out.group = std::string(group);
  }
  return out;
}

Result<RestartPolicy> parse_restart_policy(std::string_view input) {
  const std::string allowed = "use no, always, unless-stopped, on-failure or on-failure:N";
  if (input.empty()) return make_error("restart policy is empty: " + allowed);
  if (input.size() > 64) return make_error("restart policy " + quoted(input) + " is too long");
  std::size_t colon = input.find(':');
  std::string_view name = input.substr(0, colon);
  RestartPolicy out;
  if (name != "no" && name != "always" && name != "unless-stopped" && name != "on-failure") {
    return make_error("restart policy " + quoted(input) + " is not known: " + allowed);
  }
  out.name = std::string(name);
  if (colon == std::string_view::npos) return out;
  std::string_view count = input.substr(colon + 1);
  if (name != "on-failure") {
    return make_error("restart policy " + quoted(input) +
                      ": a maximum retry count can only be used with on-failure");
  }
  auto value = text::parse_uint(count, kMaxRestartRetries);
  if (!value) {
    return make_error("restart policy " + quoted(input) +
                      ": the maximum retry count must be a whole number from 0 to " +
                      std::to_string(kMaxRestartRetries) + ", e.g. on-failure:3");
  }
  out.maximum_retry_count = static_cast<int>(*value);
  return out;
}

}  // namespace dockgate::actions
