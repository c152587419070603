// The team server's pure request checks and its auth-failure rate limiter.
#include <gtest/gtest.h>

#include <string>

#include "http/auth_rate_limiter.hpp"
#include "http/request_checks.hpp"

namespace dockgate::team_server {
namespace {

TEST(AcceptHeader, NeedsJsonAndEventStream) {
  EXPECT_TRUE(accepts_json_and_event_stream("application/json, text/event-stream"));
  EXPECT_TRUE(accepts_json_and_event_stream("text/event-stream;q=0.9 , Application/JSON"));
  EXPECT_TRUE(accepts_json_and_event_stream("*/*"));
  EXPECT_TRUE(accepts_json_and_event_stream("application/*, text/*"));
  EXPECT_FALSE(accepts_json_and_event_stream("application/json"));
  EXPECT_FALSE(accepts_json_and_event_stream("text/event-stream"));
  EXPECT_FALSE(accepts_json_and_event_stream("text/html"));
  EXPECT_FALSE(accepts_json_and_event_stream(""));
  EXPECT_FALSE(accepts_json_and_event_stream(",,,;;;"));
  EXPECT_FALSE(accepts_json_and_event_stream("application/jsonx, text/event-streamy"));
  EXPECT_FALSE(accepts_json_and_event_stream(std::string(100000, ',')));
}

TEST(ContentType, OnlyApplicationJsonWithParameters) {
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("application/json; charset=utf-8"));
  EXPECT_TRUE(is_json_content_type(" Application/Json "));
  EXPECT_FALSE(is_json_content_type("text/plain"));
  EXPECT_FALSE(is_json_content_type("application/json-patch+json"));
  EXPECT_FALSE(is_json_content_type(""));
  EXPECT_FALSE(is_json_content_type("application/x-www-form-urlencoded"));
}

TEST(HostHeader, ListedNameAndPortOnly) {
  const std::vector<std::string> allowed = default_allowed_hosts("127.0.0.1", 8443);
  EXPECT_TRUE(host_allowed("127.0.0.1:8443", allowed));
  EXPECT_TRUE(host_allowed("LOCALHOST:8443", allowed));
  EXPECT_TRUE(host_allowed("[::1]:8443", allowed));
  EXPECT_FALSE(host_allowed("127.0.0.1:9999", allowed));
  EXPECT_FALSE(host_allowed("evil.example:8443", allowed));  // DNS rebinding
  EXPECT_FALSE(host_allowed("", allowed));
  EXPECT_FALSE(host_allowed(std::string(10000, 'a'), allowed));
  EXPECT_FALSE(host_allowed("127.0.0.1:8443.evil.example", allowed));
}

TEST(HostHeader, EntryWithoutPortAllowsAnyPort) {
  const std::vector<std::string> allowed = {"dockgate.example"};
  EXPECT_TRUE(host_allowed("dockgate.example", allowed));
  EXPECT_TRUE(host_allowed("dockgate.example:443", allowed));
  EXPECT_FALSE(host_allowed("dockgate.example.evil:443", allowed));
}

TEST(HostHeader, DefaultsOffLoopbackAreTheAddressOnly) {
  EXPECT_EQ(default_allowed_hosts("10.0.0.5", 8443), std::vector<std::string>{"10.0.0.5:8443"});
  EXPECT_EQ(default_allowed_hosts("::1", 8443).front(), "[::1]:8443");
}

TEST(OriginHeader, AbsentIsFinePresentMustBeListed) {
  const std::vector<std::string> allowed = {"https://tool.example"};
  EXPECT_TRUE(origin_allowed(std::nullopt, allowed));
  EXPECT_TRUE(origin_allowed("https://tool.example", allowed));
  EXPECT_FALSE(origin_allowed("https://evil.example", allowed));
  EXPECT_FALSE(origin_allowed("null", allowed));
  EXPECT_FALSE(origin_allowed("", allowed));
  EXPECT_FALSE(origin_allowed("https://tool.example", {}));
}

TEST(ProtocolVersionHeader, SupportedVersionsOnly) {
  for (const char* v : {"2025-03-26", "2025-06-18", "2025-11-25", "2024-11-05"})
    EXPECT_TRUE(supported_protocol_header(v)) << v;
  for (const char* v : {"2026-07-28", "1.0", "", "2025-03-26 ", "2025-03-26\r\nX: y"})
    EXPECT_FALSE(supported_protocol_header(v)) << v;
}

TEST(BearerToken, WellFormedCredentialsOnly) {
  EXPECT_EQ(bearer_token("Bearer dg_abc-DEF_123"), "dg_abc-DEF_123");
  EXPECT_EQ(bearer_token("bearer   tok=="), "tok==");
  EXPECT_EQ(bearer_token("Bearer a+b/c~d.e"), "a+b/c~d.e");
  EXPECT_FALSE(bearer_token("Basic dXNlcjpwYXNz"));
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Bearer a b"));
  EXPECT_FALSE(bearer_token("Bearer ==="));
  EXPECT_FALSE(bearer_token("Bearer a=b"));
  EXPECT_FALSE(bearer_token("Bearer tok\"en"));
  EXPECT_FALSE(bearer_token(""));
  EXPECT_FALSE(bearer_token("Bearertok"));
  EXPECT_TRUE(bearer_token("Bearer " + std::string(5000, 'a')));  // length is the caller's check
}

TEST(AuthRateLimiter, BlocksAfterTheLimitUntilTheWindowEnds) {
  AuthRateLimiter limiter(3, std::chrono::seconds(60));
  const auto t0 = AuthRateLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.blocked_for("10.0.0.1", t0));
    limiter.record_failure("10.0.0.1", t0);
  }
  const auto wait = limiter.blocked_for("10.0.0.1", t0 + std::chrono::seconds(10));
  ASSERT_TRUE(wait);
  EXPECT_EQ(wait->count(), 50);
  EXPECT_FALSE(limiter.blocked_for("10.0.0.2", t0));  // per address
  EXPECT_FALSE(limiter.blocked_for("10.0.0.1", t0 + std::chrono::seconds(60)));
}

TEST(AuthRateLimiter, RemembersABoundedNumberOfAddresses) {
  AuthRateLimiter limiter(1, std::chrono::seconds(60), 100);
  const auto t0 = AuthRateLimiter::Clock::now();
  for (int i = 0; i < 1000; ++i) {
    limiter.record_failure("a" + std::to_string(i), t0 + std::chrono::milliseconds(i));
  }
  EXPECT_TRUE(limiter.blocked_for("a999", t0 + std::chrono::seconds(1)));
  EXPECT_FALSE(limiter.blocked_for("a0", t0 + std::chrono::seconds(1)));  // forgotten
}

}  // namespace
}  // namespace dockgate::team_server
