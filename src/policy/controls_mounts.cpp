// Bind mounts: which host paths a container may see. Each source is judged twice, lexically
// ("/var/run/../run/docker.sock" is "/run/docker.sock"; /var/run is /run, as on Debian) and as
// the canonical path with symlinks resolved, which the gate looks up on the engine host and
// passes as the fact canonical_paths (the policy itself does no I/O). No canonical fact for a
// bind means it cannot be judged, and it is refused.
#include <algorithm>

#include "policy/controls.hpp"
#include "policy/text.hpp"

namespace dockgate::policy {
namespace {

// The engine's and the runtime's control surfaces: a container that sees one of these, or a
// folder holding one, controls the host.
const char* const kEnginePaths[] = {"/run/docker.sock", "/run/docker",         "/run/containerd",
                                    "/var/lib/docker",  "/var/lib/containerd", "/etc/docker"};

using text::concat;

bool is_under(std::string_view path, std::string_view folder) {
  if (folder == "/") return true;
  return path == folder || (path.size() > folder.size() &&
                            path.substr(0, folder.size()) == folder && path[folder.size()] == '/');
}

std::string_view base_name(std::string_view path) {
  return path.substr(path.find_last_of('/') + 1);
}

bool touches_engine(const std::string& path) {
  const auto base = base_name(path);
  if (base == "docker.sock" || base == "containerd.sock") return true;
  return std::any_of(std::begin(kEnginePaths), std::end(kEnginePaths), [&](const char* engine) {
    // The socket itself, anything under its folder, or any parent folder of it ("/", "/run").
    return is_under(path, engine) || is_under(engine, path);
  });
}

std::string describe(const std::string& written, const std::vector<std::string>& seen) {
  std::string text = text::quote(written);
  for (const auto& path : seen) {
    if (path != written) text.append(" (= ").append(path).append(")");
  }
  return text;
}

std::string list_text(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += ", ";
    text += item;
  }
  return text.empty() ? "none" : text;
}

}  // namespace

std::optional<std::string> normalize_host_path(const std::string& path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  // Built in place: each part kept is "/" + part, so ".." drops back to the last '/'.
  std::string normal;
  normal.reserve(path.size());
  const std::string_view text = path;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('/', start);
    if (end == std::string_view::npos) end = text.size();
    const auto part = text.substr(start, end - start);
    if (part == "..") {
      // "/.." is "/", as the kernel reads it
      if (!normal.empty()) normal.erase(normal.find_last_of('/'));
    } else if (!part.empty() && part != ".") {
      normal.append("/").append(part);
    }
    start = end + 1;
  }
  if (normal.empty()) return std::string("/");
  // Debian (and most distributions) make /var/run a symlink to /run: one place, two names.
  if (is_under(normal, "/var/run")) normal.replace(0, 8, "/run");
  return normal;
}

void check_bind_mounts(const BindMountControl& control, const actions::ContainerSpec& spec,
                       const actions::Facts& facts, std::vector<Finding>& out) {
  if (control.forbid_volumes_from) {
    for (std::size_t i = 0; i < spec.volumes_from.size(); ++i)
      out.push_back(Finding{"bind_mounts", concat({"volumes_from[", std::to_string(i), "]"}),
                            text::quote(spec.volumes_from[i]), "no volumes_from",
                            "remove volumes_from: it inherits every mount of the other container, "
                            "host paths included; mount named volumes instead"});
  }
  // Built only for a finding that reports it.
  auto allowed_text = [&] {
    return control.allowed_paths
               ? concat({"host paths under: ", list_text(*control.allowed_paths)})
               : std::string("host paths other than the engine's sockets and their folders");
  };
  for (std::size_t i = 0; i < spec.mounts.size(); ++i) {
    const auto& mount = spec.mounts[i];
    // A "volume" whose source is a path is a bind to the engine: judge it as one.
    const bool is_bind =
        mount.type == actions::MountType::Bind || (mount.type == actions::MountType::Volume &&
                                                   !mount.source.empty() && mount.source[0] == '/');
    if (!is_bind) continue;
    const std::string field = concat({"mounts[", std::to_string(i), "]"});
    auto lexical = normalize_host_path(mount.source);
    if (!lexical) {
      out.push_back(Finding{"bind_mounts", field + ".source", text::quote(mount.source),
                            "an absolute host path", "give the host path as an absolute path"});
      continue;
    }
    const auto canonical = facts.canonical_paths.find(mount.source);
    auto canonical_path = canonical == facts.canonical_paths.end()
                              ? std::nullopt
                              : normalize_host_path(canonical->second);
    if (!canonical_path) {
      out.push_back(Finding{"bind_mounts", field + ".source", text::quote(mount.source),
                            allowed_text(),
                            "its canonical path (symlinks resolved) is unknown, so it cannot be "
                            "judged; use a named volume"});
      continue;
    }
    std::vector<std::string> seen;
    seen.reserve(2);
    seen.push_back(std::move(*lexical));
    if (*canonical_path != seen.front()) seen.push_back(std::move(*canonical_path));

    if (control.deny_docker_socket &&
        std::any_of(seen.begin(), seen.end(), [](auto& p) { return touches_engine(p); })) {
      out.push_back(
          Finding{"bind_mounts", field + ".source", describe(mount.source, seen),
                  "no Docker or containerd socket, nor a folder holding one (/, /run, "
                  "/var/run, /var/lib/docker, ...)",
                  "remove this bind: access to the engine's socket is control of the host; "
                  "use a named volume for data"});
    }
    if (control.allowed_paths) {
      const bool inside = std::all_of(seen.begin(), seen.end(), [&](const std::string& p) {
        return std::any_of(control.allowed_paths->begin(), control.allowed_paths->end(),
                           [&](const std::string& allowed) { return is_under(p, allowed); });
      });
      if (!inside)
        out.push_back(Finding{"bind_mounts", field + ".source", describe(mount.source, seen),
                              allowed_text(),
                              control.allowed_paths->empty()
                                  ? "use a named volume instead of a host path"
                                  : concat({"bind a path under ", list_text(*control.allowed_paths),
                                            ", or use a named volume"})});
    }
    if (control.require_read_only && !mount.read_only)
      out.push_back(Finding{"bind_mounts", field + ".read_only", "false", "true",
                            "mount the host path read-only (\":ro\")"});
    if (control.allowed_propagation &&
        std::find(control.allowed_propagation->begin(), control.allowed_propagation->end(),
                  mount.propagation) == control.allowed_propagation->end())
      out.push_back(Finding{"bind_mounts", field + ".propagation", text::quote(mount.propagation),
                            concat({"propagation: ", list_text(*control.allowed_propagation)}),
                            "remove the propagation option (the default is rprivate)"});
  }
}

}  // namespace dockgate::policy
