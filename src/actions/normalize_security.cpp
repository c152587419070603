// Capabilities and security options, normalized the way dockerd reads them so the policy
// compares one spelling:
//   capabilities: moby oci/caps NormalizeLegacyCapabilities: case-insensitive, "CAP_" optional,
//                 "ALL" special ("CAP_ALL" is unknown there too).
//   security-opt: dockerd parseSecurityOpt plus the CLI's client-side "systempaths=unconfined":
//                 "key=value" or the deprecated "key:value" ('=' wins when both appear), the
//                 bare forms "no-new-privileges" and "disable" (a label option).
#include <array>
#include <string>

#include "actions/normalize.hpp"
#include "actions/normalize_text.hpp"

namespace dockgate::actions {
namespace {

using text::quoted;

// Linux capabilities 0..40 (include/uapi/linux/capability.h, 5.9+), without "CAP_".
constexpr std::array<std::string_view, 41> kCapabilities = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};

constexpr std::size_t kMaxCapabilityLength = 64;
constexpr std::size_t kMaxSecurityOptLength = 64 * 1024;  // an inline seccomp profile fits

// strconv.ParseBool
std::optional<bool> parse_go_bool(std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
    return false;
  }
  return std::nullopt;
}

bool is_profile_name(std::string_view v) {
  if (v.empty() || v.size() > 256) return false;
  for (char c : v)
    if (!text::is_alnum(c) && c != '_' && c != '.' && c != '-' && c != '/' && c != ':') {
      return false;
    }
  return true;
}

// SELinux label options: "disable", or user:/role:/type:/level: with a value; also
// "nested" and "filetype:" that go-selinux knows.
bool is_label_option(std::string_view v) {
  if (v == "disable" || v == "nested") return true;
  std::size_t colon = v.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view key = v.substr(0, colon);
  std::string_view value = v.substr(colon + 1);
  if (key != "user" && key != "role" && key != "type" && key != "level" && key != "filetype") {
    return false;
  }
  if (value.empty() || value.size() > 256) return false;
  for (char c : value)
    if (!text::is_alnum(c) && c != '_' && c != '.' && c != '-' && c != ':' && c != ',') {
      return false;
    }
  return true;
}

}  // namespace

Result<std::string> normalize_capability(std::string_view input) {
  const std::string examples =
      "use a Linux capability such as NET_BIND_SERVICE, CHOWN, SYS_TIME or NET_ADMIN (with or "
      "without CAP_, any case), or ALL";
  if (input.empty()) return make_error("capability is empty: " + examples);
  if (input.size() > kMaxCapabilityLength) {
    return make_error("capability " + quoted(input) + " is too long: " + examples);
  }
  std::string name = text::upper(input);
  if (name == "ALL") return name;
  if (name.rfind("CAP_", 0) == 0) name.erase(0, 4);
  for (std::string_view known : kCapabilities)
    if (name == known) return name;
  return make_error("capability " + quoted(input) + " is not known: " + examples);
}

Result<std::string> normalize_security_opt(std::string_view input) {
  const std::string allowed =
      "use seccomp=<profile>|unconfined, apparmor=<profile>|unconfined, label=disable, "
      "label=<user|role|type|level>:<value>, no-new-privileges[=true|false] or "
      "systempaths=unconfined";
  if (input.empty()) return make_error("security option is empty: " + allowed);
  if (input.size() > kMaxSecurityOptLength) {
    return make_error("security option " + quoted(input) + " is longer than " +
                      std::to_string(kMaxSecurityOptLength) + " characters");
  }
  for (unsigned char c : input) {
    if (c < 0x20 || c == 0x7f) {
      return make_error("security option " + quoted(input) +
                        " contains a newline or control character: write it on one line");
    }
  }
  if (input == "no-new-privileges") return std::string("no-new-privileges=true");
  if (input == "disable") return std::string("label=disable");
  if (input == "systempaths=unconfined") return std::string(input);

  // dockerd: split at the first '=' if there is one, else at the first ':'.
  std::size_t sep = input.find('=');
  if (sep == std::string_view::npos) sep = input.find(':');
  if (sep == std::string_view::npos) {
    return make_error("security option " + quoted(input) + " is not key=value: " + allowed);
  }
  std::string_view key = input.substr(0, sep);
  std::string_view value = input.substr(sep + 1);
  std::string k(key);
  if (key == "no-new-privileges") {
    auto flag = parse_go_bool(value);
    if (!flag) {
      return make_error("security option " + quoted(input) +
                        ": no-new-privileges takes true or false");
    }
    return k + "=" + (*flag ? "true" : "false");
  }
  if (key == "seccomp") {
    // A profile path or inline JSON is kept as written: the policy judges it.
    if (value.empty()) {
      return make_error("security option " + quoted(input) +
                        ": seccomp needs a value, e.g. seccomp=unconfined or a profile");
    }
    return k + "=" + std::string(value);
  }
  if (key == "apparmor") {
    if (!is_profile_name(value)) {
      return make_error("security option " + quoted(input) +
                        ": apparmor needs a profile name (letters, digits, '_', '.', '-', '/', "
                        "':') or unconfined");
    }
    return k + "=" + std::string(value);
  }
  if (key == "label") {
    if (!is_label_option(value)) {
      return make_error("security option " + quoted(input) +
                        ": label takes disable, nested or user:, role:, type:, level:, "
                        "filetype: followed by a value");
    }
    return k + "=" + std::string(value);
  }
  if (key == "systempaths") {
    return make_error("security option " + quoted(input) +
                      ": systempaths takes only the exact form systempaths=unconfined");
  }
  return make_error("security option " + quoted(input) + " has an unknown key " + quoted(key) +
                    ": " + allowed);
}

}  // namespace dockgate::actions
