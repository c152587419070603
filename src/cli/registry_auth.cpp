#include "cli/registry_auth.hpp"

#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace dockgate::cli {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxCredentialFileBytes = 1024 * 1024;

Result<std::string> read_small_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read " + what + " '" + path + "'");
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  if (text.size() > kMaxCredentialFileBytes)
    return make_error(what + " '" + path + "' is larger than 1 MiB");
  return text;
}

// Standard or URL-safe base64, padding optional; nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    if (c >= '0' && c <= '9') value = c - '0' + 52;
    if (c == '+' || c == '-') value = 62;
    if (c == '/' || c == '_') value = 63;
    if (c == '=') break;
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::string trim_line_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

Status check_host(const std::string& host, const std::string& where) {
  if (host.empty() || host.find_first_of(" \t\r\n/@") != std::string::npos)
    return make_error(where + ": '" + host +
                      "' is not a registry host (like registry.example.com"
                      " or 127.0.0.1:5000)");
  return Ok{};
}

}  // namespace

std::string normalize_registry_host(const std::string& text) {
  std::string host = text;
  for (const std::string scheme : {"https://", "http://"}) {
    if (host.rfind(scheme, 0) == 0) host = host.substr(scheme.size());
  }
  if (const auto slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  if (host == "index.docker.io" || host == "registry-1.docker.io" ||
      host == "registry.hub.docker.com")
    return "docker.io";
  return host;
}

Result<RegistryLogins> load_registry_auth_file(const std::string& path) {
  auto text = read_small_file(path, "the registry auth file");
  if (!text) return text.error();
  const json root = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  const std::string where = "registry auth file '" + path + "'";
  if (!root.is_object() || !root.contains("auths") || !root["auths"].is_object())
    return make_error(where +
                      ": expected {\"auths\": {\"<host>\": {\"auth\": \"<base64 "
                      "user:password>\"}}}");
  RegistryLogins logins;
  for (const auto& [key, entry] : root["auths"].items()) {
    const std::string host = normalize_registry_host(key);
    if (auto valid = check_host(host, where); !valid) return valid.error();
    if (!entry.is_object())
      return make_error(where + ": the entry of " + host + " is not an object");
    RegistryLogin login;
    if (entry.contains("auth") && entry["auth"].is_string()) {
      const auto decoded = base64_decode(entry["auth"].get<std::string>());
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos)
        return make_error(where + ": the auth of " + host + " is not base64 of \"user:password\"");
      login = {decoded->substr(0, colon), decoded->substr(colon + 1)};
    } else if (entry.contains("username") && entry["username"].is_string() &&
               entry.contains("password") && entry["password"].is_string()) {
      login = {entry["username"].get<std::string>(), entry["password"].get<std::string>()};
    } else {
      return make_error(where + ": the entry of " + host +
                        " needs \"auth\" (or \"username\" and \"password\")");
    }
    if (login.username.empty())
      return make_error(where + ": the entry of " + host + " has an empty user name");
    logins[host] = std::move(login);
  }
  return logins;
}

Result<RegistryLogins> registry_auth_from_config(const YAML::Node& node, const std::string& file) {
  const std::string where = file + ": registry_auth";
  if (!node.IsMap())
    return make_error(where + " must be a map: <host>: {username: ..., password_file: ...}");
  RegistryLogins logins;
  for (const auto& entry : node) {
    const std::string host = normalize_registry_host(entry.first.Scalar());
    if (auto valid = check_host(host, where); !valid) return valid.error();
    const auto& value = entry.second;
    if (!value.IsMap() || !value["username"] || !value["password_file"])
      return make_error(where + "." + host + " needs username and password_file");
    for (const auto& key : value) {
      const auto name = key.first.Scalar();
      if (name != "username" && name != "password_file")
        return make_error(where + "." + host + ": unknown key '" + name +
                          "' (expected username, password_file)");
    }
    const auto password_file = value["password_file"].as<std::string>();
    auto password = read_small_file(password_file, "the password file of " + host);
    if (!password) return password.error();
    RegistryLogin login{value["username"].as<std::string>(), trim_line_end(std::move(*password))};
    if (login.username.empty()) return make_error(where + "." + host + ": username is empty");
    logins[host] = std::move(login);
  }
  return logins;
}

}  // namespace dockgate::cli
