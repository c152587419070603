// Compose calls under the policy: the compose tool needs its own allow rule, each step is
// judged as the single tool it stands for (a rule written for docker_run holds for a service),
// every violation names its step, mutations apply to each service, and a pull of an image
// already present is not judged (it does not run).
#include <gtest/gtest.h>

#include <algorithm>

#include "actions/normalize.hpp"
#include "policy/policy.hpp"

namespace dockgate::policy {
namespace {

const char* kPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: compose-judging
rules:
  - {id: compose, title: Compose, effect: allow, match: {tools: [docker_compose_up]}}
  - {id: run, title: Run, effect: allow, match: {tools: [docker_run, docker_network_create]}}
  - id: no-privileged
    title: No privileged containers
    match: {tools: [docker_run]}
    require: {privileged: false}
    message: no
  - id: owner
    title: Owner label
    effect: mutate
    match: {operations: [container.create]}
    mutate:
      labels: {dockgate.owner: "{principal}"}
)";

actions::ComposeStep service_step(const std::string& name, bool privileged) {
  actions::ContainerSpec spec;
  spec.name = "p-" + name + "-1";
  spec.image = *actions::parse_image_reference("dockgate-test/busybox:user");
  spec.user = "1000:1000";
  spec.privileged = privileged;
  return {"docker_run", "services." + name, actions::RunContainer{spec}, {}, std::nullopt};
}

actions::ComposeUp project(std::vector<actions::ComposeStep> steps) {
  actions::ComposeUp up;
  up.project = "p";
  up.steps = std::move(steps);
  return up;
}

Decision judge(const PolicySet& policy, actions::Action& action, const actions::Facts& facts = {},
               const std::string& tool = "docker_compose_up") {
  return policy.judge({tool, action, facts, {"alice", {}}, {}});
}

std::shared_ptr<const PolicySet> load() {
  auto policy = PolicySet::parse("compose.yaml", kPolicy);
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message);
  return *policy;
}

TEST(ComposeJudging, EveryStepIsJudgedAsItsOwnToolAndNamedInTheViolation) {
  const auto policy = load();
  actions::Action action = project({service_step("web", false), service_step("db", true)});
  const auto decision = judge(*policy, action);
  EXPECT_FALSE(decision.allowed);
  ASSERT_EQ(decision.violations.size(), 1u);
  EXPECT_EQ(decision.violations[0].rule_id, "no-privileged");
  EXPECT_EQ(decision.violations[0].field, "services.db.privileged");
}

TEST(ComposeJudging, MutationsApplyToEachServiceAndAreReportedWithTheirStep) {
  const auto policy = load();
  actions::Action action = project({service_step("web", false), service_step("db", false)});
  const auto decision = judge(*policy, action);
  EXPECT_TRUE(decision.allowed);
  const auto& steps = std::get<actions::ComposeUp>(action).steps;
  for (const auto& step : steps)
    EXPECT_EQ(std::get<actions::RunContainer>(step.action).spec.labels.at("dockgate.owner"),
              "alice");
  ASSERT_EQ(decision.mutations.size(), 2u);
  EXPECT_EQ(decision.mutations[0].field, "services.web.labels.dockgate.owner");
}

TEST(ComposeJudging, TheComposeToolNeedsItsOwnAllowRule) {
  const auto policy = load();
  actions::Action action = project({service_step("web", false)});
  const auto decision = judge(*policy, action, {}, "docker_compose_down");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.violations.at(0).rule_id, kDefaultDenyRuleId);
}

TEST(ComposeJudging, AStepWhoseToolIsNotAllowedIsDeniedWithItsSubject) {
  const auto policy = load();
  actions::ComposeStep volume{"docker_volume_create",
                              "volumes.data",
                              actions::CreateVolume{"p_data", "local", {}, {}},
                              {},
                              std::nullopt};
  actions::Action action = project({volume, service_step("web", false)});
  const auto decision = judge(*policy, action);
  EXPECT_FALSE(decision.allowed);
  ASSERT_EQ(decision.violations.size(), 1u);
  EXPECT_EQ(decision.violations[0].rule_id, kDefaultDenyRuleId);
  EXPECT_EQ(decision.violations[0].field, "volumes.data");
}

TEST(ComposeJudging, APullOfAnImageAlreadyPresentIsNotJudged) {
  const auto policy = load();  // docker_pull is not allowed by this policy
  actions::ComposeStep pull{"docker_pull",
                            "services.web.image",
                            actions::PullImage{*actions::parse_image_reference("busybox:1")},
                            {},
                            std::nullopt};
  actions::Action action = project({pull, service_step("web", false)});
  actions::Facts facts;
  facts.steps.resize(2);
  facts.steps[0].image = actions::ImageFacts{true, "sha256:x", ""};
  EXPECT_TRUE(judge(*policy, action, facts).allowed);
  facts.steps[0].image->present = false;
  const auto missing = judge(*policy, action, facts);
  EXPECT_FALSE(missing.allowed);
  EXPECT_EQ(missing.violations.at(0).field, "services.web.image");
}

TEST(ComposeJudging, DownJudgesRemovalsOfWhatExistsAndSkipsWhatIsAbsent) {
  auto policy = PolicySet::parse("down.yaml", R"(apiVersion: dockgate/v1
kind: Policy
name: down
rules:
  - {id: tools, title: T, effect: allow, match: {tools: [docker_compose_down, docker_rm]}}
  - id: owner
    title: Own containers only
    match: {tools: [docker_rm]}
    require: {owner: {label: dockgate.owner}}
    message: not yours
)");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  actions::ComposeDown down;
  down.project = "p";
  down.steps.push_back({"docker_rm",
                        "services.web",
                        actions::RemoveContainer{"p-web-1", true, false},
                        {},
                        std::nullopt});
  down.steps.push_back({"docker_rm",
                        "services.db",
                        actions::RemoveContainer{"p-db-1", true, false},
                        {},
                        std::nullopt});
  actions::Action action = down;
  actions::Facts facts;
  facts.steps.resize(2);
  facts.steps[0].container = actions::ContainerFacts{};  // absent: skipped
  facts.steps[1].container = actions::ContainerFacts{};
  facts.steps[1].container->exists = true;
  facts.steps[1].container->labels["dockgate.owner"] = "bob";
  const auto decision = judge(**policy, action, facts, "docker_compose_down");
  ASSERT_EQ(decision.violations.size(), 1u);
  EXPECT_EQ(decision.violations[0].field, "services.db.container");
  facts.steps[1].container->labels["dockgate.owner"] = "alice";
  EXPECT_TRUE(judge(**policy, action, facts, "docker_compose_down").allowed);
  // Without facts, nothing is taken as absent: judged, and refused by the owner control.
  EXPECT_FALSE(judge(**policy, action, {}, "docker_compose_down").allowed);
}

TEST(ComposeJudging, EveryNetworkAServiceJoinsMustBeTheCallers) {
  auto policy = PolicySet::parse("owner.yaml", R"(apiVersion: dockgate/v1
kind: Policy
name: owner
rules:
  - {id: tools, title: T, effect: allow, match: {tools: [docker_compose_up, docker_run]}}
  - id: owner
    title: Own networks only
    match: {tools: [docker_run]}
    require: {owner: {label: dockgate.owner}}
    message: not yours
)");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  auto step = service_step("web", false);
  auto& spec = std::get<actions::RunContainer>(step.action).spec;
  spec.network = "p_default";
  spec.extra_networks.push_back({"alice_default", {"web"}});
  actions::Action action = project({step});
  actions::Facts facts;
  facts.steps.resize(1);
  facts.steps[0].container = actions::ContainerFacts{};
  facts.steps[0].joined_network = actions::ObjectFacts{
      actions::ObjectKind::Network, true, "p_default", {{"dockgate.owner", "alice"}}};
  facts.steps[0].extra_networks["alice_default"] = actions::ObjectFacts{
      actions::ObjectKind::Network, true, "alice_default", {{"dockgate.owner", "bob"}}};
  const auto decision = judge(**policy, action, facts);
  ASSERT_EQ(decision.violations.size(), 1u);
  EXPECT_EQ(decision.violations[0].field, "services.web.extra_networks[0]");
}

TEST(ComposeJudging, TheJudgedIdentityOfEachStepIsRecordedFromTheFacts) {
  actions::ComposeDown down;
  down.steps.push_back({"docker_rm",
                        "services.a",
                        actions::RemoveContainer{"p-a-1", true, false},
                        {},
                        std::nullopt});
  down.steps.push_back({"docker_rm",
                        "services.b",
                        actions::RemoveContainer{"p-b-1", true, false},
                        {},
                        std::nullopt});
  down.steps.push_back({"docker_network_rm",
                        "networks.default",
                        actions::RemoveNetwork{"p_default"},
                        {},
                        std::nullopt});
  actions::Action action = down;
  actions::Facts facts;
  facts.steps.resize(3);
  facts.steps[0].container = actions::ContainerFacts{};
  facts.steps[1].container = actions::ContainerFacts{};
  facts.steps[1].container->exists = true;
  facts.steps[1].container->id = "c0ffee";
  facts.steps[2].object = actions::ObjectFacts{actions::ObjectKind::Network, true, "p_default", {}};
  actions::record_judged_identities(action, facts);
  const auto& steps = std::get<actions::ComposeDown>(action).steps;
  EXPECT_EQ(steps[0].judged_id, std::optional<std::string>(""));
  EXPECT_EQ(steps[1].judged_id, std::optional<std::string>("c0ffee"));
  EXPECT_EQ(steps[2].judged_id, std::optional<std::string>("p_default"));
}

}  // namespace
}  // namespace dockgate::policy
