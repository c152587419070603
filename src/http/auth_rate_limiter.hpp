// Failed authentications per remote address in a fixed window: past the limit, every request
// from that address gets 429 until the window ends, so tokens cannot be guessed at speed.
// Not thread-safe: the team server's I/O runs on one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace dockgate::team_server {

class AuthRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // max_failures per window; at most max_addresses are remembered (the oldest window is
  // forgotten first), so a flood of addresses cannot grow memory without bound.
  AuthRateLimiter(unsigned max_failures, std::chrono::seconds window,
                  std::size_t max_addresses = 10000);

  // How long `address` must wait, or nullopt when it may try.
  std::optional<std::chrono::seconds> blocked_for(const std::string& address,
                                                  Clock::time_point now);

  void record_failure(const std::string& address, Clock::time_point now);

 private:
  struct Window {
    Clock::time_point start;
    unsigned failures = 0;
  };
  void forget_expired(Clock::time_point now);

  unsigned max_failures_;
  std::chrono::seconds window_;
  std::size_t max_addresses_;
  std::map<std::string, Window> windows_;
};

}  // namespace dockgate::team_server
