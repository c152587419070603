// Bind mounts: which host paths a container may see. Each source is judged twice, lexically
// ("/var/run/../run/docker.sock" is "/run/docker.sock"; /var/run is /run, as on Debian) and as
// the canonical path with symlinks resolved, which the gate looks up on the engine host and
// passes as the fact canonical_paths (the policy itself does no I/O). No canonical fact for a
// bind means it cannot be judged, and it is refused.
#include <algorithm>

#include "policy/controls.hpp"

namespace dockgate::policy {
namespace {

// The engine's and the runtime's control surfaces: a container that sees one of these, or a
// folder holding one, controls the host.
const char* const kEnginePaths[] = {"/run/docker.sock", "/run/docker",         "/run/containerd",
                                    "/var/lib/docker",  "/var/lib/containerd", "/etc/docker"};

bool is_under(const std::string& path, const std::string& folder) {
  if (folder == "/") return true;
  return path == folder ||
         (path.size() > folder.size() && path.rfind(folder, 0) == 0 && path[folder.size()] == '/');
}

std::string base_name(const std::string& path) {
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
  std::string text = "\"" + written + "\"";
  for (const auto& path : seen) {
    if (path != written) text += " (= " + path + ")";
  }
  return text;
}

std::string list_text(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text.empty() ? "none" : text;
}

}  // namespace

std::optional<std::string> normalize_host_path(const std::string& path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const auto part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();  // "/.." is "/", as the kernel reads it
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string normal;
  for (const auto& part : parts) normal += "/" + part;
  if (normal.empty()) return std::string("/");
  // Debian (and most distributions) make /var/run a symlink to /run: one place, two names.
  if (is_under(normal, "/var/run")) normal = "/run" + normal.substr(8);
  return normal;
}

void check_bind_mounts(const BindMountControl& control, const actions::ContainerSpec& spec,
                       const actions::Facts& facts, std::vector<Finding>& out) {
  if (control.forbid_volumes_from) {
    for (std::size_t i = 0; i < spec.volumes_from.size(); ++i)
      out.push_back({"bind_mounts", "volumes_from[" + std::to_string(i) + "]",
                     "\"" + spec.volumes_from[i] + "\"", "no volumes_from",
                     "remove volumes_from: it inherits every mount of the other container, "
                     "host paths included; mount named volumes instead"});
  }
  const std::string allowed_text =
      control.allowed_paths ? "host paths under: " + list_text(*control.allowed_paths)
                            : "host paths other than the engine's sockets and their folders";
  for (std::size_t i = 0; i < spec.mounts.size(); ++i) {
    const auto& mount = spec.mounts[i];
    // A "volume" whose source is a path is a bind to the engine: judge it as one.
    const bool is_bind =
        mount.type == actions::MountType::Bind || (mount.type == actions::MountType::Volume &&
                                                   !mount.source.empty() && mount.source[0] == '/');
    if (!is_bind) continue;
    const std::string field = "mounts[" + std::to_string(i) + "]";
    const auto lexical = normalize_host_path(mount.source);
    if (!lexical) {
      out.push_back({"bind_mounts", field + ".source", "\"" + mount.source + "\"",
                     "an absolute host path", "give the host path as an absolute path"});
      continue;
    }
    std::vector<std::string> seen = {*lexical};
    const auto canonical = facts.canonical_paths.find(mount.source);
    if (canonical == facts.canonical_paths.end() || !normalize_host_path(canonical->second)) {
      out.push_back({"bind_mounts", field + ".source", "\"" + mount.source + "\"", allowed_text,
                     "its canonical path (symlinks resolved) is unknown, so it cannot be "
                     "judged; use a named volume"});
      continue;
    }
    if (auto path = *normalize_host_path(canonical->second); path != *lexical) seen.push_back(path);

    if (control.deny_docker_socket &&
        std::any_of(seen.begin(), seen.end(), [](auto& p) { return touches_engine(p); })) {
      out.push_back({"bind_mounts", field + ".source", describe(mount.source, seen),
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
        out.push_back({"bind_mounts", field + ".source", describe(mount.source, seen), allowed_text,
                       control.allowed_paths->empty()
                           ? "use a named volume instead of a host path"
                           : "bind a path under " + list_text(*control.allowed_paths) +
                                 ", or use a named volume"});
    }
    if (control.require_read_only && !mount.read_only)
      out.push_back({"bind_mounts", field + ".read_only", "false", "true",
                     "mount the host path read-only (\":ro\")"});
    if (control.allowed_propagation &&
        std::find(control.allowed_propagation->begin(), control.allowed_propagation->end(),
                  mount.propagation) == control.allowed_propagation->end())
      out.push_back({"bind_mounts", field + ".propagation", "\"" + mount.propagation + "\"",
                     "propagation: " + list_text(*control.allowed_propagation),
                     "remove the propagation option (the default is rprivate)"});
  }
}

}  // namespace dockgate::policy
