#include "audit/audit_chain.hpp"

#include <openssl/sha.h>

namespace dockgate::audit {

std::string canonical_line(const nlohmann::json& record) {
  // nlohmann's object is an ordered std::map, so dump() sorts keys; replace: a record must
  // never fail to serialize because a client sent invalid UTF-8.
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string line_hash(std::string_view line) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(line.data()), line.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return hex;
}

}  // namespace dockgate::audit
