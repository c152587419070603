#include "auth/bearer_tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace dockgate::auth {

std::string random_base64url(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    // Never fall back to a weaker source: a predictable token or session id is worse than none.
    throw std::runtime_error("OpenSSL's random generator failed");
  }
  std::string encoded(4 * ((bytes + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     random.data(), static_cast<int>(random.size()));
  encoded.resize(static_cast<std::size_t>(length));
  // base64 -> base64url (RFC 4648 §5), without padding: safe in headers and YAML.
  std::replace(encoded.begin(), encoded.end(), '+', '-');
  std::replace(encoded.begin(), encoded.end(), '/', '_');
  encoded.erase(encoded.find_last_not_of('=') + 1);
  return encoded;
}

std::string generate_token() {
  return "dg_" + random_base64url(32);
}

Sha256 sha256(std::string_view text) {
  Sha256 digest{};
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    throw std::runtime_error("OpenSSL could not compute a SHA-256 digest");
  }
  return digest;
}

std::string to_hex(const Sha256& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const unsigned char byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

std::optional<Principal> UserDirectory::authenticate(std::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenLength) return std::nullopt;
  const Sha256 presented = sha256(token);
  const UserEntry* match = nullptr;
  for (const auto& user : users_) {
    const bool equal =
        CRYPTO_memcmp(presented.data(), user.token_sha256.data(), presented.size()) == 0;
    if (equal && match == nullptr) match = &user;
  }
  if (match == nullptr) return std::nullopt;
  return match->principal;
}

std::string check_name(std::string_view name, std::string_view what) {
  if (name.empty()) return std::string(what) + " must not be empty";
  if (name.size() > 64) {
    return std::string(what) + " is " + std::to_string(name.size()) +
           " characters long; at most 64 are allowed";
  }
  for (const char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-';
    if (!allowed) {
      return std::string(what) + " '" + std::string(name) +
             "' has a character outside [A-Za-z0-9._@-]";
    }
  }
  return {};
}

}  // namespace dockgate::auth
