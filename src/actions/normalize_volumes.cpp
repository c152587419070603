// "-v" specs as dockerd's Linux parser reads them (volume/mounts/linux_parser.go ParseMountRaw):
//   target | source:target | source:target:mode
// split on every ':' with no empty part. A source starting with '/' is a bind of a host path;
// anything else is a named volume ([a-zA-Z0-9][a-zA-Z0-9_.-]+, the local driver's rule).
// Modes are a comma list with at most one of each: ro|rw, z|Z and (binds only) a propagation.
// Stricter than docker, never looser: relative or "~" host paths (which the CLI would expand),
// ".." segments and "nocopy" (which a Mount cannot carry) are refused. Paths are cleaned
// lexically only ("//" and "." dropped); symlinks are the daemon's business.
#include <string>

#include "actions/normalize.hpp"
#include "actions/normalize_text.hpp"

namespace dockgate::actions {
namespace {

using text::quoted;

constexpr std::size_t kMaxSpecLength = 4096 + 4096 + 64;
constexpr std::size_t kMaxPathLength = 4096;  // PATH_MAX
constexpr std::size_t kMaxVolumeNameLength = 255;

constexpr std::string_view kSpecForms =
    "use name:/path, /host/path:/path or /path, with optional :ro, :rw, :z, :Z or a propagation "
    "mode after a second ':'";

// Lexical clean of an absolute path: "//" and "." segments dropped, trailing '/' removed,
// ".." refused (resolving it would need the file system; refusing keeps the policy honest).
Result<std::string> clean_absolute(std::string_view path, std::string_view what,
                                   std::string_view spec) {
  if (path.empty() || path.front() != '/') {
    return make_error(std::string(what) + " " + quoted(path) + " in " + quoted(spec) +
                      " must be an absolute path starting with '/'");
  }
  if (path.size() > kMaxPathLength) {
    return make_error(std::string(what) + " in " + quoted(spec) + " is longer than " +
                      std::to_string(kMaxPathLength) + " characters");
  }
  std::string out;
  out.reserve(path.size());
  for (std::string_view segment : text::split(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      return make_error(std::string(what) + " " + quoted(path) + " in " + quoted(spec) +
                        " contains a '..' segment: write the path without '..'");
    }
    out += '/';
    out += segment;
  }
  if (out.empty()) out = "/";
  return out;
}

bool is_volume_name(std::string_view name) {
  if (name.size() < 2 || name.size() > kMaxVolumeNameLength || !text::is_alnum(name.front())) {
    return false;
  }
  for (char c : name)
    if (!text::is_alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

bool is_propagation(std::string_view mode) {
  return mode == "private" || mode == "rprivate" || mode == "shared" || mode == "rshared" ||
         mode == "slave" || mode == "rslave";
}

// The mode list ("ro,z", "rshared") applied to mount; one of each kind at most.
Status apply_modes(std::string_view modes, std::string_view spec, Mount& mount) {
  bool seen_rw = false;
  for (std::string_view mode : text::split(modes, ',')) {
    bool duplicate = false;
    if (mode == "ro" || mode == "rw") {
      duplicate = seen_rw;
      seen_rw = true;
      mount.read_only = mode == "ro";
    } else if (mode == "z" || mode == "Z") {
      duplicate = !mount.selinux_relabel.empty();
      mount.selinux_relabel = std::string(mode);
    } else if (is_propagation(mode)) {
      if (mount.type != MountType::Bind) {
        return make_error("propagation mode " + quoted(mode) + " in " + quoted(spec) +
                          " applies only to host-path binds, not to volumes");
      }
      duplicate = !mount.propagation.empty();
      mount.propagation = std::string(mode);
    } else if (mode == "nocopy") {
      return make_error("mode 'nocopy' in " + quoted(spec) +
                        " is not supported here: use ro, rw, z, Z or a propagation mode");
    } else {
      return make_error("mode " + quoted(mode) + " in " + quoted(spec) +
                        " is not known: use ro or rw, z or Z, and for binds one of private, "
                        "rprivate, shared, rshared, slave, rslave, separated by ','");
    }
    if (duplicate) {
      return make_error("mode list " + quoted(modes) + " in " + quoted(spec) +
                        " sets the same kind of option twice (ro/rw, z/Z or propagation): "
                        "give each at most once");
    }
  }
  return Ok{};
}

}  // namespace

Result<Mount> parse_volume_spec(std::string_view spec) {
  if (spec.empty())
    return make_error(std::string("volume spec is empty: ") + std::string(kSpecForms));
  if (spec.size() > kMaxSpecLength) {
    return make_error("volume spec " + quoted(spec) + " is longer than " +
                      std::to_string(kMaxSpecLength) + " characters");
  }
  for (unsigned char c : spec) {
    if (c < 0x20 || c == 0x7f) {
      return make_error("volume spec " + quoted(spec) + " contains control characters");
    }
  }
  std::vector<std::string_view> parts = text::split(spec, ':');
  for (std::string_view part : parts) {
    if (part.empty()) {
      return make_error("volume spec " + quoted(spec) +
                        " has an empty part between ':': " + std::string(kSpecForms));
    }
  }
  if (parts.size() > 3) {
    return make_error("volume spec " + quoted(spec) +
                      " has too many ':' parts: " + std::string(kSpecForms));
  }

  Mount mount;
  std::string_view source, target, modes;
  if (parts.size() == 1) {
    target = parts[0];
  } else {
    source = parts[0];
    target = parts[1];
    if (parts.size() == 3) modes = parts[2];
  }
  if (parts.size() == 2 && target.front() != '/' &&
      (target == "ro" || target == "rw" || target == "z" || target == "Z" ||
       target.find(',') != std::string_view::npos || is_propagation(target))) {
    return make_error("volume spec " + quoted(spec) +
                      " gives a mode without a container path: an anonymous volume takes no "
                      "mode; " +
                      std::string(kSpecForms));
  }

  if (source.empty()) {
    mount.type = MountType::Volume;  // anonymous volume
  } else if (source.front() == '/') {
    mount.type = MountType::Bind;
    auto cleaned = clean_absolute(source, "host path", spec);
    if (!cleaned) return cleaned.error();
    mount.source = std::move(cleaned.value());
  } else if (is_volume_name(source)) {
    mount.type = MountType::Volume;
    mount.source = std::string(source);
  } else if (source.front() == '.' || source.front() == '~' ||
             source.find('/') != std::string_view::npos) {
    return make_error("host path " + quoted(source) + " in " + quoted(spec) +
                      " is relative: host paths must be absolute (start with '/'); a volume "
                      "name is letters, digits, '_', '.' or '-'");
  } else {
    return make_error("volume name " + quoted(source) + " in " + quoted(spec) +
                      " is not valid: use 2-255 letters, digits, '_', '.' or '-', starting with "
                      "a letter or digit (or an absolute host path starting with '/')");
  }

  auto cleaned_target = clean_absolute(target, "container path", spec);
  if (!cleaned_target) return cleaned_target.error();
  if (*cleaned_target == "/") {
    return make_error("container path in " + quoted(spec) +
                      " is '/': a mount cannot replace the container's root");
  }
  mount.target = std::move(cleaned_target.value());
  if (!modes.empty()) {
    if (auto ok = apply_modes(modes, spec, mount); !ok) return ok.error();
  }
  return mount;
}

}  // namespace dockgate::actions
