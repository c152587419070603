// The HMAC of checkpoints. The writer (branch `audit`) defines the same function in
// audit_writer.cpp; when both branches meet, delete this file and keep that one.
#include <openssl/hmac.h>

#include "audit/audit_verify.hpp"

namespace dockgate::audit {

std::string checkpoint_hmac(const std::string& key, std::uint64_t seq, const std::string& head) {
  const std::string message = std::to_string(seq) + ":" + head;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

}  // namespace dockgate::audit
