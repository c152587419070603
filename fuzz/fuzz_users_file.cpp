// Any users file text is either loaded or refused with a message; never a crash, and a loaded
// directory answers authenticate() for any token.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/bearer_tokens.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto users = dockgate::auth::UserDirectory::parse(text, "users.yaml");
  if (users) {
    (void)users->authenticate(text.substr(0, 64));
    (void)users->authenticate("dg_fuzz");
  } else if (users.error().message.empty()) {
    __builtin_trap();  // a refusal must say why
  }
  return 0;
}
