// The team server's users: per-user bearer tokens, of which dockgate keeps only SHA-256
// hashes (a stolen users file gives no usable token), checked in constant time.
//
// Users file (YAML, strict: unknown keys are errors):
//   users:
//     - name: alice              # [A-Za-z0-9._@-], 1..64 characters
//       roles: [developer]       # the same characters; may be empty
//       token_sha256: 3f2a...    # 64 lowercase hex digits: SHA-256 of the token
// A name may appear in several entries (one per token, e.g. while rotating one).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.hpp"
#include "common/result.hpp"

namespace dockgate::auth {

inline constexpr std::size_t kMaxUsersFileBytes = 1024 * 1024;
inline constexpr std::size_t kMaxUsers = 10000;
inline constexpr std::size_t kMaxTokenLength = 256;

using Sha256 = std::array<unsigned char, 32>;

struct UserEntry {
  Principal principal;
  Sha256 token_sha256{};
};

class UserDirectory {
 public:
  // Parses a users file's text; `file` names it in errors (file:line:col: ...).
  static Result<UserDirectory> parse(std::string_view text, const std::string& file);
  static Result<UserDirectory> load(const std::string& path);

  // The principal whose token this is. Every entry is compared (CRYPTO_memcmp, no early
  // exit), so the time taken does not tell how much of a hash matched or which entry did.
  std::optional<Principal> authenticate(std::string_view token) const;

  std::size_t size() const { return users_.size(); }

 private:
  std::vector<UserEntry> users_;
};

// A new token: "dg_" + 43 base64url characters (256 bits from OpenSSL's CSPRNG).
std::string generate_token();

// 128+ random bits as base64url (no padding); `bytes` of randomness from RAND_bytes.
std::string random_base64url(std::size_t bytes);

Sha256 sha256(std::string_view text);
std::string to_hex(const Sha256& digest);

// Why a user or role name is not acceptable (empty when it is).
std::string check_name(std::string_view name, std::string_view what);

// The text of one users-file entry, as `dockgate token add` appends it.
std::string users_file_entry(const Principal& principal, const Sha256& token_sha256);

// `dockgate token add`: appends an entry for a new token to the users file (creating it, mode
// 0600, when missing) and returns the token, which exists nowhere else afterwards. The file
// must parse before and after; it is replaced atomically (write, fsync, rename).
Result<std::string> add_token(const std::string& users_file, const Principal& principal);

}  // namespace dockgate::auth
