// Who is calling. On stdio the principal is a configured name, else the OS user running
// dockgate; the team server (HTTP) derives it from a token or a client certificate.
#pragma once

#include <string>
#include <vector>

namespace dockgate::auth {

struct Principal {
  std::string name;
  std::vector<std::string> roles;
};

// The name of the OS user running this process ("uid-1234" if it has no passwd entry).
std::string os_user_name();

}  // namespace dockgate::auth
