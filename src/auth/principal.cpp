#include "auth/principal.hpp"

#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace dockgate::auth {

std::string os_user_name() {
  const uid_t uid = geteuid();
  struct passwd entry {};
  struct passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid-" + std::to_string(uid);
}

}  // namespace dockgate::auth
