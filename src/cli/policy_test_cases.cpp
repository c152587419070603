// Reads policy test cases: the action is built from YAML fields with the same normalizers the
// tools use (image references, sizes, restart policies), so a case judges what the tool
// would send. Strict like the policy loader: unknown keys and wrong types are errors.
#include "cli/policy_test_cases.hpp"

#include <filesystem>
#include <fstream>
#include <regex>

#include "actions/normalize.hpp"
#include "policy/loader_support.hpp"

namespace dockgate::cli {
namespace {

using policy::loader::check_keys;
using policy::loader::ErrorList;

struct Reader {
  ErrorList& errors;
  std::string where;

  std::string text(const YAML::Node& map, const std::string& key, std::string fallback = "") {
    const auto node = map[key];
    if (!node) return fallback;
    if (!node.IsScalar()) errors.add(node.Mark(), where + ": '" + key + "' must be a string");
    return node.IsScalar() ? node.Scalar() : fallback;
  }
  bool flag(const YAML::Node& map, const std::string& key, bool fallback = false) {
    const auto node = map[key];
    if (!node) return fallback;
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false"))
      return node.Scalar() == "true";
    errors.add(node.Mark(), where + ": '" + key + "' must be true or false");
    return fallback;
  }
  long number(const YAML::Node& map, const std::string& key, long fallback = 0) {
    const auto node = map[key];
    if (!node) return fallback;
    try {
      return node.as<long>();
    } catch (const YAML::Exception&) {
      errors.add(node.Mark(), where + ": '" + key + "' must be a whole number");
      return fallback;
    }
  }
  std::vector<std::string> list(const YAML::Node& map, const std::string& key) {
    std::vector<std::string> out;
    const auto node = map[key];
    if (!node) return out;
    if (!node.IsSequence()) {
      errors.add(node.Mark(), where + ": '" + key + "' must be a list of strings");
      return out;
    }
    for (const auto& item : node) out.push_back(item.IsScalar() ? item.Scalar() : "");
    return out;
  }
  std::map<std::string, std::string> dict(const YAML::Node& map, const std::string& key) {
    std::map<std::string, std::string> out;
    const auto node = map[key];
    if (!node) return out;
    if (!node.IsMap()) {
      errors.add(node.Mark(), where + ": '" + key + "' must be a map of strings");
      return out;
    }
    for (const auto& entry : node) out[entry.first.Scalar()] = entry.second.Scalar();
    return out;
  }
  template <class T>
  T parsed(const YAML::Node& map, const std::string& key, Result<T> result, T fallback) {
    if (result) return *result;
    errors.add(map[key].Mark(), where + ": '" + key + "': " + result.error().message);
    return fallback;
  }
};

actions::ContainerSpec read_spec(const YAML::Node& a, Reader& r) {
  check_keys(a,
             {"image",   "name",         "user",     "privileged",  "cap_add",     "cap_drop",
              "network", "pid_mode",     "ipc_mode", "uts_mode",    "userns_mode", "cgroupns_mode",
              "mounts",  "volumes_from", "ports",    "publish_all", "devices",     "security_opt",
              "sysctls", "read_only",    "memory",   "cpus",        "pids_limit",  "restart",
              "command", "env"},
             r.where + " action", r.errors);
  actions::ContainerSpec spec;
  const auto image = r.text(a, "image");
  if (image.empty()) r.errors.add(a.Mark(), r.where + ": docker_run needs action.image");
  spec.image = r.parsed(a, "image", actions::parse_image_reference(image), actions::ImageRef{});
  spec.name = r.text(a, "name");
  spec.user = r.text(a, "user");
  spec.privileged = r.flag(a, "privileged");
  spec.cap_add = r.list(a, "cap_add");  // as written: the policy normalizes them itself
  spec.cap_drop = r.list(a, "cap_drop");
  spec.network = r.text(a, "network");
  spec.pid_mode = r.text(a, "pid_mode");
  spec.ipc_mode = r.text(a, "ipc_mode");
  spec.uts_mode = r.text(a, "uts_mode");
  spec.userns_mode = r.text(a, "userns_mode");
  spec.cgroupns_mode = r.text(a, "cgroupns_mode");
  for (const char* key : {"mounts", "ports"}) {
    if (a[key] && !a[key].IsSequence())
      r.errors.add(a[key].Mark(), r.where + ": '" + key + "' must be a list of maps");
  }
  const auto sequence = [&](const char* key) {
    return a[key] && a[key].IsSequence() ? a[key] : YAML::Node(YAML::NodeType::Sequence);
  };
  for (const auto& m : sequence("mounts")) {
    check_keys(m, {"type", "source", "target", "read_only", "propagation"}, r.where + " mount",
               r.errors);
    actions::Mount mount;
    const auto type = r.text(m, "type", "bind");
    mount.type = type == "bind"    ? actions::MountType::Bind
                 : type == "tmpfs" ? actions::MountType::Tmpfs
                                   : actions::MountType::Volume;
    mount.source = r.text(m, "source");
    mount.target = r.text(m, "target", "/data");
    mount.read_only = r.flag(m, "read_only");
    mount.propagation = r.text(m, "propagation");
    spec.mounts.push_back(mount);
  }
  spec.volumes_from = r.list(a, "volumes_from");
  for (const auto& p : sequence("ports")) {
    check_keys(p, {"host_ip", "host_port", "container_port", "protocol"}, r.where + " port",
               r.errors);
    actions::PortBinding port;
    port.host_ip = r.text(p, "host_ip");
    port.host_port = static_cast<std::uint16_t>(r.number(p, "host_port"));
    port.container_port = static_cast<std::uint16_t>(r.number(p, "container_port", 80));
    port.protocol = r.text(p, "protocol", "tcp");
    spec.ports.push_back(port);
  }
  spec.publish_all = r.flag(a, "publish_all");
  spec.devices = r.list(a, "devices");
  spec.security_opt = r.list(a, "security_opt");  // as written, '=' or ':'
  spec.sysctls = r.dict(a, "sysctls");
  spec.read_only_rootfs = r.flag(a, "read_only");
  if (a["memory"])
    spec.memory_bytes =
        r.parsed<std::int64_t>(a, "memory", actions::parse_memory_bytes(r.text(a, "memory")), 0);
  if (a["cpus"])
    spec.nano_cpus =
        r.parsed<std::int64_t>(a, "cpus", actions::parse_nano_cpus(r.text(a, "cpus")), 0);
  spec.pids_limit = r.number(a, "pids_limit");
  if (a["restart"])
    spec.restart = r.parsed(a, "restart", actions::parse_restart_policy(r.text(a, "restart")),
                            actions::RestartPolicy{});
  if (a["command"]) spec.command = r.list(a, "command");
  spec.env = r.list(a, "env");
  return spec;
}

Result<actions::Action> read_action(const std::string& tool, const YAML::Node& a, Reader& r) {
  const YAML::Node node = a ? a : YAML::Node(YAML::NodeType::Map);
  const std::string where = r.where + " action";
  auto only = [&](std::set<std::string> keys) { check_keys(node, keys, where, r.errors); };
  if (tool == "docker_run") return actions::Action{actions::RunContainer{read_spec(node, r)}};
  if (tool == "docker_exec") {
    only({"container", "command", "user", "workdir", "env"});
    return actions::Action{actions::ExecCommand{r.text(node, "container", "target"),
                                                r.list(node, "command"), r.text(node, "user"),
                                                r.text(node, "workdir"), r.list(node, "env")}};
  }
  if (tool == "docker_volume_create") {
    only({"name", "driver", "driver_opts"});
    return actions::Action{actions::CreateVolume{r.text(node, "name", "data"),
                                                 r.text(node, "driver", "local"),
                                                 r.dict(node, "driver_opts"),
                                                 {}}};
  }
  if (tool == "docker_network_create") {
    only({"name", "driver", "internal"});
    return actions::Action{actions::CreateNetwork{r.text(node, "name", "net"),
                                                  r.text(node, "driver", "bridge"),
                                                  r.flag(node, "internal"),
                                                  "",
                                                  {}}};
  }
  if (tool == "docker_pull") {
    only({"image"});
    const auto image = r.text(node, "image");
    if (image.empty()) r.errors.add(node.Mark(), where + ": docker_pull needs action.image");
    return actions::Action{actions::PullImage{
        r.parsed(node, "image", actions::parse_image_reference(image), actions::ImageRef{})}};
  }
  if (tool == "docker_build") {
    // from: the Dockerfile's FROM images as docker_build would find them; network: the mode.
    only({"from", "tag", "network", "build_args"});
    actions::BuildImage build;
    build.context_dir = "/workspace/app";
    for (const auto& image : r.list(node, "from"))
      build.from_images.push_back(
          r.parsed(node, "from", actions::parse_image_reference(image), actions::ImageRef{}));
    if (const auto tag = r.text(node, "tag"); !tag.empty()) build.tags.push_back(tag);
    const auto network = r.text(node, "network", "default");
    build.network_mode = network == "default" ? "" : network;
    build.build_args = r.dict(node, "build_args");
    return actions::Action{build};
  }
  if (tool == "docker_rmi") {
    only({"image", "force"});
    return actions::Action{
        actions::RemoveImage{r.text(node, "image", "busybox:1.36"), r.flag(node, "force")}};
  }
  only({"container", "object", "name", "filters"});
  const auto container = r.text(node, "container", "target");
  // docker_ps, docker_volume_ls, docker_network_ls: filters {label: ["a=b"], status: [...]}.
  actions::ListFilters filters;
  if (const auto f = node["filters"]) {
    if (!f.IsMap()) r.errors.add(f.Mark(), where + ": 'filters' must be a map of lists");
    for (const auto& entry : f.IsMap() ? f : YAML::Node(YAML::NodeType::Map))
      filters[entry.first.Scalar()] = r.list(f, entry.first.Scalar());
  }
  if (tool == "docker_ps") return actions::Action{actions::ListContainers{false, filters, {}}};
  if (tool == "docker_images") return actions::Action{actions::ListImages{}};
  if (tool == "docker_inspect")
    return actions::Action{actions::InspectObject{r.text(node, "object", "target"), {}, ""}};
  if (tool == "docker_stop") return actions::Action{actions::StopContainer{container, {}}};
  if (tool == "docker_rm") return actions::Action{actions::RemoveContainer{container}};
  if (tool == "docker_logs") {
    actions::ReadLogs logs;
    logs.container = container;
    return actions::Action{logs};
  }
  if (tool == "docker_volume_ls") return actions::Action{actions::ListVolumes{filters, {}}};
  if (tool == "docker_volume_rm")
    return actions::Action{actions::RemoveVolume{r.text(node, "name", "data")}};
  if (tool == "docker_network_ls") return actions::Action{actions::ListNetworks{filters, {}}};
  if (tool == "docker_network_rm")
    return actions::Action{actions::RemoveNetwork{r.text(node, "name", "net")}};
  return make_error("tool '" + tool + "' has no action reader in policy test");
}

actions::Facts read_facts(const YAML::Node& f, const actions::Action& action, Reader& r) {
  actions::Facts facts;
  if (f) {
    check_keys(f,
               {"image", "container", "object", "inspected_kind", "canonical_paths",
                "mounted_volumes", "joined_network"},
               r.where + " facts", r.errors);
    // docker_run: {name: {label: value}} for each named volume that exists.
    if (const auto volumes = f["mounted_volumes"]) {
      if (!volumes.IsMap())
        r.errors.add(volumes.Mark(), r.where + ": facts.mounted_volumes must be a map");
      for (const auto& entry : volumes.IsMap() ? volumes : YAML::Node(YAML::NodeType::Map)) {
        const auto name = entry.first.Scalar();
        facts.mounted_volumes[name] =
            actions::ObjectFacts{actions::ObjectKind::Volume, true, name, r.dict(volumes, name)};
      }
    }
    if (const auto n = f["joined_network"]) {
      check_keys(n, {"exists", "labels"}, r.where + " facts.joined_network", r.errors);
      facts.joined_network = actions::ObjectFacts{
          actions::ObjectKind::Network, r.flag(n, "exists", true), "", r.dict(n, "labels")};
    }
    if (const auto image = f["image"]) {
      check_keys(image, {"present", "user", "id"}, r.where + " facts.image", r.errors);
      facts.image = actions::ImageFacts{r.flag(image, "present", true), r.text(image, "id"),
                                        r.text(image, "user")};
    }
    if (const auto c = f["container"]) {
      check_keys(c, {"exists", "user", "image", "running", "labels"}, r.where + " facts.container",
                 r.errors);
      actions::ContainerFacts container;
      container.exists = r.flag(c, "exists", true);
      container.user = r.text(c, "user");
      container.image = r.text(c, "image");
      container.running = r.flag(c, "running", true);
      container.labels = r.dict(c, "labels");
      facts.container = container;
    }
    // A volume or network target (rm, inspect): {kind: volume|network, exists, labels}.
    if (const auto o = f["object"]) {
      check_keys(o, {"kind", "exists", "name", "labels"}, r.where + " facts.object", r.errors);
      actions::ObjectFacts object;
      const auto kind = actions::parse_kind(r.text(o, "kind", "volume"));
      if (!kind || *kind == actions::ObjectKind::Container || *kind == actions::ObjectKind::Image)
        r.errors.add(o.Mark(), r.where + ": facts.object.kind must be volume or network");
      object.kind = kind.value_or(actions::ObjectKind::Volume);
      object.exists = r.flag(o, "exists", true);
      object.name = r.text(o, "name");
      object.labels = r.dict(o, "labels");
      facts.object = object;
    }
    // docker_inspect: what the object resolved to (container, image, volume, network).
    if (f["inspected_kind"]) {
      facts.inspected_kind = actions::parse_kind(r.text(f, "inspected_kind"));
      if (!facts.inspected_kind)
        r.errors.add(
            f["inspected_kind"].Mark(),
            r.where + ": facts.inspected_kind must be container, image, volume or network");
    }
    facts.canonical_paths = r.dict(f, "canonical_paths");
  }
  // A bind without a canonical_paths fact is taken to be no symlink (the gate always gives one).
  if (const auto* run = std::get_if<actions::RunContainer>(&action)) {
    for (const auto& m : run->spec.mounts)
      if (!m.source.empty() && m.source[0] == '/')
        facts.canonical_paths.try_emplace(m.source, m.source);
  }
  return facts;
}

std::chrono::system_clock::time_point read_day(const std::string& text, bool& ok) {
  static const std::regex kDate("([0-9]{4})-([0-9]{2})-([0-9]{2})");
  std::smatch p;
  ok = std::regex_match(text, p, kDate);
  if (!ok) return {};
  using namespace std::chrono;
  const year_month_day date{year{std::stoi(p[1])}, month{static_cast<unsigned>(std::stoi(p[2]))},
                            day{static_cast<unsigned>(std::stoi(p[3]))}};
  ok = date.ok();
  return ok ? sys_days{date} + hours{12} : system_clock::time_point{};
}

}  // namespace

Result<PolicyTestFile> read_policy_test_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot read the test file");
  std::ostringstream content;
  content << in.rdbuf();
  ErrorList errors(path);
  PolicyTestFile file{path, {}, {}};
  try {
    const auto root = YAML::Load(content.str());
    Reader r{errors, "test file"};
    if (!root.IsMap()) return make_error(path + ": must be a map with policies and cases");
    check_keys(root, {"policies", "cases", "description"}, "test file", errors);
    const auto folder = std::filesystem::path(path).parent_path();
    for (const auto& p : r.list(root, "policies")) file.policies.push_back((folder / p).string());
    if (file.policies.empty()) errors.add(root.Mark(), "test file: 'policies' is required");
    const auto cases = root["cases"];
    if (!cases || !cases.IsSequence() || cases.size() == 0)
      errors.add(root.Mark(), "test file: 'cases' must be a non-empty list");
    for (std::size_t i = 0; cases && cases.IsSequence() && i < cases.size(); ++i) {
      const auto c = cases[i];
      Reader cr{errors, "case #" + std::to_string(i + 1)};
      check_keys(c,
                 {"name", "tool", "principal", "roles", "now", "action", "facts", "expect", "rules",
                  "warnings", "mutations"},
                 cr.where, errors);
      PolicyTestCase test;
      test.line = c.Mark().line + 1;
      test.name = cr.text(c, "name", cr.where);
      cr.where = "case '" + test.name + "'";
      test.tool = cr.text(c, "tool");
      auto action = read_action(test.tool, c["action"], cr);
      if (!action) {
        errors.add(c.Mark(), cr.where + ": " + action.error().message);
        continue;
      }
      test.action = *action;
      test.facts = read_facts(c["facts"], test.action, cr);
      test.principal = {cr.text(c, "principal", "policy-test"), cr.list(c, "roles")};
      test.now = std::chrono::system_clock::now();
      if (c["now"]) {
        bool ok = false;
        test.now = read_day(cr.text(c, "now"), ok);
        if (!ok) errors.add(c["now"].Mark(), cr.where + ": 'now' must be a date YYYY-MM-DD");
      }
      const auto expect = cr.text(c, "expect");
      if (expect != "allow" && expect != "deny")
        errors.add(c.Mark(), cr.where + ": 'expect' must be allow or deny");
      test.expect_allow = expect == "allow";
      if (c["rules"]) test.rules = cr.list(c, "rules");
      if (c["warnings"]) test.warnings = cr.list(c, "warnings");
      if (c["mutations"]) test.mutations = cr.list(c, "mutations");
      file.cases.push_back(std::move(test));
    }
  } catch (const YAML::Exception& e) {
    errors.add(e.mark, "not valid YAML: " + e.msg);
  }
  if (!errors.empty()) return make_error(errors.joined());
  return file;
}

}  // namespace dockgate::cli
