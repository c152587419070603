// Table-driven tests of the process and security normalizers: restart policy, capabilities,
// security options, environment entries and the user. Each with accepted forms (and what they
// normalize to) and refused ones (wrong form, oversized, hostile) with what the error says.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actions/normalize.hpp"

namespace dockgate::actions {
namespace {

struct Refused {
  std::string input;
  std::string message_part;  // must appear in the error
};

template <typename Parse>
void expect_refused(Parse parse, const std::vector<Refused>& cases) {
  for (const auto& c : cases) {
    auto result = parse(c.input);
    ASSERT_FALSE(result.ok()) << "accepted: " << c.input;
    EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
        << "input: " << c.input << "\nmessage: " << result.error().message
        << "\nexpected to contain: " << c.message_part;
  }
}

TEST(NormalizeRestart, ParsesDockerPolicies) {
  const std::vector<std::tuple<std::string, std::string, int>> cases = {
      {"no", "no", 0},
      {"always", "always", 0},
      {"unless-stopped", "unless-stopped", 0},
      {"on-failure", "on-failure", 0},
      {"on-failure:3", "on-failure", 3},
      {"on-failure:0", "on-failure", 0},
  };
  for (const auto& [input, name, retries] : cases) {
    auto policy = parse_restart_policy(input);
    ASSERT_TRUE(policy.ok()) << input << ": " << policy.error().message;
    EXPECT_EQ(policy->name, name);
    EXPECT_EQ(policy->maximum_retry_count, retries);
  }
  expect_refused(parse_restart_policy,
                 {
                     {"", "empty"},
                     {"sometimes", "not known: use no, always, unless-stopped, on-failure"},
                     {"Always", "not known"},
                     {":3", "not known"},
                     {"always:3", "only be used with on-failure"},
                     {"no:1", "only be used with on-failure"},
                     {"on-failure:-1", "whole number"},
                     {"on-failure:", "whole number"},
                     {"on-failure:x", "whole number"},
                     {"on-failure:99999999999", "whole number"},
                     {"on-failure:1:2", "whole number"},
                     {std::string(100, 'a'), "too long"},
                 });
}

TEST(NormalizeCapability, NormalizesNames) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"cap_sys_admin", "SYS_ADMIN"},
      {"CAP_SYS_ADMIN", "SYS_ADMIN"},
      {"sys_admin", "SYS_ADMIN"},
      {"Cap_Net_Bind_Service", "NET_BIND_SERVICE"},
      {"all", "ALL"},
      {"ALL", "ALL"},
      {"perfmon", "PERFMON"},
      {"CAP_BPF", "BPF"},
      {"checkpoint_restore", "CHECKPOINT_RESTORE"},
      {"chown", "CHOWN"},
  };
  for (const auto& [input, name] : cases) {
    auto normalized = normalize_capability(input);
    ASSERT_TRUE(normalized.ok()) << input << ": " << normalized.error().message;
    EXPECT_EQ(*normalized, name);
  }
  expect_refused(normalize_capability, {
                                           {"", "empty"},
                                           {"SYS_EVERYTHING", "not known: use a Linux capability"},
                                           {"CAP_ALL", "not known"},
                                           {"CAP_", "not known"},
                                           {"sys admin", "not known"},
                                           {"SYS_ADMIN\n", "not known"},
                                           {std::string(100, 'A'), "too long"},
                                       });
}

TEST(NormalizeSecurityOpt, NormalizesToKeyEqualsValue) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"seccomp=unconfined", "seccomp=unconfined"},
      {"seccomp:unconfined", "seccomp=unconfined"},
      {"seccomp=/etc/docker/seccomp.json", "seccomp=/etc/docker/seccomp.json"},
      {R"(seccomp={"defaultAction":"SCMP_ACT_ALLOW"})",
       R"(seccomp={"defaultAction":"SCMP_ACT_ALLOW"})"},
      {"apparmor=unconfined", "apparmor=unconfined"},
      {"apparmor:docker-default", "apparmor=docker-default"},
      {"label=disable", "label=disable"},
      {"label:disable", "label=disable"},
      {"disable", "label=disable"},
      {"label=type:svirt_lxc_net_t", "label=type:svirt_lxc_net_t"},
      {"label:level:s0:c100,c200", "label=level:s0:c100,c200"},
      {"no-new-privileges", "no-new-privileges=true"},
      {"no-new-privileges=true", "no-new-privileges=true"},
      {"no-new-privileges:true", "no-new-privileges=true"},
      {"no-new-privileges=false", "no-new-privileges=false"},
      {"no-new-privileges=1", "no-new-privileges=true"},
      {"no-new-privileges:F", "no-new-privileges=false"},
      {"systempaths=unconfined", "systempaths=unconfined"},
  };
  for (const auto& [input, normalized] : cases) {
    auto result = normalize_security_opt(input);
    ASSERT_TRUE(result.ok()) << input << ": " << result.error().message;
    EXPECT_EQ(*result, normalized);
  }
  expect_refused(normalize_security_opt,
                 {
                     {"", "empty"},
                     {"seccomp", "not key=value"},
                     {"seccomp=", "seccomp needs a value"},
                     {"SECCOMP=unconfined", "unknown key 'SECCOMP'"},
                     {"writable-cgroups=true", "unknown key"},
                     {"bogus=1", "unknown key 'bogus'"},
                     {"no-new-privileges=maybe", "takes true or false"},
                     {"no-new-privileges=", "takes true or false"},
                     {"label=bogus", "label takes disable"},
                     {"label=type:", "label takes disable"},
                     {"label=type:a b", "label takes disable"},
                     {"apparmor=", "apparmor needs a profile name"},
                     {"apparmor=a;b", "apparmor needs a profile name"},
                     {"systempaths:unconfined", "exact form systempaths=unconfined"},
                     {"systempaths=confined", "exact form"},
                     {"seccomp=/a\n/b", "newline or control"},
                     {std::string("seccomp=a\0b", 11), "newline or control"},
                     {"seccomp=" + std::string(70000, 'x'), "longer than"},
                 });
}

TEST(NormalizeEnv, KeyEqualsValue) {
  for (const std::string input :
       {"KEY=value", "KEY=", "_K=a=b==c", "a.b-c_D9=x y", "PATH=/usr/bin:/bin", "K=\xC3\xA9"}) {
    auto entry = parse_env_entry(input);
    ASSERT_TRUE(entry.ok()) << input << ": " << entry.error().message;
    EXPECT_EQ(*entry, input);
  }
  expect_refused(parse_env_entry, {
                                      {"KEY", "env entries must be KEY=value"},
                                      {"", "env entries must be KEY=value"},
                                      {"=value", "env key ''"},
                                      {"1KEY=x", "env key '1KEY'"},
                                      {"K Y=x", "env key 'K Y'"},
                                      {"K$=x", "not valid"},
                                      {"-K=x", "not valid"},
                                      {std::string("K=a\0b", 5), "NUL"},
                                      {"K=" + std::string(40000, 'x'), "longer than"},
                                      {std::string(300, 'K') + "=x", "at most 256"},
                                  });
}

TEST(NormalizeEnv, ErrorsDoNotEchoValues) {
  auto result = parse_env_entry("1BAD=supersecret");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message.find("supersecret"), std::string::npos);
  auto nul = parse_env_entry(std::string("K=secret\0x", 10));
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().message.find("secret"), std::string::npos);
}

TEST(NormalizeUser, ReadsUserAsRunc) {
  struct Case {
    std::string input, user, group;
    std::optional<std::int64_t> uid, gid;
  };
  const std::vector<Case> cases = {
      {"0", "0", "", 0, std::nullopt},
      {"00", "00", "", 0, std::nullopt},
      {"+0", "+0", "", 0, std::nullopt},
      {"root", "root", "", 0, std::nullopt},
      {"0:0", "0", "0", 0, 0},
      {"root:root", "root", "root", 0, 0},
      {"1000:1000", "1000", "1000", 1000, 1000},
      {"1000:0", "1000", "0", 1000, 0},
      {"app", "app", "", std::nullopt, std::nullopt},
      {"app:app", "app", "app", std::nullopt, std::nullopt},
      {"app:0", "app", "0", std::nullopt, 0},
      {"nobody:nogroup", "nobody", "nogroup", std::nullopt, std::nullopt},
      {"2147483647", "2147483647", "", 2147483647, std::nullopt},
      {"ROOT", "ROOT", "", std::nullopt, std::nullopt},  // passwd names are case-sensitive
  };
  for (const auto& c : cases) {
    auto spec = parse_user_spec(c.input);
    ASSERT_TRUE(spec.ok()) << c.input << ": " << spec.error().message;
    EXPECT_EQ(spec->user, c.user) << c.input;
    EXPECT_EQ(spec->group, c.group) << c.input;
    EXPECT_EQ(spec->uid, c.uid) << c.input;
    EXPECT_EQ(spec->gid, c.gid) << c.input;
  }
  expect_refused(parse_user_spec, {
                                      {"", "empty"},
                                      {":", "empty user"},
                                      {":0", "empty user"},
                                      {"1000:", "empty group"},
                                      {"a:b:c", "more than one ':'"},
                                      {"root ", "whitespace"},
                                      {" 0", "whitespace"},
                                      {"-1", "negative user"},
                                      {"-0", "negative user"},
                                      {"1000:-1", "negative group"},
                                      {"2147483648", "out of range"},
                                      {"99999999999999999999", "out of range"},
                                      {"+", "invalid user name"},
                                      {"a/b", "invalid user name"},
                                      {std::string("r\0t", 3), "whitespace or control"},
                                      {std::string(300, 'u'), "longer than 256"},
                                  });
}

}  // namespace
}  // namespace dockgate::actions
