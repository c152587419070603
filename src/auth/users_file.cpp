#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "auth/bearer_tokens.hpp"

namespace dockgate::auth {
namespace {

std::string at(const std::string& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::optional<Sha256> parse_hex_digest(const std::string& hex) {
  if (hex.size() != 64) return std::nullopt;
  Sha256 digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    unsigned value = 0;
    for (std::size_t j = 0; j < 2; ++j) {
      const char c = hex[2 * i + j];
      unsigned nibble = 0;
      if (c >= '0' && c <= '9') {
        nibble = static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        nibble = static_cast<unsigned>(c - 'a' + 10);
      } else {
        return std::nullopt;
      }
      value = value * 16 + nibble;
    }
    digest[i] = static_cast<unsigned char>(value);
  }
  return digest;
}

Result<UserEntry> parse_entry(const YAML::Node& node, const std::string& file) {
  if (!node.IsMap()) {
    return make_error(at(file, node) +
                      ": each user must be a map with name, roles and token_sha256");
  }
  for (const auto& key : node) {
    const auto name = key.first.IsScalar() ? key.first.Scalar() : std::string();
    if (name != "name" && name != "roles" && name != "token_sha256") {
      return make_error(at(file, key.first) + ": unknown key '" + name.substr(0, 64) +
                        "' (expected name, roles, token_sha256)");
    }
  }
  UserEntry entry;
  const auto name = node["name"];
  if (!name || !name.IsScalar()) return make_error(at(file, node) + ": name must be a string");
  entry.principal.name = name.Scalar();
  if (auto why = check_name(entry.principal.name, "name"); !why.empty()) {
    return make_error(at(file, name) + ": " + why);
  }
  if (const auto roles = node["roles"]) {
    if (!roles.IsSequence()) {
      return make_error(at(file, roles) + ": roles must be a list of strings, e.g. [developer]");
    }
    for (const auto& role : roles) {
      if (!role.IsScalar()) return make_error(at(file, role) + ": a role must be a string");
      if (auto why = check_name(role.Scalar(), "role"); !why.empty()) {
        return make_error(at(file, role) + ": " + why);
      }
      entry.principal.roles.push_back(role.Scalar());
    }
  }
  const auto hash = node["token_sha256"];
  if (!hash || !hash.IsScalar()) {
    return make_error(at(file, node) +
                      ": token_sha256 must be the 64 hex digits `dockgate token add` wrote");
  }
  const auto digest = parse_hex_digest(hash.Scalar());
  if (!digest) {
    return make_error(at(file, hash) +
                      ": token_sha256 must be 64 lowercase hex digits (a SHA-256 of the token, "
                      "never the token itself)");
  }
  entry.token_sha256 = *digest;
  return entry;
}

Result<std::string> read_bounded(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read the users file '" + path + "': " + std::strerror(errno));
  std::string text(kMaxUsersFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxUsersFileBytes) {
    return make_error("the users file '" + path + "' is larger than " +
                      std::to_string(kMaxUsersFileBytes) + " bytes");
  }
  return text;
}

Status write_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("cannot write '" + temporary + "': " + std::strerror(errno));
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return make_error("cannot write '" + temporary + "': " + why);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return make_error("cannot flush '" + temporary + "': " + std::strerror(errno));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return make_error("cannot replace '" + path + "': " + std::strerror(errno));
  }
  return Ok{};
}

}  // namespace

Result<UserDirectory> UserDirectory::parse(std::string_view text, const std::string& file) {
  if (text.size() > kMaxUsersFileBytes) {
    return make_error(file + ": the users file is larger than " +
                      std::to_string(kMaxUsersFileBytes) + " bytes");
  }
  UserDirectory directory;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsMap()) return make_error(file + ": the users file must be a map with 'users:'");
    for (const auto& key : root) {
      if (!key.first.IsScalar() || key.first.Scalar() != "users") {
        return make_error(at(file, key.first) + ": unknown key (expected only 'users')");
      }
    }
    const auto users = root["users"];
    if (users.IsNull()) return directory;  // "users:" with no entry yet
    if (!users.IsSequence()) return make_error(at(file, users) + ": users must be a list");
    if (users.size() > kMaxUsers) {
      return make_error(at(file, users) + ": more than " + std::to_string(kMaxUsers) + " users");
    }
    std::set<Sha256> seen;
    for (const auto& node : users) {
      auto entry = parse_entry(node, file);
      if (!entry) return entry.error();
      if (!seen.insert(entry->token_sha256).second) {
        return make_error(at(file, node) + ": this token_sha256 appears twice");
      }
      directory.users_.push_back(std::move(*entry));
    }
  } catch (const YAML::Exception& e) {
    return make_error(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return directory;
}

Result<UserDirectory> UserDirectory::load(const std::string& path) {
  auto text = read_bounded(path);
  if (!text) return text.error();
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & S_IWOTH) != 0) {
    return make_error("the users file '" + path +
                      "' is writable by every user: anyone could add a token (chmod o-w)");
  }
  return parse(*text, path);
}

std::string users_file_entry(const Principal& principal, const Sha256& token_sha256) {
  std::ostringstream out;
  out << "  - name: " << principal.name << "\n    roles: [";
  for (std::size_t i = 0; i < principal.roles.size(); ++i) {
    out << (i > 0 ? ", " : "") << principal.roles[i];
  }
  out << "]\n    token_sha256: " << to_hex(token_sha256) << "\n";
  return out.str();
}

Result<std::string> add_token(const std::string& users_file, const Principal& principal) {
  if (auto why = check_name(principal.name, "the user name"); !why.empty()) return make_error(why);
  for (const auto& role : principal.roles) {
    if (auto why = check_name(role, "the role"); !why.empty()) return make_error(why);
  }
  std::string text =
      "# dockgate users: SHA-256 hashes of bearer tokens (docs/team-server.md)\n"
      "users:\n";
  std::error_code error;
  if (std::filesystem::exists(users_file, error)) {
    auto existing = read_bounded(users_file);
    if (!existing) return existing.error();
    if (auto parsed = UserDirectory::parse(*existing, users_file); !parsed) return parsed.error();
    text = std::move(*existing);
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
  }
  const std::string token = generate_token();
  text += users_file_entry(principal, sha256(token));
  // Appending assumes `users:` is the last block list; check rather than hope.
  if (auto check = UserDirectory::parse(text, users_file); !check) {
    return make_error("the new entry would not parse at the end of '" + users_file +
                      "' (is 'users:' the last key, as a block list?): " + check.error().message);
  }
  if (auto written = write_atomically(users_file, text); !written) return written.error();
  return token;
}

}  // namespace dockgate::auth
