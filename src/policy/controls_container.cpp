// Container controls: what docker_run's effective ContainerSpec may ask of the host. Values
// are judged as the engine will apply them: the user as runc parses it (with the image's
// User when none is given), capabilities normalized, security options by their key whether
// written with '=' or the legacy ':'.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "actions/normalize.hpp"
#include "policy/controls.hpp"
#include "policy/text.hpp"

namespace dockgate::policy {
namespace {

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

using text::concat;
using text::quote;

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += ", ";
    text += item;
  }
  return text.empty() ? "(none)" : text;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void check_user(const actions::RunContainer& run, const actions::Facts& facts,
                std::vector<Finding>& out) {
  const auto& user = run.spec.user;
  constexpr std::string_view fix =
      "set user to a numeric non-root UID (and GID), e.g. \"1000:1000\"; names cannot be "
      "verified without the image's /etc/passwd";
  if (!user.empty()) {
    if (auto problem = root_user_problem(user))
      out.push_back(Finding{"run_as_non_root", "user", quote(user), "a non-root numeric UID",
                            concat({*problem, "; ", fix})});
    return;
  }
  if (!facts.image || !facts.image->present) {
    out.push_back(
        {"run_as_non_root", "user", "\"\" (the image's User, unknown: image not local)",
         "a non-root numeric UID",
         concat({"the image's default user cannot be checked before it is pulled; ", fix})});
    return;
  }
  const auto& image_user = facts.image->user;
  auto problem = image_user.empty() ? std::optional<std::string>(
                                          "the image sets no User, so it "
                                          "runs as root")
                                    : root_user_problem(image_user);
  if (problem)
    out.push_back(Finding{"run_as_non_root", "user",
                          concat({"\"\" (image default \"", image_user, "\")"}),
                          "a non-root numeric UID", concat({*problem, "; ", fix})});
}

void check_capabilities(const CapabilityControl& control, const actions::ContainerSpec& spec,
                        std::vector<Finding>& out) {
  const std::string allowed = control.allowed_add
                                  ? concat({"cap_add within: ", join(*control.allowed_add)})
                                  : "any except ALL";
  for (std::size_t i = 0; i < spec.cap_add.size(); ++i) {
    const std::string field = concat({"cap_add[", std::to_string(i), "]"});
    auto name = actions::normalize_capability(spec.cap_add[i]);
    if (!name) {
      out.push_back(Finding{"capabilities", field, quote(spec.cap_add[i]), allowed,
                            concat({"cannot judge this capability (", name.error().message,
                                    "); use a Linux capability name such as NET_BIND_SERVICE"})});
    } else if (*name == "ALL") {
      out.push_back(
          Finding{"capabilities", field, quote(spec.cap_add[i]), allowed,
                  "remove ALL from cap_add: it grants every capability, even with cap_drop "
                  "ALL; add only the capabilities the program needs"});
    } else if (control.allowed_add && !contains(*control.allowed_add, *name)) {
      out.push_back(Finding{"capabilities", field, quote(spec.cap_add[i]), allowed,
                            concat({"remove ", *name, " from cap_add"})});
    }
  }
  if (control.drop_all) {
    const bool drops_all = std::any_of(spec.cap_drop.begin(), spec.cap_drop.end(), [](auto& c) {
      auto name = actions::normalize_capability(c);
      return name && *name == "ALL";
    });
    if (!drops_all)
      out.push_back(
          Finding{"capabilities", "cap_drop",
                  spec.cap_drop.empty() ? "[]" : concat({"[", join(spec.cap_drop), "]"}),
                  "cap_drop containing ALL",
                  "set cap_drop to [\"ALL\"] and add back only what is needed in cap_add"});
  }
}

void check_namespaces(const actions::ContainerSpec& spec, std::vector<Finding>& out) {
  const std::pair<const char*, const std::string*> modes[] = {
      {"network", &spec.network},         {"pid_mode", &spec.pid_mode},
      {"ipc_mode", &spec.ipc_mode},       {"uts_mode", &spec.uts_mode},
      {"userns_mode", &spec.userns_mode}, {"cgroupns_mode", &spec.cgroupns_mode}};
  for (const auto& [field, value] : modes) {
    // Compared case-insensitively, as the engine reads them.
    const bool host = text::iequals(*value, "host");
    if (host || text::istarts_with(*value, "container:")) {
      out.push_back(Finding{"host_namespaces", field, quote(*value),
                            "a private namespace (not host, not container:<x>)",
                            concat({"remove ", field,
                                    host ? ": the host's namespace is not allowed"
                                         : ": joining another container's namespace is not "
                                           "allowed (it may itself share the host's)"})});
    }
  }
}

void check_ports(const PortControl& control, const actions::ContainerSpec& spec,
                 std::vector<Finding>& out) {
  for (std::size_t i = 0; i < spec.ports.size(); ++i) {
    const auto& p = spec.ports[i];
    const std::string field = "ports[" + std::to_string(i) + "]";
    if (control.host_port_range && p.host_port != 0 &&
        (p.host_port < control.host_port_range->first ||
         p.host_port > control.host_port_range->second)) {
      const std::string range = std::to_string(control.host_port_range->first) + "-" +
                                std::to_string(control.host_port_range->second);
      out.push_back(Finding{"ports", field + ".host_port", std::to_string(p.host_port),
                            "host ports " + range + " (or 0: any free port)",
                            "publish on a host port in " + range});
    }
    if (control.host_ips) {
      const bool all = p.host_ip.empty() || p.host_ip == "0.0.0.0" || p.host_ip == "::";
      const bool ok =
          contains(*control.host_ips, p.host_ip) ||
          (all && (contains(*control.host_ips, "") || contains(*control.host_ips, "0.0.0.0")));
      if (!ok)
        out.push_back(Finding{"ports", field + ".host_ip",
                              p.host_ip.empty() ? "\"\" (every interface)" : quote(p.host_ip),
                              "host IPs: " + join(*control.host_ips),
                              "bind the port to an allowed address, e.g. \"127.0.0.1:8080:80\""});
    }
  }
  if (control.forbid_publish_all && spec.publish_all)
    out.push_back(Finding{"ports", "publish_all", "true", "false",
                          "publish only the ports needed, each with a host port"});
}

// "seccomp:unconfined" and "seccomp=unconfined" are one option to dockerd; bare "disable" is
// label=disable.
// Views into entry; the key is to be compared case-insensitively (text::iequals).
std::pair<std::string_view, std::string_view> split_security_opt(std::string_view entry) {
  if (text::iequals(entry, "disable")) return {"label", "disable"};
  const auto at = entry.find_first_of("=:");
  if (at == std::string_view::npos) return {entry, ""};
  return {entry.substr(0, at), entry.substr(at + 1)};
}

void check_security_opt(const SecurityOptControl& control, const actions::ContainerSpec& spec,
                        std::vector<Finding>& out) {
  std::optional<std::string> no_new_privileges;  // the last one wins, as in dockerd
  std::size_t nnp_index = 0;
  for (std::size_t i = 0; i < spec.security_opt.size(); ++i) {
    const auto [key, value] = split_security_opt(spec.security_opt[i]);
    if (control.forbid_unconfined &&
        (((text::iequals(key, "seccomp") || text::iequals(key, "apparmor") ||
           text::iequals(key, "systempaths")) &&
          text::iequals(value, "unconfined")) ||
         (text::iequals(key, "label") && text::iequals(value, "disable")))) {
      out.push_back(Finding{"security_opt", concat({"security_opt[", std::to_string(i), "]"}),
                            quote(spec.security_opt[i]),
                            "the default seccomp and AppArmor profiles, SELinux labels enabled",
                            concat({"remove \"", spec.security_opt[i],
                                    "\": the default profiles confine the container"})});
    }
    if (text::iequals(key, "no-new-privileges")) {
      no_new_privileges = lower(std::string(value));
      nnp_index = i;
    }
  }
  if (!control.require_no_new_privileges) return;
  if (!no_new_privileges) {
    out.push_back(
        Finding{"security_opt", "security_opt",
                spec.security_opt.empty() ? "[]" : concat({"[", join(spec.security_opt), "]"}),
                "\"no-new-privileges=true\"", "add \"no-new-privileges=true\" to security_opt"});
  } else if (!no_new_privileges->empty() && *no_new_privileges != "true") {
    out.push_back(Finding{"security_opt", "security_opt[" + std::to_string(nnp_index) + "]",
                          quote(spec.security_opt[nnp_index]), "\"no-new-privileges=true\"",
                          "set \"no-new-privileges=true\" (the last entry wins)"});
  }
}

void check_resources(const ResourceControl& control, const actions::ContainerSpec& spec,
                     std::vector<Finding>& out) {
  auto limit = [&](std::string_view field, std::int64_t value, bool required,
                   const std::optional<std::int64_t>& max, std::string_view unit_help) {
    // Built only for a finding.
    auto allowed = [&] {
      return max ? concat({"a limit of at most ", std::to_string(*max)}) : std::string("a limit");
    };
    // A maximum bounds a limit that is set; require_* makes one mandatory.
    if (value <= 0 && required) {
      out.push_back(Finding{"resources", std::string(field), "no limit", allowed(),
                            concat({"set ", field, " (", unit_help, ")"})});
    } else if (max && value > *max) {
      out.push_back(Finding{"resources", std::string(field), std::to_string(value), allowed(),
                            concat({"lower ", field, " to at most ", std::to_string(*max)})});
    }
  };
  limit("memory_bytes", spec.memory_bytes, control.require_memory, control.memory_max_bytes,
        "memory, e.g. \"512m\"");
  limit("nano_cpus", spec.nano_cpus, control.require_cpus, control.cpus_max_nano,
        "cpus, e.g. \"0.5\"");
  limit("pids_limit", spec.pids_limit, control.require_pids_limit, control.pids_max,
        "pids_limit, e.g. 256");
}

void check_restart(const RestartControl& control, const actions::RestartPolicy& restart,
                   std::vector<Finding>& out) {
  if (!contains(control.allowed, restart.name)) {
    out.push_back(Finding{"restart", "restart", quote(restart.name), join(control.allowed),
                          "use restart " + join(control.allowed)});
  } else if (restart.name == "on-failure" && control.max_retries &&
             (restart.maximum_retry_count <= 0 ||
              restart.maximum_retry_count > *control.max_retries)) {
    out.push_back(Finding{"restart", "restart.maximum_retry_count",
                          restart.maximum_retry_count <= 0
                              ? "0 (retry forever)"
                              : std::to_string(restart.maximum_retry_count),
                          "on-failure:1 to on-failure:" + std::to_string(*control.max_retries),
                          "use \"on-failure:" + std::to_string(*control.max_retries) + "\""});
  }
}

}  // namespace

std::optional<std::string> root_user_problem(const std::string& user) {
  auto spec = actions::parse_user_spec(user);
  if (!spec) return "cannot judge user " + quote(user) + ": " + spec.error().message;
  if (!spec->uid) return "user name " + quote(spec->user) + " cannot be resolved to a UID";
  if (*spec->uid == 0) return quote(user) + " is UID 0 (root)";
  return std::nullopt;
}

void check_container_controls(const Controls& c, const actions::RunContainer& run,
                              const actions::Facts& facts, std::vector<Finding>& out) {
  const auto& spec = run.spec;
  if (c.privileged && !*c.privileged && spec.privileged)
    out.push_back(Finding{"privileged", "privileged", "true", "false",
                          "remove privileged; add only the capabilities needed in cap_add"});
  if (c.run_as_non_root.value_or(false)) check_user(run, facts, out);
  if (c.capabilities) check_capabilities(*c.capabilities, spec, out);
  if (c.host_namespaces && !*c.host_namespaces) check_namespaces(spec, out);
  if (c.bind_mounts) check_bind_mounts(*c.bind_mounts, spec, facts, out);
  if (c.ports) check_ports(*c.ports, spec, out);
  if (c.devices && !*c.devices) {
    for (std::size_t i = 0; i < spec.devices.size(); ++i)
      out.push_back(Finding{"devices", "devices[" + std::to_string(i) + "]", quote(spec.devices[i]),
                            "no host devices", "remove the device"});
  }
  if (c.security_opt) check_security_opt(*c.security_opt, spec, out);
  if (c.sysctls_allowed) {
    for (const auto& [key, value] : spec.sysctls) {
      if (!contains(*c.sysctls_allowed, key))
        out.push_back(Finding{"sysctls", "sysctls." + key, quote(value), join(*c.sysctls_allowed),
                              "remove the sysctl " + key});
    }
  }
  if (c.read_only_rootfs.value_or(false) && !spec.read_only_rootfs)
    out.push_back(Finding{"read_only_rootfs", "read_only", "false", "true",
                          "set read_only to true and mount a tmpfs or volume where it must write"});
  if (c.resources) check_resources(*c.resources, spec, out);
  if (c.restart) check_restart(*c.restart, spec.restart, out);
  if (c.images) check_image(*c.images, spec.image, out);
}

std::vector<Finding> check_controls(const Controls& controls, const actions::Action& action,
                                    const actions::Facts& facts, const auth::Principal& principal) {
  std::vector<Finding> out;
  check_controls(controls, action, facts, principal, out);
  return out;
}

void check_controls(const Controls& controls, const actions::Action& action,
                    const actions::Facts& facts, const auth::Principal& principal,
                    std::vector<Finding>& out) {
  if (controls.owner) check_owner(*controls.owner, action, facts, principal, out);
  if (const auto* run = std::get_if<actions::RunContainer>(&action)) {
    check_container_controls(controls, *run, facts, out);
  } else if (const auto* exec = std::get_if<actions::ExecCommand>(&action)) {
    check_exec(controls, *exec, facts, out);
  } else if (const auto* pull = std::get_if<actions::PullImage>(&action)) {
    // A pull is judged like the image a docker_run would use: what is pulled can be run.
    if (controls.images) check_image(*controls.images, pull->image, out);
  } else if (const auto* build = std::get_if<actions::BuildImage>(&action)) {
    check_build(controls, *build, out);
  } else if (const auto* volume = std::get_if<actions::CreateVolume>(&action)) {
    if (controls.volume_drivers) check_volume_create(*controls.volume_drivers, *volume, out);
  } else if (const auto* network = std::get_if<actions::CreateNetwork>(&action)) {
    if (controls.network_drivers && !contains(controls.network_drivers->allowed, network->driver))
      out.push_back(Finding{"network_drivers", "driver", quote(network->driver),
                            join(controls.network_drivers->allowed),
                            "use driver " + join(controls.network_drivers->allowed)});
  }
}

std::optional<std::int64_t> parse_policy_bytes(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::int64_t multiplier = 1;
  std::string digits = text;
  const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(text.back())));
  const std::string units = "bkmgt";
  if (const auto at = units.find(unit); at != std::string::npos) {
    for (std::size_t i = 0; i < at; ++i) multiplier *= 1024;
    digits.pop_back();
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value <= 0 ||
      value > INT64_MAX / multiplier)
    return std::nullopt;
  return value * multiplier;
}

std::optional<std::int64_t> parse_policy_cpus(const std::string& text) {
  double cpus = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cpus);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !(cpus > 0) ||
      cpus > 4096)
    return std::nullopt;
  return static_cast<std::int64_t>(std::llround(cpus * 1e9));
}

}  // namespace dockgate::policy
