#include <gtest/gtest.h>

#include "policy/policy.hpp"

namespace dockgate::policy {
namespace {

const char* kTeamPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: team
rules:
  - id: read-only-tools
    title: Everyone may list and inspect
    effect: allow
    match: {tools: [docker_ps, docker_images, docker_inspect]}
  - id: no-images-for-bob
    title: Bob may not list images
    effect: deny
    match: {tools: [docker_images], principals: [bob]}
    message: bob may not list images
    how_to_comply: ask for the images role
  - id: warn-interns
    title: Interns are watched
    effect: deny
    mode: warn
    match: {roles: [intern]}
    message: interns' calls are reviewed
)";

std::shared_ptr<const PolicySet> load(const char* text) {
  auto policy = PolicySet::parse("team.yaml", text);
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message);
  return *policy;
}

Decision decide(const PolicySet& policy, std::string_view tool, auth::Principal who) {
  const actions::Action action = actions::ListImages{};
  const actions::Facts facts;
  return policy.decide({tool, action, facts, who, {}});
}

TEST(PolicyDecision, AllowRuleAllowsMatchingTool) {
  auto policy = load(kTeamPolicy);
  auto d = decide(*policy, "docker_images", {"alice", {}});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.allowed_by, std::vector<std::string>{"read-only-tools"});
  EXPECT_EQ(d.policy_sha256, policy->sha256());
}

TEST(PolicyDecision, DenyRuleForPrincipalDeniesWithRuleIdMessageAndFix) {
  auto d = decide(*load(kTeamPolicy), "docker_images", {"bob", {}});
  ASSERT_FALSE(d.allowed);
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].rule_id, "no-images-for-bob");
  EXPECT_EQ(d.violations[0].policy_file, "team.yaml:9");
  EXPECT_EQ(d.violations[0].how_to_comply, "ask for the images role");
}

TEST(PolicyDecision, ToolNoRuleAllowsIsDeniedByDefaultNamingThePrincipal) {
  auto d = decide(*load(kTeamPolicy), "docker_run", {"alice", {"dev"}});
  ASSERT_FALSE(d.allowed);
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].rule_id, kDefaultDenyRuleId);
  EXPECT_NE(d.violations[0].message.find("docker_run"), std::string::npos);
  EXPECT_NE(d.violations[0].message.find("alice"), std::string::npos);
}

TEST(PolicyDecision, EveryViolatedRuleIsReported) {
  auto d = decide(*load(kTeamPolicy), "docker_run", {"bob", {}});
  EXPECT_FALSE(d.allowed);
  auto policy = PolicySet::parse("p.yaml", R"(apiVersion: dockgate/v1
kind: Policy
name: p
rules:
  - {id: a, title: A, effect: allow, match: {tools: ["*"]}}
  - {id: d1, title: D1, effect: deny, match: {tools: [docker_ps]}, message: m1}
  - {id: d2, title: D2, effect: deny, match: {principals: [bob]}, message: m2}
)");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  auto both = decide(**policy, "docker_ps", {"bob", {}});
  ASSERT_EQ(both.violations.size(), 2u);
  EXPECT_EQ(both.violations[0].rule_id, "d1");
  EXPECT_EQ(both.violations[1].rule_id, "d2");
}

TEST(PolicyDecision, WarnModeRuleAllowsAndReportsAWarning) {
  auto d = decide(*load(kTeamPolicy), "docker_ps", {"carol", {"intern"}});
  EXPECT_TRUE(d.allowed);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].rule_id, "warn-interns");
}

TEST(PolicyDecision, EmptyPolicyDeniesEverything) {
  auto policy =
      PolicySet::parse("empty.yaml", "apiVersion: dockgate/v1\nkind: Policy\nname: e\nrules: []\n");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_FALSE(decide(**policy, "docker_ps", {"alice", {}}).allowed);
}

void expect_error(const std::string& text, const std::string& expected_fragment) {
  auto policy = PolicySet::parse("bad.yaml", text);
  ASSERT_FALSE(policy.ok()) << "expected an error containing: " << expected_fragment;
  EXPECT_NE(policy.error().message.find(expected_fragment), std::string::npos)
      << policy.error().message;
}

const std::string kHeader = "apiVersion: dockgate/v1\nkind: Policy\nname: t\nrules:\n";

TEST(PolicyLoading, UnknownKeyIsAnErrorWithFileLineAndColumn) {
  expect_error(kHeader + "  - id: x\n    title: X\n    efect: allow\n",
               "bad.yaml:7:5: DG001 rule 'x': unknown key 'efect'");
}

TEST(PolicyLoading, WrongTypeIsAnError) {
  expect_error(
      kHeader + "  - id: x\n    title: X\n    effect: allow\n    match: {tools: docker_ps}\n",
      "'tools' must be a non-empty list of strings");
}

TEST(PolicyLoading, MissingValuesAreErrors) {
  expect_error(kHeader + "  - title: X\n    effect: allow\n", "'id' is required");
  expect_error(kHeader + "  - id: x\n    title: X\n    effect: deny\n", "'message' is required");
  expect_error("kind: Policy\nname: t\nrules: []\n", "'apiVersion' is required");
}

TEST(PolicyLoading, UnknownEffectModeAndApiVersionAreErrors) {
  expect_error(kHeader + "  - {id: x, title: X, effect: permit}\n",
               "effect 'permit' is not one of: allow, deny");
  expect_error(kHeader + "  - {id: x, title: X, mode: loud, message: m}\n",
               "mode 'loud' is not one of");
  expect_error("apiVersion: v9\nkind: Policy\nname: t\nrules: []\n",
               "apiVersion 'v9' is not supported");
}

TEST(PolicyLoading, DuplicateKeysAndDuplicateRuleIdsAreErrors) {
  expect_error(kHeader + "  - id: x\n    title: X\n    effect: allow\n    effect: deny\n",
               "key 'effect' is given twice");
  expect_error(
      kHeader + "  - {id: x, title: X, effect: allow}\n  - {id: x, title: Y, effect: allow}\n",
      "rule id 'x' is already used at bad.yaml:5");
}

TEST(PolicyLoading, InvalidYamlIsAnErrorWithPosition) {
  expect_error(kHeader + "  - {id: x, title: [unclosed\n", "bad.yaml:");
  expect_error("{{{{", "not valid YAML");
}

TEST(PolicyLoading, HostileRuleIdIsRefused) {
  expect_error(kHeader + "  - {id: \"../../etc\\npasswd\", title: X, effect: allow}\n",
               "must be letters, digits");
  expect_error(kHeader + "  - {id: " + std::string(200, 'a') + ", title: X, effect: allow}\n",
               "at most 128");
}

TEST(PolicyLoading, EveryErrorIsReportedNotJustTheFirst) {
  auto policy = PolicySet::parse("bad.yaml", kHeader +
                                                 "  - {id: x, title: X, effect: nope}\n  - {id: y, "
                                                 "title: Y, effect: allow, colour: red}\n");
  ASSERT_FALSE(policy.ok());
  EXPECT_NE(policy.error().message.find("effect 'nope'"), std::string::npos);
  EXPECT_NE(policy.error().message.find("unknown key 'colour'"), std::string::npos);
}

TEST(PolicyLoading, MissingFileIsAClearError) {
  auto policy = PolicySet::load({"/nonexistent/policy.yaml"});
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message, "/nonexistent/policy.yaml: cannot read the policy file");
  EXPECT_FALSE(PolicySet::load({}).ok());
}

TEST(PolicyLoading, ShippedDefaultPolicyLoads) {
  auto policy = PolicySet::load({DOCKGATE_SOURCE_DIR "/policies/default.yaml"});
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_FALSE(policy->get()->rules().empty());
}

TEST(PolicyVersion, HashChangesWithContentOnly) {
  auto a = PolicySet::parse("a.yaml", kHeader + "  - {id: x, title: X, effect: allow}\n");
  auto b = PolicySet::parse("b.yaml", kHeader + "  - {id: x, title: X, effect: allow}\n");
  auto c = PolicySet::parse("a.yaml", kHeader + "  - {id: x, title: Y, effect: allow}\n");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ((*a)->sha256(), (*b)->sha256());
  EXPECT_NE((*a)->sha256(), (*c)->sha256());
  EXPECT_EQ((*a)->sha256().size(), 64u);
}

}  // namespace
}  // namespace dockgate::policy
