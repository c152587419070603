#include "http/auth_rate_limiter.hpp"

#include <algorithm>

namespace dockgate::team_server {

AuthRateLimiter::AuthRateLimiter(unsigned max_failures, std::chrono::seconds window,
                                 std::size_t max_addresses)
    : max_failures_(std::max(max_failures, 1u)),
      window_(window),
      max_addresses_(std::max<std::size_t>(max_addresses, 1)) {}

std::optional<std::chrono::seconds> AuthRateLimiter::blocked_for(const std::string& address,
                                                                 Clock::time_point now) {
  const auto it = windows_.find(address);
  if (it == windows_.end()) return std::nullopt;
  const auto ends = it->second.start + window_;
  if (now >= ends) {
    windows_.erase(it);
    return std::nullopt;
  }
  if (it->second.failures < max_failures_) return std::nullopt;
  // Rounded up, so that a client honouring Retry-After never arrives a moment too early.
  return std::chrono::ceil<std::chrono::seconds>(ends - now);
}

void AuthRateLimiter::record_failure(const std::string& address, Clock::time_point now) {
  auto it = windows_.find(address);
  if (it != windows_.end() && now >= it->second.start + window_) {
    windows_.erase(it);
    it = windows_.end();
  }
  if (it == windows_.end()) {
    if (windows_.size() >= max_addresses_) forget_expired(now);
    if (windows_.size() >= max_addresses_) {
      const auto oldest = std::min_element(
          windows_.begin(), windows_.end(),
          [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
      windows_.erase(oldest);
    }
    it = windows_.emplace(address, Window{now, 0}).first;
  }
  ++it->second.failures;
}

void AuthRateLimiter::forget_expired(Clock::time_point now) {
  std::erase_if(windows_, [&](const auto& entry) { return now >= entry.second.start + window_; });
}

}  // namespace dockgate::team_server
