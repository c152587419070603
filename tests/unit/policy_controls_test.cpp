// Typed controls of deny rules (`require:`): each control allowed, denied and an edge case,
// the acceptance examples of issue 4 under policies/default.yaml, exceptions and loading.
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

std::shared_ptr<const PolicySet> policy_with(const std::string& require,
                                             const std::string& extra = "") {
  auto policy = PolicySet::parse("t.yaml", kHeader +
                                               "  - id: r\n    title: R\n    message: m\n"
                                               "    require:\n" +
                                               require + extra);
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message);
  return policy.ok() ? *policy : nullptr;
}

std::shared_ptr<const PolicySet> default_policy() {
  auto policy = PolicySet::load({DOCKGATE_SOURCE_DIR "/policies/default.yaml"});
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message);
  return *policy;
}

// A compliant spec under the default policy: change one thing per test.
ContainerSpec good_spec() {
  ContainerSpec spec;
  spec.image = *actions::parse_image_reference("dockgate-test/busybox:user");
  spec.user = "1000:1000";
  spec.cap_drop = {"ALL"};
  return spec;
}

actions::Facts facts_for(const ContainerSpec& spec, std::string image_user = "1000:1000") {
  actions::Facts facts;
  facts.image = actions::ImageFacts{true, "sha256:x", std::move(image_user)};
  for (const auto& m : spec.mounts) facts.canonical_paths[m.source] = m.source;
  return facts;
}

// Judged as a call is: the policy's mutate rules first, then the decision.
Decision run(const PolicySet& policy, const ContainerSpec& spec, const actions::Facts& facts) {
  actions::Action action = actions::RunContainer{spec};
  return policy.judge({"docker_run", action, facts, {"alice", {}}, {}});
}
Decision run(const PolicySet& policy, const ContainerSpec& spec) {
  return run(policy, spec, facts_for(spec));
}

std::vector<std::string> fields(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& v : d.violations) out.push_back(v.rule_id + ":" + v.field);
  return out;
}

void expect_denied_by(const Decision& d, const std::string& rule, const std::string& field) {
  EXPECT_FALSE(d.allowed);
  const auto f = fields(d);
  EXPECT_NE(std::find(f.begin(), f.end(), rule + ":" + field), f.end())
      << "expected " << rule << ":" << field << ", got " << ::testing::PrintToString(f);
}

ContainerSpec with_bind(ContainerSpec spec, const std::string& source) {
  actions::Mount mount;
  mount.type = actions::MountType::Bind;
  mount.source = source;
  mount.target = "/mnt";
  spec.mounts.push_back(mount);
  return spec;
}

// ---- the acceptance examples, under policies/default.yaml ----

TEST(DefaultPolicy, CompliantRunIsAllowed) {
  auto d = run(*default_policy(), good_spec());
  EXPECT_TRUE(d.allowed) << ::testing::PrintToString(fields(d));
}

TEST(DefaultPolicy, PrivilegedIsDenied) {
  auto spec = good_spec();
  spec.privileged = true;
  expect_denied_by(run(*default_policy(), spec), "pss-privileged", "privileged");
}

TEST(DefaultPolicy, RootUserInEverySpellingIsDenied) {
  for (const char* user : {"0", "00", "+0", "root", "0:0", "root:root", "0:1000"}) {
    auto spec = good_spec();
    spec.user = user;
    auto d = run(*default_policy(), spec);
    expect_denied_by(d, "pss-run-as-non-root", "user");
    ASSERT_FALSE(d.violations.empty());
    EXPECT_EQ(d.violations[0].found, std::string("\"") + user + "\"");
  }
}

TEST(DefaultPolicy, ImageDefaultRootIsDeniedThroughFacts) {
  auto spec = good_spec();
  spec.user = "";
  expect_denied_by(run(*default_policy(), spec, facts_for(spec, "")), "pss-run-as-non-root",
                   "user");
  expect_denied_by(run(*default_policy(), spec, facts_for(spec, "0:0")), "pss-run-as-non-root",
                   "user");
  EXPECT_TRUE(run(*default_policy(), spec, facts_for(spec, "1000")).allowed);
  actions::Facts unknown;  // the image is not local: its User cannot be known
  expect_denied_by(run(*default_policy(), spec, unknown), "pss-run-as-non-root", "user");
}

TEST(DefaultPolicy, UnresolvableUserNameIsDenied) {
  auto spec = good_spec();
  spec.user = "app";
  expect_denied_by(run(*default_policy(), spec), "pss-run-as-non-root", "user");
}

TEST(DefaultPolicy, CapabilitiesInEverySpellingAreDenied) {
  for (const char* cap : {"SYS_ADMIN", "CAP_SYS_ADMIN", "sys_admin", "ALL", "all"}) {
    auto spec = good_spec();
    spec.cap_add = {"NET_BIND_SERVICE", cap};
    auto d = run(*default_policy(), spec);
    expect_denied_by(d, "pss-capabilities", "cap_add[1]");
    EXPECT_EQ(d.violations.size(), 1u) << cap;
  }
  auto spec = good_spec();
  spec.cap_add = {"cap_net_bind_service"};
  EXPECT_TRUE(run(*default_policy(), spec).allowed);
  // Without ALL in cap_drop the control denies; in a call, restricted-defaults adds it first.
  for (const char* drop : {"NET_RAW", "cap_all" /* not a capability: cannot count as ALL */}) {
    spec.cap_drop = {drop};
    const actions::Action raw = actions::RunContainer{spec};
    expect_denied_by(default_policy()->decide({"docker_run", raw, facts_for(spec), {"a", {}}, {}}),
                     "pss-capabilities", "cap_drop");
    const auto judged = run(*default_policy(), spec);
    EXPECT_TRUE(judged.allowed) << drop;
    EXPECT_EQ(judged.mutations.front().field, "cap_drop") << drop;
  }
}

TEST(DefaultPolicy, DockerSocketAndItsParentsAreDenied) {
  for (const char* source : {"/var/run/docker.sock", "/run/docker.sock", "/", "/var/run", "/run",
                             "/var/run/../run/docker.sock", "//var//run/./docker.sock",
                             "/run/user/1000/docker.sock", "/var/lib/docker/volumes"}) {
    expect_denied_by(run(*default_policy(), with_bind(good_spec(), source)), "cis-docker-socket",
                     "mounts[0].source");
  }
}

TEST(DefaultPolicy, SymlinkToTheSocketIsDeniedThroughTheCanonicalPathFact) {
  const auto spec = with_bind(good_spec(), "/home/u/link");
  auto facts = facts_for(spec);
  facts.canonical_paths["/home/u/link"] = "/var/run/docker.sock";
  auto d = run(*default_policy(), spec, facts);
  expect_denied_by(d, "cis-docker-socket", "mounts[0].source");
  EXPECT_NE(d.violations[0].found.find("/run/docker.sock"), std::string::npos);
  facts.canonical_paths.clear();  // no fact: cannot be judged, refused
  expect_denied_by(run(*default_policy(), spec, facts), "cis-docker-socket", "mounts[0].source");
}

TEST(DefaultPolicy, UnconfinedSecurityOptionsAreDenied) {
  for (const char* opt :
       {"seccomp=unconfined", "seccomp:unconfined", "apparmor=unconfined", "apparmor:unconfined",
        "label=disable", "label:disable", "disable", "systempaths=unconfined"}) {
    auto spec = good_spec();
    spec.security_opt = {opt};
    expect_denied_by(run(*default_policy(), spec), "pss-seccomp-apparmor", "security_opt[0]");
  }
}

TEST(DefaultPolicy, HostAndContainerNamespacesAreDenied) {
  auto spec = good_spec();
  spec.network = "host";
  spec.pid_mode = "host";
  spec.ipc_mode = "container:abc";
  auto d = run(*default_policy(), spec);
  expect_denied_by(d, "pss-host-namespaces", "network");
  expect_denied_by(d, "pss-host-namespaces", "pid_mode");
  expect_denied_by(d, "pss-host-namespaces", "ipc_mode");
  spec = good_spec();
  spec.network = "container:db";
  expect_denied_by(run(*default_policy(), spec), "pss-host-namespaces", "network");
  spec.network = "appnet";
  spec.ipc_mode = "private";
  EXPECT_TRUE(run(*default_policy(), spec).allowed);
}

TEST(DefaultPolicy, DevicesAndLatestAreDenied) {
  auto spec = good_spec();
  spec.devices = {"/dev/fuse"};
  expect_denied_by(run(*default_policy(), spec), "cis-devices", "devices[0]");
  spec = good_spec();
  spec.image = *actions::parse_image_reference("busybox");
  expect_denied_by(run(*default_policy(), spec), "cis-image-pinned", "image.tag");
  spec.image = *actions::parse_image_reference("busybox:latest");
  expect_denied_by(run(*default_policy(), spec), "cis-image-pinned", "image.tag");
}

TEST(DefaultPolicy, LocalDriverBindVolumesAreDenied) {
  const actions::Action action = actions::CreateVolume{
      "root", "local", {{"type", "none"}, {"o", "bind"}, {"device", "/"}}, {}};
  auto d = default_policy()->decide({"docker_volume_create", action, {}, {"alice", {}}, {}});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.violations.size(), 3u) << ::testing::PrintToString(fields(d));
  const actions::Action plain = actions::CreateVolume{"data", "local", {}, {}};
  EXPECT_TRUE(default_policy()->decide({"docker_volume_create", plain, {}, {"a", {}}, {}}).allowed);
}

TEST(DefaultPolicy, EveryViolationIsListedTogetherWithFieldFoundAndAllowed) {
  auto spec = with_bind(good_spec(), "/var/run/docker.sock");
  spec.image = *actions::parse_image_reference("busybox");
  spec.user = "root";
  spec.privileged = true;
  spec.cap_add = {"SYS_ADMIN"};
  spec.cap_drop = {};
  spec.network = "host";
  spec.security_opt = {"seccomp=unconfined"};
  spec.devices = {"/dev/sda"};
  auto d = run(*default_policy(), spec);
  std::set<std::string> rules;
  for (const auto& v : d.violations) {
    rules.insert(v.rule_id);
    EXPECT_FALSE(v.field.empty()) << v.rule_id;
    EXPECT_FALSE(v.found.empty()) << v.rule_id;
    EXPECT_FALSE(v.allowed.empty()) << v.rule_id;
    EXPECT_FALSE(v.how_to_comply.empty()) << v.rule_id;
  }
  EXPECT_EQ(rules,
            (std::set<std::string>{"pss-privileged", "pss-run-as-non-root", "pss-capabilities",
                                   "pss-host-namespaces", "cis-docker-socket",
                                   "pss-seccomp-apparmor", "cis-devices", "cis-image-pinned"}));
  // cap_drop is not among them: restricted-defaults added ALL before the rules judged.
  EXPECT_GE(d.violations.size(), 8u);
}

TEST(DefaultPolicy, ExecAsRootIsDeniedAndTheContainerUserCounts) {
  auto exec = [](std::string user, std::string container_user) {
    const actions::Action action = actions::ExecCommand{"web", {"id"}, std::move(user), "", {}};
    actions::Facts facts;
    facts.container = actions::ContainerFacts{};
    facts.container->exists = true;
    facts.container->user = std::move(container_user);
    return default_policy()->decide({"docker_exec", action, facts, {"alice", {}}, {}});
  };
  EXPECT_FALSE(exec("root", "1000").allowed);
  EXPECT_FALSE(exec("", "").allowed);
  EXPECT_FALSE(exec("", "0:0").allowed);
  EXPECT_TRUE(exec("", "1000:1000").allowed);
  EXPECT_TRUE(exec("1000", "").allowed);
}

// ---- individual controls, in a policy of their own ----

TEST(Controls, PortsRangeHostIpsAndPublishAll) {
  auto policy = policy_with(
      "      ports: {host_port_range: \"1024-65535\", host_ips: [127.0.0.1], publish_all: "
      "false}\n");
  auto spec = good_spec();
  spec.ports = {{"127.0.0.1", 8080, 80, "tcp"}, {"127.0.0.1", 0, 81, "tcp"}};
  EXPECT_TRUE(run(*policy, spec).allowed);
  spec.ports = {{"", 80, 80, "tcp"}};
  auto d = run(*policy, spec);
  expect_denied_by(d, "r", "ports[0].host_port");
  expect_denied_by(d, "r", "ports[0].host_ip");
  spec.ports = {};
  spec.publish_all = true;
  expect_denied_by(run(*policy, spec), "r", "publish_all");
}

TEST(Controls, SysctlsAllowlistIsExact) {
  auto policy = policy_with("      sysctls: {allowed: [net.ipv4.tcp_syncookies]}\n");
  auto spec = good_spec();
  spec.sysctls = {{"net.ipv4.tcp_syncookies", "1"}};
  EXPECT_TRUE(run(*policy, spec).allowed);
  spec.sysctls = {{"kernel.core_pattern", "|/x"}};
  expect_denied_by(run(*policy, spec), "r", "sysctls.kernel.core_pattern");
  spec.sysctls = {{"NET.IPV4.TCP_SYNCOOKIES", "1"}};
  EXPECT_FALSE(run(*policy, spec).allowed);
}

TEST(Controls, ReadOnlyRootfsAndNoNewPrivileges) {
  auto policy = policy_with(
      "      read_only_rootfs: true\n      security_opt: {require_no_new_privileges: true}\n");
  auto spec = good_spec();
  spec.read_only_rootfs = true;
  spec.security_opt = {"no-new-privileges"};
  EXPECT_TRUE(run(*policy, spec).allowed);
  spec.security_opt = {"no-new-privileges=true", "no-new-privileges:false"};  // last wins
  expect_denied_by(run(*policy, spec), "r", "security_opt[1]");
  spec.security_opt = {};
  spec.read_only_rootfs = false;
  auto d = run(*policy, spec);
  expect_denied_by(d, "r", "read_only");
  expect_denied_by(d, "r", "security_opt");
}

TEST(Controls, ResourcesRequiredAndBounded) {
  auto policy = policy_with(
      "      resources: {require_memory: true, require_pids_limit: true, memory_max: 2g, "
      "cpus_max: \"1.5\", pids_max: 100}\n");
  auto spec = good_spec();
  spec.memory_bytes = 512LL << 20;
  spec.pids_limit = 50;
  EXPECT_TRUE(run(*policy, spec).allowed);  // cpus not required; unlimited is fine
  spec.memory_bytes = 3LL << 30;
  spec.nano_cpus = 2000000000;
  spec.pids_limit = 0;
  auto d = run(*policy, spec);
  expect_denied_by(d, "r", "memory_bytes");
  expect_denied_by(d, "r", "nano_cpus");
  expect_denied_by(d, "r", "pids_limit");
}

TEST(Controls, RestartAllowedNamesAndRetries) {
  auto policy = policy_with("      restart: {allowed: [\"no\", on-failure], max_retries: 5}\n");
  auto spec = good_spec();
  spec.restart = {"on-failure", 5};
  EXPECT_TRUE(run(*policy, spec).allowed);
  spec.restart = {"on-failure", 0};  // retry forever
  expect_denied_by(run(*policy, spec), "r", "restart.maximum_retry_count");
  spec.restart = {"always", 0};
  expect_denied_by(run(*policy, spec), "r", "restart");
}

TEST(Controls, ImageRegistriesRepositoriesAndDigest) {
  auto policy = policy_with(
      "      images: {allowed_registries: [\"127.0.0.1:5000\"], denied_repositories: "
      "[\"**/evil*\"], require_digest: true}\n");
  auto spec = good_spec();
  spec.image = *actions::parse_image_reference(
      "127.0.0.1:5000/team/"
      "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(run(*policy, spec).allowed);
  spec.image = *actions::parse_image_reference("127.0.0.1:5000/team/evil-app:1");
  auto d = run(*policy, spec);
  expect_denied_by(d, "r", "image");
  expect_denied_by(d, "r", "image.digest");
  // A prefix is not a registry: 127.0.0.1:5000.evil.net is another host.
  spec.image = *actions::parse_image_reference("docker.io/library/busybox:1");
  expect_denied_by(run(*policy, spec), "r", "image");
}

TEST(Controls, BindAllowlistJudgesLexicalAndCanonicalPaths) {
  auto policy = policy_with(
      "      bind_mounts: {allowed_paths: [/srv/work], require_read_only: true, "
      "allowed_propagation: [\"\", rprivate]}\n");
  auto spec = with_bind(good_spec(), "/srv/work/project");
  spec.mounts[0].read_only = true;
  EXPECT_TRUE(run(*policy, spec).allowed);
  spec.mounts[0].source = "/srv/work/../secrets";
  expect_denied_by(run(*policy, spec), "r", "mounts[0].source");
  spec.mounts[0].source = "/srv/workshop";  // a prefix, not a parent folder
  expect_denied_by(run(*policy, spec), "r", "mounts[0].source");
  spec.mounts[0].source = "/srv/work/link";
  auto facts = facts_for(spec);
  facts.canonical_paths["/srv/work/link"] = "/etc";
  expect_denied_by(run(*policy, spec, facts), "r", "mounts[0].source");
  spec.mounts[0].source = "/srv/work/x";
  spec.mounts[0].read_only = false;
  spec.mounts[0].propagation = "rshared";
  auto d = run(*policy, spec);
  expect_denied_by(d, "r", "mounts[0].read_only");
  expect_denied_by(d, "r", "mounts[0].propagation");
}

TEST(Controls, ExecUsersAndCommandPatterns) {
  auto policy = policy_with(
      "      exec: {forbid_root: true, allowed_commands: [\"ls( .*)?\", \"cat /app/.*\"], "
      "denied_commands: [\".*\\\\.\\\\./.*\"]}\n");
  auto exec = [&](std::vector<std::string> argv, std::string user) {
    const actions::Action action =
        actions::ExecCommand{"web", std::move(argv), std::move(user), "", {}};
    actions::Facts facts;
    facts.container = actions::ContainerFacts{};
    facts.container->exists = true;
    return policy->decide({"docker_exec", action, facts, {"alice", {}}, {}});
  };
  EXPECT_TRUE(exec({"ls", "-l"}, "1000").allowed);
  expect_denied_by(exec({"sh", "-c", "id"}, "1000"), "r", "command");
  expect_denied_by(exec({"cat", "/app/../etc/shadow"}, "1000"), "r", "command");
  expect_denied_by(exec({"ls"}, ""), "r", "user");  // the container runs as root
}

TEST(Controls, NetworkDriversAndVolumeOptions) {
  auto policy = policy_with(
      "      network_drivers: {allowed: [bridge]}\n      volume_drivers: {allowed: [local], "
      "allowed_options: [size]}\n");
  const actions::Action bridge = actions::CreateNetwork{"n", "bridge", false, "", {}};
  const actions::Action macvlan = actions::CreateNetwork{"n", "macvlan", false, "", {}};
  const actions::Action volume = actions::CreateVolume{"v", "local", {{"o", "size=1g"}}, {}};
  EXPECT_TRUE(policy->decide({"x", bridge, {}, {"a", {}}, {}}).allowed);
  expect_denied_by(policy->decide({"x", macvlan, {}, {"a", {}}, {}}), "r", "driver");
  expect_denied_by(policy->decide({"x", volume, {}, {"a", {}}, {}}), "r", "driver_opts.o");
}

TEST(Controls, RequirementsOnOtherActionsAreNotJudged) {
  auto policy = policy_with("      privileged: false\n      images: {forbid_latest: true}\n");
  const actions::Action list = actions::ListContainers{};
  EXPECT_TRUE(policy->decide({"docker_ps", list, {}, {"a", {}}, {}}).allowed);
}

}  // namespace
}  // namespace dockgate::policy
