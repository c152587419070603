// Tenant isolation: the owner control (the target must carry the caller's name or team), the
// {team} label placeholder, list_owned_only, their strict loading (wrong type, missing value,
// oversized and hostile label keys), and the union of narrowed lists.
#include <gtest/gtest.h>

#include "gate/visible_lists.hpp"
#include "policy/policy.hpp"

namespace dockgate::policy {
namespace {

using nlohmann::json;

const std::string kHeader =
    "apiVersion: dockgate/v1\nkind: Policy\nname: t\nrules:\n"
    "  - {id: all, title: All, effect: allow, match: {tools: ['*']}}\n";

Result<std::shared_ptr<const PolicySet>> with_owner(const std::string& owner) {
  return PolicySet::parse("t.yaml", kHeader +
                                        "  - id: owner-only\n    title: O\n    message: m\n"
                                        "    match: {tools: ['*']}\n    exclude: {roles: [admin]}\n"
                                        "    require:\n      owner: " +
                                        owner + "\n");
}

Result<std::shared_ptr<const PolicySet>> with_mutate(const std::string& mutate) {
  return PolicySet::parse("t.yaml", kHeader +
                                        "  - id: m\n    title: M\n    effect: mutate\n"
                                        "    match: {tools: ['*']}\n    exclude: {roles: [admin]}\n"
                                        "    mutate:\n" +
                                        mutate);
}

std::shared_ptr<const PolicySet> loaded(const Result<std::shared_ptr<const PolicySet>>& policy) {
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message);
  return policy.ok() ? *policy : nullptr;
}

actions::Facts container_of(std::map<std::string, std::string> labels, bool exists = true) {
  actions::Facts facts;
  facts.container = actions::ContainerFacts{};
  facts.container->exists = exists;
  facts.container->labels = std::move(labels);
  return facts;
}

Decision judged(const PolicySet& policy, actions::Action action, const actions::Facts& facts,
                const auth::Principal& who) {
  return policy.judge(JudgeInput{"docker_stop", action, facts, who, {}});
}

const auto kTeamOwner = "{label: dockgate.owner, team_label: dockgate.team}";

TEST(OwnerControl, OwnTargetPassesAnotherTenantsIsDeniedWithAFixThatNamesTheCallerOnly) {
  const auto policy = loaded(with_owner(kTeamOwner));
  const actions::Action stop = actions::StopContainer{"web", {}};
  EXPECT_TRUE(
      judged(*policy, stop, container_of({{"dockgate.owner", "alice"}}), {"alice", {}}).allowed);
  const auto denied =
      judged(*policy, stop, container_of({{"dockgate.owner", "alice"}}), {"bob", {}});
  ASSERT_FALSE(denied.allowed);
  ASSERT_EQ(denied.violations.size(), 1u);
  const auto& v = denied.violations[0];
  EXPECT_EQ(v.rule_id, "owner-only");
  EXPECT_EQ(v.field, "container");
  EXPECT_EQ(v.found, "\"web\"");
  EXPECT_EQ(v.how_to_comply,
            "you can only stop containers labelled dockgate.owner=bob, and \"web\" is not one of "
            "them (or does not exist); docker_ps lists yours");
  EXPECT_EQ(v.how_to_comply.find("alice"), std::string::npos);
}

TEST(OwnerControl, UnknownTargetIsDeniedInTheSameWordsAsAnotherTenants) {
  const auto policy = loaded(with_owner(kTeamOwner));
  const actions::Action rm = actions::RemoveContainer{"db"};
  const auto theirs = judged(*policy, rm, container_of({{"dockgate.owner", "alice"}}), {"bob", {}});
  const auto unknown = judged(*policy, rm, container_of({}, false), {"bob", {}});
  const auto no_facts = judged(*policy, rm, {}, {"bob", {}});
  ASSERT_EQ(theirs.violations.size(), 1u);
  ASSERT_EQ(unknown.violations.size(), 1u);
  ASSERT_EQ(no_facts.violations.size(), 1u);
  for (const auto* d : {&unknown, &no_facts}) {
    EXPECT_EQ(d->violations[0].found, theirs.violations[0].found);
    EXPECT_EQ(d->violations[0].allowed, theirs.violations[0].allowed);
    EXPECT_EQ(d->violations[0].how_to_comply, theirs.violations[0].how_to_comply);
  }
}

TEST(OwnerControl, TeamRoleGrantsTheTeamsTargetsOnlyWithTeamLabelAndPrefix) {
  const auto facts = container_of({{"dockgate.owner", "alice"}, {"dockgate.team", "web"}});
  const actions::Action logs = actions::ReadLogs{"web", {}, false, "", false};
  const auto team_policy = loaded(with_owner(kTeamOwner));
  EXPECT_TRUE(judged(*team_policy, logs, facts, {"carol", {"team:web"}}).allowed);
  EXPECT_FALSE(judged(*team_policy, logs, facts, {"dave", {"team:db"}}).allowed);
  EXPECT_FALSE(judged(*team_policy, logs, facts, {"dave", {"web"}}).allowed);
  EXPECT_FALSE(judged(*team_policy, logs, facts, {"dave", {"team:"}}).allowed);
  const auto owner_only = loaded(with_owner("{label: dockgate.owner}"));
  EXPECT_FALSE(judged(*owner_only, logs, facts, {"carol", {"team:web"}}).allowed);
}

TEST(OwnerControl, ExactValuesOnlyAndAnEmptyNameOwnsNothing) {
  const auto policy = loaded(with_owner(kTeamOwner));
  const actions::Action stop = actions::StopContainer{"web", {}};
  EXPECT_FALSE(
      judged(*policy, stop, container_of({{"dockgate.owner", "Bob"}}), {"bob", {}}).allowed);
  EXPECT_FALSE(
      judged(*policy, stop, container_of({{"dockgate.owner", "bobby"}}), {"bob", {}}).allowed);
  EXPECT_FALSE(judged(*policy, stop, container_of({{"dockgate.owner", ""}}), {"", {}}).allowed);
  EXPECT_FALSE(judged(*policy, stop, container_of({{"owner", "bob"}}), {"bob", {}}).allowed);
}

TEST(OwnerControl, InspectJudgesContainersVolumesNetworksButNotSharedImages) {
  const auto policy = loaded(with_owner(kTeamOwner));
  const actions::Action inspect = actions::InspectObject{"x", std::nullopt, ""};
  actions::Facts image;
  image.inspected_kind = actions::ObjectKind::Image;
  EXPECT_TRUE(judged(*policy, inspect, image, {"bob", {}}).allowed);
  actions::Facts volume;
  volume.inspected_kind = actions::ObjectKind::Volume;
  volume.object =
      actions::ObjectFacts{actions::ObjectKind::Volume, true, "x", {{"dockgate.owner", "bob"}}};
  EXPECT_TRUE(judged(*policy, inspect, volume, {"bob", {}}).allowed);
  EXPECT_FALSE(judged(*policy, inspect, volume, {"alice", {}}).allowed);
  EXPECT_FALSE(judged(*policy, inspect, actions::Facts{}, {"bob", {}}).allowed);  // nothing found
  // A volume's labels do not stand for a network of the same name.
  const actions::Action network_rm = actions::RemoveNetwork{"x"};
  EXPECT_FALSE(judged(*policy, network_rm, volume, {"bob", {}}).allowed);
}

TEST(OwnerControl, RunMountsAndJoinsOnlyOwnNamedVolumesAndNetworks) {
  const auto policy = loaded(with_owner(kTeamOwner));
  actions::RunContainer run;
  run.spec.image = actions::ImageRef{};
  run.spec.network = "alice-net";
  const auto mount = [](actions::MountType type, std::string source, std::string target) {
    actions::Mount m;
    m.type = type;
    m.source = std::move(source);
    m.target = std::move(target);
    return m;
  };
  run.spec.mounts = {mount(actions::MountType::Volume, "alice-data", "/data"),
                     mount(actions::MountType::Volume, "", "/cache"),
                     mount(actions::MountType::Volume, "missing", "/m")};
  actions::Facts facts;
  facts.mounted_volumes["alice-data"] = {
      actions::ObjectKind::Volume, true, "alice-data", {{"dockgate.owner", "alice"}}};
  facts.joined_network = actions::ObjectFacts{
      actions::ObjectKind::Network, true, "alice-net", {{"dockgate.team", "web"}}};
  auto fields = [](const Decision& d) {
    std::vector<std::string> out;
    for (const auto& v : d.violations) out.push_back(v.field);
    return out;
  };
  EXPECT_EQ(fields(judged(*policy, run, facts, {"bob", {}})),
            (std::vector<std::string>{"mounts[0].source", "mounts[2].source", "network"}));
  EXPECT_EQ(fields(judged(*policy, run, facts, {"alice", {"team:web"}})),
            (std::vector<std::string>{"mounts[2].source"}));
  run.spec.network = "bridge";
  run.spec.mounts = {mount(actions::MountType::Bind, "/srv/x", "/x")};
  EXPECT_TRUE(judged(*policy, run, {}, {"bob", {}}).allowed);
}

TEST(OwnerControl, AdminExcludedAndListsAndCreatesUntouched) {
  const auto policy = loaded(with_owner(kTeamOwner));
  const actions::Action stop = actions::StopContainer{"web", {}};
  EXPECT_TRUE(judged(*policy, stop, container_of({}, false), {"ops", {"admin"}}).allowed);
  EXPECT_TRUE(judged(*policy, actions::ListContainers{}, {}, {"bob", {}}).allowed);
  EXPECT_TRUE(
      judged(*policy, actions::CreateVolume{"v", "local", {}, {}}, {}, {"bob", {}}).allowed);
}

TEST(OwnerControlLoading, WrongTypeMissingLabelUnknownKeyAndSameLabels) {
  struct Case {
    std::string owner;
    std::string expected;
  } cases[] = {
      {"true", "DG002"},
      {"[dockgate.owner]", "DG002"},
      {"{team_label: dockgate.team}", "DG003 rule 'owner-only' require owner: 'label' is required"},
      {"{label: dockgate.owner, teams: x}", "DG001"},
      {"{label: {a: b}}", "DG002"},
      {"{label: \"\"}", "DG002"},
      {"{label: dockgate.owner, team_label: dockgate.owner}", "must differ"},
  };
  for (const auto& c : cases) {
    auto policy = with_owner(c.owner);
    ASSERT_FALSE(policy.ok()) << c.owner;
    EXPECT_NE(policy.error().message.find(c.expected), std::string::npos)
        << c.owner << ": " << policy.error().message;
  }
}

TEST(OwnerControlLoading, HostileLabelKeysAreRefusedAndNotEchoedWhole) {
  const std::string huge(10 * 1024, 'a');
  for (const std::string& owner : std::vector<std::string>{
           "{label: \"dockgate.owner\\nx: y\"}", "{label: \"owner=bob\"}", "{label: \" owner\"}",
           "{label: \"" + huge + "\"}", "{label: \"dockgate.owner\\u0000\"}"}) {
    auto policy = with_owner(owner);
    ASSERT_FALSE(policy.ok()) << owner.substr(0, 40);
    EXPECT_NE(policy.error().message.find("must be a label key"), std::string::npos)
        << policy.error().message.substr(0, 200);
    EXPECT_LT(policy.error().message.size(), 400u);
  }
}

TEST(ListOwnedOnly, NarrowsListsToTheCallerAndItsTeamsAndIsRecorded) {
  const auto policy =
      loaded(with_mutate("      list_owned_only: " + std::string(kTeamOwner) + "\n"));
  actions::Action list = actions::ListContainers{};
  const auto d = policy->judge(JudgeInput{"docker_ps", list, {}, {"carol", {"team:web"}}, {}});
  EXPECT_TRUE(d.allowed);
  const auto& visible = std::get<actions::ListContainers>(list).visible_labels;
  ASSERT_TRUE(visible.has_value());
  EXPECT_EQ(*visible, (actions::VisibleLabels{"dockgate.owner=carol", "dockgate.team=web"}));
  ASSERT_EQ(d.mutations.size(), 1u);
  EXPECT_EQ(d.mutations[0].field, "visible_labels");
  EXPECT_EQ(d.mutations[0].after, "[dockgate.owner=carol, dockgate.team=web]");

  actions::Action volumes = actions::ListVolumes{};
  policy->judge(JudgeInput{"docker_volume_ls", volumes, {}, {"ops", {"admin"}}, {}});
  EXPECT_FALSE(std::get<actions::ListVolumes>(volumes).visible_labels.has_value());
}

TEST(ListOwnedOnly, TwoRulesNarrowToWhatBothShowAndNothingMeansNothing) {
  auto policy = PolicySet::parse(
      "t.yaml",
      kHeader +
          "  - {id: a, title: A, effect: mutate, mutate: {list_owned_only: {label: o, "
          "team_label: t}}}\n"
          "  - {id: b, title: B, effect: mutate, mutate: {list_owned_only: {label: o2}}}\n");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  actions::Action list = actions::ListNetworks{};
  (*policy)->judge(JudgeInput{"docker_network_ls", list, {}, {"bob", {"team:x"}}, {}});
  const auto& visible = std::get<actions::ListNetworks>(list).visible_labels;
  ASSERT_TRUE(visible.has_value());
  EXPECT_TRUE(visible->empty());
}

TEST(ListOwnedOnlyLoading, WrongTypeMissingLabelAndHostileKey) {
  for (const auto& [mutate, expected] : std::vector<std::pair<std::string, std::string>>{
           {"      list_owned_only: true\n", "DG002"},
           {"      list_owned_only: {team_label: t}\n", "DG003"},
           {"      list_owned_only: {label: o, extra: 1}\n", "DG001"},
           {"      list_owned_only: {label: \"o\\nx\"}\n", "must be a label key"},
       }) {
    auto policy = with_mutate(mutate);
    ASSERT_FALSE(policy.ok()) << mutate;
    EXPECT_NE(policy.error().message.find(expected), std::string::npos) << policy.error().message;
  }
}

TEST(TeamPlaceholder, SetsTheFirstTeamAndLeavesTheLabelUnsetWithoutOne) {
  const auto policy = loaded(
      with_mutate("      labels: {dockgate.team: \"{team}\", dockgate.owner: \"{principal}\"}\n"));
  actions::Action create = actions::CreateVolume{"v", "local", {}, {}};
  policy->judge(JudgeInput{
      "docker_volume_create", create, {}, {"carol", {"dev", "team:web", "team:db"}}, {}});
  EXPECT_EQ(
      std::get<actions::CreateVolume>(create).labels,
      (std::map<std::string, std::string>{{"dockgate.owner", "carol"}, {"dockgate.team", "web"}}));
  actions::Action lone = actions::CreateNetwork{"n", "bridge", false, "", {}};
  policy->judge(JudgeInput{"docker_network_create", lone, {}, {"bob", {}}, {}});
  EXPECT_EQ(std::get<actions::CreateNetwork>(lone).labels,
            (std::map<std::string, std::string>{{"dockgate.owner", "bob"}}));
  auto typo = with_mutate("      labels: {dockgate.team: \"{teams}\"}\n");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("{principal} and {team}"), std::string::npos);
}

TEST(VisibleList, OneQueryPerLabelWithTheCallersFiltersMergedWithoutDuplicates) {
  std::vector<actions::ListFilters> asked;
  const auto query = [&](const actions::ListFilters& filters) -> Result<json> {
    asked.push_back(filters);
    return json::array({{{"Id", "shared"}}, {{"Id", filters.at("label").back()}}});
  };
  const actions::ListFilters mine = {{"status", {"running"}}, {"label", {"app=x"}}};
  auto merged = gate::visible_list(mine, actions::VisibleLabels{"o=bob", "t=web"}, "Id", query);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->size(), 3u);
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0].at("label"), (std::vector<std::string>{"app=x", "o=bob"}));
  EXPECT_EQ(asked[1].at("status"), (std::vector<std::string>{"running"}));
  asked.clear();
  auto nothing = gate::visible_list(mine, actions::VisibleLabels{}, "Id", query);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
  EXPECT_TRUE(asked.empty());
  auto unrestricted = gate::visible_list(mine, std::nullopt, "Id", query);
  ASSERT_TRUE(unrestricted.ok());
  EXPECT_EQ(asked.size(), 1u);
}

}  // namespace
}  // namespace dockgate::policy
