// Mutate rules: defaults fill only what the call left unset, labels cannot be forged, the
// judged action is the mutated one, match/exclude select calls, and loading is strict (wrong
// type, missing block, oversized and hostile values).
#include <gtest/gtest.h>

#include <algorithm>

#include "actions/normalize.hpp"
#include "policy/policy.hpp"

namespace dockgate::policy {
namespace {

using actions::ContainerSpec;

const std::string kHeader =
    "apiVersion: dockgate/v1\nkind: Policy\nname: t\nrules:\n"
    "  - {id: all, title: All, effect: allow, match: {tools: ['*']}}\n";

Result<std::shared_ptr<const PolicySet>> parse_rule(const std::string& rule) {
  return PolicySet::parse("t.yaml", kHeader + rule);
}

std::shared_ptr<const PolicySet> mutating(const std::string& mutate,
                                          const std::string& match = "{tools: ['*']}") {
  auto policy = parse_rule("  - id: m\n    title: M\n    effect: mutate\n    match: " + match +
                           "\n    mutate:\n" + mutate);
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message);
  return policy.ok() ? *policy : nullptr;
}

ContainerSpec plain_spec() {
  ContainerSpec spec;
  spec.image = *actions::parse_image_reference("dockgate-test/busybox:user");
  spec.user = "1000:1000";
  return spec;
}

struct Judged {
  Decision decision;
  actions::Action action;
};

Judged judge_run(const PolicySet& policy, ContainerSpec spec, const std::string& who = "alice") {
  actions::Action action = actions::RunContainer{std::move(spec)};
  actions::Facts facts;
  facts.image = actions::ImageFacts{true, "sha256:x", "1000:1000"};
  auto decision = policy.judge({"docker_run", action, facts, {who, {}}, {}});
  return {std::move(decision), std::move(action)};
}

const ContainerSpec& spec_of(const Judged& j) {
  return std::get<actions::RunContainer>(j.action).spec;
}

std::vector<std::string> changed_fields(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& m : d.mutations) out.push_back(m.field);
  return out;
}

TEST(PolicyMutations, DefaultsFillWhatTheCallLeftUnset) {
  const auto policy = mutating(
      "      cap_drop: [all]\n      no_new_privileges: true\n      default_memory: 512m\n"
      "      default_cpus: '0.5'\n      default_pids_limit: 256\n");
  const auto j = judge_run(*policy, plain_spec());
  EXPECT_EQ(spec_of(j).cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_EQ(spec_of(j).security_opt, std::vector<std::string>{"no-new-privileges=true"});
  EXPECT_EQ(spec_of(j).memory_bytes, 512 * 1024 * 1024);
  EXPECT_EQ(spec_of(j).nano_cpus, 500000000);
  EXPECT_EQ(spec_of(j).pids_limit, 256);
  EXPECT_EQ(changed_fields(j.decision),
            (std::vector<std::string>{"cap_drop", "security_opt", "memory_bytes", "nano_cpus",
                                      "pids_limit"}));
  const auto& first = j.decision.mutations.front();
  EXPECT_EQ(first.rule_id, "m");
  EXPECT_EQ(first.policy_file, "t.yaml:6");
  EXPECT_EQ(first.before, "(unset)");
  EXPECT_EQ(first.after, "[ALL]");
}

TEST(PolicyMutations, ExplicitValuesAreKeptAndNotRecorded) {
  const auto policy = mutating(
      "      cap_drop: [ALL]\n      no_new_privileges: true\n      default_memory: 512m\n"
      "      default_pids_limit: 256\n");
  ContainerSpec spec = plain_spec();
  spec.cap_drop = {"ALL"};
  spec.security_opt = {"no-new-privileges=false"};  // the caller's choice: judged, not changed
  spec.memory_bytes = 64 * 1024 * 1024;
  spec.pids_limit = -1;  // unlimited on purpose: kept for the deny rules to judge
  const auto j = judge_run(*policy, spec);
  EXPECT_EQ(spec_of(j).security_opt, std::vector<std::string>{"no-new-privileges=false"});
  EXPECT_EQ(spec_of(j).memory_bytes, 64 * 1024 * 1024);
  EXPECT_EQ(spec_of(j).pids_limit, -1);
  EXPECT_TRUE(j.decision.mutations.empty());
}

TEST(PolicyMutations, CapDropIsAddedBesideTheCallersOwn) {
  const auto policy = mutating("      cap_drop: [ALL]\n");
  ContainerSpec spec = plain_spec();
  spec.cap_drop = {"NET_RAW"};
  const auto j = judge_run(*policy, spec);
  EXPECT_EQ(spec_of(j).cap_drop, (std::vector<std::string>{"NET_RAW", "ALL"}));
  ASSERT_EQ(j.decision.mutations.size(), 1u);
  EXPECT_EQ(j.decision.mutations[0].before, "[NET_RAW]");
  EXPECT_EQ(j.decision.mutations[0].after, "[NET_RAW, ALL]");
}

TEST(PolicyMutations, OwnerLabelCannotBeForged) {
  const auto policy = mutating("      labels:\n        dockgate.owner: '{principal}'\n");
  ContainerSpec spec = plain_spec();
  spec.labels["dockgate.owner"] = "bob";  // alice pretends to be bob
  const auto j = judge_run(*policy, spec, "alice");
  EXPECT_EQ(spec_of(j).labels.at("dockgate.owner"), "alice");
  ASSERT_EQ(j.decision.mutations.size(), 1u);
  EXPECT_EQ(j.decision.mutations[0].field, "labels.dockgate.owner");
  EXPECT_EQ(j.decision.mutations[0].before, "bob");
  // Already right: nothing to record.
  spec.labels["dockgate.owner"] = "alice";
  EXPECT_TRUE(judge_run(*policy, spec, "alice").decision.mutations.empty());
}

TEST(PolicyMutations, LabelsApplyToVolumesAndNetworks) {
  const auto policy = mutating("      labels:\n        team: 'web-{principal}'\n");
  actions::Action volume = actions::CreateVolume{"data", "local", {}, {}};
  auto d = policy->judge({"docker_volume_create", volume, {}, {"carol", {}}, {}});
  EXPECT_EQ(std::get<actions::CreateVolume>(volume).labels.at("team"), "web-carol");
  EXPECT_EQ(d.mutations.size(), 1u);
  actions::Action network = actions::CreateNetwork{};
  std::get<actions::CreateNetwork>(network).name = "n";
  policy->judge({"docker_network_create", network, {}, {"carol", {}}, {}});
  EXPECT_EQ(std::get<actions::CreateNetwork>(network).labels.at("team"), "web-carol");
}

TEST(PolicyMutations, OtherActionsAreUntouched) {
  const auto policy = mutating("      cap_drop: [ALL]\n      labels: {a: b}\n");
  actions::Action list = actions::ListContainers{};
  auto d = policy->judge({"docker_ps", list, {}, {"alice", {}}, {}});
  EXPECT_TRUE(d.mutations.empty());
  EXPECT_TRUE(d.allowed);
}

TEST(PolicyMutations, DenyRulesJudgeTheMutatedAction) {
  auto policy = parse_rule(
      "  - id: m\n    title: M\n    effect: mutate\n    match: {tools: [docker_run]}\n"
      "    mutate: {cap_drop: [ALL]}\n"
      "  - id: drop\n    title: D\n    message: drop all\n"
      "    match: {tools: [docker_run]}\n"
      "    require: {capabilities: {drop_all: true}}\n");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_TRUE(judge_run(**policy, plain_spec()).decision.allowed);
  // decide() alone does not mutate: the same call is denied.
  const actions::Action raw = actions::RunContainer{plain_spec()};
  EXPECT_FALSE((*policy)->decide({"docker_run", raw, {}, {"alice", {}}, {}}).allowed);
}

TEST(PolicyMutations, MatchAndExcludeSelectTheCalls) {
  const auto policy = mutating("      default_pids_limit: 100\n",
                               "{tools: [docker_run]}\n    exclude: {principals: [ci-bot]}");
  EXPECT_EQ(spec_of(judge_run(*policy, plain_spec(), "alice")).pids_limit, 100);
  EXPECT_EQ(spec_of(judge_run(*policy, plain_spec(), "ci-bot")).pids_limit, 0);
}

TEST(PolicyRuleExclude, ExcludedCallsAreNotDenied) {
  auto policy = parse_rule(
      "  - id: no-run\n    title: N\n    message: no\n    match: {tools: [docker_run]}\n"
      "    exclude: {roles: [admin]}\n");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  const actions::Action run = actions::RunContainer{plain_spec()};
  EXPECT_FALSE((*policy)->decide({"docker_run", run, {}, {"alice", {}}, {}}).allowed);
  EXPECT_TRUE((*policy)->decide({"docker_run", run, {}, {"root", {"admin"}}, {}}).allowed);
}

// ---- loading: every problem is an error with file:line ----

std::string load_error(const std::string& rule) {
  auto policy = parse_rule(rule);
  return policy.ok() ? "" : policy.error().message;
}

const std::string kMutateHead = "  - id: m\n    title: M\n    effect: mutate\n";

TEST(PolicyMutationsLoading, MissingBlockIsAnError) {
  EXPECT_NE(load_error(kMutateHead).find("needs a 'mutate' block"), std::string::npos);
}

TEST(PolicyMutationsLoading, WrongTypesAreErrors) {
  EXPECT_NE(load_error(kMutateHead + "    mutate: [cap_drop]\n").find("DG002"), std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {cap_drop: ALL}\n").find("DG002"),
            std::string::npos);
  EXPECT_NE(
      load_error(kMutateHead + "    mutate: {no_new_privileges: yes}\n").find("true or false"),
      std::string::npos);
  EXPECT_NE(
      load_error(kMutateHead + "    mutate: {default_pids_limit: many}\n").find("whole number"),
      std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {labels: [a]}\n").find("DG002"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {labels: {a: {b: c}}}\n").find("DG002"),
            std::string::npos);
}

TEST(PolicyMutationsLoading, BadValuesAreErrors) {
  EXPECT_NE(load_error(kMutateHead + "    mutate: {cap_drop: [SYS_WIZARD]}\n").find("cap_drop"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {default_memory: lots}\n").find("default_memory"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {default_cpus: '-1'}\n").find("default_cpus"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {default_pids_limit: 0}\n").find("whole number"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {unknown_key: 1}\n").find("DG001"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {labels: {a: '{user}'}}\n").find("placeholder"),
            std::string::npos);
}

TEST(PolicyMutationsLoading, OversizedAndHostileLabelsAreErrors) {
  const std::string long_value(5000, 'x');
  EXPECT_NE(load_error(kMutateHead + "    mutate: {labels: {a: '" + long_value + "'}}\n")
                .find("at most 1024"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {labels: {a: \"x\\ny\"}}\n").find("printable"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {labels: {\"k\\u0000\": v}}\n").find("printable"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate:\n      labels:\n        a: x\n        a: y\n")
                .find("twice"),
            std::string::npos);
}

TEST(PolicyMutationsLoading, DenyOnlyKeysAreRefusedOnMutateRules) {
  const auto error =
      load_error(kMutateHead + "    mutate: {cap_drop: [ALL]}\n    message: m\n    mode: warn\n");
  EXPECT_NE(error.find("'message' does not apply to a mutate rule"), std::string::npos);
  EXPECT_NE(error.find("'mode' applies to deny rules only"), std::string::npos);
  EXPECT_NE(load_error("  - id: d\n    title: D\n    message: m\n    mutate: {cap_drop: [ALL]}\n")
                .find("effect: mutate only"),
            std::string::npos);
  EXPECT_NE(load_error(kMutateHead + "    mutate: {cap_drop: [ALL]}\n    exclude: []\n")
                .find("'exclude' must be a non-empty map"),
            std::string::npos);
}

TEST(PolicyMutationsDefaultPolicy, RestrictedDefaultsMakeAPlainRunCompliant) {
  auto policy = PolicySet::load({DOCKGATE_SOURCE_DIR "/policies/default.yaml"});
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  const auto j = judge_run(**policy, plain_spec(), "alice");
  EXPECT_TRUE(j.decision.allowed) << (j.decision.violations.empty()
                                          ? ""
                                          : j.decision.violations[0].rule_id);
  EXPECT_EQ(spec_of(j).labels.at("dockgate.owner"), "alice");
  EXPECT_EQ(spec_of(j).pids_limit, 256);
  // An explicit unlimited PIDs is kept, and the enforced resource rule denies it.
  ContainerSpec unlimited = plain_spec();
  unlimited.pids_limit = -1;
  const auto denied = judge_run(**policy, unlimited, "alice");
  EXPECT_FALSE(denied.decision.allowed);
  EXPECT_TRUE(std::any_of(denied.decision.violations.begin(), denied.decision.violations.end(),
                          [](const Violation& v) { return v.rule_id == "cis-resource-limits"; }));
}

}  // namespace
}  // namespace dockgate::policy
