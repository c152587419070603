// Loading of `require:` blocks and exceptions, and the helpers the controls share.
#include <gtest/gtest.h>

#include "actions/normalize.hpp"
#include "policy/policy.hpp"

namespace dockgate::policy {
namespace {

const std::string kHeader =
    "apiVersion: dockgate/v1\nkind: Policy\nname: t\nrules:\n"
    "  - {id: all, title: All, effect: allow, match: {tools: ['*']}}\n";

std::shared_ptr<const PolicySet> policy_with(const std::string& require, const std::string& extra) {
  auto policy = PolicySet::parse("t.yaml", kHeader +
                                               "  - id: r\n    title: R\n    message: m\n"
                                               "    require:\n" +
                                               require + extra);
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message);
  return policy.ok() ? *policy : nullptr;
}

actions::ContainerSpec good_spec() {
  actions::ContainerSpec spec;
  spec.image = *actions::parse_image_reference("dockgate-test/busybox:user");
  spec.user = "1000:1000";
  spec.cap_drop = {"ALL"};
  return spec;
}

actions::Facts facts_for(const actions::ContainerSpec&) {
  actions::Facts facts;
  facts.image = actions::ImageFacts{true, "sha256:x", "1000"};
  return facts;
}

// ---- exceptions ----

std::chrono::system_clock::time_point day(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / std::chrono::day{d}} + hours{12};
}

TEST(Exceptions, ApplyUntilTheyExpireAndThenSaySo) {
  auto policy = policy_with("      privileged: false\n",
                            "exceptions:\n  - {rule: r, match: {principals: [ci]}, "
                            "expires: \"2026-12-31\", ticket: SEC-1}\n");
  auto spec = good_spec();
  spec.privileged = true;
  const actions::Action action = actions::RunContainer{spec};
  const auto facts = facts_for(spec);
  auto before = policy->decide({"docker_run", action, facts, {"ci", {}}, day(2026, 12, 31)});
  EXPECT_TRUE(before.allowed);
  ASSERT_EQ(before.exceptions_applied.size(), 1u);
  EXPECT_NE(before.exceptions_applied[0].find("SEC-1"), std::string::npos);
  auto other = policy->decide({"docker_run", action, facts, {"bob", {}}, day(2026, 12, 1)});
  EXPECT_FALSE(other.allowed);
  auto after = policy->decide({"docker_run", action, facts, {"ci", {}}, day(2027, 1, 1)});
  EXPECT_FALSE(after.allowed);
  ASSERT_EQ(after.warnings.size(), 1u);
  EXPECT_NE(after.warnings[0].message.find("expired on 2026-12-31"), std::string::npos);
}

// ---- loading ----

void expect_error(const std::string& require, const std::string& fragment) {
  auto policy = PolicySet::parse("bad.yaml", kHeader +
                                                 "  - id: r\n    title: R\n    message: m\n"
                                                 "    require:\n" +
                                                 require);
  ASSERT_FALSE(policy.ok()) << "expected an error containing: " << fragment;
  EXPECT_NE(policy.error().message.find(fragment), std::string::npos) << policy.error().message;
  EXPECT_NE(policy.error().message.find("bad.yaml:"), std::string::npos);
}

TEST(ControlsLoading, WrongKeysTypesAndValuesAreErrors) {
  expect_error("      privileged: \"false\"\n", "'privileged' must be true or false");
  expect_error("      privileged: yes\n", "'privileged' must be true or false");
  expect_error("      privilegd: false\n", "unknown key 'privilegd'");
  expect_error("      capabilities: {drop_all: true, alowed_add: []}\n",
               "unknown key 'alowed_add'");
  expect_error("      capabilities: {allowed_add: [ALL]}\n", "ALL is never allowed");
  expect_error("      capabilities: [ALL]\n", "must be a map");
  expect_error("      ports: {host_port_range: \"80-70000\"}\n", "LOW-HIGH");
  expect_error("      resources: {memory_max: lots}\n", "must be a size");
  expect_error("      resources: {pids_max: -1}\n", "whole number");
  expect_error("      resources: {memory_max: " + std::string(400, '9') + "}\n", "must be a size");
  expect_error("      restart: {allowed: [sometimes]}\n", "not a restart policy");
  expect_error("      exec: {allowed_commands: [\"(unclosed\"]}\n",
               "not a valid regular expression");
  expect_error("      bind_mounts: {allowed_paths: [relative/path]}\n", "absolute path");
  expect_error("      {}\n", "at least one control");
  expect_error("      privileged: false\n      privileged: true\n", "given twice");
}

TEST(ControlsLoading, RequireOnAnAllowRuleAndBadExceptionsAreErrors) {
  auto allow = PolicySet::parse(
      "bad.yaml",
      kHeader + "  - {id: a2, title: A, effect: allow, require: {privileged: false}}\n");
  ASSERT_FALSE(allow.ok());
  EXPECT_NE(allow.error().message.find("deny rules only"), std::string::npos);
  auto unknown_rule = PolicySet::parse(
      "bad.yaml", kHeader +
                      "exceptions:\n  - {rule: nope, match: {principals: [a]}, expires: "
                      "\"2026-01-01\", ticket: T}\n");
  ASSERT_FALSE(unknown_rule.ok());
  EXPECT_NE(unknown_rule.error().message.find("'nope'"), std::string::npos);
  auto bad_date = PolicySet::parse(
      "bad.yaml", kHeader +
                      "  - {id: d, title: D, message: m}\nexceptions:\n  - {rule: d, "
                      "match: {principals: [a]}, expires: \"2026-02-30\", ticket: T}\n");
  ASSERT_FALSE(bad_date.ok());
  EXPECT_NE(bad_date.error().message.find("is not a date"), std::string::npos);
}

TEST(ControlsHelpers, HostPathsAndGlobs) {
  EXPECT_EQ(normalize_host_path("/var/run/../run/docker.sock"), "/run/docker.sock");
  EXPECT_EQ(normalize_host_path("/var/run/docker.sock"), "/run/docker.sock");
  EXPECT_EQ(normalize_host_path("/../.."), "/");
  EXPECT_EQ(normalize_host_path("/var/runner"), "/var/runner");
  EXPECT_EQ(normalize_host_path("relative"), std::nullopt);
  EXPECT_TRUE(glob_matches("docker.io/library/*", "docker.io/library/busybox"));
  EXPECT_FALSE(glob_matches("docker.io/*", "docker.io/library/busybox"));
  EXPECT_TRUE(glob_matches("docker.io/**", "docker.io/library/busybox"));
  EXPECT_FALSE(glob_matches("registry.example.com", "registry.example.com.evil.net"));
}

}  // namespace
}  // namespace dockgate::policy
